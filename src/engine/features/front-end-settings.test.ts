/**
 * `frontEnd.patchHopSec` and `frontEnd.form` reach the front end from the config: the run's
 * feature cache, its step cache (computeSteps, as the runner calls it), and the estimate's patch
 * counts all follow them, on a real RAVDESS file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToMono16k } from '../audio';
import { useBackend } from '../backend/tf';
import { parseConfig } from '../config/schema';
import type { CorpusIndex } from '../corpora/types';
import { computeSteps, setupYamnet } from '../model/steps';
import { patchesOf } from '../train/estimate';
import { sharedDir } from '../util/paths';
import { FeatureCache } from './cache';
import { waveformToPatches } from './logmel';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-frontend-settings-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const source = path.join(sharedDir(), 'data', 'ravdess', 'Actor_02', '03-01-03-01-01-01-02.wav');

describe('front-end settings from the config', () => {
  it('patchHopSec changes the patch count of a real file, the cache keys and the estimate', async () => {
    const paper = parseConfig({});
    const dense = parseConfig({ frontEnd: { patchHopSec: 0.24 } });
    const cache = new FeatureCache({ dir: path.join(tmp, 'features') });
    const a = await cache.get(source, paper.frontEnd);
    const b = await cache.get(source, dense.frontEnd);
    expect(a.params.patchHopFrames).toBe(48);
    expect(b.params.patchHopFrames).toBe(24);
    expect(b.key).not.toBe(a.key);
    // ~3.5 s of audio: 1 + (frames − 96)/48 patches at the paper's hop; at half the hop, twice as
    // many less one, or less two when the shorter padding (to a 24-frame hop) drops a frame step.
    expect(a.patches.numPatches).toBeGreaterThan(3);
    expect([2 * a.patches.numPatches - 2, 2 * a.patches.numPatches - 1]).toContain(b.patches.numPatches);
    // Both are the front end's own patches: patch i at hop 24 frames is patch i/2 at hop 48.
    const size = 96 * 64;
    expect(b.patches.data.subarray(2 * size, 3 * size)).toEqual(a.patches.data.subarray(size, 2 * size));

    // The estimate counts what the front end makes, from the index's duration.
    const index = {
      utterances: [{ id: 'x', durationSec: a.durationSec }],
    } as unknown as CorpusIndex;
    expect(patchesOf(index, paper.frontEnd).get('x')).toBe(a.patches.numPatches);
    expect(patchesOf(index, dense.frontEnd).get('x')).toBe(b.patches.numPatches);

    // The runner's step cache (log-mel patches for trainFrom 'full') is keyed and sized by it too.
    await useBackend('cpu');
    const setup = await setupYamnet('random', 1);
    try {
      const files = [{ id: 'x', path: source }];
      const steps = (frontEnd: typeof paper.frontEnd) =>
        computeSteps(files, setup, {
          trainFrom: 'full',
          frontEnd,
          featureCache: cache,
          cacheRoot: path.join(tmp, 'activations'),
        });
      const sa = await steps(paper.frontEnd);
      const sb = await steps(dense.frontEnd);
      expect(sb.cacheKey).not.toBe(sa.cacheKey);
      expect(sa.steps.get('x')!.steps).toBe(a.patches.numPatches);
      expect(sb.steps.get('x')!.steps).toBe(b.patches.numPatches);
    } finally {
      setup.model.dispose();
    }
  });

  it("form 'paper-power' reaches the front end (power, band-normalised log-mels)", async () => {
    const cache = new FeatureCache({ dir: path.join(tmp, 'features-form') });
    const yamnet = await cache.get(source, parseConfig({}).frontEnd);
    const power = await cache.get(source, parseConfig({ frontEnd: { form: 'paper-power' } }).frontEnd);
    expect(power.params.form).toBe('paper-power');
    expect(power.key).not.toBe(yamnet.key);
    const { samples16k } = await bytesToMono16k(source, fs.readFileSync(source));
    expect(power.patches.data).toEqual(waveformToPatches(samples16k, { form: 'paper-power' }).data);
    expect(power.patches.data).not.toEqual(yamnet.patches.data);
  });

  it('a hop between 10 ms frames is refused by the schema, naming the field', () => {
    expect(() => parseConfig({ frontEnd: { patchHopSec: 0.485 } })).toThrow(
      /frontEnd\.patchHopSec: must be a whole number of 0\.01 s frames/,
    );
  });
});
