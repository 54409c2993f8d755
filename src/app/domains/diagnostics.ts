/**
 * Linked diagnostics and run comparison: every test utterance's prediction of a run (for the
 * confusion-cell and t-SNE selections), and the paired comparison of two runs with their config
 * differences.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { UtterancePrediction } from '@shared/contract';
import type { RunComparison } from '@shared/run-results';
import { readJson } from '../../engine/util/atomic';
import { UserError } from '../../engine/util/errors';
import { foldDirs } from '../../engine/runs/store';

export function runPredictions(runDir: string): UtterancePrediction[] {
  const out: UtterancePrediction[] = [];
  for (const { fold, dir } of foldDirs(runDir)) {
    const file = path.join(dir, 'predictions.json');
    if (!fs.existsSync(file)) continue;
    for (const p of readJson<Omit<UtterancePrediction, 'fold'>[]>(file)) {
      out.push({
        id: p.id,
        path: p.path,
        speaker: p.speaker,
        true: p.true,
        predicted: p.predicted,
        probabilities: p.probabilities,
        fold,
      });
    }
  }
  return out;
}

/** Leaf values of a JSON document by dotted path ('training.epochs'). */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** Config settings that differ between two runs (run name excluded). */
export function configDiff(a: unknown, b: unknown): { key: string; a: string; b: string }[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].filter((k) => k !== 'name').sort();
  return keys
    .map((key) => ({ key, a: fa.get(key) ?? '–', b: fb.get(key) ?? '–' }))
    .filter((d) => d.a !== d.b);
}

export async function compareRuns(dirA: string, dirB: string): Promise<RunComparison> {
  const { readRunForReport } = await import('../../engine/report/load');
  const { comparePairedRuns, ComparisonRefused } = await import('../../engine/eval/compare');
  const [a, b] = await Promise.all([readRunForReport(dirA), readRunForReport(dirB)]);
  const comparable = (r: typeof a) => {
    const s = r.summary;
    if (!s.statistics)
      throw new UserError(`${path.basename(r.runDir)}: no per-utterance predictions to compare`);
    return {
      label: path.basename(r.runDir),
      classes: s.classes,
      corpusHash: s.corpus.hash,
      corpusName: s.corpus.name,
      folds: s.folds.map((f) => ({ index: f.index, testSpeakers: f.testSpeakers })),
      perSpeaker: s.statistics.perSpeaker,
      pooledConfusion: s.pooled.confusion,
    };
  };
  try {
    const result = comparePairedRuns(comparable(a), comparable(b), { seed: a.summary.seed });
    const configOf = (r: typeof a) => (r.config as { config?: unknown } | undefined)?.config ?? {};
    return { ...result, configDiff: configDiff(configOf(a), configOf(b)) };
  } catch (err) {
    if (err instanceof ComparisonRefused) throw new UserError(err.message);
    throw err;
  }
}
