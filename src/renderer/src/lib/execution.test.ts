/** Sweep grid rows ⇄ the config's sweep block, and the estimate per job and in total. */
import { describe, expect, it } from 'vitest';
import type { RunEstimate } from '@shared/contract';
import { cellCount, gridOf, jobEstimate, parseValues, rowsOf, slurmMinutes } from './execution';

describe('sweep grid rows', () => {
  it('types values as the schema expects them: numbers, words, booleans', () => {
    expect(parseValues('0.001, 3e-4')).toEqual([0.001, 0.0003]);
    expect(parseValues('11, full, frozen')).toEqual([11, 'full', 'frozen']);
    expect(parseValues('true,false, ')).toEqual([true, false]);
  });

  it('round-trips a grid and counts its cells', () => {
    const rows = [
      { field: 'training.learningRate', values: '0.001, 0.003' },
      { field: ' seed ', values: '1, 2, 3' },
      { field: '', values: 'ignored' },
    ];
    const sweep = gridOf(rows);
    expect(sweep).toEqual({ grid: { 'training.learningRate': [0.001, 0.003], seed: [1, 2, 3] } });
    expect(cellCount(rows)).toBe(6);
    expect(rowsOf(sweep)).toEqual([
      { field: 'training.learningRate', values: '0.001, 0.003' },
      { field: 'seed', values: '1, 2, 3' },
    ]);
    expect(gridOf([])).toBeUndefined();
    expect(cellCount([])).toBe(1);
  });
});

describe('job estimate', () => {
  const e = { perFoldSec: 30, calibrationSec: 5, folds: 4, cacheBuildSec: 60 } as RunEstimate;
  it('sizes one job as one fold and sums every cell × fold', () => {
    const j = jobEstimate(e, 4, 'slurm', { timeMargin: 2 }, 2);
    expect(j).toMatchObject({ cells: 4, folds: 4, jobs: 16, perJobSec: 35 });
    expect(j.totalComputeSec).toBe(16 * 35 + 60);
    expect(j.wallSec).toBe(8 * 35 + 60);
    // 35 s × 2 + 600 s = 670 s → 12 min.
    expect(j.slurmTimeMinutes).toBe(12);
    expect(jobEstimate(e, 1, 'local', {}, 1).slurmTimeMinutes).toBeNull();
  });
  it('follows the engine’s time limit rule', () => {
    expect(slurmMinutes(10, 2)).toBe(11);
    expect(slurmMinutes(1, 1)).toBe(11);
    expect(slurmMinutes(3600, 2)).toBe(130);
    expect(slurmMinutes(3600, 2, 45)).toBe(45);
  });
});
