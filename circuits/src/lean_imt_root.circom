pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/mux1.circom";

// Root of a lean incremental Merkle tree (dynamic depth: a node without a right sibling moves up unhashed), from a
// compact proof of `depth` (≤ MAX_DEPTH) siblings. The tree on chain then pays a Poseidon hash only per level that has
// a sibling, and its depth grows with log2(size) instead of being fixed at MAX_DEPTH (see contracts/zk/LeanTree.sol).
// The path is a private witness: only the root is public.
template LeanImtRoot(MAX_DEPTH) {
    signal input leaf;
    signal input depth;
    signal input pathIndices[MAX_DEPTH];
    signal input siblings[MAX_DEPTH];
    signal output root;

    signal nodes[MAX_DEPTH + 1];
    nodes[0] <== leaf;
    component hashes[MAX_DEPTH];
    component left[MAX_DEPTH];
    component right[MAX_DEPTH];
    for (var i = 0; i < MAX_DEPTH; i++) {
        // A path index is a bit: 0 = our node is on the left, 1 = on the right.
        pathIndices[i] * (1 - pathIndices[i]) === 0;
        left[i] = Mux1();
        left[i].c[0] <== nodes[i];
        left[i].c[1] <== siblings[i];
        left[i].s <== pathIndices[i];
        right[i] = Mux1();
        right[i].c[0] <== siblings[i];
        right[i].c[1] <== nodes[i];
        right[i].s <== pathIndices[i];
        hashes[i] = Poseidon(2);
        hashes[i].inputs[0] <== left[i].out;
        hashes[i].inputs[1] <== right[i].out;
        nodes[i + 1] <== hashes[i].out;
    }

    // Select nodes[depth] with a one-hot vector; its sum being 1 also proves depth ≤ MAX_DEPTH.
    component isDepth[MAX_DEPTH + 1];
    signal picked[MAX_DEPTH + 1];
    var total = 0;
    var oneHot = 0;
    for (var i = 0; i <= MAX_DEPTH; i++) {
        isDepth[i] = IsEqual();
        isDepth[i].in[0] <== depth;
        isDepth[i].in[1] <== i;
        picked[i] <== isDepth[i].out * nodes[i];
        total += picked[i];
        oneHot += isDepth[i].out;
    }
    oneHot === 1;
    root <== total;
}

// Ties a proof to the transaction that carries it: the sending account, the chain and the contract that verifies it
// (the registry, or the Consortium for enrolment). The squares are non-linear constraints, so the optimizer keeps
// these public inputs in the verification key and a proof made for one sender, chain or contract fails for any other.
template Binding() {
    signal input sender;
    signal input chainId;
    signal input verifier;
    signal senderSquare <== sender * sender;
    signal chainIdSquare <== chainId * chainId;
    signal verifierSquare <== verifier * verifier;
}
