import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, sharedDir } from '../../engine/util/paths';
import { indexOptionsFrom } from './index';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-cli-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The real CLI in its own process, as a user runs it. */
function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/ser-workbench.mjs'), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, SER_WORKBENCH_HOME: path.join(tmp, 'home') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RAVDESS = path.join(sharedDir(), 'data', 'ravdess');
const EMODB = path.join(sharedDir(), 'data', 'emodb');

describe('ser-workbench index', () => {
  it('--json prints one document with the Table-I summary (RAVDESS)', () => {
    const r = cli('index', RAVDESS, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      corpus: 'ravdess',
      files: 64,
      speakers: 4,
      sex: { male: 2, female: 2 },
      perClass: { angry: 16, happy: 16, sad: 16, neutral: 16 },
      skipped: [],
    });
    expect(doc.duration.mean).toBeGreaterThan(3);
    expect(doc.duration.sd).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/64\/64/);
  });

  it('--classes and --corpus are honoured (EMO-DB)', () => {
    const r = cli('index', EMODB, '--corpus', 'emodb', '--classes', 'angry,sad', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      files: 189,
      speakers: 10,
      perClass: { angry: 127, sad: 62 },
    });
  });

  it('exit code 1 for a missing folder, bad options or a wrong corpus', () => {
    const missing = cli('index', path.join(tmp, 'nope'), '--json');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/nope: no such folder/);
    expect(cli('index', RAVDESS, '--classes', 'bliss').code).toBe(1);
    expect(cli('index', RAVDESS, '--bogus').code).toBe(1);
    expect(cli('index').code).toBe(1);
    const wrong = cli('index', RAVDESS, '--corpus', 'emodb');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/no usable audio files \(64 skipped\)/);
  });
});

describe('ser-workbench synth and folds', () => {
  it('synth writes a corpus; folds --json and --jsonl describe speaker-disjoint folds', () => {
    const dir = path.join(tmp, 'syn');
    const s = cli('synth', dir, '--speakers', '5', '--per-class', '2', '--seed', '9');
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/wrote 40 files/);

    const jsonl = path.join(tmp, 'folds.jsonl');
    const r = cli('folds', dir, '--scheme', 'kfold', '--k', '5', '--seed', '1', '--json', '--jsonl', jsonl);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ scheme: 'kfold', k: 5, corpus: 'synthetic', speakers: 5, utterances: 40 });
    for (const f of doc.folds) {
      expect(f.test).toHaveLength(1);
      expect(f.validation).toHaveLength(1);
      expect(f.train).toHaveLength(3);
      expect(f.counts).toEqual({ test: 8, validation: 8, train: 24 });
    }
    const lines = fs
      .readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(200);
    expect(lines.filter((l) => l.split === 'test')).toHaveLength(40);

    const loso = cli('folds', dir, '--json');
    expect(loso.code).toBe(0);
    expect(JSON.parse(loso.stdout).folds).toHaveLength(5);
    expect(cli('folds', dir, '--scheme', 'kfold').code).toBe(1);
    expect(cli('folds', dir, '--scheme', 'kfold', '--k', '9').code).toBe(1);
    expect(cli('synth', RAVDESS).code).toBe(1);
  });
});

describe('index options from flags', () => {
  it('--label-level/--speaker-level choose the folder layout', () => {
    expect(indexOptionsFrom({ 'label-level': '1', 'speaker-level': '0' })).toMatchObject({
      corpus: 'folders',
      folders: { labelLevel: 1, speakerLevel: 0 },
      classes: ['angry', 'happy', 'sad', 'neutral'],
    });
    expect(indexOptionsFrom({ 'label-level': '0', classes: 'all' })).toMatchObject({
      folders: { labelLevel: 0, speakerLevel: 'prefix' },
      classes: 'all',
    });
    expect(() => indexOptionsFrom({ 'speaker-level': '0' })).toThrow(/needs --label-level/);
    expect(() => indexOptionsFrom({ 'label-level': '-1' })).toThrow(/folder level/);
    expect(() => indexOptionsFrom({ corpus: 'timit' })).toThrow(/--corpus must be one of/);
  });
});
