pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "./lean_imt_root.circom";

// Mechanism 3: S proves it owns a registered α (its R_α is a leaf under the public root M_α) and commits to the
// authorization R_α.U = H(α, Pk_S, Pk_U, σ'). The Merkle path and R_α stay private.
template Authorization(MAX_DEPTH) {
    signal input alpha;          // α (public)
    signal input ownerPk;        // Pk_S (public: the contract checks it registered α)
    signal input userPk;         // Pk_U (public: the user finds the authorization by it)
    signal input root;           // M_α (public)
    signal input commitment;     // R_α.U (public, the new leaf)
    signal input sender;
    signal input chainId;
    signal input registry;     // address of the GranuleRegistry that verifies the proof (public binding)
    signal input secret;         // Sk_S
    signal input salt;           // σ
    signal input authSalt;       // σ'
    signal input depth;
    signal input pathIndices[MAX_DEPTH];
    signal input siblings[MAX_DEPTH];

    component pkHash = Poseidon(1);
    pkHash.inputs[0] <== secret;
    pkHash.out === ownerPk;

    component leaf = Poseidon(3);
    leaf.inputs[0] <== alpha;
    leaf.inputs[1] <== ownerPk;
    leaf.inputs[2] <== salt;

    component tree = LeanImtRoot(MAX_DEPTH);
    tree.leaf <== leaf.out;
    tree.depth <== depth;
    tree.pathIndices <== pathIndices;
    tree.siblings <== siblings;
    tree.root === root;

    component auth = Poseidon(4);
    auth.inputs[0] <== alpha;
    auth.inputs[1] <== ownerPk;
    auth.inputs[2] <== userPk;
    auth.inputs[3] <== authSalt;
    auth.out === commitment;

    component binding = Binding();
    binding.sender <== sender;
    binding.chainId <== chainId;
    binding.verifier <== registry;
}

component main {public [alpha, ownerPk, userPk, root, commitment, sender, chainId, registry]} = Authorization(20);
