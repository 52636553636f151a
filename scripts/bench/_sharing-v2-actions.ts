// The actions whose gas sharing-v2.ts reports, on the protocol of issue 12: enrol with a proof of Sk, commit, reveal
// (register), authorize, instantiate. (The "before" figures came from the same script on the code before, where
// enrol took no proof and register had no commit step.)
import type { Address, Hash, PublicClient, WalletClient } from 'viem';
import type * as Chain from '../../src/lib/chain/index';
import type { Prover } from '../../src/lib/zk/index';

export interface GasContext {
  chain: typeof Chain;
  publicClient: PublicClient;
  wallets: WalletClient[];
  secrets: bigint[];
  pks: bigint[];
  prover: Prover;
  registry: Address;
  consortium: Address;
  gasOf: (hash: Hash) => Promise<number>;
}

export async function gasActions(c: GasContext): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let i = 0; i < 2; i++) {
    const enrolled = await c.chain.enrol({
      publicClient: c.publicClient,
      walletClient: c.wallets[i]!,
      consortium: c.consortium,
      prover: c.prover,
      secret: c.secrets[i]!,
    });
    out.enrol = await c.gasOf(enrolled.txHash);
  }
  const cid = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Array(32).fill(7)]);
  const alpha = 0xabcdefn;
  const committed = await c.chain.commitRegistration({
    publicClient: c.publicClient,
    walletClient: c.wallets[0]!,
    registry: c.registry,
    secret: c.secrets[0]!,
    alpha,
  });
  out.commit = await c.gasOf(committed.txHash);
  const reg = await c.chain.registerGranule({
    publicClient: c.publicClient,
    walletClient: c.wallets[0]!,
    registry: c.registry,
    prover: c.prover,
    secret: c.secrets[0]!,
    alpha,
    manifestCid: cid,
    salt: committed.salt,
  });
  out.register = await c.gasOf(reg.txHash);
  const auth = await c.chain.authorizeGranule({
    publicClient: c.publicClient,
    walletClient: c.wallets[0]!,
    registry: c.registry,
    prover: c.prover,
    secret: c.secrets[0]!,
    alpha,
    userPk: c.pks[1]!,
  });
  out.authorize = await c.gasOf(auth.txHash);
  const inst = await c.chain.instantiateGranule({
    publicClient: c.publicClient,
    walletClient: c.wallets[1]!,
    prover: c.prover,
    secret: c.secrets[1]!,
    record: auth.recordAddress,
    x25519PublicKey: new Uint8Array(32).fill(9),
  });
  out.instantiate = await c.gasOf(inst.txHash);
  return out;
}
