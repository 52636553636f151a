// The records mirror against a real anvil with the real contracts and real Groth16 proofs, stored in the app's own
// Dexie schema on fake-indexeddb.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createPublicClient, createWalletClient, http, type Address, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { compileContracts, type CompiledContracts } from '../chain/compile.node.ts';
import { deployContracts } from '../chain/deploy.node.ts';
import {
  authorizeGranule,
  decodeTreeSnapshot,
  encodeTreeSnapshot,
  granuleRegistryAbi,
  syncTrees,
  TreeSnapshotRejectedError,
  type TreeStore,
  commitRegistration,
  instantiateGranule,
  registerGranule,
  ContractRevertError,
} from '../chain/index';
import { startAnvil as startAnvilOnPort, ANVIL_ACCOUNTS, type RunningAnvil } from '../node/anvil';
import { freePort } from '../node/ports';
import { createIdentity, type Identity } from '../identity/index';
import { openDb, type TwingrainDb } from '../store/index';
import { parseRuntimeConfig } from '../config/index';
import { createProver, terminateProver, type Prover } from '../zk/index';
import { fileArtifactSource } from '../zk/artifacts.node.ts';
import {
  ChainUnreachableError,
  MembershipError,
  RecordNotFoundError,
  RegistryNotDeployedError,
  clearChainRecords,
  ensureMembership,
  fieldHex,
  databaseTreeStore,
  readCursor,
  recordAddressOf,
  recordsOf,
  resolveRecord,
  syncRecords,
  syncMyRecords,
  syncedTrees,
  PreparedProofError,
  decodePreparedProof,
  encodePreparedProof,
  preparedProofFrom,
  submitPreparedProof,
} from './index';
import { LeanTree, MerkleTreeError, deriveRegistrationSalt, registrationInput, type ProveResult } from '../zk/index';

const MANIFEST_CID = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Array(32).fill(7)]);
let compiled: CompiledContracts;
let prover: Prover;
let dbCount = 0;

const newDb = (): Promise<TwingrainDb> => openDb({ name: `records-test-${dbCount++}`, indexedDB: new IDBFactory(), IDBKeyRange });

interface Chain {
  anvil: RunningAnvil;
  port: number;
  contracts: Record<string, Address>;
  deployBlock: number;
  publicClient: PublicClient;
  wallet(index: 1 | 2 | 3): WalletClient;
}

async function startChain(port: number, genesisTimestamp: number): Promise<Chain> {
  const anvil = await startAnvilOnPort({ port, args: ['--timestamp', String(genesisTimestamp)] });
  const { contracts, deployBlock } = await deployContracts({
    rpcUrl: anvil.rpcUrl,
    deployerPrivateKey: ANVIL_ACCOUNTS[0].privateKey,
    openEnrolment: true,
    compiled,
  });
  const chain = {
    id: anvil.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  };
  const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl), pollingInterval: 50 }) as PublicClient;
  return {
    anvil,
    port,
    contracts,
    deployBlock,
    publicClient,
    wallet: (index) => createWalletClient({ account: privateKeyToAccount(ANVIL_ACCOUNTS[index].privateKey), chain, transport: http(anvil.rpcUrl) }),
  };
}

let chain: Chain;
const owner: Identity = createIdentity();
const user: Identity = createIdentity();

beforeAll(async () => {
  compiled = compileContracts();
  prover = createProver(fileArtifactSource());
  chain = await startChain(await freePort(), 1_700_000_000);
});

afterAll(async () => {
  await chain?.anvil.stop();
  await terminateProver();
});

describe('ensureMembership', () => {
  it('enrols a wallet under the identity once, then refuses to reuse it for another identity', async () => {
    const p = { publicClient: chain.publicClient, consortium: chain.contracts.Consortium!, walletClient: chain.wallet(3) };
    const me = createIdentity();
    expect((await ensureMembership({ ...p, secret: me.secret, prover })).txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await ensureMembership({ ...p, secret: me.secret, prover })).txHash).toBeUndefined();
    await expect(ensureMembership({ ...p, secret: createIdentity().secret, prover })).rejects.toThrow(MembershipError);
    await expect(ensureMembership({ ...p, secret: createIdentity().secret, prover })).rejects.toThrow(/enrolled under another twingrain identity/);
  });
});

describe('the records mirror', () => {
  it('mirrors registration, authorization and instantiation, with trees whose roots are the chain roots', async () => {
    const db = await newDb();
    const registry = chain.contracts.GranuleRegistry!;
    const base = { db, publicClient: chain.publicClient, registry, fromBlock: chain.deployBlock };
    const ownerWallet = chain.wallet(1);
    const userWallet = chain.wallet(2);
    await ensureMembership({
      publicClient: chain.publicClient,
      walletClient: ownerWallet,
      consortium: chain.contracts.Consortium!,
      secret: owner.secret,
      prover,
    });
    await ensureMembership({
      publicClient: chain.publicClient,
      walletClient: userWallet,
      consortium: chain.contracts.Consortium!,
      secret: user.secret,
      prover,
    });

    const empty = await syncedTrees(base);
    expect(empty.registration.size).toBe(0);
    expect(empty.reset).toBe(false);

    const alphas = [11n, 12n];
    const registered = [];
    for (const alpha of alphas) {
      registered.push(
        await registerGranule({
          publicClient: chain.publicClient,
          walletClient: ownerWallet,
          registry,
          prover,
          secret: owner.secret,
          alpha,
          manifestCid: MANIFEST_CID,
        }),
      );
    }
    const afterRegistration = await syncRecords(base);
    expect(afterRegistration.added).toBe(2);
    expect((await syncRecords(base)).added).toBe(0); // incremental: nothing new, nothing twice

    const authorized = await authorizeGranule({
      publicClient: chain.publicClient,
      walletClient: ownerWallet,
      registry,
      prover,
      secret: owner.secret,
      alpha: 12n,
      userPk: user.publicKey,
    });
    const instantiated = await instantiateGranule({
      publicClient: chain.publicClient,
      walletClient: userWallet,
      prover,
      secret: user.secret,
      record: authorized.record,
      x25519PublicKey: user.x25519.publicKey,
    });

    const trees = await syncedTrees(base);
    expect(trees.registration.size).toBe(2);
    expect(trees.authorization.size).toBe(1);
    expect(trees.registration.root).toBe(registered[1]!.root);
    expect(trees.authorization.root).toBe(authorized.root);
    // A mirrored leaf gives the proof the contract accepts.
    expect(trees.registration.proof(1).leaf).toBe(registered[1]!.commitment);

    // Proving needs only the trees: syncing them stores no record rows (the two are the earlier full mirror's).
    expect(await db.records.count()).toBe(2);
    // Each member's lists come from the chain by its own key, into a database that held nothing.
    const mine = await newDb();
    const onlyUser = await syncMyRecords({ db: mine, publicClient: chain.publicClient, registry, fromBlock: chain.deployBlock, publicKey: user.publicKey });
    // The user's grant, its instantiation and the granted granule's registration: not the owner's other granule.
    expect(onlyUser.added).toBe(3);
    expect((await mine.records.toArray()).map((r) => r.alpha).sort()).toEqual([fieldHex(12n), fieldHex(12n), fieldHex(12n)]);
    await syncMyRecords({ db: mine, publicClient: chain.publicClient, registry, fromBlock: chain.deployBlock, publicKey: owner.publicKey });
    const again = await syncMyRecords({ db: mine, publicClient: chain.publicClient, registry, fromBlock: chain.deployBlock, publicKey: owner.publicKey });
    expect(again.added).toBe(0); // incremental from its cursor
    const ownerView = await recordsOf(mine, chain.anvil.chainId, registry, owner.publicKey);
    expect(ownerView.registered.map((r) => r.alpha)).toEqual(alphas.map(fieldHex));
    expect(ownerView.authorizationsGiven).toHaveLength(1);
    expect(ownerView.authorizationsGiven[0]!.userPk).toBe(fieldHex(user.publicKey));
    expect(ownerView.usable).toEqual([]);
    expect(ownerView.instantiations.map((i) => i.txHash)).toEqual([instantiated.txHash]);

    const userView = await recordsOf(mine, chain.anvil.chainId, registry, user.publicKey);
    expect(userView.registered).toEqual([]);
    expect(userView.usable).toHaveLength(1);
    expect(userView.usable[0]!.registration?.txHash).toBe(registered[1]!.txHash);
    expect(userView.usable[0]!.instantiation?.txHash).toBe(instantiated.txHash);
    expect(userView.instantiations).toHaveLength(1);

    // Record addresses made from mirrored rows are the ones the actions returned, and resolve back to their rows.
    expect(recordAddressOf(ownerView.registered[1]!)).toBe(registered[1]!.recordAddress);
    expect(recordAddressOf(ownerView.authorizationsGiven[0]!, authorized.record.authSalt)).toBe(authorized.recordAddress);
    expect((await resolveRecord(mine, authorized.recordAddress)).txHash).toBe(authorized.txHash);
    const wrongTx = authorized.recordAddress.replace(authorized.txHash, `0x${'ab'.repeat(32)}`);
    await expect(resolveRecord(mine, wrongTx)).rejects.toThrow(RecordNotFoundError);

    // The same α cannot be registered twice; the mirror does not change.
    expect((await syncRecords(base)).added).toBe(2); // the grant and the instantiation, since its last sync
    await expect(
      registerGranule({
        publicClient: chain.publicClient,
        walletClient: ownerWallet,
        registry,
        prover,
        secret: owner.secret,
        alpha: 11n,
        manifestCid: MANIFEST_CID,
      }),
    ).rejects.toThrow(ContractRevertError);
    expect((await syncRecords(base)).added).toBe(0);
  });

  it('rebuilds saved trees that were altered, so no proof is made against a wrong root', async () => {
    const db = await newDb();
    const registry = chain.contracts.GranuleRegistry!;
    const base = { db, publicClient: chain.publicClient, registry, fromBlock: chain.deployBlock };
    const good = await syncedTrees(base);
    expect(good.registration.size).toBeGreaterThan(0);
    // Someone with access to the browser's storage swaps the first leaf (and its hashes up to a root of its own).
    const store = databaseTreeStore(db, chain.anvil.chainId);
    const saved = decodeTreeSnapshot((await store.load())!);
    const forged = new LeanTree();
    forged.insert(123456789n);
    for (const leaf of saved.registration.leaves.slice(1)) forged.insert(leaf);
    await store.save(encodeTreeSnapshot({ ...saved, registration: forged }));
    expect(decodeTreeSnapshot((await store.load())!).registration.root).not.toBe(good.registration.root);

    const repaired = await syncedTrees(base);
    expect(repaired.reset).toBe(true);
    expect(repaired.registration.root).toBe(good.registration.root);
    expect(decodeTreeSnapshot((await store.load())!).registration.root).toBe(good.registration.root);
  });

  it('says so when the chain does not answer or the registry is not deployed', async () => {
    const db = await newDb();
    const down = createPublicClient({ transport: http(`http://127.0.0.1:${await freePort()}`, { retryCount: 0 }) }) as PublicClient;
    await expect(syncRecords({ db, publicClient: down, registry: chain.contracts.GranuleRegistry! })).rejects.toThrow(ChainUnreachableError);
    const nowhere = '0x000000000000000000000000000000000000dEaD' as Address;
    await expect(syncRecords({ db, publicClient: chain.publicClient, registry: nowhere })).rejects.toThrow(RegistryNotDeployedError);
  });
});

describe('tree snapshots and saved trees', () => {
  const memoryStore = (): TreeStore & { bytes?: Uint8Array } => {
    const store: TreeStore & { bytes?: Uint8Array } = {
      load: async () => store.bytes,
      save: async (bytes) => {
        store.bytes = bytes;
      },
    };
    return store;
  };
  const params = () => ({ publicClient: chain.publicClient, registry: chain.contracts.GranuleRegistry!, fromBlock: BigInt(chain.deployBlock) });
  const onChainRoot = () =>
    chain.publicClient.readContract({ address: chain.contracts.GranuleRegistry!, abi: granuleRegistryAbi, functionName: 'registrationRoot' });

  it("starts a new node from a community node's snapshot, then syncs from its own saved trees", async () => {
    const community = await syncTrees(params());
    expect(community.source).toBe('events');
    expect(community.registration.size).toBeGreaterThan(0);
    const published = encodeTreeSnapshot(community);
    const store = memoryStore();
    const fresh = await syncTrees({ ...params(), store, snapshot: async () => published });
    expect(fresh.source).toBe('snapshot');
    expect(fresh.registration.root).toBe(await onChainRoot());
    expect(fresh.registration.proof(0).leaf).toBe(community.registration.leaves[0]);
    const returning = await syncTrees({ ...params(), store, snapshot: async () => published });
    expect(returning.source).toBe('saved');
    expect(returning.added).toBe(0);
    expect(returning.registration.root).toBe(await onChainRoot());
  });

  it('a new browser starts from the snapshot address of the runtime config, then from its own saved trees', async () => {
    const community = await syncTrees(params());
    const published = encodeTreeSnapshot(community);
    let served = 0;
    const server = createServer((_req, res) => {
      served++;
      res.end(published);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const config = parseRuntimeConfig({
        chain: { rpcUrl: chain.anvil.rpcUrl, chainId: chain.anvil.chainId },
        relay: { multiaddrs: [] },
        trees: { snapshot: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trees/snapshot` },
      });
      const base = { db: await newDb(), ...params(), fromBlock: chain.deployBlock, snapshotUrl: config.trees!.snapshot };
      const first = await syncedTrees(base);
      expect([first.source, served]).toEqual(['snapshot', 1]);
      expect(first.registration.root).toBe(await onChainRoot());
      const again = await syncedTrees(base);
      expect([again.source, served]).toEqual(['saved', 1]);
    } finally {
      server.close();
    }
  });

  it('refuses a forged snapshot whose root the registry does not hold', async () => {
    const community = await syncTrees(params());
    // The attacker adds a leaf of its own: a tree that would let it prove a registration it never made.
    const forged = LeanTree.fromLevels(community.registration.nodeLevels.map((level) => [...level]));
    forged.insert(987654321n);
    const bytes = encodeTreeSnapshot({ ...community, registration: forged });
    const store = memoryStore();
    await expect(syncTrees({ ...params(), store, snapshot: async () => bytes })).rejects.toThrow(TreeSnapshotRejectedError);
    expect(store.bytes).toBeUndefined(); // nothing of it was kept
    // A snapshot of another registry is refused before anything is read from it.
    const elsewhere = encodeTreeSnapshot({ ...community, registry: '0x000000000000000000000000000000000000dead' });
    await expect(syncTrees({ ...params(), snapshot: async () => elsewhere })).rejects.toThrow(TreeSnapshotRejectedError);
  });

  it("refuses a path through a snapshot's forged inner nodes even when its root is the registry's", async () => {
    const community = await syncTrees(params());
    expect(community.registration.size).toBeGreaterThan(1);
    // Same root, but leaf 0 replaced by the attacker's commitment: only the path check can see it.
    const levels = community.registration.nodeLevels.map((level) => [...level]);
    levels[0]![0] = 55555n;
    const bytes = encodeTreeSnapshot({ ...community, registration: LeanTree.fromLevels(levels) });
    const accepted = await syncTrees({ ...params(), snapshot: async () => bytes });
    expect(accepted.registration.root).toBe(await onChainRoot());
    expect(() => accepted.registration.proof(0)).toThrow(MerkleTreeError);
    // Leaf 1's path passes the forged leaf as its sibling: refused too.
    expect(() => accepted.registration.proof(1)).toThrow(/do not lead from leaf 1/);
  });
});

describe('prepared proofs', () => {
  const revertName = async (promise: Promise<unknown>): Promise<string> => {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(ContractRevertError);
      return (error as ContractRevertError).errorName;
    }
    throw new Error('the transaction was accepted');
  };

  it('are refused on chain when sent by another account, forged, replayed or made against an unknown root', async () => {
    const registry = chain.contracts.GranuleRegistry!;
    const ownerWallet = chain.wallet(1);
    const stranger = chain.wallet(3); // a member, enrolled under another identity
    const alpha = 31n;
    const input = registrationInput({
      secret: owner.secret,
      alpha,
      salt: deriveRegistrationSalt(owner.secret, alpha),
      sender: ownerWallet.account!.address,
      chainId: chain.anvil.chainId,
      registry,
    });
    const { salt } = await commitRegistration({ publicClient: chain.publicClient, walletClient: ownerWallet, registry, secret: owner.secret, alpha });
    const provedRegistration = await prover.prove(input);
    const prepared = preparedProofFrom({ result: provedRegistration, registry, extra: '0x01551220', salt });
    expect(prepared.sender).toBe(ownerWallet.account!.address);
    const roundTrip = decodePreparedProof(encodePreparedProof(prepared));
    expect(roundTrip).toEqual(prepared);

    // The proof is bound to its sender (and the reveal to the sender's enrolled key): the same bytes from another
    // account are refused.
    expect(await revertName(submitPreparedProof({ publicClient: chain.publicClient, walletClient: stranger, prepared }))).toBe('NotYourPublicKey');
    // A forged proof: the owner's proof with another R_α.
    const forged = { ...prepared, args: prepared.args.map((a, i) => (i === 2 ? (a as bigint) + 1n : a)) };
    expect(await revertName(submitPreparedProof({ publicClient: chain.publicClient, walletClient: ownerWallet, prepared: forged }))).toBe('InvalidProof');
    // A proof for another registry cannot even be prepared for this one.
    expect(() =>
      preparedProofFrom({
        result: { ...provedRegistration, publicSignals: input.publicSignals.map((v, i) => (i === 5 ? v + 1n : v)) },
        registry,
        extra: '0x01',
        salt,
      }),
    ).toThrow(/another registry/);
    // The right sender succeeds once; the replay is refused.
    await submitPreparedProof({ publicClient: chain.publicClient, walletClient: ownerWallet, prepared });
    expect(await revertName(submitPreparedProof({ publicClient: chain.publicClient, walletClient: ownerWallet, prepared }))).toBe('AlreadyRegistered');

    // An authorization proof replayed, and the same proof pointed at a root the registry never had.
    let captured: ProveResult | undefined;
    const capturing = { ...prover, prove: async (i: Parameters<typeof prover.prove>[0]) => (captured = await prover.prove(i)) };
    await authorizeGranule({
      publicClient: chain.publicClient,
      walletClient: ownerWallet,
      registry,
      prover: capturing,
      secret: owner.secret,
      alpha,
      userPk: createIdentity().publicKey,
    });
    const authorization = preparedProofFrom({ result: captured!, registry });
    expect(await revertName(submitPreparedProof({ publicClient: chain.publicClient, walletClient: ownerWallet, prepared: authorization }))).toBe(
      'AlreadyAuthorized',
    );
    const unknownRoot = { ...authorization, args: authorization.args.map((a, i) => (i === 3 ? 987654321n : a)) };
    expect(await revertName(submitPreparedProof({ publicClient: chain.publicClient, walletClient: ownerWallet, prepared: unknownRoot }))).toBe('UnknownRoot');
  });

  it('refuses malformed text with a sentence', () => {
    expect(() => decodePreparedProof('not json')).toThrow(PreparedProofError);
    expect(() => decodePreparedProof('{"schema":"twingrain/prepared-proof@1","action":"register"}')).toThrow(/chainId/);
    expect(() => decodePreparedProof('{"schema":"other"}')).toThrow(/schema/);
  });
});

describe('chain resets', () => {
  it('clears a chain’s mirrored records when its genesis changes, and keeps other chains’ records', async () => {
    const port = await freePort();
    const first = await startChain(port, 1_600_000_000);
    const db = await newDb();
    const registry = first.contracts.GranuleRegistry!;
    // A record of another chain must survive this chain's reset.
    await db.records.put({ id: 'other', kind: 'registration', alpha: fieldHex(1n), chainId: 5, leafIndex: 0, txHash: `0x${'00'.repeat(32)}` });
    try {
      const wallet = first.wallet(1);
      await ensureMembership({ publicClient: first.publicClient, walletClient: wallet, consortium: first.contracts.Consortium!, secret: owner.secret, prover });
      await registerGranule({
        publicClient: first.publicClient,
        walletClient: wallet,
        registry,
        prover,
        secret: owner.secret,
        alpha: 77n,
        manifestCid: MANIFEST_CID,
      });
      const before = await syncRecords({ db, publicClient: first.publicClient, registry, fromBlock: first.deployBlock });
      expect(before.added).toBe(1);
      expect(before.reset).toBe(false);
      expect((await syncMyRecords({ db, publicClient: first.publicClient, registry, fromBlock: first.deployBlock, publicKey: owner.publicKey })).reset).toBe(
        false,
      );
      await syncedTrees({ db, publicClient: first.publicClient, registry, fromBlock: first.deployBlock });
    } finally {
      await first.anvil.stop();
    }
    const genesisBefore = (await readCursor(db, 31337))?.genesisHash;

    // The same port, chain id and deployer nonce: the registry lands at the same address on a fresh chain.
    const second = await startChain(port, 1_650_000_000);
    try {
      expect(second.contracts.GranuleRegistry).toBe(registry);
      const after = await syncedTrees({ db, publicClient: second.publicClient, registry, fromBlock: second.deployBlock });
      expect(after.reset).toBe(true);
      expect(after.registration.size).toBe(0);
      // The member's own records see the new genesis and clear the chain's rows (the full mirror's cursor with them).
      const mineAfter = await syncMyRecords({ db, publicClient: second.publicClient, registry, fromBlock: second.deployBlock, publicKey: owner.publicKey });
      expect([mineAfter.reset, mineAfter.added]).toEqual([true, 0]);
      expect(await readCursor(db, 31337)).toBeUndefined();
      expect(await db.records.where('chainId').equals(31337).count()).toBe(0);
      await syncRecords({ db, publicClient: second.publicClient, registry, fromBlock: second.deployBlock });
      expect((await readCursor(db, 31337))?.genesisHash).not.toBe(genesisBefore);
      expect(await db.records.get('other')).toBeDefined();
      expect(await clearChainRecords(db, 5)).toBe(1);
    } finally {
      await second.anvil.stop();
    }
  });
});
