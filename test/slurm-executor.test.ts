/**
 * The slurm executor against a REAL one-node Slurm (.ci/slurm-up.sh starts it; CI does so before
 * the tests): a 4-fold LOSO run on the shared RAVDESS subset as one array job equals the serial
 * local run; scancel of one task, then resume, gives the same results; a task with a bad node
 * command shows as a failed fold with its log tail, and resume completes it. Skips, saying why,
 * only when no Slurm is running.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/engine/config/schema';
import { foldDir } from '../src/engine/runs/store';
import { sharedDir } from '../src/engine/util/paths';
import { runCli } from './helpers/cli';
import { slurmOrSkip, until } from './helpers/slurm';

const slurm = slurmOrSkip(
  'slurm-executor tests skipped: no running Slurm (sinfo finds no usable node); start one with .ci/slurm-up.sh',
);

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const FOLDS = 4;
let tmp: string;
let home: string;
let configFile: string;
let serialDir: string;

const predictions = (runDir: string, folds = [0, 1, 2, 3]) =>
  folds.map((i) => JSON.parse(fs.readFileSync(path.join(foldDir(runDir, i), 'predictions.json'), 'utf8')));
const pooled = (runDir: string) =>
  JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8')).pooled;

describe.skipIf(!slurm)('slurm executor on a one-node Slurm cluster', () => {
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-slurm-exec-'));
    home = path.join(tmp, 'home');
    configFile = path.join(tmp, 'frozen.json');
    const config = defaultConfig({
      name: 'slurm-frozen',
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 2, batchSize: 16 },
      backend: 'wasm',
      seed: 11,
    });
    fs.writeFileSync(configFile, JSON.stringify(config));
    const ref = await runCli(
      ['run', configFile, '--data', ravdess, '--parallel', '1', '--out', path.join(tmp, 'serial'), '--json'],
      home,
    );
    expect(ref.code, ref.stderr).toBe(0);
    serialDir = JSON.parse(ref.stdout).runDir;
  }, 900_000);

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a 4-fold LOSO run as one array job equals the serial local run', async () => {
    const r = await runCli(
      [
        'run',
        configFile,
        '--data',
        ravdess,
        '--executor',
        'slurm',
        '--wait',
        '--out',
        path.join(tmp, 'array'),
        '--json',
      ],
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/submitted Slurm job \d+: 4 task\(s\), folds 1,2,3,4/);
    const doc = JSON.parse(r.stdout);
    expect(doc.folds.map((f: { state: string }) => f.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(predictions(doc.runDir)).toEqual(predictions(serialDir));
    expect(pooled(doc.runDir)).toEqual(pooled(serialDir));
    for (let i = 0; i < FOLDS; i++) {
      const env = JSON.parse(fs.readFileSync(path.join(foldDir(doc.runDir, i), 'environment.json'), 'utf8'));
      expect(env).toMatchObject({ executor: 'slurm', jobId: `${doc.jobId}_${i}`, backend: { name: 'wasm' } });
    }
    const script = fs.readFileSync(
      path.join(
        doc.runDir,
        'slurm',
        fs.readdirSync(path.join(doc.runDir, 'slurm')).find((f) => f.endsWith('.sh'))!,
      ),
      'utf8',
    );
    expect(script).toMatch(/#SBATCH --array=0-3/);
    expect(script).toMatch(/run --resume "\$rundir" --folds "\$fold"/);
  });

  it('scancel of one task, then resume, gives the serial results', async () => {
    const submit = await runCli(
      [
        'run',
        configFile,
        '--data',
        ravdess,
        '--executor',
        'slurm',
        '--out',
        path.join(tmp, 'cancel'),
        '--json',
      ],
      home,
    );
    expect(submit.code, submit.stderr).toBe(0);
    const { runDir, jobId } = JSON.parse(submit.stdout);
    // Two CPUs: tasks 0 and 1 run while 2 and 3 wait; cancel task 3 (fold 4).
    expect(spawnSync('scancel', [`${jobId}_3`]).status).toBe(0);
    await until('the array job to leave the queue', () => {
      const q = spawnSync('squeue', ['-h', '-j', String(jobId)], { encoding: 'utf8' });
      return q.stdout.trim() === '';
    });
    const status = await runCli(['run', '--status', runDir, '--json'], home);
    const states = JSON.parse(status.stdout);
    expect(states.folds.slice(0, 3).map((f: { state: string }) => f.state)).toEqual(['done', 'done', 'done']);
    // Without accounting (this cluster's), a task that never started cannot be told from a failed one.
    expect(states.folds[3].state).toMatch(/^(cancelled|failed)$/);
    expect(states).toMatchObject({ resumable: true });
    expect(fs.existsSync(path.join(runDir, 'summary.json'))).toBe(false);

    const resume = await runCli(['run', '--resume', runDir, '--executor', 'slurm', '--wait', '--json'], home);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stderr).toMatch(/submitted Slurm job \d+: 1 task\(s\), folds 4/);
    expect(predictions(runDir)).toEqual(predictions(serialDir));
    expect(pooled(runDir)).toEqual(pooled(serialDir));
  });

  it('a task with a bad node command is a failed fold with its log tail; resume completes it', async () => {
    const bad = await runCli(
      [
        'run',
        configFile,
        '--data',
        ravdess,
        '--executor',
        'slurm',
        '--folds',
        '2',
        '--node-command',
        '/nonexistent/ser-workbench',
        '--wait',
        '--out',
        path.join(tmp, 'bad'),
        '--json',
      ],
      home,
    );
    expect(bad.code).toBe(1);
    const doc = JSON.parse(bad.stdout);
    expect(doc.folds[1]).toMatchObject({ fold: 2, state: 'failed' });
    expect(doc.folds[1].logTail).toMatch(/\/nonexistent\/ser-workbench: No such file or directory/);
    expect(doc.folds[1].detail).toMatch(/FAILED|accounting is off/);

    const resume = await runCli(
      ['run', '--resume', doc.runDir, '--executor', 'slurm', '--folds', '2', '--wait', '--json'],
      home,
    );
    expect(resume.code, resume.stderr).toBe(0);
    expect(predictions(doc.runDir, [1])).toEqual(predictions(serialDir, [1]));
  });
});

// Needs no Slurm: it runs where none is installed too.
describe('the slurm executor without Slurm', () => {
  it('sbatch missing from PATH is a clear error naming the executor and what to install; nothing is written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-no-slurm-'));
    try {
      const file = path.join(dir, 'frozen.json');
      fs.writeFileSync(file, JSON.stringify(defaultConfig({ name: 'no-slurm', backend: 'wasm' })));
      const out = path.join(dir, 'runs');
      const r = spawnSync(
        process.execPath,
        [
          path.resolve('bin/ser-workbench.mjs'),
          'run',
          file,
          '--data',
          ravdess,
          '--executor',
          'slurm',
          '--out',
          out,
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, PATH: '/nonexistent', SER_WORKBENCH_HOME: path.join(dir, 'home') },
        },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /the slurm executor needs Slurm's sbatch, squeue, scancel on PATH.*apt install slurm-client/s,
      );
      expect(fs.existsSync(out) ? fs.readdirSync(out) : []).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
