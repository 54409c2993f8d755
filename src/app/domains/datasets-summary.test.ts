/** The Table-I figures the Datasets view shows, from a real index of the RAVDESS subset. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusSummarySchema } from '@shared/contract';
import { sharedDir } from '../../engine/util/paths';
import { indexDataset } from './datasets';

describe('Table-I summary of a dataset', () => {
  it('reads speakers, male:female, duration mean ± sd, files per class, rates and skips', async () => {
    const ds = await indexDataset({ dir: path.join(sharedDir(), 'data', 'ravdess') });
    const s = corpusSummarySchema.parse(ds.summary);
    expect(s.speakers).toBe(4);
    expect(`${s.sex.male}:${s.sex.female}`).toBe('2:2');
    expect(s.files).toBe(64);
    expect(Object.values(s.perClass).reduce((a, b) => a + b, 0)).toBe(64);
    expect(s.perClass).toEqual(ds.classCounts);
    expect(s.duration.mean).toBeGreaterThan(2);
    expect(s.duration.sd).toBeGreaterThan(0);
    expect(s.duration.min).toBeLessThanOrEqual(s.duration.mean);
    expect(Object.values(s.sampleRates).reduce((a, b) => a + b, 0)).toBe(64);
    expect(s.skipped).toEqual(ds.skipped);
  });
});
