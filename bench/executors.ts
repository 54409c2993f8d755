/**
 * The same 4-fold LOSO run (RAVDESS subset, frozen mode, warm step cache) on three executors:
 * serial (one process), local with 2 worker processes, and Slurm (one array job; only where a
 * Slurm is running, see .ci/slurm-up.sh). For each: wall time, the overhead (wall time outside
 * fold training: start-up, estimate, submission, queueing, gathering) in seconds and as a
 * fraction of the run, TensorFlow threads per process and peak memory per process.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from './types';
import { repoRoot, sharedDir } from '../src/engine/util/paths';

const group = 'executors';
const FOLDS = 4;

function cli(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), ...args], {
    env: {
      ...process.env,
      SER_WORKBENCH_HOME: home,
      YAMNET_WEIGHTS: path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

interface FoldEnv {
  started: string;
  finished: string;
  maxRssMB?: number;
  threads?: { intraOp: string | null };
  pid: number;
}

function foldEnvs(runDir: string): FoldEnv[] {
  return Array.from({ length: FOLDS }, (_, i) =>
    JSON.parse(
      fs.readFileSync(
        path.join(runDir, 'folds', `fold-${String(i + 1).padStart(2, '0')}`, 'environment.json'),
        'utf8',
      ),
    ),
  );
}

/** Of a Slurm run's time before the first fold: until sbatch returned, and from then (the queue). */
function slurmSplit(runDir: string, t0: number, firstFold: number): BenchRow[] {
  const jobsFile = path.join(runDir, 'slurm', 'jobs.json');
  if (!fs.existsSync(jobsFile)) return [];
  const [job] = JSON.parse(fs.readFileSync(jobsFile, 'utf8')) as { submitted: string }[];
  const submitted = Date.parse(job.submitted);
  return [
    {
      group,
      name: 'slurm: until submitted',
      value: (submitted - t0) / 1000,
      unit: 's',
      note: 'start-up, corpus, folds, estimate, sbatch',
    },
    {
      group,
      name: 'slurm: submitted to first fold',
      value: (firstFold - submitted) / 1000,
      unit: 's',
      note: 'queue wait (the cluster is shared) and the task starting ser-workbench',
    },
  ];
}

function slurmUp(): boolean {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  return r.status === 0 && /idle|mixed|allocated/.test(r.stdout);
}

export async function bench(): Promise<BenchRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-exec-'));
  const home = path.join(tmp, 'home');
  const data = path.join(sharedDir(), 'data', 'ravdess');
  const configFile = path.join(tmp, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      name: 'bench-exec',
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 10, batchSize: 16 },
      seed: 5,
    }),
  );
  const rows: BenchRow[] = [];
  try {
    // Warm the step cache first: every executor below starts from the same cached embeddings.
    const warm = await cli(
      ['run', configFile, '--data', data, '--folds', '1', '--parallel', '1', '--out', path.join(tmp, 'warm')],
      home,
    );
    if (warm.code !== 0) throw new Error(`the warm-up run failed: ${warm.stderr.slice(-500)}`);
    const executors: { name: string; args: string[] }[] = [
      { name: 'serial', args: ['--parallel', '1'] },
      { name: 'local-2', args: ['--parallel', '2'] },
      ...(slurmUp() ? [{ name: 'slurm', args: ['--executor', 'slurm', '--wait'] }] : []),
    ];
    if (!slurmUp())
      rows.push({ group, name: 'slurm', value: NaN, unit: 's', note: 'no Slurm running (.ci/slurm-up.sh)' });
    for (const ex of executors) {
      const out = path.join(tmp, ex.name);
      const t0 = Date.now();
      const r = await cli(['run', configFile, '--data', data, '--out', out, '--json', ...ex.args], home);
      const wall = (Date.now() - t0) / 1000;
      if (r.code !== 0) throw new Error(`${ex.name} run failed: ${r.stderr.slice(-500)}`);
      const runDir = JSON.parse(r.stdout).runDir as string;
      const envs = foldEnvs(runDir);
      const first = Math.min(...envs.map((e) => Date.parse(e.started)));
      const last = Math.max(...envs.map((e) => Date.parse(e.finished)));
      const training = (last - first) / 1000;
      const overhead = wall - training;
      const processes = new Set(envs.map((e) => e.pid)).size;
      rows.push(
        {
          group,
          name: `${ex.name}: wall`,
          value: wall,
          unit: 's',
          note: `${FOLDS} folds, ${processes} fold process(es)`,
        },
        {
          group,
          name: `${ex.name}: overhead`,
          value: overhead,
          unit: 's',
          note: 'wall time outside fold training',
        },
        { group, name: `${ex.name}: overhead fraction`, value: overhead / wall, unit: 'ratio' },
        {
          group,
          name: `${ex.name}: before the first fold`,
          value: (first - t0) / 1000,
          unit: 's',
          note: 'start-up, corpus and folds, estimate; Slurm: + submission and queueing',
        },
        {
          group,
          name: `${ex.name}: after the last fold`,
          value: (t0 + wall * 1000 - last) / 1000,
          unit: 's',
          note: 'gathering the summary and exit; Slurm: + noticing the job left the queue',
        },
        ...slurmSplit(runDir, t0, first),
        {
          group,
          name: `${ex.name}: threads per process`,
          value: Number(envs[0].threads?.intraOp ?? os.availableParallelism()),
          unit: 'threads',
          note: envs[0].threads?.intraOp ? 'TF_NUM_INTRAOP_THREADS' : 'TensorFlow default (all cores)',
        },
        {
          group,
          name: `${ex.name}: memory per process`,
          value: Math.max(...envs.map((e) => e.maxRssMB ?? 0)),
          unit: 'MB',
          note: 'peak RSS of a fold process',
        },
      );
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}
