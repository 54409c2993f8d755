/**
 * Types that cross a process boundary (worker messages, progress events, run results, the result
 * files) are declared once, in src/shared; everywhere else imports or re-exports them. A twin
 * declared elsewhere could drift from the wire format unnoticed, so this test refuses one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const SHARED_ONLY = [
  'ToWorker',
  'FromWorker',
  'RunJob',
  'RunResult',
  'ToTaskWorker',
  'FromTaskWorker',
  'TaskName',
  'TrainEvent',
  'TrainEventType',
  'EpochMetrics',
  'RunCostEstimate',
  'RunSummary',
  'Metrics',
  'ConfusionMatrix',
  'MeanSd',
  'MetricsMeanSd',
  'RunStatistics',
  'SpeakerResult',
  'BootstrapInterval',
  'FoldInterval',
  'WilcoxonResult',
  'SignFlipResult',
  'PairedComparison',
  'SpeakerDifference',
  'RunCellsTable',
  'RunCellEntry',
];
const declaration = new RegExp(
  `^\\s*(?:export\\s+)?(?:interface|type)\\s+(${SHARED_ONLY.join('|')})\\b(?!\\s*,)`,
  'gm',
);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|vue)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** `interface X` / `type X =` declarations of the shared names in `text` (not `export type { X }`). */
export function sharedTwins(text: string): string[] {
  return [...text.matchAll(declaration)].map((m) => m[1]);
}

describe('types that cross processes', () => {
  it('are declared only in src/shared', () => {
    const found = sourceFiles(path.join(root, 'src'))
      .filter((f) => !f.startsWith(path.join(root, 'src', 'shared') + path.sep))
      .flatMap((f) =>
        sharedTwins(fs.readFileSync(f, 'utf8')).map((name) => `${path.relative(root, f)}: ${name}`),
      );
    expect(found).toEqual([]);
  });

  it('catches a twin, and lets a re-export through', () => {
    expect(sharedTwins('export interface FromWorker {\n  type: string;\n}')).toEqual(['FromWorker']);
    expect(sharedTwins('type RunResult = { runDir: string };')).toEqual(['RunResult']);
    expect(sharedTwins("export type { RunResult, RunSummary } from '../shared/worker-messages';")).toEqual(
      [],
    );
    expect(sharedTwins('export interface RunResultRow {}')).toEqual([]);
  });
});
