// `twingrain pin-token --identity <file> --endpoint <url>`: a bearer token for a community node's IPFS Pinning Service
// API, signed by the identity's wallet for that node (it must be a Consortium member). The node's 401 challenge says
// what to sign for, so nothing but its address is needed. Prints {"token", "account", "expires"}; use it as
// `Authorization: Bearer <token>` (curl, an IPFS client's remote pinning service, the app's Settings).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError, type Command } from '../command';
import { printJson } from '../output';
import { readIdentity } from './identity/context';

const USAGE = 'twingrain pin-token --identity <file> --endpoint <url of the pinning API> [--days 1] [--passphrase <p>]';
const OPTIONS = {
  identity: { type: 'string' },
  endpoint: { type: 'string' },
  days: { type: 'string' },
  passphrase: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const command: Command = {
  summary: "a member's bearer token for a community node's pinning service (IPFS Pinning Service API)",
  usage: USAGE,
  async run(argv) {
    let values: { identity?: string; endpoint?: string; days?: string; passphrase?: string };
    try {
      ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
    } catch (e) {
      throw new CliUsageError(`${(e as Error).message}. Usage: ${USAGE}`);
    }
    if (!values.endpoint || !/^https?:\/\//.test(values.endpoint))
      throw new CliUsageError(
        `--endpoint <url> is required: the node's pinning address as "npm start" or "twingrain relay --pins-port" prints it. Usage: ${USAGE}`,
      );
    const days = Number(values.days ?? 1);
    if (!Number.isFinite(days) || days <= 0 || days > 30)
      throw new CliUsageError(`--days must be a number of days from a fraction up to 30, got "${values.days}".`);
    const unlocked = await readIdentity({
      ...(values.identity ? { identity: values.identity } : {}),
      ...(values.passphrase ? { passphrase: values.passphrase } : {}),
    });
    const { parsePinningChallenge, createPinningToken } = await import('../../lib/p2p/index');
    const url = `${values.endpoint.replace(/\/+$/, '').replace(/\/pins$/, '')}/pins?limit=1`;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      throw new Error(`The pinning service at ${values.endpoint} cannot be reached (${(error as Error).message}): is the node running?`);
    }
    const challenge = response.status === 401 ? parsePinningChallenge(response.headers.get('www-authenticate')) : undefined;
    if (!challenge)
      throw new Error(
        `${values.endpoint} is not a twingrain node's pinning service (it did not ask for a member token): use the token that service issued you.`,
      );
    const { createWalletClient, http } = await import('viem');
    const { privateKeyToAccount } = await import('viem/accounts');
    // Signing needs no node: the transport is never used.
    const wallet = createWalletClient({ account: privateKeyToAccount(unlocked.walletPrivateKey), transport: http('http://127.0.0.1:1') });
    const token = await createPinningToken(wallet, challenge, Math.round(days * 24 * 3600));
    const check = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (check.status === 401) {
      const body = (await check.json().catch(() => undefined)) as { error?: { details?: string } } | undefined;
      throw new Error(`The node refused the token: ${body?.error?.details ?? 'unauthorized'}`);
    }
    printJson({ token, account: wallet.account.address, expires: new Date(Date.now() + Math.round(days * 24 * 3600) * 1000).toISOString() });
    return 0;
  },
};
