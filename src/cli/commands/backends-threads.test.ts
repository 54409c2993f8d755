/**
 * Thread counts by measurement, end to end with real processes: `backends --measure-threads`
 * times frozen steps in one fresh process per thread count and records them; a one-process local
 * run then trains with the count the measurement favours and records why in environment.json.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeForTests } from '../../engine/backend/testing';
import { synthesizeCorpus } from '../../engine/corpora';
import { chooseThreads, type ThreadMeasurement } from '../../engine/exec/thread-choice';
import { repoRoot } from '../../engine/util/paths';
import { threadCandidates } from './backends';

const exec = promisify(execFile);
const cli = path.join(repoRoot, 'bin', 'ser-workbench.mjs');
const native = nativeForTests('backends --measure-threads');
let tmp: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cli-threads-'));
  env = { ...process.env, SER_WORKBENCH_HOME: path.join(tmp, 'home') };
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.runIf(native.run)('backends --measure-threads', () => {
  it('records frozen step times per thread count, and a local run trains on the favoured count', async () => {
    const measuredRun = await exec(
      process.execPath,
      [cli, 'backends', '--measure-threads', '--modes', 'frozen'],
      {
        env,
        maxBuffer: 1 << 24,
      },
    );
    const file = path.join(tmp, 'home', 'exec', 'threads.json');
    const all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, ThreadMeasurement>;
    const m = all[`${os.hostname()}/tensorflow`];
    const cores = os.availableParallelism();
    expect(m.kinds.frozen!.map((t) => t.threads)).toEqual(threadCandidates(cores));
    for (const t of m.kinds.frozen!) expect(t.perStepSec).toBeGreaterThan(0);
    expect(measuredRun.stdout).toMatch(/frozen +1: [\d.]+ ms/);

    const corpus = path.join(tmp, 'corpus');
    await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 5 });
    const config = path.join(tmp, 'frozen.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        name: 'threads',
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        training: { epochs: 2 },
        crossValidation: { scheme: 'loso' },
      }),
    );
    const run = await exec(
      process.execPath,
      [cli, 'run', config, '--data', corpus, '--out', path.join(tmp, 'runs'), '--parallel', '1', '--json'],
      { env, maxBuffer: 1 << 26 },
    );
    const choice = chooseThreads('frozen', cores, m);
    expect(run.stderr).toContain(choice.reason);
    const runDir = JSON.parse(run.stdout).runDir as string;
    const fold = JSON.parse(
      fs.readFileSync(path.join(runDir, 'folds', 'fold-01', 'environment.json'), 'utf8'),
    );
    expect(fold.threads).toMatchObject({ intraOp: String(choice.threads), source: choice.source });
    if (cores > 1) expect(choice.source).toBe('measured');
  }, 300_000);
});
