// The twin runtime: instantiates a twin by composing granules, one sandbox each. Bounded contexts talk only through
// typed messages — requests to an operation a context declares (provides.operations) and events it declares
// (provides.events), addressed by context name — so a context's granule can be replaced without touching any other.
// A granule that hangs, crashes or exhausts its memory is stopped and reported; the others keep running.
//
// Capabilities, not reachability: every message from a sandbox passes through receive() here, on the host side, so
// a granule may call only the contexts its granule.json declares under dependencies.granules (matching name, version
// range and pinned α) and only the operations they provide; it receives only the events it lists in consumes.events;
// host capabilities (the printer) go only to the contexts they are granted to, and guards may refuse a call's
// payload (G-code outside the machine envelope). Each refusal is an incident naming the granule.
import { satisfies, type GranuleManifest } from '../granule/index';
import { CapabilityDeniedError, ContextUnavailableError, GranuleOperationError, UndeclaredAccessError, UnknownOperationError } from './errors';
import type { GranuleToHost, Sandbox, SandboxFactory } from './sandbox-protocol';

export interface RuntimeGranule {
  context: string;
  manifest: GranuleManifest;
  /** The granule's files (granule.json excluded or included — it is ignored). */
  files: Map<string, Uint8Array>;
  /** α when the granule came from an archive. */
  alpha?: string;
}

/** A host-side capability a granule may be granted, e.g. the printer link for the communication context. */
export interface Capability {
  operations: Record<string, (payload: unknown) => Promise<unknown> | unknown>;
}

/**
 * Checks a call's payload before it reaches a context's operation: returns why it is refused, or null. Used for the
 * communication context's "send", so a printer command outside the envelope is refused in the name of the granule
 * that asked for it (the printer capability checks again, for whatever reaches it).
 */
type CallGuard = (payload: unknown) => string | null;

export interface TwinRuntimeOptions {
  sandboxFactory: SandboxFactory;
  capabilities?: Record<string, Capability>;
  /** Which contexts may call which capability; by default no context may call any. */
  grants?: Record<string, string[]>;
  /** Guards on calls between granules: context → operation → guard. Host requests are not guarded here. */
  guards?: Record<string, Record<string, CallGuard>>;
  /** After this long without an answer the granule is pinged; no pong means it hangs and is stopped. */
  requestTimeoutMs?: number;
  /** How long a ping may take before the granule counts as hung. */
  pingTimeoutMs?: number;
  /** A request still unanswered (while the granule stays responsive) after this long fails on its own. */
  maxRequestMs?: number;
  /** Loading and start() must finish within this. */
  startTimeoutMs?: number;
  /** A granule refused this many times (undeclared calls, events, out-of-envelope commands) is stopped. */
  maxRefusals?: number;
}

export type ContextStatus = 'starting' | 'running' | 'failed' | 'stopped';
export type IncidentKind = 'hang' | 'crash' | 'memory' | 'load' | 'operation-error' | 'denied' | 'protocol';

export interface Incident {
  context: string;
  /** The granule's name (e.g. "shdm-3ddtp-500/appearance"), its version and its owner's name when it gives one. */
  granule: string;
  version: string;
  owner?: string;
  kind: IncidentKind;
  message: string;
  at: number;
}

export interface ContextState {
  context: string;
  granule: string;
  version: string;
  alpha?: string;
  status: ContextStatus;
  reason?: string;
  operations: string[];
  events: string[];
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  op: string;
}

interface Running {
  granule: RuntimeGranule;
  sandbox: Sandbox;
  status: ContextStatus;
  reason?: string;
  pending: Map<number, Pending>;
  nextId: number;
  ready: Promise<void>;
  subscriptions: Set<string>;
  settle: () => void;
  pings: Map<number, () => void>;
  nextPing: number;
  refusals: number;
}

const decoder = new TextDecoder();

export class TwinRuntime {
  private readonly contexts = new Map<string, Running>();
  private readonly hostHandlers = new Map<string, Set<(payload: unknown) => void>>();
  private readonly incidentHandlers = new Set<(i: Incident) => void>();
  readonly incidents: Incident[] = [];
  private readonly requestTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly pingTimeoutMs: number;
  private readonly maxRequestMs: number;
  private readonly maxRefusals: number;

  constructor(private readonly options: TwinRuntimeOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    // Generous: nine workers starting at once on a busy two-core machine must not be mistaken for a hang.
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2000;
    this.maxRequestMs = options.maxRequestMs ?? 30 * 60_000;
    this.maxRefusals = options.maxRefusals ?? 32;
  }

  /** Starts every granule; a granule that fails to start is reported, the others run. */
  async start(granules: RuntimeGranule[]): Promise<void> {
    await Promise.all(granules.map((g) => this.launch(g)));
  }

  /** Replaces the granule of one context (same context name), touching no other context. */
  async replace(granule: RuntimeGranule): Promise<void> {
    const old = this.contexts.get(granule.context);
    if (old) this.halt(old, 'stopped', 'replaced by another granule');
    await this.launch(granule);
  }

  /** Sends a request to a context's controller and resolves with its answer. */
  async request(context: string, op: string, payload: unknown = null): Promise<unknown> {
    const c = this.contexts.get(context);
    if (!c) throw new ContextUnavailableError(context, `the twin has no "${context}" context`);
    const declared = c.granule.manifest.provides.operations;
    if (!declared.includes(op)) throw new UnknownOperationError(context, op, declared);
    await c.ready;
    if (c.status !== 'running') throw new ContextUnavailableError(context, c.reason ?? c.status);
    const json = JSON.stringify(payload ?? null);
    return new Promise((resolve, reject) => {
      const id = c.nextId++;
      const started = Date.now();
      // A slow answer is not a hang: the granule may be waiting for the printer (M109 heats for minutes). When the
      // answer is late, ping the sandbox; a granule whose thread still answers keeps its request, one stuck in a loop
      // (or thrashing memory) does not answer and is stopped. A request still open after maxRequestMs fails alone.
      const check = () => {
        const pending = c.pending.get(id);
        if (!pending) return;
        if (Date.now() - started >= this.maxRequestMs) {
          c.pending.delete(id);
          this.report(c, 'operation-error', `"${op}" got no answer within ${this.maxRequestMs} ms and was abandoned`);
          reject(new GranuleOperationError(c.granule.context, op, `no answer within ${this.maxRequestMs} ms`));
          return;
        }
        this.alive(c).then((alive) => {
          if (!c.pending.has(id)) return;
          if (alive) pending.timer = setTimeout(check, this.requestTimeoutMs);
          else {
            this.report(c, 'hang', `"${op}" got no answer within ${Date.now() - started} ms and the granule no longer responds; it was stopped`);
            this.halt(c, 'failed', `it hung on "${op}"`);
          }
        });
      };
      c.pending.set(id, { resolve, reject, timer: setTimeout(check, this.requestTimeoutMs), op });
      c.sandbox.post(`{"t":"req","id":${id},"op":${JSON.stringify(op)},"payload":${json}}`);
    });
  }

  /** Whether the granule's thread still processes messages (answers a ping within pingTimeoutMs). */
  private alive(c: Running): Promise<boolean> {
    if (c.status !== 'running') return Promise.resolve(false);
    return new Promise((resolve) => {
      const id = c.nextPing++;
      const timer = setTimeout(() => {
        c.pings.delete(id);
        resolve(false);
      }, this.pingTimeoutMs);
      c.pings.set(id, () => {
        clearTimeout(timer);
        resolve(true);
      });
      c.sandbox.post(`{"t":"ping","id":${id}}`);
    });
  }

  /** Subscribes the host to "<context>:<event>". Returns an unsubscribe function. */
  on(topic: string, handler: (payload: unknown) => void): () => void {
    let set = this.hostHandlers.get(topic);
    if (!set) this.hostHandlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  onIncident(handler: (i: Incident) => void): () => void {
    this.incidentHandlers.add(handler);
    return () => this.incidentHandlers.delete(handler);
  }

  state(): ContextState[] {
    return [...this.contexts.entries()].map(([context, c]) => ({
      context,
      granule: c.granule.manifest.name,
      version: c.granule.manifest.version,
      alpha: c.granule.alpha,
      status: c.status,
      reason: c.reason,
      operations: c.granule.manifest.provides.operations,
      events: c.granule.manifest.provides.events,
    }));
  }

  status(context: string): ContextStatus | undefined {
    return this.contexts.get(context)?.status;
  }

  stop(): void {
    for (const c of this.contexts.values()) this.halt(c, 'stopped', 'the twin was stopped');
  }

  private launch(granule: RuntimeGranule): Promise<void> {
    const sandbox = this.options.sandboxFactory();
    let markReady!: () => void;
    const c: Running = {
      granule,
      sandbox,
      status: 'starting',
      pending: new Map(),
      nextId: 1,
      ready: new Promise((r) => (markReady = r)),
      subscriptions: new Set(),
      settle: () => {},
      pings: new Map(),
      nextPing: 1,
      refusals: 0,
    };
    this.contexts.set(granule.context, c);
    const startTimer = setTimeout(() => {
      if (c.status !== 'starting') return;
      this.report(c, 'hang', `it did not finish loading within ${this.startTimeoutMs} ms; the granule was stopped`);
      this.halt(c, 'failed', 'it hung while loading');
    }, this.startTimeoutMs);
    const settle = () => {
      clearTimeout(startTimer);
      markReady();
    };
    c.settle = settle;
    c.ready.then(() => clearTimeout(startTimer));
    sandbox.onExit((exit) => {
      if (c.status === 'stopped' || c.status === 'failed') return;
      // Halt first, so whoever hears of the incident already sees the context as failed.
      this.halt(
        c,
        'failed',
        exit.reason === 'memory'
          ? 'it ran out of memory'
          : exit.reason === 'cpu' || exit.reason === 'limit'
            ? `stopped: ${exit.detail}`
            : `it crashed (${exit.detail})`,
      );
      this.report(
        c,
        exit.reason === 'memory' ? 'memory' : exit.reason === 'cpu' ? 'hang' : exit.reason === 'limit' ? 'protocol' : 'crash',
        `it stopped: ${exit.detail}`,
      );
    });
    sandbox.onMessage((text) => this.receive(c, text, settle));
    const files: Record<string, string> = {};
    for (const [path, data] of granule.files) if (path !== 'granule.json') files[path] = decoder.decode(data);
    sandbox.post(JSON.stringify({ t: 'load', files, entry: granule.manifest.entry, environment: granule.manifest.environment, context: granule.context }));
    return c.ready;
  }

  private receive(c: Running, text: string, settle: () => void): void {
    if (this.contexts.get(c.granule.context) !== c || c.status === 'failed' || c.status === 'stopped') return;
    let m: GranuleToHost;
    try {
      m = JSON.parse(text) as GranuleToHost;
    } catch {
      this.report(c, 'protocol', 'it sent a message that is not JSON; the granule was stopped');
      this.halt(c, 'failed', 'protocol violation');
      return;
    }
    switch (m.t) {
      case 'ready': {
        const missing = c.granule.manifest.provides.operations.filter((op) => !m.operations.includes(op));
        if (missing.length > 0) {
          this.report(c, 'load', `it declares operations it does not implement: ${missing.join(', ')}`);
          this.halt(c, 'failed', 'its controller does not match its manifest');
        } else c.status = 'running';
        settle();
        return;
      }
      case 'fatal':
        this.report(c, c.status === 'starting' ? 'load' : 'crash', m.error);
        this.halt(c, 'failed', m.error);
        settle();
        return;
      case 'res': {
        const p = c.pending.get(m.id);
        if (!p) return;
        c.pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.ok) p.resolve(m.value);
        else {
          this.report(c, 'operation-error', `"${p.op}" failed: ${m.error}`);
          p.reject(new GranuleOperationError(c.granule.context, p.op, m.error ?? 'unknown error'));
        }
        return;
      }
      case 'call':
        void this.call(c, m.target, m.op, m.payload).then(
          (value) => c.sandbox.post(JSON.stringify({ t: 'res', id: m.id, ok: true, value: value ?? null })),
          (e: unknown) => c.sandbox.post(JSON.stringify({ t: 'res', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) })),
        );
        return;
      case 'emit': {
        if (!c.granule.manifest.provides.events.includes(m.topic)) {
          this.refuse(c, 'protocol', `it emitted "${m.topic}", which its manifest does not declare (ignored)`);
          return;
        }
        this.deliver(`${c.granule.context}:${m.topic}`, m.payload);
        return;
      }
      case 'sub': {
        const topic = String(m.topic);
        if (!(c.granule.manifest.consumes?.events ?? []).includes(topic)) {
          this.refuse(c, 'denied', `it subscribed to the "${topic}" event, which its granule.json does not list under consumes.events; it will not receive it`);
          return;
        }
        c.subscriptions.add(topic);
        return;
      }
      case 'pong': {
        const pong = c.pings.get(m.id);
        c.pings.delete(m.id);
        pong?.();
        return;
      }
      case 'log':
        return;
      default:
        this.report(c, 'protocol', 'it sent an unknown message; the granule was stopped');
        this.halt(c, 'failed', 'protocol violation');
    }
  }

  private async call(from: Running, target: string, op: string, payload: unknown): Promise<unknown> {
    target = String(target);
    op = String(op);
    const capability = this.options.capabilities && Object.hasOwn(this.options.capabilities, target) ? this.options.capabilities[target] : undefined;
    if (capability && !this.contexts.has(target)) {
      if (!(this.options.grants?.[from.granule.context] ?? []).includes(target)) {
        this.refuse(from, 'denied', `it asked for the "${target}" capability, which it was not granted`);
        throw new CapabilityDeniedError(`the ${from.granule.context} context is not granted "${target}"`);
      }
      const fn = Object.hasOwn(capability.operations, op) ? capability.operations[op] : undefined;
      if (!fn) throw new UnknownOperationError(target, op, Object.keys(capability.operations));
      try {
        return await fn(payload);
      } catch (e) {
        if (e instanceof CapabilityDeniedError) this.refuse(from, 'denied', `the "${target}" capability refused "${op}": ${e.message}`);
        throw e;
      }
    }
    const refusal = this.undeclared(from, target, op);
    if (refusal) {
      this.refuse(from, 'denied', `${refusal}; the call was refused`);
      throw new UndeclaredAccessError(`The ${from.granule.context} context may not call "${op}" on the ${target} context: ${refusal}.`);
    }
    const guard = this.options.guards?.[target];
    const check = guard && Object.hasOwn(guard, op) ? guard[op] : undefined;
    const reason = check ? check(payload) : null;
    if (reason) {
      this.refuse(from, 'denied', `it asked the ${target} context to "${op}" ${describePayload(payload)}, which was refused: ${reason}`);
      throw new CapabilityDeniedError(`The ${target} context refused "${op}" from the ${from.granule.context} context: ${reason}.`);
    }
    return this.request(target, op, payload);
  }

  /** Why `from` may not call `op` on `target` by its manifest, or null when it declared it. */
  private undeclared(from: Running, target: string, op: string): string | null {
    const to = this.contexts.get(target);
    const deps = from.granule.manifest.dependencies.granules;
    if (!to) return deps.some((d) => d.name === target) ? null : `it called the "${target}" context, which its granule.json does not declare as a dependency`;
    const dep = deps.find((d) => d.name === to.granule.context || d.name === to.granule.manifest.name);
    if (!dep || to === from) return `it called the ${target} context ("${op}"), which its granule.json does not declare as a dependency`;
    if (!satisfies(to.granule.manifest.version, dep.version))
      return `it depends on ${dep.name} ${dep.version}, but the twin runs ${to.granule.manifest.name} ${to.granule.manifest.version}`;
    if (dep.alpha && dep.alpha !== to.granule.alpha) return `it pins ${dep.name} to α ${dep.alpha.slice(0, 12)}…, which is not the granule the twin runs`;
    if (!to.granule.manifest.provides.operations.includes(op))
      return `it called "${op}" on the ${target} context, which provides only ${to.granule.manifest.provides.operations.join(', ') || 'no operations'}`;
    return null;
  }

  private deliver(topic: string, payload: unknown): void {
    for (const h of this.hostHandlers.get(topic) ?? []) {
      try {
        h(payload);
      } catch {
        /* a host view's handler must not break delivery to the others */
      }
    }
    const text = JSON.stringify({ t: 'event', topic, payload: payload ?? null });
    for (const c of this.contexts.values())
      if (c.status === 'running' && c.subscriptions.has(topic) && (c.granule.manifest.consumes?.events ?? []).includes(topic)) c.sandbox.post(text);
  }

  private halt(c: Running, status: 'failed' | 'stopped', reason: string): void {
    if (c.status === 'failed' || c.status === 'stopped') return;
    c.status = status;
    c.reason = reason;
    c.sandbox.terminate();
    for (const p of c.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ContextUnavailableError(c.granule.context, reason));
    }
    c.pending.clear();
    c.settle();
  }

  /**
   * Reports a refused access. A granule that keeps reaching past its declarations is hostile or broken either way:
   * after maxRefusals it is stopped, so it can neither flood the incident list nor keep probing.
   */
  private refuse(c: Running, kind: 'denied' | 'protocol', message: string): void {
    if (c.status === 'failed' || c.status === 'stopped') return;
    c.refusals++;
    this.report(c, kind, message);
    if (c.refusals >= this.maxRefusals) {
      this.report(c, 'denied', `it was refused ${c.refusals} times and was stopped`);
      this.halt(c, 'failed', `it kept reaching past what its granule.json declares`);
    }
  }

  private report(c: Running, kind: IncidentKind, message: string): void {
    const m = c.granule.manifest;
    const incident: Incident = {
      context: c.granule.context,
      granule: m.name,
      version: m.version,
      ...(m.owner.name ? { owner: m.owner.name } : {}),
      kind,
      message,
      at: Date.now(),
    };
    this.incidents.push(incident);
    for (const h of this.incidentHandlers) h(incident);
  }
}

/** A short, plain rendering of a call's payload for an incident ("M104 S270" for a printer command). */
function describePayload(payload: unknown): string {
  const command = payload && typeof payload === 'object' && 'command' in payload ? (payload as { command: unknown }).command : payload;
  const text = typeof command === 'string' ? command : JSON.stringify(command ?? null);
  return `"${text.length > 60 ? `${text.slice(0, 60)}…` : text}"`;
}
