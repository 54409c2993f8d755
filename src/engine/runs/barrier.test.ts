/**
 * The estimate workers' rendezvous with real processes: two node processes started 1.5 s apart
 * leave the barrier together; a party that never comes costs the timeout, not a hang.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeBarrier, openBarrier, waitAtBarrier } from './barrier';

const here = path.dirname(new URL(import.meta.url).pathname);

/** A process that waits at the barrier and prints when it left (ms since the epoch) and whether all came. */
function party(dir: string): Promise<{ left: number; all: boolean }> {
  const script =
    `import { waitAtBarrier } from ${JSON.stringify(path.join(here, 'barrier.ts'))};` +
    `const all = waitAtBarrier(${JSON.stringify(dir)}, 20000);` +
    `console.log(JSON.stringify({ left: Date.now(), all }));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
  });
}

describe('barrier', () => {
  it('lets processes started apart leave together', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'barrier-'));
    openBarrier(dir, 2);
    const first = party(dir);
    await new Promise((r) => setTimeout(r, 1500));
    const started = Date.now();
    const second = party(dir);
    const [a, b] = await Promise.all([first, second]);
    expect(a.all && b.all).toBe(true);
    // The first waited for the second, which started 1.5 s later.
    expect(a.left).toBeGreaterThanOrEqual(started);
    expect(Math.abs(a.left - b.left)).toBeLessThan(500);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('gives up after the timeout when a party never comes; without a barrier it does not wait', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'barrier-')), 'b');
    const t0 = Date.now();
    expect(waitAtBarrier(dir, 5000)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(100);
    openBarrier(dir, 2);
    const t1 = Date.now();
    expect(waitAtBarrier(dir, 300)).toBe(false);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(300);
    // Reopened: the earlier arrival is gone, so one party is not enough for two.
    openBarrier(dir, 1);
    expect(waitAtBarrier(dir, 300)).toBe(true);
    closeBarrier(dir);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
