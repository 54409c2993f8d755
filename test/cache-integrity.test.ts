/**
 * Issue 17, item 4: every cache entry carries a checksum of its body and is verified on read. The
 * issue's case: same-length corruption of a `.act` file used to be read silently (it changed a
 * run's pooled UAR); now the run recomputes the entry, says so, and gives the results of an
 * uncorrupted run. `cache verify` finds and removes corrupt entries of every kind.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineFeatureCache } from '../src/engine/baselines/feature-cache';
import { parseConfig } from '../src/engine/config/schema';
import { indexCorpus, synthesizeCorpus } from '../src/engine/corpora';
import { indexCacheFile } from '../src/engine/corpora/index-cache';
import { defaultActivationCacheDir } from '../src/engine/model/activation-cache';
import { runExperiment } from '../src/engine/runs';
import { foldDir } from '../src/engine/runs/store';
import type { TrainEvent } from '../src/engine/train/events';
import { repoRoot } from '../src/engine/util/paths';

let tmp: string;
let corpus: string;
let savedHome: string | undefined;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cache-integrity-'));
  savedHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 8 });
});
afterAll(() => {
  if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
  else process.env.SER_WORKBENCH_HOME = savedHome;
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Flips every byte of a 64-byte run in the second half of the file: same length, new values. */
function flipBody(file: string): void {
  const buf = fs.readFileSync(file);
  const at = Math.floor(buf.length * 0.6);
  for (let i = at; i < at + 64; i++) buf[i] ^= 0xff;
  fs.writeFileSync(file, buf);
}

function actFiles(): string[] {
  const root = defaultActivationCacheDir();
  return fs
    .readdirSync(root)
    .flatMap((set) => fs.readdirSync(path.join(root, set)).map((f) => path.join(root, set, f)))
    .filter((f) => f.endsWith('.act'))
    .sort();
}

function predictions(runDir: string): unknown[] {
  return [0, 1, 2].map((i) =>
    JSON.parse(fs.readFileSync(path.join(foldDir(runDir, i), 'predictions.json'), 'utf8')),
  );
}

describe('activation cache: same-length corruption', () => {
  it('is detected, recomputed, rewritten and reported; the run equals an uncorrupted one', async () => {
    const config = parseConfig({
      name: 'cache-integrity',
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 2, batchSize: 8 },
      backend: 'wasm',
    });
    const out = path.join(tmp, 'runs');
    const clean = await runExperiment(config, { dataDir: corpus, outDir: out });
    const files = actFiles();
    expect(files.length).toBe(24);
    const victim = files[5];
    const intact = fs.readFileSync(victim);
    flipBody(victim);
    expect(fs.statSync(victim).size).toBe(intact.length);

    const events: TrainEvent[] = [];
    const again = await runExperiment(config, {
      dataDir: corpus,
      outDir: out,
      onEvent: (e) => events.push(e),
    });
    const warnings = events.filter((e) => e.type === 'log' && e.level === 'warn').map((e) => e.message);
    expect(warnings.some((m) => m?.includes(`corrupt cache entry ${victim}; recomputed`))).toBe(true);
    expect(events.some((e) => e.message?.includes('23 cached, 1 computed'))).toBe(true);
    // Rewritten with the values computed the first time, and the run's results are the clean run's.
    expect(fs.readFileSync(victim).equals(intact)).toBe(true);
    expect(again.averageAccuracy).toBe(clean.averageAccuracy);
    expect(again.confusion).toEqual(clean.confusion);
    expect(predictions(again.runDir)).toEqual(predictions(clean.runDir));
  });
});

describe('index and baseline caches', () => {
  it('a corrupt index cache is reported, read again and rewritten; the index is unchanged', async () => {
    const opts = { corpus: 'auto' as const };
    const first = await indexCorpus(corpus, opts);
    const file = indexCacheFile(path.resolve(corpus));
    const text = fs.readFileSync(file, 'utf8');
    // Same length: one digit of a duration changed.
    const i = text.search(/"durationSec": \d/) + '"durationSec": '.length;
    fs.writeFileSync(file, text.slice(0, i) + (text[i] === '1' ? '2' : '1') + text.slice(i + 1));
    const warnings: string[] = [];
    const second = await indexCorpus(corpus, { ...opts, onWarning: (m) => warnings.push(m) });
    expect(warnings).toEqual([`corrupt index cache ${file}; every header is read again`]);
    expect(second).toEqual(first);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('a baseline entry with a flipped byte is a corrupt miss, deleted', () => {
    const seen: string[] = [];
    const cache = new BaselineFeatureCache(path.join(tmp, 'baseline'), (e) => seen.push(e));
    const v = new Float32Array([1, 2, 3, 4]);
    cache.set('ab12', v);
    expect(Array.from(cache.get('ab12', 4)!)).toEqual([1, 2, 3, 4]);
    const file = path.join(tmp, 'baseline', 'ab', 'ab12.f32');
    const buf = fs.readFileSync(file);
    buf[5] ^= 0x01;
    fs.writeFileSync(file, buf);
    expect(cache.get('ab12', 4)).toBeNull();
    expect(cache.stats.corrupt).toBe(1);
    expect(seen).toEqual([file]);
    expect(fs.existsSync(file)).toBe(false);
    expect(() => cache.set('cd34', new Float32Array([1, NaN]), '/x.wav')).toThrow(
      /\/x\.wav: baseline features/,
    );
  });
});

describe('ser-workbench cache verify', () => {
  it('counts ok / corrupt / removed per cache and removes the corrupt entries', () => {
    const acts = actFiles();
    flipBody(acts[0]);
    fs.truncateSync(acts[1], 10);
    const feats = fs
      .readdirSync(path.join(process.env.SER_WORKBENCH_HOME!, 'cache', 'features'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.f32c'));
    const feature = path.join(process.env.SER_WORKBENCH_HOME!, 'cache', 'features', feats[0]);
    flipBody(feature);
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), 'cache', 'verify', '--json'],
      {
        encoding: 'utf8',
        env: { ...process.env },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.activations).toMatchObject({ ok: acts.length - 2, corrupt: 2, removed: 2 });
    expect(doc.activations.corruptEntries).toEqual([acts[0], acts[1]].sort());
    expect(doc.features).toMatchObject({
      ok: feats.length - 1,
      corrupt: 1,
      removed: 1,
      corruptEntries: [feature],
    });
    expect(doc.index).toMatchObject({ ok: 1, corrupt: 0, removed: 0 });
    expect(doc.baseline).toMatchObject({ corrupt: 0 });
    expect(fs.existsSync(acts[0]) || fs.existsSync(acts[1]) || fs.existsSync(feature)).toBe(false);
    const text = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), 'cache', 'verify'],
      {
        encoding: 'utf8',
      },
    );
    expect(text.stdout).toMatch(/^activations: 22 ok, 0 corrupt, 0 removed/m);
  });
});
