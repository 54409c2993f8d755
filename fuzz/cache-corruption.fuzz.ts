/**
 * Cache corruption (issue 17, item 9): real entries of every cache kind (log-mel features, YAMNet
 * embeddings in float32, block activations in float16, baseline feature vectors, the index) are
 * damaged (truncated, bytes flipped at the same length, emptied, replaced by garbage), then read
 * through the code a run uses. Each case must be detected and reported, recomputed with values
 * identical to the undamaged ones, and the entry rewritten byte for byte as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { initBackend } from '../src/engine/backend/tf';
import { BaselineFeatureCache, defaultBaselineCacheDir } from '../src/engine/baselines/feature-cache';
import { extractFeatureSets, partParams } from '../src/engine/baselines/features';
import { indexCorpus } from '../src/engine/corpora';
import { indexCacheFile } from '../src/engine/corpora/index-cache';
import { writeTestWav } from '../src/engine/corpora/testing/wav';
import { FeatureCache } from '../src/engine/features/cache';
import { computeSteps, setupYamnet, type YamnetSetup } from '../src/engine/model/steps';
import { sha256Buffer, sha256File } from '../src/engine/util/hash';
import { deriveSeed, mulberry32, type Random } from '../src/engine/util/random';
import type { FuzzOptions, FuzzResult } from './types';

/** What a read through one cache kind returns, and the entries it reported corrupt. */
interface Read {
  values: unknown;
  corrupt: string[];
}

interface Kind {
  name: string;
  /** The entry file of `file` in this cache. */
  entry(file: string): Promise<string>;
  /** Reads every file through the cache (computing what is missing). */
  read(): Promise<Read>;
  /** Entries of this kind may be JSON: a change that parses to the same document is harmless. */
  json?: boolean;
}

const pick = <T>(rnd: Random, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

type Damage = (bytes: Buffer, rnd: Random) => { bytes: Buffer; what: string };

const DAMAGES: [string, Damage][] = [
  [
    'truncate',
    (b, rnd) => {
      const len = Math.floor(rnd() * b.length);
      return { bytes: b.subarray(0, len), what: `truncated to ${len} of ${b.length}` };
    },
  ],
  [
    'flip',
    (b, rnd) => {
      const out = Buffer.from(b);
      const n = 1 + Math.floor(rnd() * 4);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = Math.floor(rnd() * out.length);
        out[p] ^= 1 + Math.floor(rnd() * 255);
        at.push(p);
      }
      return { bytes: out, what: `flipped bytes at ${at.join(',')} (same length)` };
    },
  ],
  ['zero-length', () => ({ bytes: Buffer.alloc(0), what: 'emptied' })],
  [
    'garbage',
    (b, rnd) => {
      const len = rnd() < 0.5 ? b.length : Math.floor(rnd() * 2 * b.length);
      const out = Buffer.alloc(len);
      for (let i = 0; i < len; i++) out[i] = Math.floor(rnd() * 256);
      return { bytes: out, what: `${len} random bytes` };
    },
  ],
];

function stepsValues(steps: Awaited<ReturnType<typeof computeSteps>>['steps']) {
  return [...steps].map(([id, s]) => [
    id,
    s.steps,
    s.stepShape,
    Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength).toString('base64'),
  ]);
}

function kinds(files: string[], corpus: string, yamnet: YamnetSetup): Kind[] {
  const items = files.map((f) => ({ id: path.basename(f), path: f }));
  const activations = (trainFrom: 'frozen' | 1, name: string): Kind => {
    let dir = '';
    return {
      name,
      entry: async (f) => path.join(dir, `${await sha256File(f)}.act`),
      read: async () => {
        const corrupt: string[] = [];
        const r = await computeSteps(items, yamnet, { trainFrom, onCorrupt: (_f, e) => corrupt.push(e) });
        dir = r.cacheDir;
        return { values: stepsValues(r.steps), corrupt };
      },
    };
  };
  const featureCache = () => {
    const corrupt: string[] = [];
    return { cache: new FeatureCache({ onCorrupt: (e) => corrupt.push(e) }), corrupt };
  };
  return [
    {
      name: 'features',
      entry: async (f) => {
        const { cache } = featureCache();
        return cache.entryPath((await cache.get(f)).key);
      },
      read: async () => {
        const { cache, corrupt } = featureCache();
        const values = [];
        for (const f of files) {
          const got = await cache.get(f);
          values.push([
            got.durationSec,
            got.sampleRate,
            got.patches.numPatches,
            Buffer.from(got.patches.data.buffer).toString('base64'),
          ]);
        }
        return { values, corrupt };
      },
    },
    activations('frozen', 'embeddings'),
    activations(1, 'activations-f16'),
    {
      name: 'baseline',
      entry: async (f) => {
        const key = BaselineFeatureCache.key(sha256Buffer(fs.readFileSync(f)), partParams('mfcc'));
        return path.join(defaultBaselineCacheDir(), key.slice(0, 2), `${key}.f32`);
      },
      read: async () => {
        const corrupt: string[] = [];
        const cache = new BaselineFeatureCache(undefined, (e) => corrupt.push(e));
        const v = (await extractFeatureSets(files, ['mfcc'], { cache })).get('mfcc')!;
        return { values: files.map((f) => Buffer.from(v.get(f)!.buffer).toString('base64')), corrupt };
      },
    },
    {
      name: 'index',
      json: true,
      entry: async () => indexCacheFile(path.resolve(corpus)),
      read: async () => {
        const corrupt: string[] = [];
        const index = await indexCorpus(corpus, {
          corpus: 'folders',
          classes: ['angry', 'sad'],
          onWarning: (m) => corrupt.push(m),
        });
        return { values: index, corrupt };
      },
    },
  ];
}

function parsesSame(a: Buffer, b: Buffer): boolean {
  try {
    return isDeepStrictEqual(JSON.parse(a.toString('utf8')), JSON.parse(b.toString('utf8')));
  } catch {
    return false;
  }
}

export async function fuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const savedHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = path.join(opts.workDir, 'home');
  try {
    return await fuzzCaches(opts);
  } finally {
    if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
    else process.env.SER_WORKBENCH_HOME = savedHome;
  }
}

async function fuzzCaches(opts: FuzzOptions): Promise<FuzzResult> {
  await initBackend('wasm');
  const corpus = path.join(opts.workDir, 'corpus');
  const files = ['angry/s1_a.wav', 'sad/s1_b.wav', 'angry/s2_c.wav', 'sad/s2_d.wav'].map((id, i) => {
    const f = path.join(corpus, id);
    writeTestWav(f, { seconds: 1 + i * 0.3, freq: 180 + 60 * i });
    return f;
  });
  const yamnet = await setupYamnet('random', 3);
  const all = kinds(files, corpus, yamnet);
  const reference = new Map<string, Read>();
  for (const k of all) reference.set(k.name, await k.read());

  const total = opts.long ? 240 : 20;
  const failures: string[] = [];
  let tried = 0;
  try {
    for (let c = 0; c < total; c++) {
      const rnd = mulberry32(deriveSeed(opts.seed, 9, c));
      // Every (kind, damage) pair in turn, so the short form covers each combination once.
      const kind = all[c % all.length];
      const [dname, damage] = DAMAGES[Math.floor(c / all.length) % DAMAGES.length];
      const file = pick(rnd, files);
      const entry = await kind.entry(file);
      const desc = `case ${c} (seed ${opts.seed}): ${kind.name} entry of ${path.basename(file)} ${dname}`;
      tried++;
      let original: Buffer;
      try {
        original = fs.readFileSync(entry);
      } catch (err) {
        failures.push(`${desc}: no entry to damage (${(err as Error).message})`);
        continue;
      }
      const { bytes, what } = damage(original, rnd);
      fs.writeFileSync(entry, bytes);
      const harmless = bytes.equals(original) || (kind.json === true && parsesSame(bytes, original));
      try {
        const got = await kind.read();
        if (!isDeepStrictEqual(got.values, reference.get(kind.name)!.values))
          failures.push(`${desc} (${what}): values differ from the undamaged cache's`);
        if (!harmless && got.corrupt.length === 0) failures.push(`${desc} (${what}): not detected`);
        if (!harmless && !fs.readFileSync(entry).equals(original))
          failures.push(`${desc} (${what}): entry not rewritten as it was`);
      } catch (err) {
        failures.push(`${desc} (${what}): ${(err as Error)?.name}: ${(err as Error)?.message}`);
      }
      // Whatever happened, the next case starts from an intact entry.
      fs.writeFileSync(entry, original);
      if ((c + 1) % 20 === 0)
        opts.log(`cache-corruption: ${c + 1}/${total} cases, ${failures.length} failures`);
    }
  } finally {
    yamnet.model.dispose();
  }
  return { name: 'cache-corruption', tried, failures };
}
