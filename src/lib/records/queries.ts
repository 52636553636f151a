// What one identity sees of the mirrored records: what it registered, what it handed out, what it may use, and the
// instantiations on either side. Pure reads of the app database.
import type { Address } from 'viem';
import { formatRecordAddress, parseRecordAddress, type RecordAddress } from '../chain/index';
import type { TwingrainDb } from '../store/index';
import { RecordNotFoundError } from './errors';
import { fieldHex, type AuthorizationRow, type InstantiationRow, type MirroredRecord, type RegistrationRow } from './rows';

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

async function chainRows(db: TwingrainDb, chainId: number, registry: Address): Promise<MirroredRecord[]> {
  const registryLower = registry.toLowerCase();
  return ((await db.records.where('chainId').equals(chainId).toArray()) as MirroredRecord[]).filter((r) => r.registry === registryLower);
}

export async function recordsOf(db: TwingrainDb, chainId: number, registry: Address, publicKey: bigint): Promise<RecordsOfReturnType> {
  const pk = fieldHex(publicKey);
  const rows = await chainRows(db, chainId, registry);
  const byLeaf = (a: MirroredRecord, b: MirroredRecord) => a.blockNumber - b.blockNumber || a.leafIndex - b.leafIndex;
  const registrations = rows.filter((r): r is RegistrationRow => r.kind === 'registration');
  const authorizations = rows.filter((r): r is AuthorizationRow => r.kind === 'authorization');
  const instantiations = rows.filter((r): r is InstantiationRow => r.kind === 'instantiation');
  return {
    registered: registrations.filter((r) => r.ownerPk === pk).sort(byLeaf),
    authorizationsGiven: authorizations.filter((r) => r.ownerPk === pk).sort(byLeaf),
    usable: authorizations
      .filter((r) => r.userPk === pk)
      .sort(byLeaf)
      .map((authorization) => ({
        authorization,
        registration: registrations.find((r) => r.alpha === authorization.alpha),
        instantiation: instantiations.find((i) => i.alpha === authorization.alpha && i.userPk === pk),
      })),
    instantiations: instantiations.filter((r) => r.userPk === pk || r.ownerPk === pk).sort(byLeaf),
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
  const rows = await chainRows(db, record.chainId, record.contract);
  const row = rows.find((r) => r.kind === record.kind && r.leafIndex === record.leafIndex && r.txHash.toLowerCase() === record.txHash.toLowerCase());
  if (!row) {
    throw new RecordNotFoundError(
      `No ${record.kind} ${record.leafIndex} from transaction ${record.txHash.slice(0, 10)}… is recorded on chain ${record.chainId} at ${record.contract}. Check that the record address is complete and that the app is on the same chain as the sender.`,
    );
  }
  return row;
}
