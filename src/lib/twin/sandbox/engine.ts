// One granule's QuickJS context, driven by the trusted code of its worker (browser Worker or Node worker_thread).
// Granule code runs only inside QuickJS (WebAssembly): it has no web or Node API, cannot reach this realm's
// objects, and compiling strings there only ever produces more QuickJS code. The engine gives it a memory limit,
// a stack limit and an interrupt handler (processor budget per turn and per window), and lets only strings out.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { GUEST_SOURCE } from './guest';
import type { SandboxLimits } from './limits';

export type StopReason = 'cpu' | 'memory' | 'limit' | 'error';

/** What the worker around the engine provides. */
export interface EngineHost {
  /** A granule protocol message (JSON text) to the host. */
  post(text: string): void;
  /** The granule must be stopped; the engine runs nothing more. */
  stop(reason: StopReason, detail: string): void;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Bytes of WebAssembly memory the engine holds, and whether it asked for more than its cap allows. */
  heapBytes(): number;
  heapExhausted(): boolean;
}

const CPU_DETAIL = 'used too much processor time';

const now = () => performance.now();

export class GranuleEngine {
  private readonly rt: QuickJSRuntime;
  private readonly ctx: QuickJSContext;
  private readonly receive: QuickJSHandle;
  private readonly timers = new Map<number, unknown>();
  private deadline = Infinity;
  private interrupted = false;
  private memoryFault = false;
  private stopped = false;
  /** Busy time of recent turns, as [end, duration] pairs within the window. */
  private busy: [number, number][] = [];

  constructor(
    qjs: QuickJSWASMModule,
    private readonly host: EngineHost,
    private readonly limits: SandboxLimits,
  ) {
    this.rt = qjs.newRuntime();
    // QuickJS under Emscripten counts no allocation's size towards this limit (its malloc_usable_size is 0), so it
    // only refuses single allocations larger than the limit; the real cap is the fixed maximum of the WebAssembly
    // memory the worker gives the engine (worker-main.ts).
    this.rt.setMemoryLimit(limits.memoryBytes);
    this.rt.setMaxStackSize(limits.stackBytes);
    this.rt.setInterruptHandler(() => {
      if (now() > this.deadline) this.interrupted = true;
      return this.interrupted;
    });
    this.ctx = this.rt.newContext();
    const ctx = this.ctx;
    const fns = [
      ctx.newFunction('send', (h) => {
        if (ctx.typeof(h) === 'string') this.out(ctx.getString(h));
      }),
      ctx.newFunction('setTimer', (idH, msH) => {
        this.setTimer(ctx.getNumber(idH), ctx.getNumber(msH));
      }),
      ctx.newFunction('clearTimer', (idH) => {
        const id = ctx.getNumber(idH);
        this.host.clearTimer(this.timers.get(id));
        this.timers.delete(id);
      }),
      ctx.newFunction('fault', () => {
        this.memoryFault = true;
      }),
    ];
    this.deadline = now() + limits.sliceMs * 5;
    const bootstrap = ctx.unwrapResult(ctx.evalCode(GUEST_SOURCE, 'twingrain-bootstrap.js'));
    this.receive = ctx.unwrapResult(ctx.callFunction(bootstrap, ctx.undefined, ...fns));
    bootstrap.dispose();
    for (const f of fns) f.dispose();
    this.deadline = Infinity;
  }

  /** Hands one host message (JSON text) to the granule and runs it, with its promise jobs, to completion. */
  deliver(text: string): void {
    if (this.stopped) return;
    const start = now();
    this.deadline = start + this.limits.sliceMs;
    try {
      const arg = this.ctx.newString(text);
      const result = this.ctx.callFunction(this.receive, this.ctx.undefined, arg);
      arg.dispose();
      if (result.error) this.failed(result.error);
      else {
        result.value.dispose();
        this.drain();
      }
      // Once interrupted, the granule is done even if its code swallowed the error (e.g. as a promise rejection).
      if (this.interrupted) this.halt('cpu', CPU_DETAIL);
      if (this.memoryFault || this.host.heapExhausted()) this.halt('memory', this.memoryDetail());
    } catch (e) {
      // The WebAssembly instance itself failed (it trapped — after its memory ran out, that is the cause): the
      // context is not usable any more.
      if (this.host.heapExhausted()) this.halt('memory', this.memoryDetail());
      else this.halt('error', `its engine failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.deadline = Infinity;
      this.account(start);
    }
  }

  /** An idle check (heartbeat): reports the heap in use; a granule that exhausted its heap (even if it caught its
   * own out-of-memory errors) is stopped. */
  check(): number {
    if (this.stopped) return 0;
    if (this.host.heapExhausted()) this.halt('memory', this.memoryDetail());
    return this.host.heapBytes();
  }

  private memoryDetail(): string {
    return `it used more memory than its limit of ${Math.round(this.limits.memoryBytes / 2 ** 20)} MiB`;
  }

  private drain(): void {
    while (!this.stopped && this.rt.hasPendingJob()) {
      const r = this.rt.executePendingJobs();
      if (r.error) {
        this.failed(r.error);
        return;
      }
    }
  }

  private failed(error: QuickJSHandle): void {
    if (this.interrupted) {
      error.dispose();
      this.halt('cpu', CPU_DETAIL);
      return;
    }
    let message = 'unknown error';
    try {
      const dumped = this.ctx.dump(error) as unknown;
      message = dumped && typeof dumped === 'object' && 'message' in dumped ? String((dumped as { message: unknown }).message) : String(dumped);
    } catch {
      /* the error could not be read (memory is gone); keep the generic text */
    }
    error.dispose();
    if (message === 'out of memory' || this.memoryFault || this.host.heapExhausted()) {
      this.halt('memory', this.memoryDetail());
      return;
    }
    this.host.post(JSON.stringify({ t: 'fatal', error: 'uncaught: ' + message.slice(0, 2000) }));
  }

  private out(text: string): void {
    // After an out-of-memory error nothing more goes out: the granule is stopped at the end of this turn.
    if (this.stopped || this.interrupted || this.memoryFault || this.host.heapExhausted()) return;
    if (text.length > this.limits.maxMessageChars) {
      this.halt('limit', `it sent a message of ${text.length} characters; the limit is ${this.limits.maxMessageChars}`);
      this.interrupted = true; // unwind the granule's code at once
      return;
    }
    this.host.post(text);
  }

  private setTimer(id: number, ms: number): void {
    if (this.stopped || !Number.isSafeInteger(id)) return;
    if (this.timers.size >= this.limits.maxTimers) {
      this.halt('limit', `it set more than ${this.limits.maxTimers} timers at once`);
      this.interrupted = true;
      return;
    }
    const delay = Math.min(Math.max(0, Number.isFinite(ms) ? ms : 0), 2 ** 31 - 1);
    this.timers.set(
      id,
      this.host.setTimer(() => {
        this.timers.delete(id);
        this.deliver(`{"t":"timer","id":${id}}`);
      }, delay),
    );
  }

  private account(start: number): void {
    const end = now();
    this.busy.push([end, end - start]);
    const from = end - this.limits.windowMs;
    while (this.busy.length > 0 && this.busy[0]![0] < from) this.busy.shift();
    const total = this.busy.reduce((n, [, d]) => n + d, 0);
    if (!this.stopped && total > this.limits.busyMs) this.halt('cpu', CPU_DETAIL);
  }

  private halt(reason: StopReason, detail: string): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers.values()) this.host.clearTimer(t);
    this.timers.clear();
    this.host.stop(reason, detail);
  }
}
