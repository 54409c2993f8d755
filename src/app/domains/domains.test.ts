import { describe, expect, it } from 'vitest';
import { sampleRunSummary } from '../../engine/report/sample-run';
import { resultsTableSchema } from '@shared/contract';
import { envelope } from './audio';
import { speakerRows, classCounts } from './datasets';
import { roleCounts } from './experiment';
import { resultsTable } from './runs';

describe('envelope', () => {
  it('keeps the min and max of each column', () => {
    const s = Float32Array.from([0, 0.5, -0.25, 1, -1, 0.1, 0.2, 0.3]);
    expect(envelope(s, 4)).toEqual({ min: [0, -0.25, -1, 0.2], max: [0.5, 1, 0.1, 0.3] });
    expect(envelope(s, 100).min).toHaveLength(8);
  });
});

const index = {
  classes: ['angry', 'sad'] as ('angry' | 'sad')[],
  utterances: [
    { speaker: '10', sex: 'male', label: 'angry' },
    { speaker: '2', sex: 'female', label: 'sad' },
    { speaker: '2', sex: 'female', label: 'angry' },
    { speaker: '10', sex: 'male', label: 'angry' },
  ],
} as never;

describe('dataset shaping', () => {
  it('counts classes per speaker in natural speaker order', () => {
    expect(speakerRows(index)).toEqual([
      { speaker: '2', sex: 'female', total: 2, counts: { angry: 1, sad: 1 } },
      { speaker: '10', sex: 'male', total: 2, counts: { angry: 2, sad: 0 } },
    ]);
    expect(classCounts(index)).toEqual({ angry: 3, sad: 1 });
  });

  it('counts utterances per fold role', () => {
    expect(roleCounts(index, { train: ['10'], test: ['2'], validation: [] })).toEqual({
      train: { angry: 2, sad: 0 },
      test: { angry: 1, sad: 1 },
      validation: { angry: 0, sad: 0 },
    });
  });
});

describe('resultsTable', () => {
  it('gives one row per fold then pooled, mean and sd, with confusions', () => {
    const summary = sampleRunSummary({ speakers: 5, dropNeutralInFold: 2 });
    const table = resultsTableSchema.parse(resultsTable(summary));
    expect(table.classes).toEqual(summary.classes);
    expect(table.rows.map((r) => r.kind)).toEqual([
      'fold',
      'fold',
      'fold',
      'fold',
      'fold',
      'pooled',
      'mean',
      'sd',
    ]);
    // A fold without neutral has no neutral accuracy, not a zero.
    expect(table.rows[2].perClass[3]).toBeNull();
    expect(table.rows[5].average).toBe(summary.pooled.averageAccuracy);
    expect(table.confusion.folds).toHaveLength(5);
    const pooledTotal = table.confusion.pooled.flat().reduce((a, b) => a + b, 0);
    expect(pooledTotal).toBe(summary.pooled.n);
  });
});
