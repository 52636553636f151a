// The product's own figures about the stack: how long `npm start` (bin/twingrain.js start) takes to print `ready`
// on a fresh state directory and on a second start, and how big the app is over the wire (gzip) — the shell that
// every visit loads, the chunks loaded lazily per page or worker, and the proving artifacts. Writes docs/bench/stack.md.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeSummary } from './_summary';
import { machineStamp, markdownTable } from './report';
import { freePort } from './_proxy';
import { ROOT } from './_plonk';

interface StartTiming {
  label: string;
  seconds: number;
  lines: string[];
}

/** Starts the stack as `npm start` does (without rebuilding) and times the `ready` line, then stops it. */
async function timeStart(label: string, stateDir: string): Promise<StartTiming> {
  const env = {
    ...process.env,
    TWINGRAIN_CHAIN_PORT: String(await freePort()),
    TWINGRAIN_RELAY_PORT: String(await freePort()),
    TWINGRAIN_APP_PORT: String(await freePort()),
  };
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin/twingrain.js'), 'start', '--no-build', '--state-dir', stateDir], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const seconds = await new Promise<number>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(() => reject(new Error(`npm start printed no "ready" within 180 s: ${stderr.trim().slice(-400)}`)), 180_000);
      child.stdout.on('data', (c: Buffer) => {
        buffer += c.toString();
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, i);
          buffer = buffer.slice(i + 1);
          lines.push(`${((performance.now() - t0) / 1000).toFixed(2)} s  ${line}`);
          if (line.trim() === 'ready') {
            clearTimeout(timer);
            resolve((performance.now() - t0) / 1000);
          }
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (code ${code}) before "ready": ${stderr.trim().slice(-400)}`));
      });
    });
    return { label, seconds, lines };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

interface Asset {
  file: string;
  bytes: number;
  gzip: number;
}

function asset(dir: string, file: string): Asset {
  const body = readFileSync(join(dir, file));
  return { file, bytes: body.length, gzip: gzipSync(body).length };
}

function list(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? list(join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const log = (s: string) => process.stdout.write(`  stack: ${s}\n`);
  const load0 = loadavg()[0]!;
  // Engineers sharing a tree build into their own folder (TWINGRAIN_DIST); `npm start` serves the same one.
  const dist = join(ROOT, process.env.TWINGRAIN_DIST ?? 'dist');
  let buildSeconds: number | undefined;
  if (!existsSync(join(dist, 'index.html'))) {
    log('dist/ is missing: vite build');
    const t0 = performance.now();
    execFileSync(join(ROOT, 'node_modules/.bin/vite'), ['build', '--outDir', dist], { cwd: ROOT, stdio: 'ignore' });
    buildSeconds = (performance.now() - t0) / 1000;
  }

  // The shell: what index.html pulls in before any route renders (entry script, its static imports, styles).
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const referenced = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const shell = new Set<string>();
  const queue = [...referenced];
  while (queue.length) {
    const file = queue.pop()!;
    if (shell.has(file) || !existsSync(join(dist, file))) continue;
    shell.add(file);
    if (file.endsWith('.js')) {
      // Static imports only (`import … from "./x.js"` / `import "./x.js"`); import("./x.js") stays lazy.
      const code = readFileSync(join(dist, file), 'utf8');
      for (const m of code.matchAll(/(?:^|[;\s}])import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) queue.push(`assets/${m[1]}`);
    }
  }
  const assets = list(join(dist, 'assets')).map((f) => asset(dist, `assets/${f}`));
  const shellAssets = assets.filter((a) => shell.has(a.file));
  const lazyAssets = assets.filter((a) => !shell.has(a.file) && /\.(js|css)$/.test(a.file)).sort((a, b) => b.gzip - a.gzip);
  const zk = list(join(dist, 'zk')).map((f) => asset(dist, `zk/${f}`));
  const sum = (xs: Asset[], k: 'bytes' | 'gzip') => xs.reduce((s, a) => s + a[k], 0);
  const kb = (n: number) => (n / 1024).toFixed(1);

  const starts: StartTiming[] = [];
  const stateDir = await mkdtemp(join(tmpdir(), 'twingrain-bench-stack-'));
  try {
    starts.push(await timeStart('fresh state directory (new chain, deploy, new relay key)', stateDir));
    log(`first start: ready in ${starts[0]!.seconds.toFixed(1)} s`);
    starts.push(await timeStart('second start, same state directory', stateDir));
    log(`second start: ready in ${starts[1]!.seconds.toFixed(1)} s`);
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
  const load1 = loadavg()[0]!;

  const md = `# The stack — \`npm start\` to ready, and what the app weighs

${machineStamp()}. Load average (1 min) ${load0.toFixed(2)} → ${load1.toFixed(2)} (shared machine).

## \`npm start\` to \`ready\`

\`node bin/twingrain.js start --no-build\` (what \`npm start\` runs once dist/ is built), free ports, a temporary state
directory; time from spawning the process to the \`ready\` line.${buildSeconds !== undefined ? ` dist/ was missing, so \`vite build\` ran first: ${buildSeconds.toFixed(1)} s.` : ''}

${markdownTable(
  ['start', 'seconds to ready', 'last measured (2026-11-24, load 9.5)'],
  starts.map((s, i) => [s.label, s.seconds.toFixed(2), ['30.62', '23.61'][i] ?? '—']),
)}

<details><summary>Output of the first start, with times</summary>

\`\`\`
${starts[0]?.lines.join('\n') ?? ''}
\`\`\`
</details>

## Bundle sizes (gzip level 6 as a web server would send them)

${markdownTable(
  ['part', 'files', 'raw (KiB)', 'gzip (KiB)'],
  [
    ['app shell (index.html entry, its static imports, CSS)', shellAssets.length, kb(sum(shellAssets, 'bytes')), kb(sum(shellAssets, 'gzip'))],
    ['lazily loaded chunks (pages, workers, libp2p, snarkjs …)', lazyAssets.length, kb(sum(lazyAssets, 'bytes')), kb(sum(lazyAssets, 'gzip'))],
    ['proving artifacts /zk/ (fetched when a proof is first made)', zk.length, kb(sum(zk, 'bytes')), kb(sum(zk, 'gzip'))],
  ],
)}

The shell was 21.9 KiB gzipped in the last measurement (2026-11-24).

## Page load → relay connected

Measured on this build by the peer-to-peer benchmark (docs/bench/p2p.md: the "Built app" rows, first and returning
visit, and the table of steps from navigation start). The page's entry is the network's boot alone (src/main.ts): it
fetches the configuration, the shell preloaded by index.html mounts, the p2p chunk downloads while the shell runs and
starts after its first paint; a returning visit dials the relay it remembers.

### Shell files

${markdownTable(
  ['file', 'raw (KiB)', 'gzip (KiB)'],
  shellAssets.map((a) => [a.file, kb(a.bytes), kb(a.gzip)]),
)}

### Lazy chunks, largest first

${markdownTable(
  ['file', 'raw (KiB)', 'gzip (KiB)'],
  lazyAssets.map((a) => [a.file, kb(a.bytes), kb(a.gzip)]),
)}

### Proving artifacts

${markdownTable(
  ['file', 'raw (KiB)', 'gzip (KiB)'],
  zk.map((a) => [a.file, kb(a.bytes), kb(a.gzip)]),
)}
`;
  writeFileSync(join(ctx.outDir, 'stack.md'), md);
  writeFileSync(
    join(ctx.outDir, 'stack.json'),
    JSON.stringify(
      {
        measuredAt: new Date().toISOString(),
        machine: machineStamp(),
        starts: starts.map(({ label, seconds }) => ({ label, seconds })),
        buildSeconds,
        shell: { gzip: sum(shellAssets, 'gzip'), bytes: sum(shellAssets, 'bytes') },
        lazy: { gzip: sum(lazyAssets, 'gzip'), bytes: sum(lazyAssets, 'bytes') },
        zk: { gzip: sum(zk, 'gzip'), bytes: sum(zk, 'bytes') },
      },
      null,
      2,
    ) + '\n',
  );
  writeSummary(ctx.outDir);
}
