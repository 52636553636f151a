// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title CommunityCredit: the community's credit token in which sharing is compensated.
/// @notice 18 decimals, so one credit is 1e18 base units — the same 1e18 fixed-point scale the incentive terms use.
/// Only holders of MINTER_ROLE (the SharingIncentive contract) create credits.
contract CommunityCredit is ERC20, AccessControl {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    constructor(address admin) ERC20("twingrain community credit", "TGC") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }
}
