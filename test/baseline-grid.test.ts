/**
 * A baseline grid run on real speech: RAVDESS actors 1–4, leave-one-speaker-out, two feature
 * sets × two classifiers in one run through runExperiment, then `ser-workbench report` and the
 * server's results table, paper comparison and export on it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/engine/config/schema';
import type { RunSummary } from '../src/engine/eval/types';
import { buildCellsReport, readRunCells, readRunForReport } from '../src/engine/report';
import { sharedDir } from '../src/engine/util/paths';
import { readRun, runExperiment, type RunResult } from '../src/engine/runs';
import { cellDir, foldDir, readCellsTable, readJson } from '../src/engine/runs/store';
import { paperComparisonSchema, resultsTableSchema } from '../src/shared/contract';
import { readSummary, resultsTable } from '../src/app/domains/runs';
import { exportReport, paperComparison } from '../src/app/domains/report';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CELLS = ['mfcc+dl__rf', 'mfcc+dl__svm', 'gtcc+dl__rf', 'gtcc+dl__svm'];
let tmp: string;
let result: RunResult;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-baseline-grid-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  const config = parseConfig({
    name: 'grid',
    model: { kind: 'baseline', features: ['mfcc+dl', 'gtcc+dl'], classifiers: ['rf', 'svm'] },
    backend: 'wasm',
    seed: 3,
  });
  result = await runExperiment(config, {
    dataDir: path.join(sharedDir(), 'data', 'ravdess'),
    outDir: path.join(tmp, 'runs'),
    weightsSource: path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed'),
  });
}, 600_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin/ser-workbench.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, SER_WORKBENCH_HOME: path.join(tmp, 'home') },
  });
}

describe('a baseline grid run (2 feature sets × 2 classifiers, RAVDESS LOSO)', () => {
  it('writes every cell’s summary and per-fold metrics and predictions over the same folds', () => {
    const dir = result.runDir;
    expect(result.mode).toBe('baseline:mfcc+dl,gtcc+dl/rf,svm');
    expect(result.folds).toBe(4);
    const table = readCellsTable(dir)!;
    expect(table.cells.map((c) => c.id)).toEqual(CELLS);
    expect(table.primary).toBe('mfcc+dl__rf');
    const predictedIds: string[][] = [];
    for (const id of CELLS) {
      const summary = readJson<RunSummary>(path.join(cellDir(dir, id), 'summary.json'));
      const [features, classifier] = id.split('__');
      expect(summary.model).toBe(`${features}+${classifier}`);
      expect(summary.mode).toBe(`baseline:${features}/${classifier}`);
      expect(summary.folds.map((f) => f.index)).toEqual([0, 1, 2, 3]);
      expect(summary.pooled.n).toBe(64);
      expect(summary.pooled.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(64);
      const ids: string[] = [];
      for (let f = 0; f < 4; f++) {
        const fd = foldDir(cellDir(dir, id), f);
        const metrics = readJson<{ n: number; testSpeakers: string[] }>(path.join(fd, 'metrics.json'));
        const predictions = readJson<{ id: string; speaker: string; predicted: string }[]>(
          path.join(fd, 'predictions.json'),
        );
        expect(predictions).toHaveLength(metrics.n);
        expect(new Set(predictions.map((p) => p.speaker))).toEqual(new Set(metrics.testSpeakers));
        ids.push(...predictions.map((p) => p.id));
      }
      expect(new Set(ids).size).toBe(64);
      predictedIds.push(ids);
      // table.json repeats the cell's summary figures.
      const entry = table.cells.find((c) => c.id === id)!;
      expect(entry.pooled.averageAccuracy).toBe(summary.pooled.averageAccuracy);
    }
    // The same folds: every cell tested the same utterances in the same fold order.
    for (const ids of predictedIds) expect(ids).toEqual(predictedIds[0]);
  });

  it('keeps the top-level run a valid one-model run: the first cell’s summary and folds', async () => {
    const dir = result.runDir;
    const run = readRun(dir);
    expect(run.status?.state).toBe('done');
    expect(run.foldsDone).toEqual([0, 1, 2, 3]);
    const { summary } = await readRunForReport(dir);
    const first = readJson<RunSummary>(path.join(cellDir(dir, 'mfcc+dl__rf'), 'summary.json'));
    expect(summary.model).toBe('mfcc+dl+rf');
    expect(summary.pooled).toEqual(first.pooled);
    expect(result.summary?.pooled).toEqual(first.pooled);
    expect(result.cells?.cells).toHaveLength(4);
    for (let f = 0; f < 4; f++) {
      expect(fs.readFileSync(path.join(foldDir(dir, f), 'metrics.json'), 'utf8')).toBe(
        fs.readFileSync(path.join(foldDir(cellDir(dir, 'mfcc+dl__rf'), f), 'metrics.json'), 'utf8'),
      );
    }
  });

  it('reports all cells in one Table II with the paper row of each', async () => {
    const cells = (await readRunCells(result.runDir))!;
    const report = buildCellsReport(cells, { paper: true });
    const tables = report.tables.filter((t) => t.id.startsWith('table-ii'));
    expect(tables).toHaveLength(1);
    const labels = tables[0].rows.map((r) => r.label);
    expect(labels.filter((l) => l.endsWith('(pooled)'))).toEqual([
      'mfcc+dl + rf (pooled)',
      'mfcc+dl + svm (pooled)',
      'gtcc+dl + rf (pooled)',
      'gtcc+dl + svm (pooled)',
    ]);
    expect(labels.filter((l) => l.startsWith('paper:'))).toEqual([
      'paper: MFCC+DL RF',
      'paper: MFCC+DL SVM',
      'paper: GTCC+DL RF',
      'paper: GTCC+DL SVM',
    ]);
    // Each table row has one cell per column after the label.
    for (const r of tables[0].rows) expect(r.cells).toHaveLength(tables[0].columns.length - 1);
    const aspects = report.paper!.differences.map((d) => d.aspect);
    expect(aspects).toContain('speakers');
    expect(aspects.filter((a) => a === 'speakers')).toHaveLength(1);
    expect(report.paper!.differences.find((d) => d.aspect === 'speakers')?.same).toBe(false);
  });

  it('`ser-workbench report RUNDIR --paper` prints the one table with paper rows and protocol', () => {
    const r = cli(['report', result.runDir, '--paper']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^### Class accuracy per feature set and classifier/gm)).toHaveLength(1);
    expect(r.stdout).not.toMatch(/Class accuracy per fold/);
    for (const cell of ['mfcc+dl + rf', 'mfcc+dl + svm', 'gtcc+dl + rf', 'gtcc+dl + svm']) {
      expect(r.stdout).toContain(`| **${cell} (pooled)** |`);
      expect(r.stdout).toContain(`| **${cell} (mean ± sd)** |`);
      expect(r.stdout).toContain(`${cell}: pooled UAR 95 % CI`);
      expect(r.stdout).toContain(`${cell}: mean UAR 95 % CI`);
    }
    expect(r.stdout).toContain('| paper: GTCC+DL SVM | 0.760 | 0.594 | 0.599 | 0.302 | 0.564 |');
    expect(r.stdout).toContain('### Protocol: the paper vs this run');
    expect(r.stdout).toMatch(/\| speakers \| 24 \| 4 \| \*\*no\*\* \|/);

    const json = cli(['report', result.runDir, '--json']);
    expect(json.status).toBe(0);
    const doc = JSON.parse(json.stdout) as { tables: { id: string; rows: unknown[] }[] };
    expect(doc.tables[0].id).toBe('table-ii-cells');
    // Per cell: pooled, mean ± sd, and the two 95 % intervals (bootstrap over speakers, t over folds).
    expect(doc.tables[0].rows).toHaveLength(4 * 4);

    const csv = cli(['report', result.runDir, '--format', 'csv']);
    expect(csv.status).toBe(0);
    // Per cell: pooled, mean, sd, and each 95 % interval's lo and hi.
    expect(csv.stdout.split('\n').filter((l) => l.startsWith('table-ii-cells,'))).toHaveLength(4 * 7);
  });
});

describe('the server’s results of a grid run', () => {
  it('gives one results table with pooled, mean and sd rows per cell and each cell’s confusion', () => {
    const table = resultsTableSchema.parse(resultsTable(readSummary(result.runDir)));
    expect(table.classes).toEqual(['angry', 'happy', 'sad', 'neutral']);
    expect(table.rows).toHaveLength(4 * 3);
    expect(table.rows.map((r) => r.cell)).toEqual(CELLS.flatMap((c) => [c, c, c]));
    expect(table.rows.slice(0, 3).map((r) => r.label)).toEqual([
      'mfcc+dl + rf — pooled',
      'mfcc+dl + rf — mean',
      'mfcc+dl + rf — sd',
    ]);
    expect(table.cells?.map((c) => c.id)).toEqual(CELLS);
    for (const cell of table.cells!) {
      const summary = readJson<RunSummary>(path.join(cellDir(result.runDir, cell.id), 'summary.json'));
      expect(cell.confusion.pooled).toEqual(summary.pooled.confusion.matrix);
      expect(cell.confusion.folds.map((f) => f.fold)).toEqual([0, 1, 2, 3]);
      const pooled = table.rows.find((r) => r.cell === cell.id && r.kind === 'pooled')!;
      expect(pooled.average).toBe(summary.pooled.averageAccuracy);
    }
    expect(table.confusion).toEqual(table.cells![0].confusion);
  });

  it('compares every cell with its paper row and the protocol once; exports the one table', async () => {
    const paper = paperComparisonSchema.parse(await paperComparison(readSummary(result.runDir)));
    expect(paper.table?.rows.filter((r) => r.kind === 'paper').map((r) => r.label)).toEqual([
      'paper: MFCC+DL RF',
      'paper: MFCC+DL SVM',
      'paper: GTCC+DL RF',
      'paper: GTCC+DL SVM',
    ]);
    expect(paper.differences.filter((d) => d.aspect === 'cross-validation')).toHaveLength(1);
    const md = await exportReport(result.runDir, 'md');
    expect(md.text.match(/^### Class accuracy per feature set and classifier/gm)).toHaveLength(1);
    const html = await exportReport(result.runDir, 'html');
    expect(html.text).toContain('id="table-ii-cells"');
    expect(html.text.match(/<figure>/g)).toHaveLength(4);
  });
});

describe('resuming a grid run', () => {
  it('recomputes only the unfinished fold, for every cell, and rewrites the same table', async () => {
    const dir = result.runDir;
    const before = readCellsTable(dir)!;
    // As if the run had stopped during fold 4: its files, the summaries and the table are missing.
    fs.rmSync(foldDir(dir, 3), { recursive: true });
    for (const id of CELLS) {
      fs.rmSync(foldDir(cellDir(dir, id), 3), { recursive: true });
      fs.rmSync(path.join(cellDir(dir, id), 'summary.json'));
    }
    fs.rmSync(path.join(dir, 'table.json'));
    fs.rmSync(path.join(dir, 'summary.json'));
    const untouched = fs.statSync(
      path.join(foldDir(cellDir(dir, 'gtcc+dl__svm'), 0), 'metrics.json'),
    ).mtimeMs;

    const resumed = await runExperiment(null, {
      resumeDir: dir,
      weightsSource: path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed'),
    });
    const after = readCellsTable(dir)!;
    expect(after.cells.map((c) => c.id)).toEqual(CELLS);
    // Same seeds, same folds, same features: the same numbers.
    for (const [i, cell] of after.cells.entries()) expect(cell.pooled).toEqual(before.cells[i].pooled);
    expect(resumed.summary?.pooled).toEqual(before.cells[0].pooled);
    expect(fs.statSync(path.join(foldDir(cellDir(dir, 'gtcc+dl__svm'), 0), 'metrics.json')).mtimeMs).toBe(
      untouched,
    );
    expect(readRun(dir).foldsDone).toEqual([0, 1, 2, 3]);
  });
});
