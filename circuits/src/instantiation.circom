pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "./lean_imt_root.circom";

// Mechanism 5: U proves it holds Sk_U with Pk_U = H(Sk_U) and that R_α.U = H(α, Pk_S, Pk_U, σ') is a leaf under
// the public authorization root M_α.U. Pk_S, σ' and the path stay private.
template Instantiation(MAX_DEPTH) {
    signal input alpha;          // α (public)
    signal input userPk;         // Pk_U (public: key delivery is addressed to it)
    signal input root;           // M_α.U (public)
    signal input sender;
    signal input chainId;
    signal input registry;     // address of the GranuleRegistry that verifies the proof (public binding)
    signal input secret;         // Sk_U
    signal input ownerPk;        // Pk_S
    signal input authSalt;       // σ'
    signal input depth;
    signal input pathIndices[MAX_DEPTH];
    signal input siblings[MAX_DEPTH];

    component pkHash = Poseidon(1);
    pkHash.inputs[0] <== secret;
    pkHash.out === userPk;

    component leaf = Poseidon(4);
    leaf.inputs[0] <== alpha;
    leaf.inputs[1] <== ownerPk;
    leaf.inputs[2] <== userPk;
    leaf.inputs[3] <== authSalt;

    component tree = LeanImtRoot(MAX_DEPTH);
    tree.leaf <== leaf.out;
    tree.depth <== depth;
    tree.pathIndices <== pathIndices;
    tree.siblings <== siblings;
    tree.root === root;

    component binding = Binding();
    binding.sender <== sender;
    binding.chainId <== chainId;
    binding.verifier <== registry;
}

component main {public [alpha, userPk, root, sender, chainId, registry]} = Instantiation(20);
