/**
 * A baseline grid run (mfcc × rf, svm) across two synthetic corpora through runExperiment: each
 * cell's summary carries its own cross-corpus matrix (checked against that cell's predictions),
 * and the grid's report lays out one matrix per cell and the class mapping once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/schema';
import { synthesizeCorpus } from '../corpora';
import { runExperiment, type PredictionRow, type RunResult } from '../runs';
import { cellDir, foldDir, readJson } from '../runs/store';
import { renderRunReport } from './run-report';
import type { RunReport } from './types';

let tmp: string;
let result: RunResult;
const CELLS = ['mfcc__rf', 'mfcc__svm'];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-xcorpus-grid-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  const a = path.join(tmp, 'a');
  const b = path.join(tmp, 'b');
  await synthesizeCorpus(a, { speakers: 3, perClass: 3, seed: 1, classes: ['angry', 'happy', 'sad'] });
  await synthesizeCorpus(b, { speakers: 2, perClass: 3, seed: 2, classes: ['angry', 'happy', 'neutral'] });
  const config = parseConfig({
    name: 'xgrid',
    data: { classes: 'all' },
    model: { kind: 'baseline', features: 'mfcc', classifiers: ['rf', 'svm'] },
    crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: b, name: 'b' } },
    seed: 5,
  });
  result = await runExperiment(config, { dataDir: a, outDir: path.join(tmp, 'runs') });
}, 600_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a cross-corpus baseline grid', () => {
  it('gives each cell its matrix over the shared classes and reports them all', async () => {
    expect(result.cells?.cells.map((c) => c.id)).toEqual(CELLS);
    const json = JSON.parse(await renderRunReport(result.runDir, 'json')) as RunReport;
    for (const id of CELLS) {
      const summary = readJson<{ crossCorpus: { classes: string[]; cells: { uar: number }[] } }>(
        path.join(cellDir(result.runDir, id), 'summary.json'),
      );
      expect([...summary.crossCorpus.classes].sort()).toEqual(['angry', 'happy']);
      const rows = readJson<PredictionRow[] | { rows: PredictionRow[] }>(
        path.join(foldDir(cellDir(result.runDir, id), 0), 'predictions.json'),
      );
      const list = Array.isArray(rows) ? rows : rows.rows;
      // Corpus b's 2 speakers × 2 shared classes × 3 utterances; its 'neutral' is left out.
      expect(list).toHaveLength(12);
      expect(list.every((r) => r.speaker.startsWith('b:') && r.true !== 'neutral')).toBe(true);
      const recall = (c: string) =>
        list.filter((r) => r.true === c && r.predicted === c).length /
        list.filter((r) => r.true === c).length;
      expect(summary.crossCorpus.cells[0].uar).toBeCloseTo((recall('angry') + recall('happy')) / 2, 12);
      const table = json.tables.find((t) => t.id === `cross-corpus-matrix-${id}`)!;
      expect(table.rows.map((r) => [r.label, ...r.cells])).toEqual([
        ['synthetic', { kind: 'number', value: summary.crossCorpus.cells[0].uar }],
      ]);
    }
    const mapping = json.tables.filter((t) => t.id === 'cross-corpus-mapping');
    expect(mapping).toHaveLength(1);
    const textOf = (c: unknown) => (c as { text: string }).text;
    expect(
      mapping[0].rows.map((r) => [r.label, textOf(r.cells[3]).split(', ').sort().join(), textOf(r.cells[4])]),
    ).toEqual([
      ['synthetic', 'angry,happy,sad', 'sad (9)'],
      ['b', 'angry,happy,neutral', 'neutral (6)'],
    ]);
  });
});
