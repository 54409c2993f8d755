/**
 * TensorFlow thread counts are decided before the backend loads: the cores divided among the
 * training processes, as many inter-op threads (compiled steps run graph branches on them), and
 * the user's TF_NUM_* variables win. Each case runs in a fresh Node process, as the decision is
 * made once per process.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../util/paths';

function decide(env: Record<string, string>): {
  intraOp: number;
  interOp: number;
  source: string;
  tf: string;
} {
  const module = path.join(repoRoot, 'src/engine/backend/threads.ts');
  const script = `import(${JSON.stringify(module)}).then((m) => { const s = m.configureThreads(); console.log(JSON.stringify({ ...s, tf: process.env.TF_NUM_INTRAOP_THREADS + '/' + process.env.TF_NUM_INTEROP_THREADS })); })`;
  const clean = { ...process.env };
  for (const k of ['TF_NUM_INTRAOP_THREADS', 'TF_NUM_INTEROP_THREADS', 'SER_TRAINING_PROCESSES'])
    delete clean[k];
  const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: repoRoot,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('configureThreads', () => {
  const cores = os.availableParallelism();
  it('gives each training process its share of the cores, for both pools', () => {
    expect(decide({})).toMatchObject({
      intraOp: cores,
      interOp: cores,
      source: 'derived',
      tf: `${cores}/${cores}`,
    });
    expect(decide({ SER_TRAINING_PROCESSES: String(cores) })).toMatchObject({ intraOp: 1, interOp: 1 });
    expect(decide({ SER_TRAINING_PROCESSES: String(cores * 4) }).intraOp).toBe(1);
  });
  it("keeps the user's TF_NUM_* settings", () => {
    expect(decide({ TF_NUM_INTRAOP_THREADS: '3', TF_NUM_INTEROP_THREADS: '2' })).toMatchObject({
      intraOp: 3,
      interOp: 2,
      source: 'environment',
      tf: '3/2',
    });
  });
});
