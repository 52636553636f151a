// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Consortium} from "./Consortium.sol";
import {LeanTree, IPoseidonT3} from "./zk/LeanTree.sol";

interface IVerifier5 {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[5] calldata signals) external view returns (bool);
}

interface IVerifier7 {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[7] calldata signals) external view returns (bool);
}

/// @title GranuleRegistry: the paper's processing mechanisms 2 (registration), 4 (authorization) and 6 (instantiation).
/// @notice Every proof is bound to msg.sender and block.chainid through its public inputs, so a proof copied from
/// the mempool or from another chain does not verify. Uniqueness rests on public values (α, R_α.U, (α, Pk_U)),
/// never on proof bytes: Groth16 proofs are malleable and a re-randomized copy must not create a second record.
contract GranuleRegistry {
    using LeanTree for LeanTree.Tree;

    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    uint256 internal constant MAX_MANIFEST_CID_BYTES = 128;
    /// @dev CIDv1, raw codec, sha2-256, 32-byte digest: the public manifest's CID form (a raw block, see src/lib/p2p).
    bytes4 internal constant RAW_SHA256_CID_PREFIX = 0x01551220;

    Consortium public immutable consortium;
    IVerifier5 public immutable registrationVerifier;
    IVerifier7 public immutable authorizationVerifier;
    IVerifier5 public immutable instantiationVerifier;
    IPoseidonT3 public immutable poseidon;

    LeanTree.Tree private _registrations;
    LeanTree.Tree private _authorizations;

    /// @notice Pk_S of the owner who registered α (0: not registered).
    mapping(uint256 alpha => uint256 pk) public ownerOf;
    /// @dev The public manifest's CID: only its digest when it has the usual raw sha2-256 form (one storage slot
    /// instead of three, about 44,000 gas less per registration), the whole binary CID otherwise. See manifestOf.
    mapping(uint256 alpha => bytes32 digest) private _manifestDigest;
    mapping(uint256 alpha => bytes cid) private _manifestCid;
    /// @notice How many granules were registered under an owner public key (read by the incentive contract).
    mapping(uint256 pk => uint256 count) public registrationsOf;
    /// @notice How many users instantiated α (read by the incentive contract).
    mapping(uint256 alpha => uint256 count) public instantiationsOf;
    /// @notice Whether R_α.U is a leaf of the authorization tree.
    mapping(uint256 commitment => bool) public isAuthorized;
    /// @notice When Pk_U instantiated α (0: never), keyed by keccak256(α, Pk_U).
    mapping(bytes32 key => uint256 timestamp) private _instantiatedAt;

    event Registered(uint256 indexed alpha, uint256 indexed ownerPk, uint256 commitment, uint256 leafIndex, uint256 root, bytes manifestCid);
    event Authorized(uint256 indexed alpha, uint256 indexed userPk, uint256 ownerPk, uint256 commitment, uint256 leafIndex, uint256 root);
    event Instantiated(uint256 indexed alpha, uint256 indexed userPk, address indexed account, bytes32 x25519PublicKey, uint256 ownerPk);

    error NotAMember(address account);
    error AlreadyRegistered(uint256 alpha);
    error InvalidManifestCid();
    error InvalidProof();
    error NotRegistered(uint256 alpha);
    error NotGranuleOwner(uint256 alpha, uint256 ownerPk);
    error UnknownRoot(uint256 root);
    error AlreadyAuthorized(uint256 commitment);
    error AlreadyInstantiated(uint256 alpha, uint256 userPk);

    constructor(Consortium consortium_, IVerifier5 registrationVerifier_, IVerifier7 authorizationVerifier_, IVerifier5 instantiationVerifier_, IPoseidonT3 poseidon_) {
        consortium = consortium_;
        registrationVerifier = registrationVerifier_;
        authorizationVerifier = authorizationVerifier_;
        instantiationVerifier = instantiationVerifier_;
        poseidon = poseidon_;
    }

    modifier onlyMember() {
        if (consortium.pkOf(msg.sender) == 0) revert NotAMember(msg.sender);
        _;
    }

    /// @notice Mechanism 2. Public signals: [Pk_S, R_α, α, sender, chain id].
    function register(Proof calldata proof, uint256 alpha, uint256 ownerPk, uint256 commitment, bytes calldata manifestCid)
        external
        onlyMember
        returns (uint256 leafIndex)
    {
        if (ownerOf[alpha] != 0) revert AlreadyRegistered(alpha);
        if (manifestCid.length == 0 || manifestCid.length > MAX_MANIFEST_CID_BYTES) revert InvalidManifestCid();
        uint256[5] memory signals = [ownerPk, commitment, alpha, uint256(uint160(msg.sender)), block.chainid];
        if (!_verify5(registrationVerifier, proof, signals)) revert InvalidProof();
        ownerOf[alpha] = ownerPk;
        _storeManifest(alpha, manifestCid);
        registrationsOf[ownerPk] += 1;
        uint256 root;
        (leafIndex, root) = _registrations.insert(poseidon, commitment);
        emit Registered(alpha, ownerPk, commitment, leafIndex, root, manifestCid);
    }

    /// @notice Mechanism 4. Public signals: [α, Pk_S, Pk_U, M_α, R_α.U, sender, chain id].
    function authorize(Proof calldata proof, uint256 alpha, uint256 ownerPk, uint256 userPk, uint256 root, uint256 commitment)
        external
        onlyMember
        returns (uint256 leafIndex)
    {
        uint256 registeredOwner = ownerOf[alpha];
        if (registeredOwner == 0) revert NotRegistered(alpha);
        if (registeredOwner != ownerPk) revert NotGranuleOwner(alpha, ownerPk);
        if (!_registrations.isKnownRoot(root)) revert UnknownRoot(root);
        if (isAuthorized[commitment]) revert AlreadyAuthorized(commitment);
        uint256[7] memory signals = [alpha, ownerPk, userPk, root, commitment, uint256(uint160(msg.sender)), block.chainid];
        if (!_verify7(authorizationVerifier, proof, signals)) revert InvalidProof();
        isAuthorized[commitment] = true;
        uint256 newRoot;
        (leafIndex, newRoot) = _authorizations.insert(poseidon, commitment);
        emit Authorized(alpha, userPk, ownerPk, commitment, leafIndex, newRoot);
    }

    /// @notice Mechanism 6. Public signals: [α, Pk_U, M_α.U, sender, chain id]. The event is what custodians watch
    /// to deliver the granule key, sealed to `x25519PublicKey`.
    function instantiate(Proof calldata proof, uint256 alpha, uint256 userPk, uint256 root, bytes32 x25519PublicKey) external onlyMember {
        uint256 owner = ownerOf[alpha];
        if (owner == 0) revert NotRegistered(alpha);
        if (!_authorizations.isKnownRoot(root)) revert UnknownRoot(root);
        bytes32 key = keccak256(abi.encode(alpha, userPk));
        if (_instantiatedAt[key] != 0) revert AlreadyInstantiated(alpha, userPk);
        uint256[5] memory signals = [alpha, userPk, root, uint256(uint160(msg.sender)), block.chainid];
        if (!_verify5(instantiationVerifier, proof, signals)) revert InvalidProof();
        _instantiatedAt[key] = block.timestamp;
        instantiationsOf[alpha] += 1;
        emit Instantiated(alpha, userPk, msg.sender, x25519PublicKey, owner);
    }

    /// @notice The granule's public manifest on IPFS (binary CID).
    function manifestOf(uint256 alpha) external view returns (bytes memory) {
        bytes32 digest = _manifestDigest[alpha];
        if (digest != bytes32(0)) return abi.encodePacked(RAW_SHA256_CID_PREFIX, digest);
        return _manifestCid[alpha];
    }

    function _storeManifest(uint256 alpha, bytes calldata cid) private {
        if (cid.length == 36 && bytes4(cid[:4]) == RAW_SHA256_CID_PREFIX && bytes32(cid[4:36]) != bytes32(0)) {
            _manifestDigest[alpha] = bytes32(cid[4:36]);
        } else {
            _manifestCid[alpha] = cid;
        }
    }

    function instantiatedAt(uint256 alpha, uint256 userPk) external view returns (uint256) {
        return _instantiatedAt[keccak256(abi.encode(alpha, userPk))];
    }

    function registrationRoot() external view returns (uint256) {
        return _registrations.root();
    }

    function authorizationRoot() external view returns (uint256) {
        return _authorizations.root();
    }

    function registrationTree() external view returns (uint256 size, uint256 depth, uint256 root) {
        return (_registrations.size, _registrations.depth, _registrations.root());
    }

    function authorizationTree() external view returns (uint256 size, uint256 depth, uint256 root) {
        return (_authorizations.size, _authorizations.depth, _authorizations.root());
    }

    function isKnownRegistrationRoot(uint256 root) external view returns (bool) {
        return _registrations.isKnownRoot(root);
    }

    function isKnownAuthorizationRoot(uint256 root) external view returns (bool) {
        return _authorizations.isKnownRoot(root);
    }

    // The verifier runs its pairing in a precompile; with too little gas that call fails and the verifier returns
    // false instead of reverting, which is why a false result is turned into a revert here (and why clients set gas).
    function _verify5(IVerifier5 verifier, Proof calldata proof, uint256[5] memory signals) private view returns (bool) {
        return verifier.verifyProof(proof.a, proof.b, proof.c, signals);
    }

    function _verify7(IVerifier7 verifier, Proof calldata proof, uint256[7] memory signals) private view returns (bool) {
        return verifier.verifyProof(proof.a, proof.b, proof.c, signals);
    }
}
