pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "./lean_imt_root.circom";

// Mechanism 1: S proves it holds Sk_S with Pk_S = H(Sk_S) and R_α = H(α, Pk_S, σ).
template Registration() {
    signal input pk;          // Pk_S (public)
    signal input commitment;  // R_α (public)
    signal input alpha;       // α (public)
    signal input sender;      // transaction sender (public binding)
    signal input chainId;     // chain id (public binding)
    signal input registry;    // GranuleRegistry address (public binding)
    signal input secret;      // Sk_S
    signal input salt;        // σ

    component pkHash = Poseidon(1);
    pkHash.inputs[0] <== secret;
    pkHash.out === pk;

    component leaf = Poseidon(3);
    leaf.inputs[0] <== alpha;
    leaf.inputs[1] <== pk;
    leaf.inputs[2] <== salt;
    leaf.out === commitment;

    component binding = Binding();
    binding.sender <== sender;
    binding.chainId <== chainId;
    binding.verifier <== registry;
}

component main {public [pk, commitment, alpha, sender, chainId, registry]} = Registration();
