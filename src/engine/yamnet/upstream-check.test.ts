import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/tf';
import { FileError } from '../util/errors';
import { repoRoot, sharedDir } from '../util/paths';
import { findClassMap, parseClassMap, readClassMap } from './class-map';
import { loadYamnet } from './load';
import { writeGraphFixture } from './testing/fixtures';
import { numpyLegacyUniform, runUpstreamCheck, upstreamSignals } from './upstream-check';

const yamnetDir = path.join(sharedDir(), 'models', 'yamnet');
const classMapFile = path.join(yamnetDir, 'yamnet_class_map.csv');

/** The weights to check: YAMNET_WEIGHTS (CI sets it), else the shared reconstructed model. */
function checkTarget(): { dir: string | null; why: string } {
  if (process.env.YAMNET_WEIGHTS) return { dir: process.env.YAMNET_WEIGHTS, why: 'YAMNET_WEIGHTS' };
  const shared = path.join(yamnetDir, 'tfjs-graph-reconstructed');
  if (fs.existsSync(path.join(shared, 'model.json'))) return { dir: shared, why: 'shared' };
  return { dir: null, why: `YAMNET_WEIGHTS is not set and ${shared} does not exist` };
}
const target = checkTarget();
if (!target.dir) console.warn(`skipping the YAMNet upstream check: ${target.why}`);

const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  promisify(execFile)(process.execPath, [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), ...args], {
    env: { ...process.env, ...env },
  });

describe('numpyLegacyUniform', () => {
  it('reproduces np.random.seed(s); np.random.uniform(-1, 1, n) exactly', () => {
    // Values printed by NumPy for these calls.
    expect(numpyLegacyUniform(0, 1, 0, 1)[0]).toBe(0.5488135039273248);
    const x = numpyLegacyUniform(51773, 48000);
    expect(x[0]).toBe(0.4690083831219627);
    expect(x[1]).toBe(-0.30861864634792435);
    expect(x[47999]).toBe(0.25352792795349743);
  });

  it('gives the three upstream signals', () => {
    const [zeros, noise, sine] = upstreamSignals();
    expect([zeros.samples.length, noise.samples.length, sine.samples.length]).toEqual([48000, 48000, 48000]);
    expect(zeros.samples.every((v) => v === 0)).toBe(true);
    expect(sine.samples[4]).toBeCloseTo(Math.sin((2 * Math.PI * 440 * 4) / 16000), 6);
  });
});

describe('class map', () => {
  it('reads the CRLF file with quoted names, and its LF variant', () => {
    const text = fs.readFileSync(classMapFile, 'utf8');
    expect(text.includes('\r\n')).toBe(true);
    const classes = readClassMap(classMapFile);
    expect(classes).toHaveLength(521);
    expect(classes[1].name).toBe('Child speech, kid speaking');
    expect([classes[494].name, classes[495].name, classes[514].name]).toEqual([
      'Silence',
      'Sine wave',
      'White noise',
    ]);
    expect(parseClassMap(text.replace(/\r\n/g, '\n'))).toEqual(classes);
    expect(findClassMap(path.join(yamnetDir, 'tfjs-graph-reconstructed'))).toBe(classMapFile);
  });

  it('refuses a truncated map', () => {
    const text = fs.readFileSync(classMapFile, 'utf8').split('\r\n').slice(0, 100).join('\r\n');
    expect(() => parseClassMap(text, 'x.csv')).toThrow(FileError);
  });
});

describe.skipIf(!target.dir)(`upstream check (${target.why})`, () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('puts Silence, White noise and Sine wave in the top 10', async () => {
    const { model } = await loadYamnet(target.dir!);
    const { checks, pass } = runUpstreamCheck(model, readClassMap(findClassMap(target.dir!) ?? classMapFile));
    model.dispose();
    for (const c of checks)
      console.log(`${c.signal}: ${c.expected} rank ${c.rank} score ${c.score.toFixed(4)}`);
    expect(checks.map((c) => c.pass)).toEqual([true, true, true]);
    expect(pass).toBe(true);
    expect(checks[0].rank).toBe(1);
  });

  it('`weights check DIR --json` prints the documented document', async () => {
    const { stdout } = await cli(['weights', 'check', target.dir!, '--json']);
    const doc = JSON.parse(stdout);
    expect(doc.pass).toBe(true);
    expect(doc.weights.files.length).toBeGreaterThan(0);
    expect(doc.checks.map((c: { signal: string; expected: string }) => [c.signal, c.expected])).toEqual([
      ['zeros', 'Silence'],
      ['noise', 'White noise'],
      ['sine', 'Sine wave'],
    ]);
    expect(doc.checks[1].top10).toHaveLength(10);
    expect(Object.keys(doc.checks[1].top10[0])).toEqual(['index', 'name', 'score']);
  });
});

describe('`weights check` on weights that are not YAMNet', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yamnet-check-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.skipIf(!fs.existsSync(path.join(yamnetDir, 'tfjs-graph-partial', 'model.json')))(
    'fails with exit code 1',
    async () => {
      const dir = writeGraphFixture(path.join(yamnetDir, 'tfjs-graph-partial'), path.join(tmp, 'made-up'));
      fs.copyFileSync(classMapFile, path.join(tmp, 'yamnet_class_map.csv'));
      const err = await cli(['weights', 'check', dir, '--json']).then(
        () => null,
        (e: { code: number; stdout: string }) => e,
      );
      expect(err?.code).toBe(1);
      const doc = JSON.parse(err!.stdout);
      expect(doc.pass).toBe(false);
      expect(doc.weights.source).toBe('user');
    },
  );
});
