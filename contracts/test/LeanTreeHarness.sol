// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LeanTree, IPoseidonT3} from "../zk/LeanTree.sol";

/// @dev Test-only: exposes LeanTree so its roots can be fuzzed against src/lib/zk/lean-tree.ts. Never deployed by the app.
contract LeanTreeHarness {
    using LeanTree for LeanTree.Tree;

    LeanTree.Tree private _tree;
    IPoseidonT3 private immutable _poseidon;

    event Inserted(uint256 index, uint256 root);

    constructor(IPoseidonT3 poseidon_) {
        _poseidon = poseidon_;
    }

    function insert(uint256 leaf) external returns (uint256 index, uint256 root) {
        (index, root) = _tree.insert(_poseidon, leaf);
        emit Inserted(index, root);
    }

    function insertMany(uint256[] calldata leaves) external returns (uint256 root) {
        for (uint256 i = 0; i < leaves.length; i++) (, root) = _tree.insert(_poseidon, leaves[i]);
    }

    function root() external view returns (uint256) {
        return _tree.root();
    }

    function state() external view returns (uint256 size, uint256 depth, uint256 currentRoot) {
        return (_tree.size, _tree.depth, _tree.root());
    }

    function isKnownRoot(uint256 candidate) external view returns (bool) {
        return _tree.isKnownRoot(candidate);
    }
}
