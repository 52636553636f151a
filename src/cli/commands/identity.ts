// `twingrain identity new --out <file> [--passphrase <p>] [--rpc <url>]`: a new identity (Sk, Pk = Poseidon(Sk),
// X25519 pair, wallet key). On the embedded development chain the wallet is funded and enrolled at once, so the
// next command just works. Prints {"pk": "0x…"}.
import { writeFile } from 'node:fs/promises';
import { parseEther, toHex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { CliUsageError, type Command } from '../command';
import { parseFlags, printJson } from '../output';
import { createIdentity } from '../../lib/identity/index';
import { createIdentityFile } from '../../lib/zk/index';
import { consortiumAbi } from '../../lib/chain/abi.generated';
import { rethrowAsRevert } from '../../lib/chain/index';
import { enrol } from '../../lib/chain/index';
import { createProver } from '../../lib/zk/index';
import { fileArtifactSource } from '../../lib/zk/artifacts.node.ts';
import { clientsFor, hex32, loadDeployment } from './identity/context';

const DEV_FUNDING = parseEther('100');

async function newIdentity(argv: string[]): Promise<number> {
  const text = { type: 'string' } as const;
  const { positionals, values: flags } = parseFlags(argv, {
    out: { ...text, short: 'o' },
    passphrase: text,
    rpc: text,
    deployment: text,
    consortium: text,
    registry: text,
  });
  if (positionals.length > 0 || typeof flags.out !== 'string') throw new CliUsageError(`usage: ${command.usage}`);
  const identity = createIdentity();
  const walletPrivateKey = generatePrivateKey();
  const file = await createIdentityFile(identity, walletPrivateKey, typeof flags.passphrase === 'string' ? flags.passphrase : undefined);
  try {
    // 'wx': never overwrite an existing identity, whose secret would be lost for good.
    await writeFile(flags.out, JSON.stringify(file, null, 2) + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliUsageError(
      code === 'EEXIST'
        ? `${flags.out} already exists: choose another file (an identity is never overwritten).`
        : `Cannot write ${flags.out}: ${code ?? String(e)}.`,
    );
  }
  const deployment = await loadDeployment(flags).catch(() => undefined);
  if (deployment?.development) {
    const { publicClient, walletClient } = await clientsFor(deployment, walletPrivateKey);
    await publicClient.request({ method: 'anvil_setBalance' as never, params: [file.address, toHex(DEV_FUNDING)] as never });
    const consortium = deployment.contracts.Consortium;
    if (consortium && (await publicClient.readContract({ address: consortium, abi: consortiumAbi, functionName: 'openEnrolment' }))) {
      try {
        // The enrolment proves knowledge of Sk, so nobody who sees Pk in the mempool can take it first.
        await enrol({ publicClient, walletClient, consortium, prover: createProver(fileArtifactSource()), secret: identity.secret });
      } catch (error) {
        rethrowAsRevert(error);
      }
    }
  }
  printJson({ pk: hex32(identity.publicKey) });
  return 0;
}

export const command: Command = {
  summary: 'create an identity file (keys and wallet; funded and enrolled on the development chain)',
  usage: 'twingrain identity new --out <file> [--passphrase <p>] [--rpc <url>]',
  async run(argv) {
    const [verb, ...rest] = argv;
    if (verb === 'new') return newIdentity(rest);
    throw new CliUsageError(`unknown identity command "${verb ?? ''}"; usage: ${command.usage}`);
  },
};
