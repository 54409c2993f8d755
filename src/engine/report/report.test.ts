import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../util/paths';
import { buildRunReport } from './build';
import { buildCombinedReport } from './combined';
import { renderHtmlReport } from './html';
import { PAPER_TABLE_II, paperRowFor } from './paper';
import { renderReport } from './render';
import { sampleRunSummary, writeSampleRun } from './sample-run';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'bin', 'ser-workbench.mjs');

describe('report tables', () => {
  const summary = sampleRunSummary({ speakers: 6, dropNeutralInFold: 2 });

  it('has the Table II shape: a row per fold, pooled, mean ± sd; class columns then average', () => {
    const r = buildRunReport(summary);
    const t = r.tables.find((x) => x.id === 'table-ii')!;
    expect(t.columns.slice(0, 6)).toEqual(['fold', 'angry', 'happy', 'sad', 'neutral', 'average']);
    expect(t.rows.map((x) => x.label)).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((i) => `fold ${i}`),
      'pooled',
      'mean ± sd',
      'pooled UAR 95 % CI',
      'mean UAR 95 % CI',
    ]);
    const pooled = t.rows[6].cells;
    expect(pooled[4]).toEqual({ kind: 'number', value: summary.pooled.averageAccuracy });
    const mean = t.rows[7].cells[0];
    expect(mean).toEqual({
      kind: 'number',
      value: summary.meanSd.classAccuracy.angry.mean,
      sd: summary.meanSd.classAccuracy.angry.sd,
    });
    // fold 3 has no neutral utterance: shown as undefined, not 0
    expect(t.rows[2].cells[3]).toEqual({ kind: 'number', value: null });
  });

  it('renders markdown with provenance (weights sha256, backend) and every row', () => {
    const md = renderReport(buildRunReport(summary), 'md');
    expect(md).toContain(`sha256 ${'a'.repeat(64)}`);
    expect(md).toContain('**backend**: wasm (tfjs-node not installed)');
    expect(md).toMatch(/\| fold 3 \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \| – \|/);
    expect(md).toContain(`| **pooled** | ${summary.pooled.classAccuracy.angry!.toFixed(3)} |`);
    expect(md.split('\n').filter((l) => /^\| fold \d/.test(l)).length).toBe(6);
  });

  it('renders csv blocks that parse back to the same numbers', () => {
    const csv = renderReport(buildRunReport(summary), 'csv');
    const block = csv.split('\n\n')[0].trim().split('\n');
    expect(block[0]).toBe('table,fold,angry,happy,sad,neutral,average,overall,macro-F1,n,test speakers');
    const pooled = block.find((l) => l.startsWith('table-ii,pooled,'))!.split(',');
    expect(Number(pooled[6])).toBe(summary.pooled.averageAccuracy);
    const sd = block.find((l) => l.startsWith('table-ii,sd,'))!.split(',');
    expect(Number(sd[2])).toBe(summary.meanSd.classAccuracy.angry.sd);
    expect(block.find((l) => l.startsWith('table-ii,fold 3,'))!.split(',')[5]).toBe('');
  });

  it('renders latex tables with booktabs and escaped text', () => {
    const tex = renderReport(buildRunReport(summary, { paper: true }), 'latex');
    expect(tex.match(/\\begin\{tabular\}/g)!.length).toBe(2);
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\pm');
    expect(tex).toContain('actual \\textbackslash{} predicted');
    expect(tex).not.toMatch(/[^\\]%[^ ]/); // every % escaped or a comment
  });

  it('json is the report object', () => {
    const json = JSON.parse(renderReport(buildRunReport(summary, { paper: true }), 'json'));
    expect(json.tables.map((t: { id: string }) => t.id)).toEqual([
      'table-ii',
      'per-speaker',
      'confusion-pooled',
      'paper-comparison',
    ]);
    expect(json.paper.differences.find((d: { aspect: string }) => d.aspect === 'training mode').same).toBe(
      false,
    );
  });
});

describe('paper comparison', () => {
  it('holds all 14 rows of Table II whose averages are the means of their class accuracies', () => {
    expect(PAPER_TABLE_II.length).toBe(14);
    for (const r of PAPER_TABLE_II) {
      const mean =
        (r.classAccuracy.angry + r.classAccuracy.happy + r.classAccuracy.sad + r.classAccuracy.neutral) / 4;
      expect(Math.abs(mean - r.average)).toBeLessThan(0.0015); // the paper rounds to three decimals
    }
  });

  it('finds the paper row of a run by model and corpus', () => {
    expect(paperRowFor('yamnet-lstm', 'DEMoS')?.average).toBe(0.78);
    expect(paperRowFor('gtcc+svm', 'ravdess')?.average).toBe(0.564);
    expect(paperRowFor('mfcc-rf', 'demos')?.average).toBe(0.598);
    expect(paperRowFor('yamnet-lstm', 'emodb')).toBeNull();
  });

  it('puts our pooled and mean rows beside the paper and states the protocol differences', () => {
    const s = sampleRunSummary({ speakers: 4 });
    const r = buildRunReport(s, { paper: true });
    const t = r.tables.find((x) => x.id === 'paper-comparison')!;
    expect(t.rows.map((x) => x.kind)).toEqual(['pooled', 'mean', 'ci', 'ci', 'paper', 'delta']);
    const delta = t.rows[5].cells[4];
    expect(delta.kind === 'number' && delta.value).toBeCloseTo(s.pooled.averageAccuracy! - 0.711, 12);
    const diff = Object.fromEntries(r.paper!.differences.map((d) => [d.aspect, d.same]));
    expect(diff).toMatchObject({
      corpus: true,
      classes: true,
      speakers: false,
      'cross-validation': false,
      'training mode': false,
    });
    expect(r.paper!.notes[0]).toMatch(/not a like-for-like/);
  });

  it('compares a baseline run (named by its mode) with the matching baseline row and flags the features', () => {
    const { model: _m, ...rest } = sampleRunSummary({ speakers: 3 });
    const s = { ...rest, mode: 'baseline:mfcc/svm' };
    const r = buildRunReport(s, { paper: true });
    expect(r.title).toBe('Results: mfcc/svm on ravdess');
    const t = r.tables.find((x) => x.id === 'paper-comparison')!;
    expect(t.rows.find((x) => x.kind === 'paper')!.label).toBe('paper: MFCC+DL SVM');
    const features = r.paper!.differences.find((d) => d.aspect === 'features')!;
    expect(features).toMatchObject({ run: 'MFCC only', same: false });
    expect(r.paper!.differences.some((d) => d.aspect === 'training mode')).toBe(false);
  });

  it('says so when the paper has no row for the run', () => {
    const s = {
      ...sampleRunSummary({ speakers: 3 }),
      corpus: { name: 'emodb', utterances: 10, speakers: 3 },
    };
    const r = buildRunReport(s, { paper: true });
    expect(r.tables.some((t) => t.id === 'paper-comparison')).toBe(false);
    expect(r.paper!.notes[0]).toMatch(/no row to compare/);
  });
});

describe('several runs in one table', () => {
  it('gives each run pooled and mean rows, and with paper its paper row, difference and protocol table', () => {
    const a = sampleRunSummary({ speakers: 4, seed: 1 });
    const demos = {
      ...sampleRunSummary({ speakers: 5, seed: 2 }),
      corpus: { name: 'demos', utterances: 140, speakers: 5 },
    };
    const emodb = {
      ...sampleRunSummary({ speakers: 3, seed: 3 }),
      corpus: { name: 'emodb', utterances: 84, speakers: 3 },
    };
    const r = buildCombinedReport(
      [
        { label: 'ravdess-run', summary: a },
        { label: 'demos-run', summary: demos },
        { label: 'emodb-run', summary: emodb },
      ],
      { paper: true },
    );
    const t = r.tables[0];
    expect(t.columns).toEqual(['run', 'corpus', 'angry', 'happy', 'sad', 'neutral', 'average']);
    expect(t.rows.map((x) => x.kind)).toEqual([
      ...['pooled', 'mean', 'ci', 'ci', 'paper', 'delta'],
      ...['pooled', 'mean', 'ci', 'ci', 'paper', 'delta'],
      ...['pooled', 'mean', 'ci', 'ci'],
    ]);
    const demosPaper = t.rows[10].cells[5];
    expect(demosPaper).toEqual({ kind: 'number', value: 0.78 });
    expect(r.tables.map((x) => x.id)).toEqual([
      'table-ii-runs',
      'protocol-ravdess-run',
      'protocol-demos-run',
    ]);
    expect(t.notes.some((n) => /emodb-run: the paper has no yamnet-lstm row for emodb/.test(n))).toBe(true);
    expect(r.provenance.filter((p) => p.label.endsWith('weights file')).length).toBe(6);
  });
});

describe('HTML report', () => {
  it('is self-contained: tables, inline SVG confusion matrix, no external resources', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'h7-html-'));
    await writeSampleRun(dir, sampleRunSummary({ speakers: 5 }));
    const html = await renderHtmlReport(dir);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('id="table-ii"');
    expect(html).toContain('a'.repeat(64));
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('ser-workbench report (child process)', () => {
  it('prints the markdown report of a run folder, and fails with exit 1 on a folder without summary', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'h7-cli-'));
    try {
      const runDir = path.join(dir, 'run-1');
      const summary = sampleRunSummary({ speakers: 4 });
      await writeSampleRun(runDir, summary);
      const { stdout } = await run(process.execPath, [cli, 'report', runDir, '--format', 'md', '--paper'], {
        cwd: repoRoot,
      });
      expect(stdout).toContain('# Results: yamnet-lstm on ravdess');
      expect(stdout).toContain(`| **pooled** | ${summary.pooled.classAccuracy.angry!.toFixed(3)} |`);
      expect(stdout).toContain('paper: log-mel YAMNet-LSTM | 0.854 | 0.729 | 0.729 | 0.531 | 0.711');
      expect(stdout).toMatch(/\| difference \(pooled − paper\) \| [+-]\d\.\d{3} \|/);
      expect(stdout).toContain('- **versions**: @tensorflow/tfjs-core 4.22.0');
      expect(stdout).toContain('- **device**: cpu: test CPU, 2 cores');

      const json = await run(process.execPath, [cli, 'report', runDir, '--json'], { cwd: repoRoot });
      expect(JSON.parse(json.stdout).tables[0].id).toBe('table-ii');

      const second = path.join(dir, 'run-2');
      await writeSampleRun(second, sampleRunSummary({ speakers: 3, seed: 9 }));
      const both = await run(
        process.execPath,
        [cli, 'report', runDir, second, '--format', 'csv', '--paper'],
        {
          cwd: repoRoot,
        },
      );
      const lines = both.stdout.split('\n');
      expect(lines[0]).toBe('table,run,corpus,angry,happy,sad,neutral,average');
      expect(
        lines.filter((l) => l.startsWith('table-ii-runs,paper: log-mel YAMNet-LSTM,ravdess,')).length,
      ).toBe(2);

      const empty = path.join(dir, 'empty');
      await fs.mkdir(empty);
      const failed = await run(process.execPath, [cli, 'report', empty], { cwd: repoRoot }).catch((e) => e);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/summary\.json: not found/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
