import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../audio';
import { sharedDir } from '../util/paths';
import { FeatureCache, defaultFeatureCacheDir } from './cache';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cache-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const source = path.join(sharedDir(), 'data', 'ravdess', 'Actor_02', '03-01-03-01-01-01-02.wav');

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => fs.statSync(path.join(dir, f)).isFile());
}

describe('FeatureCache', () => {
  it('defaults to <dataHome>/cache/features', () => {
    const before = process.env.SER_WORKBENCH_HOME;
    process.env.SER_WORKBENCH_HOME = tmp;
    try {
      expect(defaultFeatureCacheDir()).toBe(path.join(tmp, 'cache', 'features'));
      expect(new FeatureCache().dir).toBe(path.join(tmp, 'cache', 'features'));
    } finally {
      if (before === undefined) delete process.env.SER_WORKBENCH_HOME;
      else process.env.SER_WORKBENCH_HOME = before;
    }
  });

  it('computes once, then reads; keyed by content and parameters, not by name', async () => {
    const cache = new FeatureCache({ dir: path.join(tmp, 'c1') });
    const first = await cache.get(source);
    expect(first.fromCache).toBe(false);
    expect(first.sampleRate).toBe(48000);
    expect(cache.stats).toEqual({ hits: 0, misses: 1, corrupt: 0, writes: 1 });

    const second = await cache.get(source);
    expect(second.fromCache).toBe(true);
    expect(cache.stats.misses).toBe(1);
    expect(cache.stats.hits).toBe(1);
    expect(second.patches.numPatches).toBe(first.patches.numPatches);
    expect(second.patches.data).toEqual(first.patches.data);
    expect(second.params).toEqual(first.params);
    expect(second.durationSec).toBe(first.durationSec);

    // Same bytes under another name: a hit.
    const copy = path.join(tmp, 'renamed.wav');
    fs.copyFileSync(source, copy);
    expect((await cache.get(copy)).fromCache).toBe(true);

    // Other parameters: a miss, a second entry.
    const power = await cache.get(source, { form: 'paper-power' });
    expect(power.fromCache).toBe(false);
    expect(power.key).not.toBe(first.key);
    expect(cache.stats.misses).toBe(2);

    // Edited content: a miss.
    const edited = Buffer.from(fs.readFileSync(copy));
    edited[edited.length - 2] ^= 0x40;
    fs.writeFileSync(copy, edited);
    expect((await cache.get(copy)).fromCache).toBe(false);

    // A new cache object over the same folder reads what the first wrote.
    const again = new FeatureCache({ dir: cache.dir });
    expect((await again.get(source)).fromCache).toBe(true);
    expect(await again.usage()).toMatchObject({ entries: 3 });
    // Atomic writes leave no temp files behind.
    expect(listFiles(cache.dir).every((f) => f.endsWith('.f32c'))).toBe(true);
  });

  it('recomputes corrupted or truncated entries', async () => {
    const cache = new FeatureCache({ dir: path.join(tmp, 'c2') });
    const first = await cache.get(source);
    const entry = cache.entryPath(first.key);
    const bytes = fs.readFileSync(entry);

    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 100] ^= 0xff;
    fs.writeFileSync(entry, flipped);
    const fixed = await cache.get(source);
    expect(fixed.fromCache).toBe(false);
    expect(fixed.patches.data).toEqual(first.patches.data);

    fs.writeFileSync(entry, bytes.subarray(0, 500));
    expect((await cache.get(source)).fromCache).toBe(false);
    fs.writeFileSync(entry, 'garbage');
    expect((await cache.get(source)).fromCache).toBe(false);
    expect(cache.stats.corrupt).toBe(3);
    expect((await cache.get(source)).fromCache).toBe(true);
  });

  it('concurrent requests for one file compute it once', async () => {
    const cache = new FeatureCache({ dir: path.join(tmp, 'c3') });
    const results = await Promise.all([cache.get(source), cache.get(source), cache.get(source)]);
    expect(cache.stats.misses).toBe(1);
    expect(results[1].patches.data).toEqual(results[0].patches.data);
  });

  it('does not cache audio it cannot decode; clear() empties the folder', async () => {
    const cache = new FeatureCache({ dir: path.join(tmp, 'c4') });
    const bad = path.join(tmp, 'bad.wav');
    fs.writeFileSync(bad, 'RIFF....WAVEjunk');
    await expect(cache.get(bad)).rejects.toBeInstanceOf(AudioDecodeError);
    await expect(cache.get(path.join(tmp, 'missing.wav'))).rejects.toBeInstanceOf(AudioDecodeError);
    await cache.get(source);
    expect(await cache.clear()).toBe(1);
    expect(await cache.usage()).toEqual({ entries: 0, bytes: 0 });
  });
});
