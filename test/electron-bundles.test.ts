/**
 * The entries Electron starts as utility processes, out/main/task.js and out/main/worker.js, load
 * and do their work as built: forked here with plain Node (no tsx), which runs the same ES module
 * bundles and speaks the same messages (process.send where Electron gives process.parentPort). A
 * parallel run's worker starts its estimate and fold workers from the bundle too.
 * A bundle that does not parse would leave the desktop app with no training and no heavy
 * requests, and nothing else in the suite runs them: the CLI, the server and their tests run the
 * TypeScript sources through tsx. (It happened: electron-vite's ESM shim declares `require` at
 * the top of a bundle, and a module inlined there declared its own.)
 *
 * The bundles are rebuilt first when any source is newer than them (CI builds before testing).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/cli/build-ui';
import { repoRoot, sharedDir } from '../src/engine/util/paths';
import { audioView } from '../src/app/domains/audio';
import { threadBudgetEnv } from '../src/engine/exec/local';
import { testWeightsPath } from '../src/engine/model/testing/real-batch';
import type { FromTaskWorker, FromWorker } from '../src/shared/worker-messages';
import { builtFromCurrentSources } from '../src/worker/bundle';

const outMain = path.join(repoRoot, 'out', 'main');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-bundles-'));

/** Forks a bundle with plain Node and collects its messages until `until` says enough. */
function forkBundle<M>(entry: string, first: unknown, until: (m: M) => boolean): Promise<M[]> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(outMain, entry), [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, SER_WORKBENCH_HOME: tmp },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const seen: M[] = [];
    child.on('message', (m) => {
      seen.push(m as M);
      if (until(m as M)) {
        child.kill();
        resolve(seen);
      }
    });
    child.on('exit', (code, signal) =>
      reject(new Error(`${entry} exited (code ${code}, signal ${signal}):\n${stderr.slice(-3000)}`)),
    );
    child.send(first as never);
  });
}

beforeAll(async () => {
  const built = ['task.js', 'worker.js'].every((f) => builtFromCurrentSources(path.join(outMain, f)));
  if (!built) await buildApp('rebuilding: the Electron bundles are older than src/');
}, 300_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the Electron utility-process bundles, run by Node', () => {
  it('task.js answers a task with the in-process result', async () => {
    const file = path.join(sharedDir(), 'data', 'ravdess', 'Actor_01', '03-01-01-01-01-01-01.wav');
    const messages = await forkBundle<FromTaskWorker>(
      'task.js',
      { type: 'task', id: 'view', name: 'audio.view', args: { file, columns: 80 } },
      (m) => m.type === 'result' || m.type === 'error',
    );
    const last = messages[messages.length - 1];
    expect(last).toEqual({
      type: 'result',
      id: 'view',
      value: JSON.parse(JSON.stringify(await audioView(file, 80))),
    });
  });

  it('worker.js runs a baseline experiment to the end and writes its run folder', async () => {
    const out = path.join(tmp, 'runs');
    const messages = await forkBundle<FromWorker>(
      'worker.js',
      {
        type: 'start',
        job: {
          config: {
            name: 'bundle-baseline',
            model: { kind: 'baseline', features: ['mfcc+dl'], classifiers: ['rf'] },
            crossValidation: { scheme: 'kfold', k: 2 },
          },
          dataDir: path.join(sharedDir(), 'data', 'ravdess'),
          outDir: out,
        },
      },
      (m) => m.type === 'done' || m.type === 'error',
    );
    const last = messages[messages.length - 1];
    expect(last.type === 'error' ? last.message : last.type).toBe('done');
    const [run] = fs.readdirSync(out);
    expect(fs.existsSync(path.join(out, run, 'summary.json'))).toBe(true);
    expect(messages.some((m) => m.type === 'event')).toBe(true);
  }, 180_000);

  it('worker.js runs a parallel frozen run, its estimate and fold workers started from the bundle', async () => {
    const out = path.join(tmp, 'parallel');
    const messages = await forkBundle<FromWorker>(
      'worker.js',
      {
        type: 'start',
        job: {
          config: {
            name: 'bundle-parallel',
            model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
            training: { epochs: 1 },
            crossValidation: { scheme: 'kfold', k: 2 },
          },
          dataDir: path.join(sharedDir(), 'data', 'ravdess'),
          outDir: out,
          weightsSource: testWeightsPath(),
          parallel: 2,
          workerEnv: [threadBudgetEnv(1), threadBudgetEnv(1)],
        },
      },
      (m) => m.type === 'done' || m.type === 'error',
    );
    const last = messages[messages.length - 1];
    expect(last.type === 'error' ? last.message : last.type).toBe('done');
    const [run] = fs.readdirSync(out);
    for (const fold of ['fold-01', 'fold-02'])
      expect(fs.existsSync(path.join(out, run, 'folds', fold, 'history.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, run, 'summary.json'))).toBe(true);
    // Timed in an estimate worker with a fold worker's budget, not here after it failed.
    const logs = messages.flatMap((m) =>
      m.type === 'event' && m.event.type === 'log' ? [m.event.message] : [],
    );
    expect(logs.filter((l) => l?.includes('failed'))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(out, run, 'estimate.json'), 'utf8')).timedOnThreads).toBe(1);
  }, 240_000);
});
