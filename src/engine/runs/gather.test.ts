/**
 * "Two gatherers -> one writes": several real processes finishing a run's last folds at the same
 * moment each call gatherOnce; exactly one of them writes summary.json and the others read it.
 * `run --gather` (force) writes again by hand.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherOnce } from './gather';
import { foldDir } from './store';

const FOLDS = 3;
let tmp: string;
let runDir: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-gather-'));
  runDir = path.join(tmp, 'run');
  for (let i = 0; i < FOLDS; i++) {
    fs.mkdirSync(foldDir(runDir, i), { recursive: true });
    fs.writeFileSync(path.join(foldDir(runDir, i), 'done.json'), '{}');
  }
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A gatherer whose write takes 400 ms and leaves one line per write in writes.log. */
const gathererScript = (force: boolean) => `
  import fs from 'node:fs';
  import { gatherOnce } from ${JSON.stringify(path.resolve('src/engine/runs/gather.ts'))};
  import { writeJsonAtomic } from ${JSON.stringify(path.resolve('src/engine/util/atomic.ts'))};
  const [runDir, start] = [process.argv[1], Number(process.argv[2])];
  while (Date.now() < start) {}
  const got = gatherOnce(runDir, ${force}, () => {
    fs.appendFileSync(runDir + '/writes.log', process.pid + '\\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
    const summary = { folds: Array.from({ length: ${FOLDS} }, () => ({})), writer: process.pid };
    writeJsonAtomic(runDir + '/summary.json', summary);
    return { summary };
  });
  process.stdout.write(JSON.stringify({ wrote: got.wrote, writer: got.summary.writer }));`;

function gatherers(n: number, force = false): Promise<{ wrote: boolean; writer: number }[]> {
  // A common start well after every process has loaded, so they really race.
  const start = Date.now() + 6000;
  return Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<{ wrote: boolean; writer: number }>((resolve, reject) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', gathererScript(force), runDir, String(start)],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.on('exit', (code) =>
            code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`gatherer exited ${code}`)),
          );
        }),
    ),
  );
}

describe('gatherOnce across processes', () => {
  it('of four processes gathering one run at once, exactly one writes and all read its summary', async () => {
    const results = await gatherers(4);
    const writers = results.filter((r) => r.wrote);
    expect(writers).toHaveLength(1);
    expect(fs.readFileSync(path.join(runDir, 'writes.log'), 'utf8').trim().split('\n')).toHaveLength(1);
    // Every process reports the one summary on disk, written by the one writer.
    const onDisk = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')).writer;
    expect(results.map((r) => r.writer)).toEqual([onDisk, onDisk, onDisk, onDisk]);
    expect(fs.existsSync(path.join(runDir, 'gather.lock'))).toBe(false);
  }, 60_000);

  it('an up-to-date summary is read, not rewritten; a fold finished later, or force, writes again', () => {
    const write = () => {
      fs.appendFileSync(path.join(runDir, 'writes.log'), 'in-process\n');
      const summary = { folds: Array.from({ length: FOLDS }, () => ({})), writer: process.pid };
      fs.writeFileSync(path.join(runDir, 'summary.json'), JSON.stringify(summary));
      return { summary } as never;
    };
    const lines = () => fs.readFileSync(path.join(runDir, 'writes.log'), 'utf8').trim().split('\n').length;
    const before = lines();
    expect(gatherOnce(runDir, false, write).wrote).toBe(false);
    expect(lines()).toBe(before);
    // A fold's done.json newer than the summary: the summary is stale and is written.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(foldDir(runDir, 1), 'done.json'), later, later);
    expect(gatherOnce(runDir, false, write).wrote).toBe(true);
    expect(gatherOnce(runDir, true, write).wrote).toBe(true);
    expect(lines()).toBe(before + 2);
  });

  it('a gather.lock left by a writer killed after its summary landed is removed by the next gatherer', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const earlier = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(foldDir(runDir, 1), 'done.json'), earlier, earlier);
    const lock = path.join(runDir, 'gather.lock');
    fs.writeFileSync(lock, JSON.stringify({ host: os.hostname(), pid: dead, started: 'killed' }));
    const got = gatherOnce(runDir, false, () => {
      throw new Error('an up-to-date summary is not written again');
    });
    expect(got.wrote).toBe(false);
    expect(fs.existsSync(lock)).toBe(false);
  });
});
