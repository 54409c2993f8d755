import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldDir } from '../runs/store';
import { buildRunReport } from './build';
import { buildCellsReport } from './cells';
import { readRunForReport } from './load';
import { renderReport } from './render';
import { sampleRunSummary, writeSampleRun } from './sample-run';
import type { ReportTable } from './types';

const summary = sampleRunSummary({ speakers: 24, seed: 3 });
const st = summary.statistics!;

describe('intervals in Table II', () => {
  it('puts the bootstrap and fold intervals in the average column of every format', () => {
    const r = buildRunReport(summary);
    const t = r.tables.find((x) => x.id === 'table-ii')!;
    const avg = t.columns.indexOf('average') - 1;
    const ci = t.rows.filter((x) => x.kind === 'ci');
    expect(ci[0].cells[avg]).toEqual({
      kind: 'interval',
      lo: st.pooledAverageAccuracy.lo,
      hi: st.pooledAverageAccuracy.hi,
      level: 0.95,
    });
    expect(ci[1].cells[avg]).toMatchObject({ lo: st.foldAverageAccuracy.lo, hi: st.foldAverageAccuracy.hi });
    // The interval holds its estimate.
    expect(st.pooledAverageAccuracy.lo!).toBeLessThanOrEqual(summary.pooled.averageAccuracy!);
    expect(st.pooledAverageAccuracy.hi!).toBeGreaterThanOrEqual(summary.pooled.averageAccuracy!);

    const b = st.pooledAverageAccuracy;
    const md = renderReport(r, 'md');
    expect(md).toContain(`[${b.lo!.toFixed(3)}, ${b.hi!.toFixed(3)}]`);
    expect(md).toContain('bootstrap over 24 test speakers');
    const csv = renderReport(r, 'csv').split('\n');
    const lo = csv.find((l) => l.startsWith('table-ii,pooled UAR 95 % CI lo,'))!.split(',');
    const hi = csv.find((l) => l.startsWith('table-ii,pooled UAR 95 % CI hi,'))!.split(',');
    expect(Number(lo[6])).toBe(b.lo);
    expect(Number(hi[6])).toBe(b.hi);
    expect(renderReport(r, 'latex')).toContain(`[${b.lo!.toFixed(3)}, ${b.hi!.toFixed(3)}]`);
    const json = JSON.parse(renderReport(r, 'json'));
    expect(json.tables[0].rows.filter((x: { kind: string }) => x.kind === 'ci')).toHaveLength(2);
  });

  it('says whether the paper’s 0.711 is inside the intervals, consistent with the numbers', () => {
    const r = buildRunReport(summary, { paper: true });
    const b = st.pooledAverageAccuracy;
    const inside = 0.711 >= b.lo! && 0.711 <= b.hi!;
    const verdict = r.paper!.notes.find((n) => n.includes('0.711'))!;
    expect(verdict).toContain(`${inside ? 'is inside' : 'is outside'} this run's 95 % bootstrap interval`);
    const cmp = r.tables.find((x) => x.id === 'paper-comparison')!;
    expect(cmp.rows.filter((x) => x.kind === 'ci')).toHaveLength(2);
    expect(cmp.notes.some((n) => n.includes('0.711'))).toBe(true);
  });

  it('gives every cell of a baseline grid its interval rows', () => {
    const r = buildCellsReport([
      { id: 'mfcc__svm', featureSet: 'mfcc', classifier: 'svm', summary },
      { id: 'mfcc__rf', featureSet: 'mfcc', classifier: 'rf', summary: sampleRunSummary({ speakers: 6 }) },
    ]);
    const labels = r.tables[0].rows.filter((x) => x.kind === 'ci').map((x) => x.label);
    expect(labels).toEqual([
      'mfcc + svm: pooled UAR 95 % CI',
      'mfcc + svm: mean UAR 95 % CI',
      'mfcc + rf: pooled UAR 95 % CI',
      'mfcc + rf: mean UAR 95 % CI',
    ]);
    expect(r.tables.map((t) => t.id)).toContain('per-speaker-mfcc__rf');
  });
});

describe('per-speaker results in the report', () => {
  it('lists every test speaker with sex, fold, n and UAR, and the fold groups of a k-fold run', () => {
    const r = buildRunReport(summary);
    const t = r.tables.find((x) => x.id === 'per-speaker')!;
    expect(t.columns).toEqual(['speaker', 'sex', 'fold', 'n', 'UAR', 'overall']);
    expect(t.rows).toHaveLength(24);
    expect(t.rows[0].label).toBe('01');
    expect(t.rows[0].cells[0]).toEqual({ kind: 'text', text: 'male' });
    expect(t.rows[1].cells[0]).toEqual({ kind: 'text', text: 'female' });
    expect(t.rows[4].cells[3]).toEqual({ kind: 'number', value: summary.folds[4].metrics.averageAccuracy });
    expect(renderReport(r, 'csv')).toContain(
      `per-speaker,05,male,5,28,${summary.folds[4].metrics.averageAccuracy}`,
    );
    expect(r.tables.some((x) => x.id === 'fold-groups')).toBe(false);

    const kfold = { ...summary, scheme: { ...summary.scheme, kind: 'kfold' as const, k: 24 } };
    const groups = buildRunReport(kfold).tables.find((x) => x.id === 'fold-groups')!;
    expect(groups.rows[0].cells.slice(0, 2)).toEqual([
      { kind: 'text', text: '01' },
      { kind: 'text', text: '1 male' },
    ]);
  });

  it('computes them from predictions.json and index.json for a run folder written before they existed', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'f-old-run-'));
    try {
      const old = sampleRunSummary({ speakers: 4, seed: 5, statistics: false });
      expect(old.statistics).toBeUndefined();
      await writeSampleRun(dir, old);
      const withStats = sampleRunSummary({ speakers: 4, seed: 5 });
      for (const s of withStats.statistics!.perSpeaker) {
        const rows = s.confusion.matrix.flatMap((row, i) =>
          row.flatMap((count, j) =>
            Array.from({ length: count }, () => ({
              speaker: s.speaker,
              true: s.confusion.labels[i],
              predicted: s.confusion.labels[j],
            })),
          ),
        );
        await fs.mkdir(foldDir(dir, s.fold), { recursive: true });
        await fs.writeFile(path.join(foldDir(dir, s.fold), 'predictions.json'), JSON.stringify(rows));
      }
      await fs.writeFile(
        path.join(dir, 'index.json'),
        JSON.stringify({
          utterances: ['01', '02', '03', '04'].map((sp, i) => ({
            speaker: sp,
            sex: i % 2 ? 'female' : 'male',
          })),
        }),
      );
      const { summary: read } = await readRunForReport(dir);
      expect(read.statistics!.perSpeaker).toEqual(withStats.statistics!.perSpeaker);
      expect(read.statistics!.pooledAverageAccuracy.estimate).toBeCloseTo(old.pooled.averageAccuracy!, 12);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

/** The tabular(x) environments of a LaTeX text with their column specs and body rows. */
function latexTables(tex: string): { env: string; columns: number; rows: string[] }[] {
  const out: { env: string; columns: number; rows: string[] }[] = [];
  const re = /\\begin\{(tabularx?)\}(\{\\linewidth\})?\{((?:[^{}]|\{[^{}]*\})*)\}\n([\s\S]*?)\\end\{\1\}/g;
  for (let m = re.exec(tex); m; m = re.exec(tex)) {
    const spec = m[3].replace(/>\{[^{}]*\}/g, '');
    const rows = m[4]
      .split('\n')
      .filter((l) => l.endsWith('\\\\'))
      .map((l) => l.replace(/\\&/g, ''));
    out.push({ env: m[1], columns: (spec.match(/[lrcX]/g) ?? []).length, rows });
  }
  return out;
}

describe('LaTeX structure (no TeX installed here: checked structurally)', () => {
  it('wraps text columns in tabularx X columns and every row has as many cells as the spec', () => {
    const r = buildRunReport(summary, { paper: true });
    const tex = renderReport(r, 'latex');
    expect(tex).toContain('% requires \\usepackage{booktabs,tabularx,array}');
    const tables = latexTables(tex);
    // Table II, per-speaker, confusion, paper comparison, protocol.
    expect(tables).toHaveLength(5);
    for (const t of tables) {
      expect(t.rows.length).toBeGreaterThan(1);
      for (const row of t.rows) expect(row.split('&').length, row).toBe(t.columns);
    }
    expect(tex.match(/\\begin\{/g)!.length).toBe(tex.match(/\\end\{/g)!.length);
    // The protocol table (weights with hashes) wraps its text columns within the line.
    expect(tex).toMatch(
      /\\begin\{tabularx\}\{\\linewidth\}\{l>\{\\raggedright\\arraybackslash\}X>\{\\raggedright\\arraybackslash\}X/,
    );
    const protocol = tables.find((t) => t.rows.some((x) => x.startsWith('initial weights')))!;
    expect(protocol.env).toBe('tabularx');
    const tableIi: ReportTable = r.tables[0];
    expect(tables[0].columns).toBe(tableIi.columns.length);
  });
});

describe('HTML report sections', () => {
  it('holds the paper comparison, static SVG curves, per-speaker table, CIs and config/environment tables', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'f-html-'));
    try {
      const s = sampleRunSummary({ speakers: 4, seed: 2 });
      await writeSampleRun(dir, s);
      for (let f = 0; f < 4; f++) {
        await fs.mkdir(foldDir(dir, f), { recursive: true });
        const epochs = [1, 2, 3].map((e) => ({
          epoch: e,
          trainLoss: 1.4 - 0.3 * e,
          trainAccuracy: 0.3 + 0.1 * e,
          valLoss: 1.5 - 0.2 * e,
          valAccuracy: 0.3 + 0.1 * e,
          valAverageAccuracy: 0.25 + 0.1 * e,
          seconds: 1,
        }));
        await fs.writeFile(
          path.join(foldDir(dir, f), 'history.json'),
          JSON.stringify({ bestEpoch: 3, epochs }),
        );
      }
      const { renderHtmlReport } = await import('./html');
      const html = await renderHtmlReport(dir);
      for (const id of [
        'table-ii',
        'per-speaker',
        'paper-comparison',
        'protocol',
        'curves',
        'config',
        'environment',
      ]) {
        expect(html, id).toContain(`id="${id}"`);
      }
      expect(html.match(/aria-label="fold \d training curves"/g)).toHaveLength(4);
      const b = s.statistics!.pooledAverageAccuracy;
      expect(html).toContain(`[${b.lo!.toFixed(3)}, ${b.hi!.toFixed(3)}]`);
      expect(html).toContain('0.711');
      expect(html).toMatch(/<th scope="row">backend\.device\.name<\/th><td class="text">test CPU<\/td>/);
      expect(html).toMatch(/<th scope="row">seed<\/th>/);
      expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
