/**
 * A run killed mid-fold (SIGKILL of the real training process) and resumed ends with exactly the
 * predictions of an uninterrupted run with the same seed and backend.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/schema';
import { synthesizeCorpus } from '../corpora';
import { repoRoot } from '../util/paths';
import { foldDir, readStatus } from './store';

const cli = path.join(repoRoot, 'bin', 'ser-workbench.mjs');
let tmp: string;
let corpus: string;
let configFile: string;
const FOLDS = 3;

function start(args: string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
} {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, SER_WORKBENCH_HOME: path.join(tmp, 'home') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

function predictions(runDir: string): unknown[] {
  return Array.from({ length: FOLDS }, (_, i) =>
    JSON.parse(fs.readFileSync(path.join(foldDir(runDir, i), 'predictions.json'), 'utf8')),
  );
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-resume-'));
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: FOLDS, perClass: 3, seed: 9 });
  configFile = path.join(tmp, 'config.json');
  const config = defaultConfig({
    name: 'resume',
    model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
    training: { epochs: 16, batchSize: 8 },
    backend: 'wasm',
    seed: 3,
  });
  fs.writeFileSync(configFile, JSON.stringify(config));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('resume after SIGKILL', () => {
  it('continues inside the killed fold and reproduces the uninterrupted predictions', async () => {
    const common = ['run', configFile, '--data', corpus, '--parallel', '1', '--json'];
    const reference = start([...common, '--out', path.join(tmp, 'reference')]);
    const ref = await reference.done;
    expect(ref.code, ref.stderr).toBe(0);
    const refDir = JSON.parse(ref.stdout).runDir as string;

    const victim = start([...common, '--out', path.join(tmp, 'killed')]);
    const runsDir = path.join(tmp, 'killed');
    let killedAt: { fold: number; epoch: number } | null = null;
    while (!killedAt) {
      await new Promise((r) => setTimeout(r, 5));
      const runs = fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : [];
      if (!runs.length) continue;
      const status = readStatus(path.join(runsDir, runs[0]));
      if (status?.state === 'done') throw new Error('the run finished before it could be killed');
      if (status && status.fold === 1 && status.epoch >= 3 && status.pid) {
        // The worker process that trains (its pid is in status.json), killed without warning.
        process.kill(status.pid, 'SIGKILL');
        killedAt = { fold: status.fold, epoch: status.epoch };
      }
    }
    const killed = await victim.done;
    expect(killed.code).not.toBe(0);
    const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
    expect(fs.existsSync(path.join(foldDir(runDir, 0), 'done.json'))).toBe(true);
    expect(fs.existsSync(path.join(foldDir(runDir, 1), 'done.json'))).toBe(false);
    expect(fs.existsSync(path.join(foldDir(runDir, 1), 'checkpoint.json'))).toBe(true);

    const again = start(['run', '--resume', runDir, '--parallel', '1', '--json']);
    const res = await again.done;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/resuming after epoch \d+/);
    expect(readStatus(runDir)?.state).toBe('done');
    expect(predictions(runDir)).toEqual(predictions(refDir));
    const summary = (d: string) => JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8'));
    expect(summary(runDir).pooled).toEqual(summary(refDir).pooled);
  });
});
