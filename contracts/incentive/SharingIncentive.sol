// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {CommunityCredit} from "./CommunityCredit.sol";
import {IConsortiumMembers, IGranuleCounts} from "./ISharingSources.sol";

/// @title SharingIncentive: pays the paper's compensation E_i = f_i m_i + g_i (section 4.3.3, (7)) in community credits.
/// @notice The consortium admin solves the mechanism off chain (twingrain's model, `twingrain incentive solve`) and
/// sets each provider's terms. m_i is the number of granules the provider has registered in the GranuleRegistry,
/// counted up to `cap` (the provider's n_i or m_i*). Fixed point: f_i, g_i and the instantiation rate are in
/// credit base units (1e18 per credit), so E_i = f_i * m_i + g_i is exact integer arithmetic on chain; the only
/// rounding is the admin's conversion of the model's real f_i and g_i to 1e18 units.
/// g_i is negative for productive providers, so E_i can be negative for small m_i; nothing is then paid (a provider
/// is never charged). Payouts are cumulative: a claim pays E_i(m_i) minus what the provider was already paid.
contract SharingIncentive {
    struct Terms {
        /// f_i: credits (1e18 units) per registered granule.
        int256 f;
        /// g_i: base credits (1e18 units), may be negative.
        int256 g;
        /// Registered granules counted at most (0: terms not set).
        uint256 cap;
    }

    bytes32 private constant DEFAULT_ADMIN_ROLE = 0x00;

    IConsortiumMembers public consortium;
    IGranuleCounts public registry;
    CommunityCredit public immutable credit;
    /// @notice Whoever deployed the contract; the Consortium's admins are admins too.
    address public immutable deployer;

    /// @notice Credits (1e18 units) paid to a granule's owner per instantiation of the granule.
    uint256 public instantiationRate;
    mapping(uint256 pk => Terms) public termsOf;
    /// @notice Compensation already paid under the terms (1e18 units).
    mapping(uint256 pk => uint256) public paidOf;
    /// @notice Instantiations of α already rewarded.
    mapping(uint256 alpha => uint256) public rewardedInstantiationsOf;

    event SourcesChanged(address consortium, address registry);
    event TermsSet(uint256 indexed pk, int256 f, int256 g, uint256 cap);
    event InstantiationRateSet(uint256 rate);
    event CompensationPaid(uint256 indexed pk, address indexed account, uint256 granules, int256 compensation, uint256 amount);
    event InstantiationsRewarded(uint256 indexed pk, address indexed account, uint256 instantiations, uint256 amount);

    error NotAdmin(address account);
    error NotAMember(address account);
    error NoTerms(uint256 pk);
    error NotGranuleOwner(uint256 alpha, uint256 pk);
    error NoSources();
    error InvalidTerms();

    constructor(IConsortiumMembers consortium_, IGranuleCounts registry_, CommunityCredit credit_) {
        consortium = consortium_;
        registry = registry_;
        credit = credit_;
        deployer = msg.sender;
    }

    modifier onlyAdmin() {
        if (msg.sender != deployer && (address(consortium) == address(0) || !consortium.hasRole(DEFAULT_ADMIN_ROLE, msg.sender))) {
            revert NotAdmin(msg.sender);
        }
        _;
    }

    /// @notice Points the contract at the Consortium and registry (when they are deployed after it).
    function setSources(IConsortiumMembers consortium_, IGranuleCounts registry_) external onlyAdmin {
        consortium = consortium_;
        registry = registry_;
        emit SourcesChanged(address(consortium_), address(registry_));
    }

    /// @notice Sets provider `pk`'s compensation E = f * min(registrations, cap) + g (all 1e18 fixed point but cap).
    function setTerms(uint256 pk, int256 f, int256 g, uint256 cap) external onlyAdmin {
        _setTerms(pk, f, g, cap);
    }

    /// @notice setTerms for many providers in one transaction (a whole solved scenario).
    function setTermsBatch(uint256[] calldata pks, int256[] calldata f, int256[] calldata g, uint256[] calldata caps) external onlyAdmin {
        if (f.length != pks.length || g.length != pks.length || caps.length != pks.length) revert InvalidTerms();
        for (uint256 k = 0; k < pks.length; k++) {
            _setTerms(pks[k], f[k], g[k], caps[k]);
        }
    }

    function setInstantiationRate(uint256 rate) external onlyAdmin {
        instantiationRate = rate;
        emit InstantiationRateSet(rate);
    }

    /// @notice The counted granules m and E(m) = f m + g for `pk` now (1e18 units, may be negative).
    function compensationOf(uint256 pk) public view returns (uint256 granules, int256 compensation) {
        Terms memory t = termsOf[pk];
        if (t.cap == 0) revert NoTerms(pk);
        if (address(registry) == address(0)) revert NoSources();
        granules = registry.registrationsOf(pk);
        if (granules > t.cap) granules = t.cap;
        compensation = t.f * int256(granules) + t.g;
    }

    /// @notice What a claim by `pk` would pay now.
    function owedTo(uint256 pk) public view returns (uint256) {
        (, int256 e) = compensationOf(pk);
        if (e <= 0) return 0;
        uint256 due = uint256(e);
        uint256 paid = paidOf[pk];
        return due > paid ? due - paid : 0;
    }

    /// @notice Pays the caller's outstanding compensation for its registered granules.
    function claim() external returns (uint256 amount) {
        uint256 pk = _memberPk();
        (uint256 granules, int256 e) = compensationOf(pk);
        amount = owedTo(pk);
        paidOf[pk] += amount;
        if (amount > 0) credit.mint(msg.sender, amount);
        emit CompensationPaid(pk, msg.sender, granules, e, amount);
    }

    /// @notice Pays the caller for new instantiations of granules it owns.
    function claimInstantiations(uint256[] calldata alphas) external returns (uint256 amount) {
        uint256 pk = _memberPk();
        uint256 total;
        for (uint256 k = 0; k < alphas.length; k++) {
            uint256 alpha = alphas[k];
            if (registry.ownerOf(alpha) != pk) revert NotGranuleOwner(alpha, pk);
            uint256 count = registry.instantiationsOf(alpha);
            total += count - rewardedInstantiationsOf[alpha];
            rewardedInstantiationsOf[alpha] = count;
        }
        amount = total * instantiationRate;
        if (amount > 0) credit.mint(msg.sender, amount);
        emit InstantiationsRewarded(pk, msg.sender, total, amount);
    }

    function _setTerms(uint256 pk, int256 f, int256 g, uint256 cap) private {
        if (pk == 0 || cap == 0 || cap > uint256(uint128(type(int128).max)) || f < 0) revert InvalidTerms();
        termsOf[pk] = Terms(f, g, cap);
        emit TermsSet(pk, f, g, cap);
    }

    function _memberPk() private view returns (uint256 pk) {
        if (address(consortium) == address(0)) revert NoSources();
        pk = consortium.pkOf(msg.sender);
        if (pk == 0) revert NotAMember(msg.sender);
    }
}
