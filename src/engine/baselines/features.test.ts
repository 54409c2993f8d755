import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../backend/tf';
import { loadMono16k } from '../audio';
import { cepstralStatistics, MFCC_DEFAULTS } from '../features/cepstral';
import { waveformToPatches } from '../features/logmel';
import { loadYamnet } from '../yamnet/load';
import { sharedDir } from '../util/paths';
import { BaselineFeatureCache, defaultBaselineCacheDir } from './feature-cache';
import { extractFeatureSets, featureSetDim, type YamnetForFeatures } from './features';

const ACTOR = path.join(sharedDir(), 'data', 'ravdess', 'Actor_02');
const FILES = fs
  .readdirSync(ACTOR)
  .filter((f) => f.endsWith('.wav'))
  .sort()
  .slice(0, 3)
  .map((f) => path.join(ACTOR, f));

let home: string;
let yamnet: YamnetForFeatures;

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'baseline-features-'));
  process.env.SER_WORKBENCH_HOME = home;
  await initBackend();
  yamnet = await loadYamnet(path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed'));
});

afterAll(() => {
  yamnet?.model.dispose();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('baseline feature vectors of real RAVDESS utterances', () => {
  it('have the documented lengths, finite values, and combinations are concatenations', async () => {
    const sets = ['mfcc', 'gtcc', 'dl', 'mfcc+dl', 'gtcc+dl'] as const;
    const out = await extractFeatureSets(FILES, [...sets], { yamnet, cache: false });
    expect(featureSetDim('mfcc')).toBe(78);
    expect(featureSetDim('dl')).toBe(2048);
    expect(featureSetDim('gtcc+dl')).toBe(2126);
    for (const s of sets) {
      for (const f of FILES) {
        const v = out.get(s)!.get(f)!;
        expect(v.length).toBe(featureSetDim(s));
        expect(v.every(Number.isFinite)).toBe(true);
      }
    }
    const f = FILES[0];
    const combined = out.get('mfcc+dl')!.get(f)!;
    expect(Array.from(combined.subarray(0, 78))).toEqual(Array.from(out.get('mfcc')!.get(f)!));
    expect(Array.from(combined.subarray(78))).toEqual(Array.from(out.get('dl')!.get(f)!));
    // The cepstral part is the documented MFCC statistics of the decoded 16 kHz audio.
    const direct = cepstralStatistics(await loadMono16k(f), MFCC_DEFAULTS);
    expect(Array.from(out.get('mfcc')!.get(f)!)).toEqual(Array.from(direct));
  });

  it('DL statistics are the mean and sd of the YAMNet embeddings over the patches', async () => {
    const f = FILES[1];
    const dl = (await extractFeatureSets([f], ['dl'], { yamnet, cache: false })).get('dl')!.get(f)!;
    const patches = waveformToPatches(await loadMono16k(f));
    expect(patches.numPatches).toBeGreaterThan(1);
    const emb = yamnet.model.embed(patches);
    const [mean, variance] = tf.tidy(() => {
      const m = tf.moments(emb, 0);
      return [m.mean.arraySync() as number[], m.variance.arraySync() as number[]];
    });
    emb.dispose();
    for (let d = 0; d < 1024; d += 97) {
      expect(dl[d]).toBeCloseTo(mean[d], 4);
      expect(dl[1024 + d]).toBeCloseTo(Math.sqrt(variance[d]), 3);
    }
  });

  it('are cached on disk per file content and parameters', async () => {
    const cache = new BaselineFeatureCache();
    expect(cache.dir).toBe(path.join(home, 'cache', 'baseline'));
    expect(defaultBaselineCacheDir()).toBe(cache.dir);
    const first = await extractFeatureSets(FILES, ['gtcc+dl'], { yamnet, cache });
    expect(cache.stats).toEqual({ hits: 0, misses: 6, corrupt: 0 });
    const again = await extractFeatureSets(FILES, ['gtcc+dl', 'gtcc'], { yamnet, cache });
    expect(cache.stats).toEqual({ hits: 6, misses: 6, corrupt: 0 });
    for (const f of FILES)
      expect(Array.from(again.get('gtcc+dl')!.get(f)!)).toEqual(Array.from(first.get('gtcc+dl')!.get(f)!));

    // A moved copy hits (content key); an edited copy misses.
    const moved = path.join(home, 'moved.wav');
    fs.copyFileSync(FILES[0], moved);
    await extractFeatureSets([moved], ['gtcc'], { cache });
    expect(cache.stats).toEqual({ hits: 7, misses: 6, corrupt: 0 });
    const bytes = fs.readFileSync(FILES[0]);
    bytes[bytes.length - 2] ^= 0x40; // one sample near the end
    const edited = path.join(home, 'edited.wav');
    fs.writeFileSync(edited, bytes);
    const e = await extractFeatureSets([edited], ['gtcc'], { cache });
    expect(cache.stats).toEqual({ hits: 7, misses: 7, corrupt: 0 });
    expect(e.get('gtcc')!.get(edited)!.every(Number.isFinite)).toBe(true);
  });

  it('names an unreadable file', async () => {
    await expect(
      extractFeatureSets([path.join(home, 'missing.wav')], ['mfcc'], { cache: false }),
    ).rejects.toThrow(/missing\.wav/);
  });
});
