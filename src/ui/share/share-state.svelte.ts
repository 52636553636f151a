// State the Share page's panels share: the chain check, this identity's records, the prover's warm-up and the
// hand-over fields one panel fills for another. It lives for the browser session, like the session itself.
import { session, db } from '../shell/session.svelte';
import type { RecordsOfReturnType } from '../../lib/records/index';
import { workerProver } from './prover-client';
import { checkChain, myRecords, sentenceOf, type ChainCheck, type ShareContext } from './share';

export const share = $state<{
  check: ChainCheck | null;
  checkError: string | null;
  checking: boolean;
  records: RecordsOfReturnType | null;
  prover: 'idle' | 'warming' | 'ready' | 'failed';
  proverError: string | null;
  /** α the Authorize panel should show (set from the records list). */
  authorizeAlpha: string;
}>({ check: null, checkError: null, checking: false, records: null, prover: 'idle', proverError: null, authorizeAlpha: '' });

/** Everything an action needs, or null while the identity is locked or no wallet is connected. */
export async function shareContext(): Promise<ShareContext | null> {
  const { config, identity, wallet } = session;
  if (!config || !identity || !wallet) return null;
  return { config, identity, wallet, db: await db(), prover: workerProver() };
}

/** Loads snarkjs and the three proving keys in the worker while the person is still choosing. */
export function warmUpProver(): void {
  if (share.prover === 'warming' || share.prover === 'ready') return;
  share.prover = 'warming';
  workerProver()
    .warmUp(['registration', 'authorization', 'instantiation'])
    .then(() => (share.prover = 'ready'))
    .catch((error: unknown) => {
      share.prover = 'failed';
      share.proverError = sentenceOf(error);
    });
}

/** Re-checks the chain and re-reads this identity's records. */
let refreshes = 0;
export async function refreshShare(): Promise<void> {
  // Several panels refresh at once after an action; only the latest refresh may write its (newest) view.
  const mine = ++refreshes;
  const ctx = await shareContext();
  if (!ctx) {
    share.check = null;
    share.records = null;
    return;
  }
  share.checking = true;
  try {
    const check = await checkChain(ctx);
    const records = await myRecords(ctx);
    if (mine !== refreshes) return;
    share.check = check;
    share.checkError = null;
    share.records = records;
  } catch (error) {
    if (mine === refreshes) share.checkError = sentenceOf(error);
  } finally {
    if (mine === refreshes) share.checking = false;
  }
}
