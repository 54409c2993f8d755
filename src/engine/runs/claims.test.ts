/**
 * Claims on real files and real processes: a live owner keeps its claim, a dead one (killed
 * process, recycled pid, silent other host) loses it, and of several processes racing to take
 * over one stale claim exactly one wins. Plus what a killed writer leaves: status.json that says
 * 'running' for a dead pid reads as interrupted and resumable, and its temp files are cleaned.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanStaleTemps, liveClaim, processStartTicks, tryClaim, type ClaimOwner } from './claims';
import { runLiveness } from './liveness';
import type { RunStatus } from './store';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-claims-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The pid of a process that has exited (so certainly dead). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

function writeClaim(file: string, owner: ClaimOwner, ageSec = 0): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(owner));
  const t = new Date(Date.now() - ageSec * 1000);
  fs.utimesSync(file, t, t);
}

describe('fold claims', () => {
  it('a second claim of a live owner is refused and names the owner; release frees it', () => {
    const file = path.join(tmp, 'a', 'claim.lock');
    const first = tryClaim(file, 'fold 1');
    expect('claim' in first).toBe(true);
    // A live process on this host (the test runner's parent) holds it: a claim "from it" is refused.
    writeClaim(path.join(tmp, 'b', 'claim.lock'), {
      host: os.hostname(),
      pid: process.ppid,
      started: 'x',
      procStart: processStartTicks(process.ppid),
    });
    const other = tryClaim(path.join(tmp, 'b', 'claim.lock'));
    expect('heldBy' in other && other.heldBy.pid).toBe(process.ppid);
    if ('claim' in first) first.claim.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('takes over the claim of a dead pid on this host, and of a recycled pid', () => {
    const file = path.join(tmp, 'dead', 'claim.lock');
    const pid = deadPid();
    writeClaim(file, { host: os.hostname(), pid, started: 'then' });
    const got = tryClaim(file);
    expect('claim' in got && got.claim.tookOver?.pid).toBe(pid);
    if ('claim' in got) got.claim.release();
    // The pid lives, but started later than the claim's owner: the owner is gone.
    writeClaim(file, { host: os.hostname(), pid: process.ppid, started: 'then', procStart: 1 });
    const again = tryClaim(file);
    expect('claim' in again && again.claim.tookOver?.procStart).toBe(1);
    if ('claim' in again) again.claim.release();
  });

  it('judges another host’s claim by its heartbeat (lock file mtime)', () => {
    const file = path.join(tmp, 'remote', 'claim.lock');
    writeClaim(file, { host: 'node-07', pid: 1234, started: 'x' }, 10);
    expect(liveClaim(file)?.host).toBe('node-07');
    expect('heldBy' in tryClaim(file)).toBe(true);
    writeClaim(file, { host: 'node-07', pid: 1234, started: 'x' }, 3600);
    expect(liveClaim(file)).toBeNull();
    const got = tryClaim(file);
    expect('claim' in got && got.claim.tookOver?.host).toBe('node-07');
    if ('claim' in got) got.claim.release();
  });

  it('of six processes racing for one stale claim, exactly one wins', async () => {
    const file = path.join(tmp, 'race', 'claim.lock');
    writeClaim(file, { host: os.hostname(), pid: deadPid(), started: 'stale' });
    // Each process holds what it got until every one has answered (the parent closes their stdin):
    // a winner that exited early would leave a stale claim for a process that loaded late.
    const script = `
      import { tryClaim } from ${JSON.stringify(path.resolve('src/engine/runs/claims.ts'))};
      const start = Number(process.argv[1]);
      while (Date.now() < start) {}
      const r = tryClaim(${JSON.stringify(file)});
      process.stdout.write('claim' in r ? 'won' : 'lost');
      process.stdin.on('end', () => process.exit(0)).resume();`;
    // A common start time well after every process has loaded, so they really race.
    const start = Date.now() + 8000;
    const children = Array.from({ length: 6 }, () =>
      spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, String(start)], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const results = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((resolve) => {
            let out = '';
            child.stdout.on('data', (d) => {
              out += d;
              if (out === 'won' || out === 'lost') resolve(out);
            });
            child.on('exit', () => resolve(out));
          }),
      ),
    );
    await Promise.all(
      children.map((child) => {
        const exited =
          child.exitCode !== null || child.signalCode !== null
            ? Promise.resolve()
            : new Promise((r) => child.on('exit', r));
        child.stdin.end();
        return exited;
      }),
    );
    expect(results.filter((r) => r === 'won')).toHaveLength(1);
    expect(results.filter((r) => r === 'lost')).toHaveLength(5);
  });
});

describe('a run folder after a kill', () => {
  it('status "running" of a dead pid reads as interrupted and resumable; a live fold claim keeps it running', () => {
    const runDir = path.join(tmp, 'run');
    fs.mkdirSync(path.join(runDir, 'folds', 'fold-02'), { recursive: true });
    const status: RunStatus = {
      state: 'running',
      fold: 1,
      folds: 4,
      epoch: 3,
      epochs: 10,
      foldsDone: [0],
      updated: new Date().toISOString(),
      pid: deadPid(),
      host: os.hostname(),
    };
    expect(runLiveness(runDir, status, [0])).toEqual({ state: 'interrupted', resumable: true, training: [] });
    writeClaim(path.join(runDir, 'folds', 'fold-02', 'claim.lock'), {
      host: os.hostname(),
      pid: process.pid,
      started: 'now',
      procStart: processStartTicks(process.pid),
    });
    expect(runLiveness(runDir, status, [0])).toEqual({ state: 'running', resumable: false, training: [1] });
  });

  it('temp files of a dead writer are removed, a live writer’s are kept', () => {
    const runDir = path.join(tmp, 'temps');
    const fold = path.join(runDir, 'folds', 'fold-01');
    fs.mkdirSync(fold, { recursive: true });
    const dead = `status.json.tmp-${deadPid()}-abc123`;
    const live = `metrics.json.tmp-${process.ppid}-def456`;
    fs.writeFileSync(path.join(runDir, dead), '{"sta');
    fs.writeFileSync(path.join(fold, live), '{');
    fs.writeFileSync(path.join(fold, 'metrics.json'), '{}');
    expect(cleanStaleTemps(runDir, false)).toEqual([dead]);
    expect(fs.readdirSync(fold).sort()).toEqual(['metrics.json', live].sort());
  });
});
