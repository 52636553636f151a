// Application binary interfaces of contracts/incentive, written out so the browser needs no compiler.
import { parseAbi } from 'viem';

export const sharingIncentiveAbi = parseAbi([
  'function credit() view returns (address)',
  'function consortium() view returns (address)',
  'function registry() view returns (address)',
  'function instantiationRate() view returns (uint256)',
  'function termsOf(uint256 pk) view returns (int256 f, int256 g, uint256 cap)',
  'function paidOf(uint256 pk) view returns (uint256)',
  'function compensationOf(uint256 pk) view returns (uint256 granules, int256 compensation)',
  'function owedTo(uint256 pk) view returns (uint256)',
  'function setTerms(uint256 pk, int256 f, int256 g, uint256 cap)',
  'function setTermsBatch(uint256[] pks, int256[] f, int256[] g, uint256[] caps)',
  'function setInstantiationRate(uint256 rate)',
  'function setSources(address consortium, address registry)',
  'function claim() returns (uint256)',
  'function claimInstantiations(uint256[] alphas) returns (uint256)',
  'event TermsSet(uint256 indexed pk, int256 f, int256 g, uint256 cap)',
  'event CompensationPaid(uint256 indexed pk, address indexed account, uint256 granules, int256 compensation, uint256 amount)',
  'event InstantiationsRewarded(uint256 indexed pk, address indexed account, uint256 instantiations, uint256 amount)',
  'error NotAdmin(address account)',
  'error NotAMember(address account)',
  'error NoTerms(uint256 pk)',
  'error NotGranuleOwner(uint256 alpha, uint256 pk)',
  'error NoSources()',
  'error InvalidTerms()',
]);

export const communityCreditAbi = parseAbi([
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
  'function transfer(address to, uint256 amount) returns (bool)',
  'function MINTER_ROLE() view returns (bytes32)',
  'function grantRole(bytes32 role, address account)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
]);
