// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice What the incentive contract reads from the granule registry (contracts/GranuleRegistry.sol).
interface IGranuleCounts {
    function registrationsOf(uint256 pk) external view returns (uint256);
    function instantiationsOf(uint256 alpha) external view returns (uint256);
    function ownerOf(uint256 alpha) external view returns (uint256);
}

/// @notice What the incentive contract reads from the Consortium (contracts/Consortium.sol).
interface IConsortiumMembers {
    function pkOf(address account) external view returns (uint256);
    function hasRole(bytes32 role, address account) external view returns (bool);
}
