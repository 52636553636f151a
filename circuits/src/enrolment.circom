pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "./lean_imt_root.circom";

// Enrolment: a member proves it knows Sk for the Pk it enrols, Pk = Poseidon(Sk), bound to the enrolling account,
// the chain and the Consortium's address. A front-runner that copies the transaction from the mempool cannot reuse
// the proof (bound to the sender) and cannot make its own (it does not know Sk), so nobody can squat a Pk.
template Enrolment() {
    signal input pk;          // Pk (public)
    signal input sender;      // enrolling account (public binding)
    signal input chainId;     // chain id (public binding)
    signal input consortium;  // Consortium address (public binding)
    signal input secret;      // Sk

    component pkHash = Poseidon(1);
    pkHash.inputs[0] <== secret;
    pkHash.out === pk;

    component binding = Binding();
    binding.sender <== sender;
    binding.chainId <== chainId;
    binding.verifier <== consortium;
}

component main {public [pk, sender, chainId, consortium]} = Enrolment();
