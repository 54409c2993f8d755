/**
 * A run takes `frontEnd.patchHopSec` from its config: a run at half the paper's hop computes its
 * own embeddings (none from the paper-hop run's cache) and records the hop in summary.json, where
 * the paper comparison reads it. Its progress events all fit the contract's typed schema, and its
 * result files the shared result schemas.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/schema';
import { synthesizeCorpus } from '../corpora';
import { runProgressSchema } from '@shared/contract';
import { foldHistorySchema, foldMetricsSchema, runSummarySchema } from '@shared/run-results';
import { foldDirs } from './store';
import type { TrainEvent } from '../train/events';
import { runExperiment } from '.';

let tmp: string;
let corpus: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-frontend-run-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 7 });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(patchHopSec: number) {
  const logs: string[] = [];
  const events: TrainEvent[] = [];
  const config = parseConfig({
    name: `hop-${patchHopSec}`,
    frontEnd: { patchHopSec },
    model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
    training: { epochs: 1, batchSize: 8 },
    backend: 'wasm',
  });
  const result = await runExperiment(config, {
    dataDir: corpus,
    outDir: path.join(tmp, 'runs'),
    onEvent: (e: TrainEvent) => {
      events.push(e);
      if (e.type === 'log' && e.message) logs.push(e.message);
    },
  });
  // Every event the engine emits is what the contract's typed schema says, field for field.
  for (const e of events) runProgressSchema.strict().parse(JSON.parse(JSON.stringify(e)));
  const summary = JSON.parse(fs.readFileSync(path.join(result.runDir, 'summary.json'), 'utf8'));
  // Every result file parses with the shared schemas whole: they name every field it writes.
  expect(runSummarySchema.parse(summary)).toEqual(summary);
  const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const { dir } of foldDirs(result.runDir)) {
    const metrics = readJson(path.join(dir, 'metrics.json'));
    expect(foldMetricsSchema.parse(metrics)).toEqual(metrics);
    const history = readJson(path.join(dir, 'history.json'));
    expect(foldHistorySchema.parse(history)).toEqual(history);
  }
  const embeddings = logs.filter((l) => l.startsWith('YAMNet embeddings:')).at(-1) ?? '';
  return { summary, embeddings };
}

describe('a run with another patch hop', () => {
  it('computes its own embeddings and records the hop in its summary', async () => {
    const paper = await run(0.48);
    expect(paper.summary.frontEnd).toEqual({ form: 'yamnet', patchHopSec: 0.48 });
    expect(paper.embeddings).toBe('YAMNet embeddings: 24/24 files (0 cached)');
    const again = await run(0.48);
    expect(again.embeddings).toBe('YAMNet embeddings: 24/24 files (24 cached)');

    const dense = await run(0.24);
    expect(dense.summary.frontEnd).toEqual({ form: 'yamnet', patchHopSec: 0.24 });
    expect(dense.embeddings).toBe('YAMNet embeddings: 24/24 files (0 cached)');
  });
});
