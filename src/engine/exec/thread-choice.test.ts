/** The thread count a planned process gets: the fewest as fast as any within its budget, by measurement. */
import { describe, expect, it } from 'vitest';
import { planLocal } from './local';
import { chooseThreads, stepKindOf, type ThreadMeasurement } from './thread-choice';

function measured(kinds: ThreadMeasurement['kinds']): ThreadMeasurement {
  return { host: 'h', backend: 'tensorflow', at: '2026-12-02T00:00:00.000Z', kinds };
}

describe('chooseThreads', () => {
  const m = measured({
    frozen: [
      { threads: 1, perStepSec: 0.0126 },
      { threads: 2, perStepSec: 0.0178 },
      { threads: 4, perStepSec: 0.011 },
    ],
    block: [
      { threads: 1, perStepSec: 0.2 },
      { threads: 2, perStepSec: 0.195 },
    ],
    full: [
      { threads: 1, perStepSec: 2.0 },
      { threads: 2, perStepSec: 1.3 },
    ],
  });

  it('gives the fewest threads within 5 % of the fastest measured within the budget', () => {
    expect(chooseThreads('frozen', 2, m)).toMatchObject({ threads: 1, source: 'measured' });
    expect(chooseThreads('trainFrom11', 2, m)).toMatchObject({ threads: 1, source: 'measured' });
    expect(chooseThreads('full', 2, m)).toMatchObject({ threads: 2, source: 'measured' });
    // With 4 cores the 4-thread frozen step is fastest by more than 5 %.
    expect(chooseThreads('frozen', 4, m).threads).toBe(4);
    expect(chooseThreads('frozen', 2, m).reason).toContain('1: 12.6 ms, 2: 17.8 ms');
  });

  it('gives the budget where nothing (or one count) was measured, or the budget is one thread', () => {
    expect(chooseThreads('frozen', 2, null)).toMatchObject({ threads: 2, source: 'budget' });
    expect(chooseThreads('full', 2, measured({ frozen: m.kinds.frozen }))).toMatchObject({
      threads: 2,
      source: 'budget',
    });
    expect(chooseThreads('full', 1, m)).toMatchObject({ threads: 1, source: 'budget' });
    expect(chooseThreads('frozen', 2, measured({ frozen: [{ threads: 1, perStepSec: 0.01 }] })).source).toBe(
      'budget',
    );
  });

  it('maps run modes to the step kinds measured', () => {
    expect(['frozen', 'baseline-svm', 'trainFrom13', 'full'].map(stepKindOf)).toEqual([
      'frozen',
      'frozen',
      'block',
      'full',
    ]);
  });

  it('is what the local plan gives each process, and says why', () => {
    const plan = planLocal({
      requested: 1,
      mode: 'frozen',
      cores: 2,
      gpus: [],
      freeMemoryMB: 8000,
      threadMeasurement: m,
    });
    expect(plan).toMatchObject({ processes: 1, threadsPerProcess: 1, threadsSource: 'measured' });
    expect(plan.env[0]).toMatchObject({ TF_NUM_INTRAOP_THREADS: '1', SER_THREADS_SOURCE: 'measured' });
    expect(plan.reason).toContain('1 TensorFlow thread(s) per process of 2 available');
    const unmeasured = planLocal({
      requested: 1,
      mode: 'frozen',
      cores: 2,
      gpus: [],
      freeMemoryMB: 8000,
      threadMeasurement: null,
    });
    expect(unmeasured).toMatchObject({ threadsPerProcess: 2, threadsSource: 'budget' });
    // A GPU does the step's work: its process keeps the budget.
    const gpu = planLocal({
      requested: 1,
      mode: 'frozen',
      cores: 2,
      gpus: ['0'],
      freeMemoryMB: 8000,
      threadMeasurement: m,
    });
    expect(gpu).toMatchObject({ threadsPerProcess: 2, threadsSource: 'budget' });
  });
});
