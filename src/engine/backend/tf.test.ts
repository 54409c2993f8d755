import { afterEach, describe, expect, it } from 'vitest';
import { tf, initBackend, activeBackend } from './tf';
import { canFineTune, describeActiveBackend, fineTuneSupport, listBackends } from './describe';
import { nativeForTests } from './testing';
import { UserError } from '../util/errors';

const native = nativeForTests('backend selection');
const itNative = native.run ? it : it.skip;

afterEach(() => {
  delete process.env.SER_DISABLE_BACKENDS;
  delete process.env.SER_BACKEND;
});

describe('backend selection', () => {
  itNative('auto picks tensorflow first and says why', async () => {
    const a = await initBackend('auto');
    expect(a.name).toBe('tensorflow');
    expect(tf.getBackend()).toBe('tensorflow');
    expect(a.package).toBe('@tensorflow/tfjs-node');
    expect(a.reason).toMatch(
      /^auto: native TensorFlow \(@tensorflow\/tfjs-node 4\.22\.0, TensorFlow \d+\.\d+/,
    );
  });

  it('auto falls back to wasm, recording why tensorflow was skipped', async () => {
    process.env.SER_DISABLE_BACKENDS = 'tensorflow';
    const a = await initBackend('auto');
    expect(a.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(a.reason).toContain('tensorflow not available (disabled by SER_DISABLE_BACKENDS)');
  });

  it('auto falls back to cpu when neither tensorflow nor wasm can be used', async () => {
    process.env.SER_DISABLE_BACKENDS = 'tensorflow,wasm';
    const a = await initBackend('auto');
    expect(a.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(a.reason).toContain('tensorflow not available');
    expect(a.reason).toContain('wasm failed to initialise: the wasm backend is disabled');
  });

  it('honours a forced choice and refuses an unavailable one with a UserError', async () => {
    expect(await initBackend('cpu')).toMatchObject({ name: 'cpu', reason: 'forced (asked for)' });
    process.env.SER_DISABLE_BACKENDS = 'wasm';
    const err = await initBackend('wasm').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/backend 'wasm' is not available: .*disabled/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('SER_BACKEND pins auto to one backend', async () => {
    process.env.SER_BACKEND = 'wasm';
    expect(await initBackend()).toMatchObject({ name: 'wasm', reason: 'forced (SER_BACKEND=wasm)' });
    process.env.SER_BACKEND = 'gpu-please';
    await expect(initBackend()).rejects.toThrow(/SER_BACKEND=gpu-please is not a backend/);
  });

  itNative('a forced tensorflow choice works and is described for environment.json', async () => {
    await initBackend('tensorflow');
    const d = describeActiveBackend();
    expect(d.name).toBe('tensorflow');
    expect(d.reason).toBe('forced (asked for)');
    expect(d.package).toBe('@tensorflow/tfjs-node');
    expect(d.versions.tensorflow).toMatch(/^\d+\.\d+\.\d+/);
    expect(d.versions['tfjs-node']).toBe('4.22.0');
    expect(d.versions.tfjs).toBe(tf.version_core);
    expect(d.device.kind).toBe('cpu');
    expect(d.device.name.length).toBeGreaterThan(0);
    expect(d.fineTune).toBe(true);
    expect(activeBackend()?.name).toBe('tensorflow');
  });

  it('describes wasm and cpu runs too', async () => {
    await initBackend('wasm');
    const d = describeActiveBackend();
    // wasm fine-tunes through the engine's own gradient kernels: environment.json says so, as
    // `backends`, Settings and the runner do (one answer: fineTuneSupport).
    expect(d).toMatchObject({ name: 'wasm', reason: 'forced (asked for)', fineTune: true });
    expect(d.fineTuneNote).toMatch(/slower/);
    expect(d.versions['tfjs-backend-wasm']).toBe('4.22.0');
  });

  it('knows which backends can fine-tune YAMNet', async () => {
    await initBackend('wasm');
    expect(canFineTune('wasm')).toBe(true);
    expect(fineTuneSupport('wasm')).toMatchObject({ possible: true, slow: true });
    expect(canFineTune('cpu')).toBe(true);
    expect(fineTuneSupport('cpu')).toMatchObject({ possible: true, slow: true });
    expect(canFineTune('tensorflow')).toBe(native.run);
  });

  it('lists every backend with a reason and marks the one auto would pick', async () => {
    await initBackend('cpu');
    const listing = await listBackends();
    expect(listing.backends.map((b) => b.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    for (const b of listing.backends) expect(b.reason.length).toBeGreaterThan(0);
    expect(listing.backends.filter((b) => b.selected).map((b) => b.name)).toEqual([listing.selected]);
    expect(listing.selected).toBe(native.run ? 'tensorflow' : 'wasm');
    // The listing's fine-tune answer is the one fineTuneSupport gives (and a run acts on).
    for (const b of listing.backends.filter((x) => x.available)) {
      expect(b.fineTune, b.name).toBe(fineTuneSupport(b.backend).possible);
      expect(b.fineTuneNote, b.name).toBe(fineTuneSupport(b.backend).message);
    }
    expect(listing.backends.find((b) => b.name === 'wasm')?.fineTune).toBe(true);
    // Listing initialises wasm and loads tfjs-node but leaves the active backend alone.
    expect(tf.getBackend()).toBe('cpu');
    process.env.SER_DISABLE_BACKENDS = 'tensorflow';
    expect((await listBackends()).selected).toBe('wasm');
  });
});
