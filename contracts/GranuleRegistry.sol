// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Consortium} from "./Consortium.sol";
import {LeanTree, IPoseidonT3} from "./zk/LeanTree.sol";

interface IVerifier6 {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[6] calldata signals) external view returns (bool);
}

interface IVerifier7 {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[7] calldata signals) external view returns (bool);
}

/// @dev The part of the community credit (an ERC-20, contracts/incentive/CommunityCredit.sol) a licence's price needs.
interface ICredit {
    function allowance(address owner, address spender) external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}

interface IVerifier8 {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[8] calldata signals) external view returns (bool);
}

/// @title GranuleRegistry: the paper's processing mechanisms 2 (registration), 4 (authorization) and 6 (instantiation).
/// @notice Every proof is bound to msg.sender, block.chainid and this registry's address through its public inputs,
/// so a proof copied from the mempool, from another chain or made for another registry does not verify. Every action
/// is also bound to the caller's enrolled public key (Consortium.pkOf): an account acts only as its own Pk.
/// Registration is commit–reveal: the owner first commits keccak256(α, Pk_S, account, salt), which hides α, and
/// reveals at least one block later, so a mempool observer who learns α from the reveal is always too late.
/// Uniqueness rests on public values (α, R_α.U, (α, Pk_U)), never on proof bytes: Groth16 proofs are malleable and a
/// re-randomized copy must not create a second record.
/// Licences: an authorization carries its terms (expiry, price in community credit), fixed when the owner authorizes.
/// Instantiation checks them and pays the price to the owner in the same transaction. The owner can revoke a licence,
/// and transfer the granule to another member with a proof of Sk_S; licences granted by a former owner lapse.
contract GranuleRegistry {
    using LeanTree for LeanTree.Tree;

    struct Proof {
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
    }

    /// @dev When a registration commitment was mined.
    struct Commitment {
        uint64 blockNumber;
        uint64 timestamp;
    }

    struct Instantiation {
        uint64 timestamp;
        bytes32 x25519PublicKey;
    }

    /// @dev One storage slot of terms and state, plus the authorization record (R_α.U) it belongs to.
    struct Licence {
        /// Unix time after which it cannot be instantiated (0: never expires).
        uint64 expiresAt;
        /// When the owner revoked it (0: not revoked).
        uint64 revokedAt;
        /// Community credit base units (1e18 per credit) the user pays the owner at instantiation.
        uint96 price;
        /// transfersOf[α] when it was granted: a licence from a former owner has a smaller epoch and has lapsed.
        uint32 ownerEpoch;
        uint256 commitment;
    }

    /// @notice What licenceOf answers.
    struct LicenceView {
        uint256 commitment;
        uint64 expiresAt;
        uint96 price;
        uint64 revokedAt;
        uint64 instantiatedAt;
        bool fromCurrentOwner;
        bool inForce;
    }

    uint256 internal constant MAX_MANIFEST_CID_BYTES = 128;
    /// @dev CIDv1, raw codec, sha2-256, 32-byte digest: the public manifest's CID form (a raw block, see src/lib/p2p).
    bytes4 internal constant RAW_SHA256_CID_PREFIX = 0x01551220;
    /// @notice A registration commitment must be revealed within this time.
    uint256 public constant COMMITMENT_TTL = 1 days;
    /// @notice A tree root stays acceptable this long after a later insert replaced it.
    uint256 public constant ROOT_TTL = LeanTree.ROOT_TTL;
    uint256 public constant RATE_WINDOW = 1 days;

    Consortium public immutable consortium;
    IVerifier6 public immutable registrationVerifier;
    IVerifier8 public immutable authorizationVerifier;
    IVerifier6 public immutable instantiationVerifier;
    IVerifier7 public immutable transferVerifier;
    /// @notice The token licence prices are paid in (CommunityCredit).
    ICredit public immutable credit;
    IPoseidonT3 public immutable poseidon;
    /// @notice At most this many registrations + authorizations per member in any rolling day.
    uint256 public immutable ACTIONS_PER_DAY;

    LeanTree.Tree internal _registrations;
    LeanTree.Tree internal _authorizations;

    /// @notice Pk_S of the owner who registered α (0: not registered).
    mapping(uint256 alpha => uint256 pk) public ownerOf;
    /// @dev The public manifest's CID: only its digest when it has the usual raw sha2-256 form (one storage slot
    /// instead of three, about 44,000 gas less per registration), the whole binary CID otherwise. See manifestOf.
    mapping(uint256 alpha => bytes32 digest) private _manifestDigest;
    mapping(uint256 alpha => bytes cid) private _manifestCid;
    /// @notice How many granules were registered under an owner public key (read by the incentive contract).
    mapping(uint256 pk => uint256 count) public registrationsOf;
    /// @notice How many distinct members other than the owner instantiated α (what incentives pay on).
    mapping(uint256 alpha => uint256 count) public instantiationsOf;
    /// @notice Whether R_α.U is a leaf of the authorization tree.
    mapping(uint256 commitment => bool) public isAuthorized;
    mapping(bytes32 key => Instantiation) private _instantiations;
    /// @dev Registration commitments per committing account (keyed by account, so nobody can refresh another's).
    mapping(address account => mapping(bytes32 commitment => Commitment)) private _commitments;
    /// @dev Rate limit: per account, a ring of the timestamps of its last ACTIONS_PER_DAY actions, four per slot.
    mapping(address account => mapping(uint256 slot => uint256 packed)) private _actionTimes;
    mapping(address account => uint256 next) private _actionCursor;
    /// @dev The licence of (α, Pk_U), keyed like instantiations: one licence in force per user and granule.
    mapping(bytes32 key => Licence) private _licences;
    /// @notice How many times α changed hands (the nonce a transfer proof must name).
    mapping(uint256 alpha => uint32 count) public transfersOf;
    /// @notice The owner received α by transfer and has no registration leaf of its own yet (see claimOwnership).
    mapping(uint256 alpha => bool) public ownerLeafPending;

    event RegistrationCommitted(address indexed account, bytes32 indexed commitment);
    event Registered(uint256 indexed alpha, uint256 indexed ownerPk, uint256 commitment, uint256 leafIndex, uint256 root, bytes manifestCid);
    event Authorized(uint256 indexed alpha, uint256 indexed userPk, uint256 ownerPk, uint256 commitment, uint256 leafIndex, uint256 root);
    event Instantiated(uint256 indexed alpha, uint256 indexed userPk, address indexed account, bytes32 x25519PublicKey, uint256 ownerPk);
    event LicenceGranted(uint256 indexed alpha, uint256 indexed userPk, uint256 commitment, uint64 expiresAt, uint96 price);
    event LicenceRevoked(uint256 indexed alpha, uint256 indexed userPk, uint256 commitment);
    event LicencePaid(uint256 indexed alpha, uint256 indexed userPk, address from, address to, uint256 amount);
    event Transferred(uint256 indexed alpha, uint256 indexed fromPk, uint256 indexed toPk, uint32 nonce);
    /// @dev A new owner's registration leaf: part of the registration tree like Registered's (mirrors read both).
    event OwnershipClaimed(uint256 indexed alpha, uint256 indexed ownerPk, uint256 commitment, uint256 leafIndex, uint256 root);

    error NotAMember(address account);
    error NotYourPublicKey(uint256 pk);
    error NoCommitment();
    error CommitmentTooFresh();
    error CommitmentExpired();
    error RateLimited(address account, uint256 retryAt);
    error AlreadyRegistered(uint256 alpha);
    error InvalidManifestCid();
    error InvalidProof();
    error NotRegistered(uint256 alpha);
    error NotGranuleOwner(uint256 alpha, uint256 ownerPk);
    error UnknownRoot(uint256 root);
    error AlreadyAuthorized(uint256 commitment);
    error AlreadyInstantiated(uint256 alpha, uint256 userPk);
    error InvalidRateLimit();
    error InvalidTerms(uint64 expiresAt);
    error LicenceInForce(uint256 alpha, uint256 userPk);
    error NotLicensed(uint256 alpha, uint256 userPk);
    error LicenceExpired(uint256 alpha, uint256 userPk, uint64 expiresAt);
    error RevokedLicence(uint256 alpha, uint256 userPk, uint64 revokedAt);
    error LicenceFromFormerOwner(uint256 alpha, uint256 userPk);
    error PaymentNotApproved(uint256 price, uint256 allowance);
    error InsufficientCredit(uint256 price, uint256 balance);
    error PaymentFailed();
    error AlreadyRevoked(uint256 alpha, uint256 userPk);
    error InvalidNewOwner(uint256 pk);
    error NothingToClaim(uint256 alpha);

    constructor(
        Consortium consortium_,
        IVerifier6 registrationVerifier_,
        IVerifier8 authorizationVerifier_,
        IVerifier6 instantiationVerifier_,
        IVerifier7 transferVerifier_,
        IPoseidonT3 poseidon_,
        ICredit credit_,
        uint256 actionsPerDay
    ) {
        if (actionsPerDay == 0 || actionsPerDay > type(uint32).max) revert InvalidRateLimit();
        consortium = consortium_;
        registrationVerifier = registrationVerifier_;
        authorizationVerifier = authorizationVerifier_;
        instantiationVerifier = instantiationVerifier_;
        transferVerifier = transferVerifier_;
        credit = credit_;
        poseidon = poseidon_;
        ACTIONS_PER_DAY = actionsPerDay;
    }

    /// @dev The caller's enrolled Pk must be `pk`: a member acts only as itself.
    modifier asMember(uint256 pk) {
        uint256 callerPk = consortium.pkOf(msg.sender);
        if (callerPk == 0) revert NotAMember(msg.sender);
        if (callerPk != pk) revert NotYourPublicKey(pk);
        _;
    }

    /// @notice Step 1 of registration: c = keccak256(abi.encode(α, Pk_S, account, salt)). Reveals nothing about α.
    function commitRegistration(bytes32 commitment) external {
        if (consortium.pkOf(msg.sender) == 0) revert NotAMember(msg.sender);
        _commitments[msg.sender][commitment] = Commitment(uint64(block.number), uint64(block.timestamp));
        emit RegistrationCommitted(msg.sender, commitment);
    }

    /// @notice When the caller's commitment was mined (zeros: none).
    function commitmentOf(address account, bytes32 commitment) external view returns (uint64 blockNumber, uint64 timestamp) {
        Commitment memory c = _commitments[account][commitment];
        return (c.blockNumber, c.timestamp);
    }

    /// @notice Mechanism 2, step 2 of registration (the reveal). Public signals: [Pk_S, R_α, α, sender, chain id, registry].
    function register(Proof calldata proof, uint256 alpha, uint256 ownerPk, uint256 commitment, bytes calldata manifestCid, bytes32 salt)
        external
        asMember(ownerPk)
        returns (uint256 leafIndex)
    {
        if (ownerOf[alpha] != 0) revert AlreadyRegistered(alpha);
        _consumeCommitment(keccak256(abi.encode(alpha, ownerPk, msg.sender, salt)));
        if (manifestCid.length == 0 || manifestCid.length > MAX_MANIFEST_CID_BYTES) revert InvalidManifestCid();
        _countAction();
        uint256[6] memory signals = [ownerPk, commitment, alpha, uint256(uint160(msg.sender)), block.chainid, uint256(uint160(address(this)))];
        if (!_verify6(registrationVerifier, proof, signals)) revert InvalidProof();
        ownerOf[alpha] = ownerPk;
        _storeManifest(alpha, manifestCid);
        registrationsOf[ownerPk] += 1;
        uint256 root;
        (leafIndex, root) = _registrations.insert(poseidon, commitment);
        emit Registered(alpha, ownerPk, commitment, leafIndex, root, manifestCid);
    }

    /// @notice Mechanism 4. Public signals: [α, Pk_S, Pk_U, M_α, R_α.U, sender, chain id, registry]. The licence's terms
    /// (expiry, price) are stored with R_α.U and cannot change afterwards; the proof is bound to the owner's account, so
    /// nobody else can send it with other terms. A user holds one licence per granule: a new one replaces only a
    /// licence that was revoked, has expired or lapsed with a transfer.
    function authorize(Proof calldata proof, uint256 alpha, uint256 ownerPk, uint256 userPk, uint256 root, uint256 commitment, uint64 expiresAt, uint96 price)
        external
        asMember(ownerPk)
        returns (uint256 leafIndex)
    {
        uint256 registeredOwner = ownerOf[alpha];
        if (registeredOwner == 0) revert NotRegistered(alpha);
        if (registeredOwner != ownerPk) revert NotGranuleOwner(alpha, ownerPk);
        if (!_registrations.isKnownRoot(root)) revert UnknownRoot(root);
        if (isAuthorized[commitment]) revert AlreadyAuthorized(commitment);
        _checkGrantable(alpha, userPk, expiresAt);
        _countAction();
        uint256[8] memory signals = [alpha, ownerPk, userPk, root, commitment, uint256(uint160(msg.sender)), block.chainid, uint256(uint160(address(this)))];
        if (!_verify8(authorizationVerifier, proof, signals)) revert InvalidProof();
        isAuthorized[commitment] = true;
        _licences[keccak256(abi.encode(alpha, userPk))] = Licence(expiresAt, 0, price, transfersOf[alpha], commitment);
        uint256 newRoot;
        (leafIndex, newRoot) = _authorizations.insert(poseidon, commitment);
        emit Authorized(alpha, userPk, ownerPk, commitment, leafIndex, newRoot);
        emit LicenceGranted(alpha, userPk, commitment, expiresAt, price);
    }

    /// @notice The owner revokes Pk_U's licence of α: it can no longer be instantiated, and custodians (which read this
    /// state) release no key share for it. What the user already received stays with it.
    function revoke(uint256 alpha, uint256 userPk) external {
        uint256 owner = ownerOf[alpha];
        if (owner == 0) revert NotRegistered(alpha);
        uint256 callerPk = consortium.pkOf(msg.sender);
        if (callerPk == 0) revert NotAMember(msg.sender);
        if (callerPk != owner) revert NotGranuleOwner(alpha, callerPk);
        Licence storage l = _licences[keccak256(abi.encode(alpha, userPk))];
        if (l.commitment == 0 || l.ownerEpoch != transfersOf[alpha]) revert NotLicensed(alpha, userPk);
        if (l.revokedAt != 0) revert AlreadyRevoked(alpha, userPk);
        l.revokedAt = uint64(block.timestamp);
        emit LicenceRevoked(alpha, userPk, l.commitment);
    }

    /// @notice Hands α to the member Pk_N. Public signals: [α, Pk_S, Pk_N, transfersOf[α], sender, chain id, registry]:
    /// the proof shows the sender knows Sk_S, so a stolen wallet alone cannot give a granule away. Licences granted by
    /// the former owner lapse; Pk_N authorizes (after claimOwnership) and revokes from now on.
    function transfer(Proof calldata proof, uint256 alpha, uint256 ownerPk, uint256 newOwnerPk) external asMember(ownerPk) {
        uint256 owner = ownerOf[alpha];
        if (owner == 0) revert NotRegistered(alpha);
        if (owner != ownerPk) revert NotGranuleOwner(alpha, ownerPk);
        if (newOwnerPk == ownerPk || consortium.memberOf(newOwnerPk) == address(0)) revert InvalidNewOwner(newOwnerPk);
        uint32 nonce = transfersOf[alpha];
        uint256[7] memory signals = [alpha, ownerPk, newOwnerPk, uint256(nonce), uint256(uint160(msg.sender)), block.chainid, uint256(uint160(address(this)))];
        if (!transferVerifier.verifyProof(proof.a, proof.b, proof.c, signals)) revert InvalidProof();
        transfersOf[alpha] = nonce + 1;
        ownerOf[alpha] = newOwnerPk;
        ownerLeafPending[alpha] = true;
        emit Transferred(alpha, ownerPk, newOwnerPk, nonce);
    }

    /// @notice The new owner of a transferred α adds its own registration leaf R = H(α, Pk_N, σ) (a registration
    /// proof, signals as in register), which its authorization proofs need. No commitment: α is already public.
    function claimOwnership(Proof calldata proof, uint256 alpha, uint256 ownerPk, uint256 commitment) external asMember(ownerPk) returns (uint256 leafIndex) {
        if (ownerOf[alpha] != ownerPk) revert NotGranuleOwner(alpha, ownerPk);
        if (!ownerLeafPending[alpha]) revert NothingToClaim(alpha);
        uint256[6] memory signals = [ownerPk, commitment, alpha, uint256(uint160(msg.sender)), block.chainid, uint256(uint160(address(this)))];
        if (!_verify6(registrationVerifier, proof, signals)) revert InvalidProof();
        ownerLeafPending[alpha] = false;
        uint256 root;
        (leafIndex, root) = _registrations.insert(poseidon, commitment);
        emit OwnershipClaimed(alpha, ownerPk, commitment, leafIndex, root);
    }

    /// @notice Pk_U's licence of α: its authorization record, terms, when it was revoked, when it was instantiated and
    /// whether it is in force now (granted by the current owner, not revoked, not expired). Zeros: no licence.
    function licenceOf(uint256 alpha, uint256 userPk) external view returns (LicenceView memory v) {
        bytes32 key = keccak256(abi.encode(alpha, userPk));
        Licence memory l = _licences[key];
        v.commitment = l.commitment;
        v.expiresAt = l.expiresAt;
        v.price = l.price;
        v.revokedAt = l.revokedAt;
        v.instantiatedAt = _instantiations[key].timestamp;
        v.fromCurrentOwner = l.ownerEpoch == transfersOf[alpha];
        v.inForce = l.commitment != 0 && _inForce(alpha, l);
    }

    function _checkGrantable(uint256 alpha, uint256 userPk, uint64 expiresAt) private view {
        if (expiresAt != 0 && expiresAt <= block.timestamp) revert InvalidTerms(expiresAt);
        Licence memory current = _licences[keccak256(abi.encode(alpha, userPk))];
        if (current.commitment != 0 && _inForce(alpha, current)) revert LicenceInForce(alpha, userPk);
    }

    function _inForce(uint256 alpha, Licence memory l) private view returns (bool) {
        return l.revokedAt == 0 && l.ownerEpoch == transfersOf[alpha] && (l.expiresAt == 0 || block.timestamp < l.expiresAt);
    }

    /// @notice Mechanism 6. Public signals: [α, Pk_U, M_α.U, sender, chain id, registry]. The caller must be the
    /// member enrolled under Pk_U. The X25519 key custodians seal the granule key to is recorded with it
    /// (instantiationOf) and emitted; an owner instantiating its own granule is recorded but not counted. The licence
    /// must be in force, and its price moves from the caller to the owner's account in this same transaction (the
    /// caller approves the registry for it first).
    function instantiate(Proof calldata proof, uint256 alpha, uint256 userPk, uint256 root, bytes32 x25519PublicKey) external asMember(userPk) {
        uint256 owner = ownerOf[alpha];
        if (owner == 0) revert NotRegistered(alpha);
        if (!_authorizations.isKnownRoot(root)) revert UnknownRoot(root);
        bytes32 key = keccak256(abi.encode(alpha, userPk));
        if (_instantiations[key].timestamp != 0) revert AlreadyInstantiated(alpha, userPk);
        Licence memory l = _licences[key];
        if (l.commitment == 0) revert NotLicensed(alpha, userPk);
        if (l.revokedAt != 0) revert RevokedLicence(alpha, userPk, l.revokedAt);
        if (l.ownerEpoch != transfersOf[alpha]) revert LicenceFromFormerOwner(alpha, userPk);
        if (l.expiresAt != 0 && block.timestamp >= l.expiresAt) revert LicenceExpired(alpha, userPk, l.expiresAt);
        if (l.price != 0) {
            uint256 allowed = credit.allowance(msg.sender, address(this));
            if (allowed < l.price) revert PaymentNotApproved(l.price, allowed);
            uint256 balance = credit.balanceOf(msg.sender);
            if (balance < l.price) revert InsufficientCredit(l.price, balance);
        }
        uint256[6] memory signals = [alpha, userPk, root, uint256(uint160(msg.sender)), block.chainid, uint256(uint160(address(this)))];
        if (!_verify6(instantiationVerifier, proof, signals)) revert InvalidProof();
        _instantiations[key] = Instantiation(uint64(block.timestamp), x25519PublicKey);
        // One Pk per account and one account per Pk (Consortium), so each counted instantiation is a distinct
        // member; the owner licensing itself earns nothing.
        if (userPk != owner) instantiationsOf[alpha] += 1;
        emit Instantiated(alpha, userPk, msg.sender, x25519PublicKey, owner);
        if (l.price != 0) {
            address payee = consortium.memberOf(owner);
            if (!credit.transferFrom(msg.sender, payee, l.price)) revert PaymentFailed();
            emit LicencePaid(alpha, userPk, msg.sender, payee, l.price);
        }
    }

    /// @notice When Pk_U instantiated α and the X25519 key it asked the granule key to be sealed to (zeros: never).
    function instantiationOf(uint256 alpha, uint256 userPk) external view returns (uint64 timestamp, bytes32 x25519PublicKey) {
        Instantiation memory i = _instantiations[keccak256(abi.encode(alpha, userPk))];
        return (i.timestamp, i.x25519PublicKey);
    }

    /// @notice When the account may act again (0: now), and how many actions it has left in the rolling day.
    function rateLimitOf(address account) external view returns (uint256 retryAt, uint256 remaining) {
        uint256 cursor = _actionCursor[account];
        uint256 oldest = _actionTime(account, cursor % ACTIONS_PER_DAY);
        if (oldest != 0 && block.timestamp < oldest + RATE_WINDOW) retryAt = oldest + RATE_WINDOW;
        for (uint256 i = 0; i < ACTIONS_PER_DAY; i++) {
            uint256 t = _actionTime(account, i);
            if (t == 0 || block.timestamp >= t + RATE_WINDOW) remaining++;
        }
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
        return _instantiations[keccak256(abi.encode(alpha, userPk))].timestamp;
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

    /// @dev The caller's commitment exists, was mined in an earlier block and is younger than COMMITMENT_TTL; it is
    /// consumed, so one commitment reveals once.
    function _consumeCommitment(bytes32 hash) private {
        Commitment memory c = _commitments[msg.sender][hash];
        if (c.blockNumber == 0) revert NoCommitment();
        if (c.blockNumber >= block.number) revert CommitmentTooFresh();
        if (block.timestamp > uint256(c.timestamp) + COMMITMENT_TTL) revert CommitmentExpired();
        delete _commitments[msg.sender][hash];
    }

    /// @dev Rolling-day limit: the oldest of the caller's last ACTIONS_PER_DAY actions must be a day old.
    function _countAction() private {
        uint256 cursor = _actionCursor[msg.sender];
        uint256 index = cursor % ACTIONS_PER_DAY;
        uint256 oldest = _actionTime(msg.sender, index);
        if (oldest != 0 && block.timestamp < oldest + RATE_WINDOW) revert RateLimited(msg.sender, oldest + RATE_WINDOW);
        uint256 slot = index / 4;
        uint256 shift = (index % 4) * 64;
        uint256 packed = _actionTimes[msg.sender][slot];
        _actionTimes[msg.sender][slot] = (packed & ~(uint256(type(uint64).max) << shift)) | (block.timestamp << shift);
        _actionCursor[msg.sender] = index + 1;
    }

    function _actionTime(address account, uint256 index) private view returns (uint256) {
        return (_actionTimes[account][index / 4] >> ((index % 4) * 64)) & type(uint64).max;
    }

    // The verifier runs its pairing in a precompile; with too little gas that call fails and the verifier returns
    // false instead of reverting, which is why a false result is turned into a revert here (and why clients set gas).
    function _verify6(IVerifier6 verifier, Proof calldata proof, uint256[6] memory signals) private view returns (bool) {
        return verifier.verifyProof(proof.a, proof.b, proof.c, signals);
    }

    function _verify8(IVerifier8 verifier, Proof calldata proof, uint256[8] memory signals) private view returns (bool) {
        return verifier.verifyProof(proof.a, proof.b, proof.c, signals);
    }
}
