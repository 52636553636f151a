// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {GranuleRegistry, IVerifier6, IVerifier7, IVerifier8, ICredit} from "../GranuleRegistry.sol";
import {Consortium} from "../Consortium.sol";
import {LeanTree, IPoseidonT3} from "../zk/LeanTree.sol";

/// @dev Test-only: the real GranuleRegistry plus batch inserts of filler leaves into its two trees (through the real
/// LeanTree and Poseidon), so the attack tests reach 2^13 + 1 leaves in seconds instead of 8,193 proofs. Never
/// deployed by the app (deploy.ts names the contracts it deploys).
contract GranuleRegistryHarness is GranuleRegistry {
    using LeanTree for LeanTree.Tree;

    constructor(
        Consortium consortium_,
        IVerifier6 registrationVerifier_,
        IVerifier8 authorizationVerifier_,
        IVerifier6 instantiationVerifier_,
        IVerifier7 transferVerifier_,
        IPoseidonT3 poseidon_,
        ICredit credit_,
        uint256 actionsPerDay
    ) GranuleRegistry(consortium_, registrationVerifier_, authorizationVerifier_, instantiationVerifier_, transferVerifier_, poseidon_, credit_, actionsPerDay) {}

    function seedRegistrations(uint256[] calldata leaves) external {
        for (uint256 i = 0; i < leaves.length; i++) _registrations.insert(poseidon, leaves[i]);
    }

    function seedAuthorizations(uint256[] calldata leaves) external {
        for (uint256 i = 0; i < leaves.length; i++) _authorizations.insert(poseidon, leaves[i]);
    }
}
