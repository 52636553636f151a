pragma circom 2.1.9;

include "circomlib/circuits/poseidon.circom";
include "./lean_imt_root.circom";

// Transfer of ownership: the owner proves it knows Sk_S for Pk_S = H(Sk_S), the registered owner of α, and names the
// new owner Pk_N and the registry's transfer nonce of α. A wallet alone cannot hand a granule away (it needs Sk_S),
// and a proof cannot be replayed: it is bound to α, to the new owner, to the nonce (which the registry bumps on every
// transfer), to the sending account, the chain and the registry.
template Transfer() {
    signal input alpha;        // α (public)
    signal input ownerPk;      // Pk_S (public: the registry checks it owns α)
    signal input newOwnerPk;   // Pk_N (public)
    signal input nonce;        // transfers of α so far (public: the registry checks it)
    signal input sender;
    signal input chainId;
    signal input registry;     // address of the GranuleRegistry that verifies the proof (public binding)
    signal input secret;       // Sk_S

    component pkHash = Poseidon(1);
    pkHash.inputs[0] <== secret;
    pkHash.out === ownerPk;

    // Squares keep α, Pk_N and the nonce in the verification key (see Binding).
    signal alphaSquare <== alpha * alpha;
    signal newOwnerSquare <== newOwnerPk * newOwnerPk;
    signal nonceSquare <== nonce * nonce;

    component binding = Binding();
    binding.sender <== sender;
    binding.chainId <== chainId;
    binding.verifier <== registry;
}

component main {public [alpha, ownerPk, newOwnerPk, nonce, sender, chainId, registry]} = Transfer();
