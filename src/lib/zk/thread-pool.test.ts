// The resident pool on the engine's real WASM module: buffers kept in a worker survive tasks and the dropping of
// others (which moves the later ones down), a task's own memory is released, a failing task fails alone, and a
// stopped worker rejects what was pending with PoolError and closes the pool.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBn128 } from 'ffjavascript';
import { batchAffinePlugin, type WasmModuleBuilder } from './msm-batch-affine';
import { PoolError, startResidentPool, type ResidentPool } from './thread-pool';

let module: WebAssembly.Module;
const pools: ResidentPool[] = [];

beforeAll(async () => {
  let code: Uint8Array<ArrayBuffer> | undefined;
  const plugin = (m: WasmModuleBuilder & { build(): Uint8Array<ArrayBuffer> }): void => {
    batchAffinePlugin(m);
    const build = m.build.bind(m);
    m.build = () => (code = build());
  };
  await buildBn128(true, plugin as never);
  module = await WebAssembly.compile(code!);
}, 60_000);
afterAll(async () => {
  for (const p of pools) await p.terminate();
});

const start = async (): Promise<ResidentPool> => {
  const p = await startResidentPool(module, 2);
  pools.push(p);
  return p;
};

describe('resident pool', () => {
  it('keeps buffers between tasks; dropping one moves the later ones down intact; a task leaves nothing behind', async () => {
    const pool = await start();
    const [a, b, c, d] = [randomBytes(1000), randomBytes(3 * 2 ** 20), randomBytes(777), randomBytes(5000)].map((x) => new Uint8Array(x));
    await pool.keep(0, 'x.a', a!);
    await pool.keep(0, 'x.b', b!);
    await pool.keep(0, 'y.c', c!);
    await pool.keep(1, 'x.a', d!);
    // A task with its own buffers, then the resident ones are still there and unchanged.
    const [echo] = await pool.run(
      [
        { cmd: 'ALLOCSET', var: 0, buff: b },
        { cmd: 'GET', out: 0, var: 0, len: b!.byteLength },
      ],
      0,
    );
    expect(Buffer.compare(echo!, b!)).toBe(0);
    await pool.drop('x.b');
    expect(await pool.list(0)).toEqual([
      { name: 'x.a', bytes: 1000 },
      { name: 'y.c', bytes: 777 },
    ]);
    expect(Buffer.compare(await pool.peek(0, 'x.a', 0, 1000), a!)).toBe(0);
    expect(Buffer.compare(await pool.peek(0, 'y.c', 0, 777), c!)).toBe(0);
    // Kept after the drop: placed behind y.c, not over it.
    await pool.keep(0, 'z.d', d!);
    expect(Buffer.compare(await pool.peek(0, 'y.c', 0, 777), c!)).toBe(0);
    expect(Buffer.compare(await pool.peek(0, 'z.d', 0, 5000), d!)).toBe(0);
    // Worker 1 has its own memory: its x.a is d, and dropping x. there left worker 0's y.c alone.
    expect(Buffer.compare(await pool.peek(1, 'x.a', 0, 5000), d!)).toBe(0);
    await pool.drop('x.');
    expect(await pool.list(1)).toEqual([]);
    expect((await pool.list(0)).map((e) => e.name)).toEqual(['y.c', 'z.d']);
    await expect(pool.keep(0, 'y.c', c!)).rejects.toThrow(PoolError);
  });

  it('a failing task fails alone; a stopped worker rejects the pending tasks with PoolError and closes the pool', async () => {
    const pool = await start();
    await expect(pool.run([{ cmd: 'CALL', fnName: 'no_such_function', params: [] }], 0)).rejects.toThrow(/A proving task failed/);
    expect(pool.closed).toBe(false);
    await pool.keep(1, 'k', new Uint8Array(64));
    // A long task on worker 1 (64 MiB copied in and out a few times), stopped while it runs.
    const big = new Uint8Array(64 * 2 ** 20);
    const task = Array.from({ length: 4 }, (_, i) => [
      { cmd: 'ALLOCSET', var: i, buff: big },
      { cmd: 'GET', out: i, var: i, len: big.byteLength },
    ]).flat();
    const pending = [pool.run(task, 1), pool.run(task, 1), pool.run(task)];
    setTimeout(() => pool.kill(1), 20);
    for (const p of pending) await expect(p).rejects.toThrow(PoolError);
    expect(pool.closed).toBe(true);
    await expect(pool.run([], 0)).rejects.toThrow(PoolError);
  }, 60_000);
});
