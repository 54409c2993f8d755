/**
 * Sweeps and bad input on the slurm executor against a REAL one-node Slurm (.ci/slurm-up.sh):
 * a 2 × 2 sweep of frozen runs on the shared RAVDESS subset goes out as ONE array job of
 * cells × folds and `report SWEEPDIR` shows four rows; a sweep cell the schema refuses is named
 * before anything is submitted; a submission Slurm rejects shows Slurm's own message; a task whose
 * run folder its node cannot see fails saying so. Skips, saying why, only when no Slurm is running.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlurmSchema } from '../src/engine/config/schema';
import { foldJobStatus, readJobs, submitArray } from '../src/engine/exec/slurm';
import { sharedDir } from '../src/engine/util/paths';
import { runCli } from './helpers/cli';
import { slurmOrSkip, until } from './helpers/slurm';

const slurm = slurmOrSkip(
  'slurm-sweep tests skipped: no running Slurm (sinfo finds no usable node); start one with .ci/slurm-up.sh',
);

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
let tmp: string;
let home: string;

// One epoch and two folds: the test is about where the folds run, not how well they learn.
const FOLDS = 2;
const base = {
  name: 'slurm-sweep',
  crossValidation: { scheme: 'kfold', k: FOLDS },
  model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
  training: { epochs: 1, batchSize: 16 },
  backend: 'wasm',
  seed: 3,
  execution: { executor: 'slurm' },
};

function writeConfig(name: string, config: object): string {
  const file = path.join(tmp, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

// Jobs in the queue whose name starts with `prefix`: other test files share the cluster and
// submit while this file runs, so the whole queue is not this test's to compare.
const jobsNamed = (prefix: string) =>
  spawnSync('squeue', ['-h', '-o', '%j'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((name) => name.startsWith(prefix));

describe.skipIf(!slurm)('sweeps and bad input on a one-node Slurm cluster', () => {
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-slurm-sweep-'));
    home = path.join(tmp, 'home');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a 2 × 2 sweep of frozen runs is one array job of 8 tasks; report shows four rows', async () => {
    const config = writeConfig('grid', {
      ...base,
      sweep: { grid: { 'training.learningRate': [0.001, 0.003], seed: [1, 2] } },
    });
    const r = await runCli(
      ['run', config, '--data', ravdess, '--wait', '--out', path.join(tmp, 'sweeps'), '--json'],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/submitted Slurm job \d+: 8 task\(s\) \(cells × folds\)/);
    const { sweepDir } = JSON.parse(r.stdout);
    // One submission from the sweep folder, every cell × fold in it.
    const jobs = readJobs(sweepDir);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].tasks).toHaveLength(4 * FOLDS);
    const sweep = JSON.parse(fs.readFileSync(path.join(sweepDir, 'sweep.json'), 'utf8'));
    expect(sweep.cells).toHaveLength(4);
    for (const cell of sweep.cells) {
      expect(fs.existsSync(path.join(cell.runDir, 'summary.json')), cell.id).toBe(true);
      // A task trains its fold: it never submits again from the cell (the config says 'slurm').
      expect(fs.existsSync(path.join(cell.runDir, 'slurm')), cell.id).toBe(false);
      // Each cell's folds ran as tasks of that one array job.
      for (let i = 0; i < FOLDS; i++) {
        const env = JSON.parse(
          fs.readFileSync(path.join(cell.runDir, 'folds', `fold-0${i + 1}`, 'environment.json'), 'utf8'),
        );
        expect(env).toMatchObject({ executor: 'slurm' });
        expect(env.jobId).toMatch(new RegExp(`^${jobs[0].jobId}_\\d+$`));
      }
    }

    const report = await runCli(['report', sweepDir], home);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/Sweep slurm-sweep: 4 cells/);
    const rows = report.stdout.split('\n').filter((l) => /^\| \*? ?\| (0\.001|0\.003) \| [12] \|/.test(l));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row).toMatch(/\| done \|$/);
    expect(rows.filter((l) => l.startsWith('| * |')).length).toBeGreaterThanOrEqual(1);
  }, 1_200_000);

  it('a sweep value the schema refuses is named with its cell before anything is submitted', async () => {
    const out = path.join(tmp, 'refused');
    const config = writeConfig('bad-cell', {
      ...base,
      name: 'slurm-sweep-refused-cell',
      sweep: { grid: { 'execution.slurm.mem': ['8G', 'lots'] } },
    });
    const r = await runCli(['run', config, '--data', ravdess, '--out', out], home);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /sweep cell 02-mem=lots is not a valid experiment config:.*execution\.slurm\.mem/s,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(jobsNamed('slurm-sweep-refused-cell')).toEqual([]);
  });

  it("a submission Slurm rejects (no such partition) shows Slurm's own message", async () => {
    const config = writeConfig('bad-partition', {
      ...base,
      execution: { executor: 'slurm', slurm: { partition: 'no-such-partition' } },
    });
    const r = await runCli(['run', config, '--data', ravdess, '--out', path.join(tmp, 'rejected')], home);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Slurm rejected the job \(.*job-\d+T\d+\.sh\): sbatch: error: .*invalid partition/i,
    );
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  }, 600_000);

  it('a task whose run folder its node cannot see fails with a message that says so', async () => {
    // The submitting side's folder, absent on the node: a path the node has no such folder at.
    const submitDir = path.join(tmp, 'unseen-submit');
    fs.mkdirSync(submitDir);
    const runDir = path.join(tmp, 'on-the-login-node-only', 'run');
    const record = submitArray(submitDir, 'unseen', [{ runDir, fold: 0 }], SlurmSchema.parse({}), 60);
    await until('the task to leave the queue', () => {
      const q = spawnSync('squeue', ['-h', '-j', record.jobId], { encoding: 'utf8' });
      return q.stdout.trim() === '';
    });
    const [status] = foldJobStatus(submitDir, [{ runDir, folds: 1 }]);
    expect(status).toMatchObject({ fold: 0, state: 'failed', taskId: `${record.jobId}_0` });
    expect(status.logTail).toContain(
      `the run folder ${runDir} is not visible on node ${os.hostname()}: put the runs on a file system the nodes share (run --out DIR)`,
    );
  }, 300_000);
});
