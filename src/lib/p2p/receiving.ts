// Whether this page (this JavaScript realm: a tab, or a Node process) is receiving blocks right now. A receive — the
// direct block protocol (block-transfer.ts), a gateway's CAR (gateway-car.ts) or its blocks one by one
// (gateway-blocks.ts) — is marked from its first request to its last stored block. The browser's block cache
// (cached-blockstore.ts) holds back the IndexedDB writes of blocks put meanwhile until the page's receives have ended:
// on two cores each write's copy on the main thread and the browser process's disk work took time from the transfer.

let inFlight = 0;
let ended: { promise: Promise<void>; resolve: () => void } | undefined;

/** Marks a receive in flight; call the returned function (any number of times) when it ends, however it ends. */
export function startReceive(): () => void {
  inFlight++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--inFlight > 0) return;
    ended?.resolve();
    ended = undefined;
  };
}

/** Whether a receive is in flight on this page. */
export function receiving(): boolean {
  return inFlight > 0;
}

/** Resolves once no receive is in flight (at once when none is). */
export function receivesEnded(): Promise<void> {
  if (inFlight === 0) return Promise.resolve();
  if (!ended) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    ended = { promise, resolve };
  }
  return ended.promise;
}
