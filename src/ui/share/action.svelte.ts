// One run of an action on the Share page (publish, grant, get, give away, end access, send a prepared proof): its
// stage, whether it finished, its failure in words. Every panel runs and shows its action the same way; the records
// are read again after each run, whatever its outcome.
import type { ActionStage } from '../../lib/chain/index';
import { sentenceOf, type ShareContext } from './share';
import { shareContext, refreshShare } from './share-state.svelte';

export class ShareAction<S extends string = ActionStage> {
  stage = $state<S | null>(null);
  finished = $state(false);
  busy = $state(false);
  error = $state<string | null>(null);

  /** Runs `act` with the page's context (nothing while the identity is locked or no wallet is connected); true when it succeeded. */
  async run(act: (ctx: ShareContext, onStage: (stage: S) => void) => Promise<unknown>): Promise<boolean> {
    const ctx = await shareContext();
    if (!ctx) return false;
    this.busy = true;
    this.finished = false;
    this.error = null;
    try {
      await act(ctx, (stage) => (this.stage = stage));
      this.finished = true;
      return true;
    } catch (e) {
      this.error = sentenceOf(e);
      this.stage = null;
      return false;
    } finally {
      this.busy = false;
      await refreshShare();
    }
  }

  /** Back to before any run (another granule was chosen). */
  reset(): void {
    this.stage = null;
    this.finished = false;
    this.error = null;
  }
}

/** Why an action cannot run now, with the link that fixes it. */
export interface Blocker {
  text: string;
  href?: string;
  link?: string;
}
