/** The local executor's plan: N from cores, GPUs and memory per process; thread budget and GPU per worker. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planLocal } from './local';

describe('planLocal', () => {
  it('takes one process per core when memory allows, each with cores / N threads', () => {
    const p = planLocal({
      mode: 'frozen',
      cores: 8,
      gpus: [],
      freeMemoryMB: 64_000,
      memoryPerProcessMB: 1000,
    });
    expect([p.processes, p.threadsPerProcess, p.memorySource]).toEqual([8, 1, 'measured']);
    expect(p.env[3]).toEqual({
      TF_NUM_INTRAOP_THREADS: '1',
      TF_NUM_INTEROP_THREADS: '1',
      OMP_NUM_THREADS: '1',
      SER_THREADS_SOURCE: 'budget',
    });
    expect(p.reason).toMatch(/^8 processes: 8 cores; 62\.5 GB free \/ 1000 MB per process \(measured\)/);
  });

  it('is bounded by memory and by the folds to train, and says so', () => {
    const byMemory = planLocal({
      mode: 'full',
      cores: 16,
      gpus: [],
      freeMemoryMB: 10_000,
      memoryPerProcessMB: 3000,
    });
    expect([byMemory.processes, byMemory.threadsPerProcess]).toEqual([2, 8]);
    expect(byMemory.reason).toMatch(/at most 2/);
    const byFolds = planLocal({
      mode: 'frozen',
      cores: 16,
      gpus: [],
      freeMemoryMB: 64_000,
      pendingFolds: 3,
      memoryPerProcessMB: 500,
    });
    expect([byFolds.processes, byFolds.threadsPerProcess]).toEqual([3, 5]);
  });

  it('gives each worker its own GPU, one process per GPU', () => {
    const p = planLocal({
      mode: 'trainFrom11',
      cores: 32,
      gpus: ['0', '1', '2'],
      freeMemoryMB: 200_000,
      memoryPerProcessMB: 4000,
    });
    expect(p.processes).toBe(3);
    expect(p.env.map((e) => e.CUDA_VISIBLE_DEVICES)).toEqual(['0', '1', '2']);
    expect(p.reason).toMatch(/3 GPU\(s\)/);
  });

  it('assumes a generous memory per process before one was measured', () => {
    process.env.SER_WORKBENCH_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-plan-'));
    const p = planLocal({ mode: 'full', cores: 4, gpus: [], freeMemoryMB: 8000 });
    expect([p.memorySource, p.memoryPerProcessMB, p.processes]).toEqual(['assumed', 4500, 1]);
    expect(planLocal({ mode: 'frozen', cores: 4, gpus: [], requested: 3 }).reason).toMatch(
      /^3 processes: 3 asked for; 1 TensorFlow thread/,
    );
  });
});
