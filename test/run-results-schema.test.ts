/**
 * The result files of a run folder (summary.json, folds' metrics.json and history.json) and the
 * run comparison are typed schemas in src/shared/run-results.ts. Files written by older versions
 * must still read: a real run folder made by the old main (a96f025, test/fixtures) and the sample
 * run of this version are served over real HTTP, and every answer parses with the contract's
 * response schema and carries the files' content unchanged (nothing stripped, nothing renamed
 * except the old `trainFrom`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  foldHistorySchema,
  foldMetricsSchema,
  runSummarySchema,
  storedRunSummarySchema,
  upgradeRunSummary,
} from '../src/shared/run-results';
import { writeSampleRun } from '../src/engine/report/sample-run';
import { servedTest } from './helpers/served';

const fixture = path.join(__dirname, 'fixtures', 'old-run-a96f025');
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));

const { runsDir, ok } = servedTest('results-schema', {
  prepare: async ({ runsDir }) => {
    // Two copies of the old run: a comparison pairs two runs over the same speakers.
    fs.cpSync(fixture, path.join(runsDir, 'old-a'), { recursive: true });
    fs.cpSync(fixture, path.join(runsDir, 'old-b'), { recursive: true });
    await writeSampleRun(path.join(runsDir, 'sample-run'));
  },
});

describe('result files written by the old main (a96f025)', () => {
  it('are the real old format: summary.json names the weight initialisation trainFrom', () => {
    const summary = readJson(path.join(fixture, 'summary.json')) as Record<string, unknown>;
    expect(summary.trainFrom).toBe('pretrained');
    expect('initialWeights' in summary).toBe(false);
    expect(() => runSummarySchema.parse(summary)).toThrow(/initialWeights/);
  });

  it('parse with the shared schemas, each file whole', () => {
    const raw = readJson(path.join(fixture, 'summary.json'));
    expect(storedRunSummarySchema.parse(raw)).toEqual(upgradeRunSummary(raw));
    for (const fold of ['fold-01', 'fold-02', 'fold-03', 'fold-04']) {
      const metrics = readJson(path.join(fixture, 'folds', fold, 'metrics.json'));
      expect(foldMetricsSchema.parse(metrics)).toEqual(metrics);
      const history = readJson(path.join(fixture, 'folds', fold, 'history.json'));
      expect(foldHistorySchema.parse(history)).toEqual(history);
    }
  });

  it('come back typed and unchanged from runs.get over HTTP', async () => {
    const detail = await ok('runs.get', { id: 'old-a' });
    const raw = readJson(path.join(fixture, 'summary.json'));
    expect(detail.summary).toEqual(upgradeRunSummary(raw));
    expect(detail.summary?.initialWeights).toBe('pretrained');
    expect(detail.summary?.pooled.confusion.labels).toEqual(['neutral', 'happy', 'sad', 'angry']);
    expect(detail.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3]);
    for (const f of detail.folds) {
      const dir = path.join(fixture, 'folds', `fold-0${f.fold + 1}`);
      expect(f.metrics).toEqual(readJson(path.join(dir, 'metrics.json')));
      expect(f.history).toEqual(readJson(path.join(dir, 'history.json')));
      expect(f.history?.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    }
  });

  it('compare through results.compare with the typed comparison', async () => {
    const cmp = await ok('results.compare', { a: 'old-a', b: 'old-b' });
    // The same run twice: every speaker's difference is 0 and no config setting differs.
    expect(cmp.speakers.map((s) => s.speaker).sort()).toEqual(['01', '02', '03', '04']);
    expect(cmp.speakers.every((s) => s.difference === 0)).toBe(true);
    expect(cmp.pooled.difference).toBe(0);
    expect(cmp.wilcoxon.zeros).toBe(4);
    expect(cmp.configDiff).toEqual([]);
    expect(cmp.confusion.delta.flat().every((v) => v === 0)).toBe(true);
  });
});

describe('result files written by this version', () => {
  it('the sample run comes back from runs.get equal to its summary.json', async () => {
    const detail = await ok('runs.get', { id: 'sample-run' });
    expect(detail.summary).toEqual(readJson(path.join(runsDir, 'sample-run', 'summary.json')));
  });

  it('a summary.json that is not a summary reads as no result, not as a broken run detail', async () => {
    fs.cpSync(fixture, path.join(runsDir, 'old-cut'), { recursive: true });
    fs.writeFileSync(path.join(runsDir, 'old-cut', 'summary.json'), JSON.stringify({ version: 1 }));
    fs.writeFileSync(path.join(runsDir, 'old-cut', 'folds', 'fold-01', 'history.json'), '{"epochs":');
    const detail = await ok('runs.get', { id: 'old-cut' });
    expect(detail.summary).toBeNull();
    expect(detail.folds[0].history).toBeNull();
    expect(detail.folds[1].history?.bestEpoch).toBeTypeOf('number');
  });
});
