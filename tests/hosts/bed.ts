// A test bed of real hosts on one machine: each host is a Linux network namespace (`tgh-<name>`) with its own
// interface, address and loopback, on 10.77.0.0/16. Processes run inside a host with `ip netns exec`, so they bind
// and dial that host's address only. The wire between hosts is link-emulator.py: one TUN device per host and a
// switch that adds what `tc netem` would — delay, random loss and a rate cap on each host's outgoing link — and cuts a
// host off (to everyone else it just goes silent, as behind a pulled cable: no reset, no carrier loss). It replaces
// veth + bridge + `tc netem` because kernels built without sch_netem exist (this machine's is one); it needs only
// /dev/net/tun and Debian's python3.
// Needs root (CI runs as root). Everything the bed creates is named tgh-*, and a pre-clean removes what a killed run
// left behind. Two beds can share a machine (a developer's run beside CI's): TWINGRAIN_HOSTS_PREFIX (say tgb-) and
// TWINGRAIN_HOSTS_SUBNET (say 10.78) give one its own names and its own /16, and its clean-up touches only its own.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Names of everything the bed creates start with this (namespaces and TUN devices). */
export const PREFIX = process.env.TWINGRAIN_HOSTS_PREFIX || 'tgh-';
/** The first two octets of the bed's /16. */
export const SUBNET = (process.env.TWINGRAIN_HOSTS_SUBNET || '10.77').replace(/^(\d+\.\d+)\.0\.0(\/16)?$/, '$1');
// Checked at import: a bad override would otherwise surface as an `ip` error in the middle of the set-up, or worse,
// a prefix that matches someone else's namespaces in the clean-up.
if (!/^[a-z][a-z0-9]{1,6}-$/.test(PREFIX))
  throw new Error(`TWINGRAIN_HOSTS_PREFIX must be 2 to 7 lower-case letters or digits and a dash (like tgb-), not "${PREFIX}".`);
if (!/^\d{1,3}\.\d{1,3}$/.test(SUBNET) || SUBNET.split('.').some((o) => Number(o) > 255))
  throw new Error(`TWINGRAIN_HOSTS_SUBNET must be the first two octets of a /16 (like 10.78), not "${SUBNET}".`);

/** An address on the bed: `address('0.11')` is 10.77.0.11 with the default subnet. */
export function address(hostPart: string): string {
  return `${SUBNET}.${hostPart}`;
}

/** The test process's own address on the bed (it stays in the root namespace, as the operator). */
export const OPERATOR_ADDRESS = address('0.254');
const EMULATOR = new URL('./link-emulator.py', import.meta.url).pathname;

function python(): string | undefined {
  // Debian's python3 (stdlib only); a pyenv shim on PATH would do as well, but is not needed.
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (existsSync(p)) return p;
  return undefined;
}

export class TestBedError extends Error {
  override name = 'TestBedError';
}

async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new TestBedError(`ip ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Why the bed cannot run here, or undefined when it can (root, iproute2 with tc, network namespaces allowed). */
export async function whyNotRunnable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces are Linux only (this is ${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'network namespaces need root (run as root, as CI does)';
  if (!existsSync('/usr/sbin/ip') && !existsSync('/sbin/ip')) return 'ip (Debian package iproute2) is not installed';
  if (!python()) return 'python3 (Debian package python3) is not installed';
  if (!existsSync('/dev/net/tun')) return 'this machine has no /dev/net/tun (TUN devices)';
  const probe = `${PREFIX}probe`;
  try {
    await run('ip', ['netns', 'add', probe]);
    await run('ip', ['netns', 'delete', probe]);
  } catch (error) {
    return `this machine refuses network namespaces (${((error as { stderr?: string }).stderr ?? String(error)).trim()})`;
  }
  return undefined;
}

/** Removes every namespace and stray device named with this bed's prefix (ending the processes inside first). */
export async function cleanStale(): Promise<void> {
  const list = await ip('netns', 'list').catch(() => '');
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    if (!name?.startsWith(PREFIX)) continue;
    await killNamespace(name);
    await ip('netns', 'delete', name).catch(() => undefined);
  }
  const links = await ip('-o', 'link', 'show').catch(() => '');
  for (const m of links.matchAll(/^\d+: ([^:@]+)[:@]/gm)) {
    if (m[1]!.startsWith(PREFIX)) await ip('link', 'delete', m[1]!).catch(() => undefined);
  }
}

/** Ends the processes a namespace still holds (only namespaces with this bed's prefix, which only a bed creates). */
async function killNamespace(name: string): Promise<void> {
  const pids = (await ip('netns', 'pids', name).catch(() => ''))
    .split('\n')
    .map((p) => Number(p.trim()))
    .filter((p) => Number.isInteger(p) && p > 0);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

export interface NetemOptions {
  /** One-way delay added to everything the host sends (ms); two hosts with 25 ms each see a 50 ms round trip. */
  delayMs: number;
  /** Share of the host's outgoing packets dropped (percent). */
  lossPercent?: number;
  /** Cap on the host's sending rate (kbit/s). */
  rateKbit?: number;
}

export interface Host {
  name: string;
  namespace: string;
  address: string;
}

export interface HostProcess {
  host: Host;
  child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Resolves once stdout or stderr contains a match (rejects when the process exits first or after timeoutMs). */
  waitFor(pattern: RegExp, timeoutMs?: number, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export class TestBed {
  readonly hosts = new Map<string, Host>();
  private readonly processes = new Set<HostProcess>();
  private answers: Array<(line: string) => void> = [];

  private constructor(private readonly emulator: ChildProcess) {
    let buffer = '';
    emulator.stdout!.on('data', (c: Buffer) => {
      buffer += c.toString();
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        this.answers.shift()?.(line);
      }
    });
  }

  /**
   * Builds the network for these hosts (after a pre-clean of anything a killed run left): one namespace each, its
   * TUN device moved in, the address set, loopback up. The test process itself joins as the operator.
   */
  static async create(hosts: Array<{ name: string; address: string }>): Promise<TestBed> {
    await cleanStale();
    for (const h of hosts)
      if (`${PREFIX}${h.name}`.length > 15) throw new TestBedError(`host name ${h.name} is too long (interface names are at most 15 characters)`);
    const spec = [
      ...hosts.map((h) => ({ name: h.name, tun: `${PREFIX}${h.name}`, address: h.address })),
      { name: 'operator', tun: `${PREFIX}op`, address: OPERATOR_ADDRESS },
    ];
    const emulator = spawn(python()!, [EMULATOR, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    emulator.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const bed = new TestBed(emulator);
    try {
      const ready = await Promise.race([
        new Promise<string>((resolve) => bed.answers.push(resolve)),
        new Promise<string>((resolve) => emulator.once('exit', () => resolve(`exited: ${stderr.trim()}`))),
      ]);
      if (ready !== 'ready') throw new TestBedError(`The link emulator did not start (${ready}).`);
      await ip('addr', 'add', `${OPERATOR_ADDRESS}/16`, 'dev', `${PREFIX}op`);
      await ip('link', 'set', `${PREFIX}op`, 'up');
      for (const h of hosts) {
        const namespace = `${PREFIX}${h.name}`;
        await ip('netns', 'add', namespace);
        await ip('link', 'set', namespace, 'netns', namespace);
        await ip('-n', namespace, 'addr', 'add', `${h.address}/16`, 'dev', namespace);
        await ip('-n', namespace, 'link', 'set', namespace, 'up');
        await ip('-n', namespace, 'link', 'set', 'lo', 'up');
        bed.hosts.set(h.name, { name: h.name, namespace, address: h.address });
      }
    } catch (error) {
      await bed.destroy();
      throw error;
    }
    return bed;
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new TestBedError(`no host ${name}`);
    return h;
  }

  private async command(c: Record<string, unknown>): Promise<void> {
    const answer = new Promise<string>((resolve) => this.answers.push(resolve));
    this.emulator.stdin!.write(JSON.stringify(c) + '\n');
    const line = await answer;
    if (line !== 'ok') throw new TestBedError(`The link emulator refused ${JSON.stringify(c)}: ${line}`);
  }

  /** Delay, loss and rate on what `host` sends (replaces any earlier setting); undefined removes them. */
  async netem(name: string, o: NetemOptions | undefined): Promise<void> {
    this.host(name);
    await this.command({ host: name, delayMs: o?.delayMs ?? 0, lossPercent: o?.lossPercent ?? 0, rateKbit: o?.rateKbit ?? 0 });
  }

  /** Cuts the host off the network: its cable is pulled. */
  async cut(name: string): Promise<void> {
    this.host(name);
    await this.command({ host: name, cut: true });
  }

  /** Plugs the host back in. */
  async restore(name: string): Promise<void> {
    this.host(name);
    await this.command({ host: name, cut: false });
  }

  /** Bytes the host has sent so far (its interface's counter). */
  async sentBytes(name: string): Promise<number> {
    const out = (await run('ip', ['netns', 'exec', this.host(name).namespace, 'cat', `/sys/class/net/${this.host(name).namespace}/statistics/tx_bytes`]))
      .stdout;
    return Number(out.trim());
  }

  /** The programs running inside the host (their /proc comm names): where a process really runs. */
  async programsIn(name: string): Promise<string[]> {
    const pids = (await ip('netns', 'pids', this.host(name).namespace)).split('\n').filter((p) => /^\d+$/.test(p.trim()));
    const names = await Promise.all(
      pids.map((p) =>
        readFile(`/proc/${p.trim()}/comm`, 'utf8').then(
          (c) => c.trim(),
          () => '',
        ),
      ),
    );
    return names.filter((n) => n.length > 0);
  }

  /** Starts `command args…` inside the host. */
  spawn(name: string, command: string, args: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): HostProcess {
    const host = this.host(name);
    const child = spawn('ip', ['netns', 'exec', host.namespace, command, ...args], {
      cwd: o.cwd,
      env: { ...process.env, ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const watchers = new Set<() => void>();
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      for (const w of watchers) w();
    });
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      for (const w of watchers) w();
    });
    const exited = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    const p: HostProcess = {
      host,
      child,
      stdout: () => out,
      stderr: () => err,
      exited,
      waitFor(pattern, timeoutMs = 60_000, stream) {
        return new Promise((resolve, reject) => {
          const check = (): boolean => {
            const m = (stream === 'stdout' ? out : stream === 'stderr' ? err : out + '\n' + err).match(pattern);
            if (m) {
              done();
              resolve(m);
            }
            return Boolean(m);
          };
          const timer = setTimeout(() => {
            done();
            reject(new TestBedError(`${host.name}: ${pattern} did not appear within ${timeoutMs} ms.\nstdout: ${out}\nstderr: ${err}`));
          }, timeoutMs);
          const done = (): void => {
            clearTimeout(timer);
            watchers.delete(check);
          };
          if (check()) return;
          watchers.add(check);
          void exited.then(() => {
            if (!check()) {
              done();
              reject(new TestBedError(`${host.name}: the process exited before ${pattern} appeared.\nstdout: ${out}\nstderr: ${err}`));
            }
          });
        });
      },
      async kill(signal = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      },
    };
    this.processes.add(p);
    void exited.then(() => this.processes.delete(p));
    return p;
  }

  /** Ends every process and removes every host and the bridge. Safe to call more than once. */
  async destroy(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.kill('SIGKILL').catch(() => undefined)));
    for (const h of this.hosts.values()) {
      await killNamespace(h.namespace);
      await ip('netns', 'delete', h.namespace).catch(() => undefined);
    }
    this.hosts.clear();
    // Its TUN devices go with it.
    if (this.emulator.exitCode === null && this.emulator.signalCode === null) {
      const gone = new Promise((r) => this.emulator.once('exit', r));
      this.emulator.kill('SIGKILL');
      await gone;
    }
  }
}
