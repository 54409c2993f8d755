/**
 * Cross-corpus runs on the shared RAVDESS and EMO-DB subsets (frozen mode, few epochs): RAVDESS →
 * EMO-DB produces its matrix, with the class mapping recorded and predictions over the shared
 * classes only; the train-on-all-but-one list (both directions), interrupted inside its second
 * fold and resumed, ends with the predictions and matrix of an uninterrupted run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/schema';
import type { FoldsDocument } from '../folds';
import { renderRunReport, type RunReport } from '../report';
import { sharedDir } from '../util/paths';
import { crossCorpusCell, type CrossCorpusResult } from '@shared/cross-corpus';
import { runExperiment, type PredictionRow } from './runner';
import { foldDir, readJson, readRun } from './store';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const emodb = path.join(sharedDir(), 'data', 'emodb');
const CLASSES = ['angry', 'happy', 'sad', 'neutral'];
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-xcorpus-run-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const configOf = (crossValidation: Record<string, unknown>) =>
  parseConfig({
    name: 'xcorpus',
    data: { classes: CLASSES },
    model: { kind: 'yamnet-lstm', lstmUnits: [32], yamnet: { trainFrom: 'frozen' } },
    training: { epochs: 3, batchSize: 32 },
    crossValidation: { scheme: 'cross-corpus', valFraction: 0.25, ...crossValidation },
    backend: 'tensorflow',
    seed: 11,
  });

const predictionsOf = (runDir: string, fold: number) =>
  readJson<{ rows: PredictionRow[] } | PredictionRow[]>(path.join(foldDir(runDir, fold), 'predictions.json'));
const rowsOf = (p: ReturnType<typeof predictionsOf>) => (Array.isArray(p) ? p : p.rows);

/** UAR straight from predictions: the mean over classes of the share of that class predicted right. */
function uarOf(rows: PredictionRow[]): number {
  const recalls = CLASSES.map((c) => {
    const of = rows.filter((r) => r.true === c);
    return of.filter((r) => r.predicted === c).length / of.length;
  });
  return recalls.reduce((a, b) => a + b, 0) / recalls.length;
}

/** The matrix in every report format: `report --json`, Markdown (the CLI's text), CSV, LaTeX, HTML. */
async function expectMatrixInReports(runDir: string, x: CrossCorpusResult): Promise<void> {
  const uar = (row: string, column: string) => crossCorpusCell(x, row, column)!.uar!;
  const json = JSON.parse(await renderRunReport(runDir, 'json')) as RunReport;
  expect(json.crossCorpus).toEqual(x);
  const table = json.tables.find((t) => t.id === 'cross-corpus-matrix')!;
  expect(table.columns).toEqual(['trained on \\ tested on', 'ravdess', 'emodb']);
  expect(table.rows.map((r) => [r.label, ...r.cells])).toEqual([
    ['ravdess', { kind: 'text', text: '\u2013' }, { kind: 'number', value: uar('ravdess', 'emodb') }],
    ['emodb', { kind: 'number', value: uar('emodb', 'ravdess') }, { kind: 'text', text: '\u2013' }],
  ]);
  const mapping = json.tables.find((t) => t.id === 'cross-corpus-mapping')!;
  expect(mapping.rows.map((r) => r.label)).toEqual(['ravdess', 'emodb']);
  expect(json.provenance.find((p) => p.label === 'folds')?.value).toMatch(/^cross-corpus/);

  const f = (v: number) => v.toFixed(3);
  const md = await renderRunReport(runDir, 'md');
  expect(md).toContain(`| ravdess | \u2013 | ${f(uar('ravdess', 'emodb'))} |`);
  expect(md).toContain(`| emodb | ${f(uar('emodb', 'ravdess'))} | \u2013 |`);
  expect(md).toMatch(/Cross-corpus class mapping/);
  const csv = await renderRunReport(runDir, 'csv');
  expect(csv).toContain(`cross-corpus-matrix,ravdess,\u2013,${uar('ravdess', 'emodb')}`);
  const latex = await renderRunReport(runDir, 'latex');
  expect(latex).toMatch(/Cross-corpus UAR/);
  expect(latex).toContain(f(uar('emodb', 'ravdess')));
  const html = await renderRunReport(runDir, 'html');
  expect(html).toContain('<section id="cross-corpus-matrix">');
  expect(html).toContain('<section id="cross-corpus-classes">');
  expect(html).toContain('<section id="cross-corpus-mapping">');
}

describe('cross-corpus run (RAVDESS and EMO-DB subsets, frozen)', () => {
  it('RAVDESS → EMO-DB produces its matrix, with the class mapping and shared-class predictions', async () => {
    const logs: string[] = [];
    const result = await runExperiment(configOf({ testCorpus: { dir: emodb } }), {
      dataDir: ravdess,
      outDir: path.join(tmp, 'runs'),
      onEvent: (e) => e.type === 'log' && logs.push(e.message ?? ''),
    });
    // The class mapping is shown as the run starts.
    expect(logs).toContain('cross-corpus classes: angry, happy, sad, neutral (the classes every corpus has)');
    expect(logs).toContain(`cross-corpus emodb (${emodb}): 339 utterances of 10 speakers kept`);
    const run = readRun(result.runDir);
    expect(run.status?.state).toBe('done');
    const folds = readJson<FoldsDocument>(path.join(result.runDir, 'folds.json'));
    expect(folds.scheme).toBe('cross-corpus');
    expect(folds.folds.map((f) => [f.trainCorpora, f.testCorpus])).toEqual([[['ravdess'], 'emodb']]);
    expect(folds.crossCorpus?.corpora.map((c) => [c.name, c.utterances, c.speakers, c.dropped])).toEqual([
      ['ravdess', 64, 4, {}],
      ['emodb', 339, 10, {}],
    ]);
    // Validation speakers come from RAVDESS only, apart from its training speakers.
    const [fold] = folds.folds;
    expect(fold.validation).toHaveLength(1);
    expect([...fold.train, ...fold.validation].every((s) => s.startsWith('ravdess:'))).toBe(true);
    expect(fold.train).not.toContain(fold.validation[0]);

    const rows = rowsOf(predictionsOf(result.runDir, 0));
    expect(rows).toHaveLength(339);
    expect(rows.every((r) => r.speaker.startsWith('emodb:') && r.path.startsWith(emodb))).toBe(true);
    for (const r of rows) {
      expect(CLASSES).toContain(r.true);
      expect(CLASSES).toContain(r.predicted);
      expect(Object.keys(r.probabilities).sort()).toEqual([...CLASSES].sort());
    }

    const summary = run.summary!;
    expect(summary.scheme.kind).toBe('cross-corpus');
    expect(summary.corpus.name).toBe('ravdess+emodb');
    const matrix = summary.crossCorpus!;
    expect(matrix.rows).toEqual(['ravdess']);
    expect(matrix.columns).toEqual(['emodb']);
    expect(matrix.classes).toEqual(CLASSES);
    expect(matrix.corpora.map((c) => c.name)).toEqual(['ravdess', 'emodb']);
    expect(matrix.cells).toHaveLength(1);
    const [cell] = matrix.cells;
    expect(cell).toMatchObject({ fold: 0, train: ['ravdess'], test: 'emodb', utterances: 339 });
    expect(cell.uar).toBeCloseTo(uarOf(rows), 12);
    for (const c of CLASSES) {
      const of = rows.filter((r) => r.true === c);
      expect(cell.classAccuracy[c]).toBeCloseTo(of.filter((r) => r.predicted === c).length / of.length, 12);
    }
  });

  it('the corpus list trains on all but one; interrupted in its second fold and resumed, it ends as an uninterrupted run', async () => {
    const config = configOf({ corpora: [{ dir: emodb }] });
    const reference = await runExperiment(config, { dataDir: ravdess, outDir: path.join(tmp, 'reference') });
    const refMatrix = reference.summary!.crossCorpus!;
    expect(refMatrix.rows).toEqual(['ravdess', 'emodb']);
    expect(refMatrix.columns).toEqual(['ravdess', 'emodb']);
    expect(refMatrix.cells.map((c) => [c.train.join('+'), c.test, c.utterances])).toEqual([
      ['emodb', 'ravdess', 64],
      ['ravdess', 'emodb', 339],
    ]);
    await expectMatrixInReports(reference.runDir, refMatrix);

    const stop = new AbortController();
    const runDir = path.join(tmp, 'interrupted');
    await expect(
      runExperiment(config, {
        dataDir: ravdess,
        runDir,
        signal: stop.signal,
        onEvent: (e) => {
          if (e.type === 'epoch' && e.fold === 1 && e.epoch >= 2) stop.abort();
        },
      }),
    ).rejects.toThrow();
    expect(readRun(runDir).foldsDone).toEqual([0]);
    expect(fs.existsSync(path.join(foldDir(runDir, 1), 'checkpoint.json'))).toBe(true);

    const resumed = await runExperiment(null, { resumeDir: runDir });
    expect(readRun(runDir).status?.state).toBe('done');
    for (const i of [0, 1]) {
      expect(predictionsOf(runDir, i)).toEqual(predictionsOf(reference.runDir, i));
    }
    const { createdAt: _a, ...got } = resumed.summary!;
    const { createdAt: _b, ...want } = reference.summary!;
    expect(got.crossCorpus).toEqual(want.crossCorpus);
    expect(got.pooled).toEqual(want.pooled);
  });
});
