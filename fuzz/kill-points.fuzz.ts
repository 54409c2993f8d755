/**
 * Kill -9 at seeded points of a run, then resume: the results must equal an uninterrupted run's.
 * Each point kills the training process with SIGKILL (through the engine's failpoints, see
 * src/engine/util/failpoint.ts) at the n-th occurrence of one event: an activation-cache entry
 * written (cold cache), a training batch, a checkpoint binary or its JSON, a fold's result files,
 * the model, status.json, summary.json; before the atomic rename (a temp file is left behind) or
 * just after. Then `run --resume` must exit 0 with the same predictions and pooled summary, status
 * done, and no temp file or claim left in the run folder.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FuzzOptions, FuzzResult } from './types';
import { mulberry32 } from '../src/engine/util/random';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(repo, 'bin', 'ser-workbench.mjs');
const FOLDS = 3;
const EPOCHS = 3;

interface KillPoint {
  failpoint: string;
  /** Largest sensible occurrence count for this event in one run. */
  max: number;
  /** Needs an empty step cache (the kill is while building it). */
  cold?: boolean;
}

const POINTS: KillPoint[] = [
  { failpoint: 'write:\\.act$:before-rename', max: 20, cold: true },
  { failpoint: 'write:\\.act$:after-rename', max: 20, cold: true },
  { failpoint: 'batch', max: FOLDS * EPOCHS * 2 },
  { failpoint: 'write:^checkpoint-e\\d+\\.bin$:before-rename', max: FOLDS * EPOCHS },
  { failpoint: 'write:^checkpoint-e\\d+\\.bin$:after-rename', max: FOLDS * EPOCHS },
  { failpoint: 'write:^checkpoint\\.json$:before-rename', max: FOLDS * EPOCHS },
  { failpoint: 'write:^checkpoint\\.json$:after-rename', max: FOLDS * EPOCHS },
  {
    failpoint: 'write:^(predictions|metrics|history|activations|done)\\.json$:before-rename',
    max: FOLDS * 5,
  },
  { failpoint: 'write:^(weights\\.bin|model\\.json|activations\\.f32)$:after-rename', max: FOLDS * 3 },
  { failpoint: 'write:^status\\.json$:before-rename', max: 12 },
  { failpoint: 'write:^summary\\.json$:before-rename', max: 1 },
  { failpoint: 'write:^summary\\.json$:after-rename', max: 1 },
];

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], home: string, env: Record<string, string> = {}): Promise<Ran> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { ...process.env, SER_WORKBENCH_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

function results(runDir: string): { predictions: unknown[]; pooled: unknown } {
  const read = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));
  return {
    predictions: Array.from({ length: FOLDS }, (_, i) =>
      read(path.join(runDir, 'folds', `fold-${String(i + 1).padStart(2, '0')}`, 'predictions.json')),
    ),
    pooled: read(path.join(runDir, 'summary.json')).pooled,
  };
}

/** Temp files of atomic writes and claims left anywhere in a run folder. */
function leftovers(runDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tmp-\d+-|\.lock$|\.takeover$/.test(e.name)) out.push(path.relative(runDir, p));
    }
  };
  walk(runDir);
  return out;
}

export async function fuzz(o: FuzzOptions): Promise<FuzzResult> {
  const count = o.long ? 50 : 3;
  const failures: string[] = [];
  const random = mulberry32(o.seed * 7919 + 13);
  const { synthesizeCorpus } = await import('../src/engine/corpora');
  const { defaultConfig } = await import('../src/engine/config/schema');
  const corpus = path.join(o.workDir, 'corpus');
  await synthesizeCorpus(corpus, { speakers: FOLDS, perClass: 2, seed: o.seed });
  const configFile = path.join(o.workDir, 'config.json');
  fs.writeFileSync(
    configFile,
    JSON.stringify(
      defaultConfig({
        name: 'kill',
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        training: { epochs: EPOCHS, batchSize: 8 },
        backend: 'wasm',
        seed: o.seed,
      }),
    ),
  );
  const warmHome = path.join(o.workDir, 'home');
  const common = ['run', configFile, '--data', corpus, '--parallel', '1', '--json'];
  const ref = await run([...common, '--out', path.join(o.workDir, 'reference')], warmHome);
  if (ref.code !== 0) throw new Error(`the uninterrupted reference run failed:\n${ref.stderr.slice(-2000)}`);
  const expected = results(JSON.parse(ref.stdout).runDir);

  // The short form covers the three kinds the issue names: cache, training, summary.
  const chosen: { point: KillPoint; n: number }[] = o.long
    ? Array.from({ length: count }, () => {
        const point = POINTS[Math.floor(random() * POINTS.length)];
        return { point, n: 1 + Math.floor(random() * point.max) };
      })
    : [
        { point: POINTS[0], n: 1 + Math.floor(random() * 10) },
        { point: POINTS[3], n: 1 + Math.floor(random() * POINTS[3].max) },
        // After summary.json landed: the killed writer's gather.lock must not outlive the resume.
        { point: POINTS[11], n: 1 },
      ];

  // One point: kill a fresh run at it, resume, compare. Returns its failures.
  const tryPoint = async (k: number, point: KillPoint, n: number): Promise<string[]> => {
    const label = `#${k} ${point.failpoint}:${n}`;
    const home = point.cold ? path.join(o.workDir, `cold-${k}`) : warmHome;
    const out = path.join(o.workDir, `killed-${k}`);
    const killed = await run([...common, '--out', out], home, { SER_FAILPOINT: `${point.failpoint}:${n}` });
    const runs = fs.existsSync(out) ? fs.readdirSync(out) : [];
    if (runs.length !== 1) {
      return [`${label}: no run folder after the kill (exit ${killed.code}): ${killed.stderr.slice(-400)}`];
    }
    const runDir = path.join(out, runs[0]);
    const wasKilled = killed.code !== 0;
    o.log(`${label}: ${wasKilled ? 'killed' : 'finished before the point'}; resuming`);
    const resumed = await run(['run', '--resume', runDir, '--parallel', '1', '--json'], home);
    if (resumed.code !== 0) return [`${label}: resume exited ${resumed.code}: ${resumed.stderr.slice(-600)}`];
    const found: string[] = [];
    try {
      const got = results(runDir);
      if (JSON.stringify(got.predictions) !== JSON.stringify(expected.predictions))
        found.push(`${label}: predictions differ from the uninterrupted run`);
      if (JSON.stringify(got.pooled) !== JSON.stringify(expected.pooled))
        found.push(`${label}: pooled summary differs from the uninterrupted run`);
      const status = JSON.parse(fs.readFileSync(path.join(runDir, 'status.json'), 'utf8'));
      if (status.state !== 'done') found.push(`${label}: status ${status.state} after resume`);
      const left = leftovers(runDir);
      if (left.length) found.push(`${label}: left behind ${left.join(', ')}`);
    } catch (err) {
      found.push(`${label}: ${(err as Error).message}`);
    }
    o.log(
      `${label}: ${found.length ? `FAILED: ${found.join('; ')}` : 'resumed, equal to the uninterrupted run'}`,
    );
    // The point's folders are done with: a long run would otherwise fill the disk.
    fs.rmSync(out, { recursive: true, force: true });
    if (point.cold) fs.rmSync(home, { recursive: true, force: true });
    return found;
  };

  // Each point is its own run folder (and, when cold, its own data home), so `jobs` of them can
  // run at once; the warm points only read the shared cache the reference run filled.
  const queue = [...chosen.entries()];
  const lanes = Array.from({ length: Math.min(o.jobs ?? 1, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [k, { point, n }] = next;
      failures.push(...(await tryPoint(k, point, n)));
    }
  });
  await Promise.all(lanes);
  return { name: 'kill-points', tried: chosen.length, failures };
}
