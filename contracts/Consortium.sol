// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

interface IEnrolmentVerifier {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[4] calldata signals) external view returns (bool);
}

/// @title Consortium: who may take part in twingrain's sharing, and who keeps granule keys.
/// @notice Members bind a wallet to their twingrain public key Pk = Poseidon(Sk). Custodians hold shares of granule
/// keys and are addressed by their X25519 public keys; `threshold` shares reconstruct a key.
/// Self-enrolment proves knowledge of Sk for Pk (circuits/src/enrolment.circom), bound to the sending account, the
/// chain and this contract's address: a Pk seen in the mempool cannot be squatted.
contract Consortium is AccessControl {
    bytes32 public constant ENROLLER_ROLE = keccak256("ENROLLER_ROLE");

    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    IEnrolmentVerifier public immutable enrolmentVerifier;

    struct Custodian {
        address account;
        bytes32 x25519PublicKey;
    }

    /// @notice When true anyone may enrol themselves (the embedded development chain turns it on).
    bool public openEnrolment;
    /// @notice How many custodian shares reconstruct a granule key.
    uint8 public threshold;

    mapping(address account => uint256 pk) public pkOf;
    mapping(uint256 pk => address account) public memberOf;
    Custodian[] private _custodians;
    mapping(address account => uint256 indexPlusOne) private _custodianIndex;

    event MemberEnrolled(address indexed account, uint256 indexed pk);
    event OpenEnrolmentChanged(bool open);
    event CustodianRegistered(address indexed account, bytes32 x25519PublicKey);
    event CustodianRemoved(address indexed account);
    event ThresholdChanged(uint8 threshold);

    error EnrolmentClosed();
    error InvalidProof();
    error AlreadyEnrolled(address account);
    error PublicKeyTaken(uint256 pk);
    error InvalidPublicKey();
    error CustodianExists(address account);
    error UnknownCustodian(address account);
    error InvalidThreshold(uint8 threshold, uint256 custodians);

    constructor(address admin, bool openEnrolment_, IEnrolmentVerifier enrolmentVerifier_) {
        enrolmentVerifier = enrolmentVerifier_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ENROLLER_ROLE, admin);
        openEnrolment = openEnrolment_;
        emit OpenEnrolmentChanged(openEnrolment_);
    }

    /// @notice Enrol the caller under `pk` while enrolment is open, with a proof that the caller knows Sk for
    /// Pk = Poseidon(Sk). Public signals: [Pk, sender, chain id, this contract].
    function enrol(uint256 pk, Proof calldata proof) external {
        if (!openEnrolment) revert EnrolmentClosed();
        _checkEnrolment(msg.sender, pk);
        uint256[4] memory signals = [pk, uint256(uint160(msg.sender)), block.chainid, uint256(uint160(address(this)))];
        // A verifier that runs out of gas in the pairing precompile returns false: that is a refusal too.
        if (!enrolmentVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
        _enrol(msg.sender, pk);
    }

    /// @notice An enroller enrols `account` under `pk` (closed consortia).
    function enrolMember(address account, uint256 pk) external onlyRole(ENROLLER_ROLE) {
        _enrol(account, pk);
    }

    function setOpenEnrolment(bool open) external onlyRole(DEFAULT_ADMIN_ROLE) {
        openEnrolment = open;
        emit OpenEnrolmentChanged(open);
    }

    function isMember(address account) external view returns (bool) {
        return pkOf[account] != 0;
    }

    function registerCustodian(address account, bytes32 x25519PublicKey) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_custodianIndex[account] != 0) revert CustodianExists(account);
        _custodians.push(Custodian(account, x25519PublicKey));
        _custodianIndex[account] = _custodians.length;
        emit CustodianRegistered(account, x25519PublicKey);
    }

    function removeCustodian(address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 indexPlusOne = _custodianIndex[account];
        if (indexPlusOne == 0) revert UnknownCustodian(account);
        Custodian memory last = _custodians[_custodians.length - 1];
        _custodians[indexPlusOne - 1] = last;
        _custodianIndex[last.account] = indexPlusOne;
        _custodians.pop();
        delete _custodianIndex[account];
        if (threshold > _custodians.length) {
            threshold = uint8(_custodians.length);
            emit ThresholdChanged(threshold);
        }
        emit CustodianRemoved(account);
    }

    function setThreshold(uint8 threshold_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (threshold_ == 0 || threshold_ > _custodians.length) revert InvalidThreshold(threshold_, _custodians.length);
        threshold = threshold_;
        emit ThresholdChanged(threshold_);
    }

    function custodians() external view returns (Custodian[] memory) {
        return _custodians;
    }

    function _checkEnrolment(address account, uint256 pk) private view {
        // Pk is a BN254 field element; zero is reserved to mean "not enrolled".
        if (pk == 0 || pk >= 21888242871839275222246405745257275088548364400416034343698204186575808495617) {
            revert InvalidPublicKey();
        }
        if (pkOf[account] != 0) revert AlreadyEnrolled(account);
        if (memberOf[pk] != address(0)) revert PublicKeyTaken(pk);
    }

    function _enrol(address account, uint256 pk) private {
        _checkEnrolment(account, pk);
        pkOf[account] = pk;
        memberOf[pk] = account;
        emit MemberEnrolled(account, pk);
    }
}
