// What one identity sees of the mirrored records: what it registered, what it handed out, what it may use, and the
// instantiations on either side. Pure reads of the app database, by index.
import type { Address } from 'viem';
import { formatRecordAddress, parseRecordAddress, type RecordAddress } from '../chain/index';
import type { TwingrainDb } from '../store/index';
import { RecordNotFoundError } from './errors';
import { fieldHex, recordId, type AuthorizationRow, type InstantiationRow, type MirroredRecord, type RegistrationRow } from './rows';

interface UsableGranule {
  authorization: AuthorizationRow;
  /** The registration of the same α (its manifest pointer), when mirrored. */
  registration: RegistrationRow | undefined;
  /** This identity's instantiation of α, once made. */
  instantiation: InstantiationRow | undefined;
}

export interface RecordsOfReturnType {
  registered: RegistrationRow[];
  authorizationsGiven: AuthorizationRow[];
  /** "Twins I can use": authorizations made out to this identity. */
  usable: UsableGranule[];
  /** Instantiations by this identity, or of granules it owns. */
  instantiations: InstantiationRow[];
}

// Every list is an index lookup (schema v6: [chainId+ownerPk], [chainId+userPk], [chainId+alpha]): what one key
// sees costs its own rows, however many records of others the database holds (Discover keeps all registrations).
async function rowsWhere(db: TwingrainDb, index: 'ownerPk' | 'userPk' | 'alpha', chainId: number, value: string, registry: string): Promise<MirroredRecord[]> {
  const rows = (await db.records.where(`[chainId+${index}]`).equals([chainId, value]).toArray()) as MirroredRecord[];
  return rows.filter((r) => r.registry === registry);
}

export async function recordsOf(db: TwingrainDb, chainId: number, registry: Address, publicKey: bigint): Promise<RecordsOfReturnType> {
  const pk = fieldHex(publicKey);
  const registryLower = registry.toLowerCase();
  const [asOwner, asUser] = await Promise.all([rowsWhere(db, 'ownerPk', chainId, pk, registryLower), rowsWhere(db, 'userPk', chainId, pk, registryLower)]);
  const byLeaf = (a: MirroredRecord, b: MirroredRecord) => a.blockNumber - b.blockNumber || a.leafIndex - b.leafIndex;
  const usable: UsableGranule[] = [];
  for (const authorization of asUser.filter((r): r is AuthorizationRow => r.kind === 'authorization').sort(byLeaf)) {
    const ofGranule = await rowsWhere(db, 'alpha', chainId, authorization.alpha, registryLower);
    usable.push({
      authorization,
      registration: ofGranule.find((r): r is RegistrationRow => r.kind === 'registration'),
      instantiation: asUser.find((i): i is InstantiationRow => i.kind === 'instantiation' && i.alpha === authorization.alpha),
    });
  }
  // An instantiation of one's own granule by oneself is in both lookups: once in the list.
  const instantiations = new Map<string, InstantiationRow>();
  for (const r of [...asUser, ...asOwner]) if (r.kind === 'instantiation') instantiations.set(r.id, r);
  return {
    registered: asOwner.filter((r): r is RegistrationRow => r.kind === 'registration').sort(byLeaf),
    authorizationsGiven: asOwner.filter((r): r is AuthorizationRow => r.kind === 'authorization').sort(byLeaf),
    usable,
    instantiations: [...instantiations.values()].sort(byLeaf),
  };
}

/** The record address of a mirrored record (an authorization handed to a user also needs σ: see formatRecordAddress). */
export function recordAddressOf(row: MirroredRecord, authSalt?: bigint): string {
  const record: RecordAddress = {
    kind: row.kind,
    chainId: row.chainId,
    contract: row.registry as Address,
    leafIndex: row.leafIndex,
    txHash: row.txHash as `0x${string}`,
  };
  if (authSalt !== undefined) record.authSalt = authSalt;
  return formatRecordAddress(record);
}

/** Finds the mirrored record a record address points at, checking that its transaction matches too. */
export async function resolveRecord(db: TwingrainDb, address: string | RecordAddress): Promise<MirroredRecord> {
  const record = typeof address === 'string' ? parseRecordAddress(address) : address;
  // One key lookup: registrations and authorizations by leaf index, instantiations by transaction and log index.
  const position = record.kind === 'instantiation' ? `${record.txHash.toLowerCase()}/${record.leafIndex}` : record.leafIndex;
  const found = (await db.records.get(recordId(record.chainId, record.contract, record.kind, position))) as MirroredRecord | undefined;
  const row = found && found.txHash.toLowerCase() === record.txHash.toLowerCase() ? found : undefined;
  if (!row) {
    throw new RecordNotFoundError(
      `No ${record.kind} ${record.leafIndex} from transaction ${record.txHash.slice(0, 10)}… is recorded on chain ${record.chainId} at ${record.contract}. Check that the record address is complete and that the app is on the same chain as the sender.`,
    );
  }
  return row;
}
