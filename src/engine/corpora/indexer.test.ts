import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../util/paths';
import { indexCacheFile } from './index-cache';
import { indexCorpus } from './indexer';
import { summarizeIndex } from './summary';
import { snapshotTree, writeTestWav, writeTree } from './testing/wav';

let tmp: string;
const RAVDESS = path.join(sharedDir(), 'data', 'ravdess');
const EMODB = path.join(sharedDir(), 'data', 'emodb');

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-index-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function dir(name: string): string {
  return path.join(tmp, name);
}

describe('real corpora in shared/data', () => {
  it('RAVDESS subset: 4 speakers (2 m, 2 f), 64 files, 16 per class, read-only', async () => {
    const before = snapshotTree(RAVDESS);
    const index = await indexCorpus(RAVDESS);
    const s = summarizeIndex(index);
    expect(index.corpus).toBe('ravdess');
    expect(s.files).toBe(64);
    expect(s.speakers).toBe(4);
    expect(s.sex).toEqual({ male: 2, female: 2, unknown: 0 });
    expect(s.perClass).toEqual({ angry: 16, happy: 16, sad: 16, neutral: 16 });
    expect(s.perSpeaker.map((p) => [p.speaker, p.sex, p.files])).toEqual([
      ['01', 'male', 16],
      ['02', 'female', 16],
      ['03', 'male', 16],
      ['04', 'female', 16],
    ]);
    expect(s.sampleRates).toEqual({ 48000: 64 });
    expect(s.duration.total).toBeCloseTo(229.7, 1);
    expect(s.duration.mean).toBeGreaterThan(3);
    expect(s.duration.sd).toBeGreaterThan(0);
    expect(index.skipped).toEqual([]);
    expect(index.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotTree(RAVDESS)).toEqual(before);
  });

  it('EMO-DB subset: 10 speakers, 339 files, angry 127 / happy 71 / sad 62 / neutral 79', async () => {
    const index = await indexCorpus(EMODB);
    const s = summarizeIndex(index);
    expect(index.corpus).toBe('emodb');
    expect(s.files).toBe(339);
    expect(s.speakers).toBe(10);
    expect(s.sex).toEqual({ male: 5, female: 5, unknown: 0 });
    expect(s.perClass).toEqual({ angry: 127, happy: 71, sad: 62, neutral: 79 });
    expect(s.duration.mean).toBeCloseTo(2, 3);
    expect(s.sampleRates).toEqual({ 22050: 339 });
    expect(s.perSpeaker.find((p) => p.speaker === '03')?.perClass).toEqual({
      angry: 14,
      happy: 7,
      sad: 7,
      neutral: 11,
    });
  });

  it('class selection narrows the index and changes its hash', async () => {
    const four = await indexCorpus(EMODB);
    const two = await indexCorpus(EMODB, { classes: ['sad', 'angry'] });
    expect(two.classes).toEqual(['sad', 'angry']);
    expect(two.utterances).toHaveLength(62 + 127);
    expect(two.hash).not.toBe(four.hash);
    const all = await indexCorpus(EMODB, { classes: 'all' });
    expect(all.classes).toEqual(['neutral', 'happy', 'sad', 'angry']);
    expect(all.utterances).toHaveLength(339);
  });
});

describe('corpora generated in a temp folder', () => {
  it('DEMoS: DEMOS/ and NEU/ files, speakers keep their sex', async () => {
    const root = writeTree(dir('demos'), [
      'DEMOS/PR_f_01_rab001.wav',
      'DEMOS/PR_f_01_gio002.wav',
      'DEMOS/NP_m_02_tri003.wav',
      'DEMOS/PR_m_02_pau004.wav',
      'DEMOS/PR_m_02_qqq005.wav',
      'NEU/f_01_neu001.wav',
      'NEU/m_02_neu002.wav',
    ]);
    const index = await indexCorpus(root);
    expect(index.corpus).toBe('demos');
    expect(index.utterances.map((u) => [u.speaker, u.sex, u.label])).toEqual([
      ['m_02', 'male', 'sad'],
      ['f_01', 'female', 'happy'],
      ['f_01', 'female', 'angry'],
      ['f_01', 'female', 'neutral'],
      ['m_02', 'male', 'neutral'],
    ]);
    expect(index.skipped).toEqual([
      { path: path.join(root, 'DEMOS/PR_m_02_qqq005.wav'), reason: "unknown emotion code 'qqq'" },
    ]);
    expect(summarizeIndex(index).sex).toEqual({ male: 1, female: 1, unknown: 0 });
  });

  it('CREMA-D: sex from VideoDemographics.csv', async () => {
    const root = writeTree(dir('cremad'), [
      'AudioWAV/1001_DFA_ANG_XX.wav',
      'AudioWAV/1001_IEO_HAP_HI.wav',
      'AudioWAV/1002_DFA_SAD_LO.wav',
      'AudioWAV/1002_DFA_NEU_XX.wav',
      'AudioWAV/1002_DFA_DIS_XX.wav',
    ]);
    fs.writeFileSync(
      path.join(root, 'VideoDemographics.csv'),
      'ActorID,Age,Sex,Race,Ethnicity\n1001,51,Male,Caucasian,Not Hispanic\n1002,21,Female,Caucasian,Not Hispanic\n',
    );
    const index = await indexCorpus(root);
    expect(index.corpus).toBe('cremad');
    expect(index.utterances).toHaveLength(4);
    expect(new Set(index.utterances.map((u) => `${u.speaker}:${u.sex}`))).toEqual(
      new Set(['1001:male', '1002:female']),
    );
    const all = await indexCorpus(root, { classes: 'all' });
    expect(all.utterances.map((u) => u.label)).toContain('disgust');
  });

  it('TESS: two female speakers, pleasant surprise kept with --classes all', async () => {
    const root = writeTree(dir('tess'), [
      'OAF_angry/OAF_back_angry.wav',
      'OAF_happy/OAF_back_happy.wav',
      'YAF_sad/YAF_bath_sad.wav',
      'YAF_neutral/YAF_bath_neutral.wav',
      'YAF_pleasant_surprise/YAF_bath_ps.wav',
    ]);
    const index = await indexCorpus(root, { classes: 'all' });
    expect(index.corpus).toBe('tess');
    expect(summarizeIndex(index).perClass).toEqual({ happy: 1, sad: 1, angry: 1, neutral: 1, surprised: 1 });
    expect(summarizeIndex(index).sex.female).toBe(2);
  });

  it('SAVEE: nested and flat layouts', async () => {
    const nested = writeTree(dir('savee-nested'), [
      'AudioData/DC/a01.wav',
      'AudioData/JE/sa02.wav',
      'AudioData/JK/n03.wav',
    ]);
    const flat = writeTree(dir('savee-flat'), ['DC_a01.wav', 'KL_h02.wav', 'KL_su03.wav']);
    const a = await indexCorpus(nested);
    const b = await indexCorpus(flat, { classes: 'all' });
    expect(a.corpus).toBe('savee');
    expect(a.utterances.map((u) => [u.speaker, u.label])).toEqual([
      ['DC', 'angry'],
      ['JE', 'sad'],
      ['JK', 'neutral'],
    ]);
    expect(b.corpus).toBe('savee');
    expect(b.utterances.map((u) => u.label)).toEqual(['angry', 'happy', 'surprised']);
  });

  it('folder per class: detected, or levels chosen by the user', async () => {
    const root = writeTree(dir('folders'), [
      'angry/s1_a.wav',
      'sad/s1_b.wav',
      'sad/s2_c.wav',
      'Happiness/s2_d.wav',
    ]);
    const index = await indexCorpus(root);
    expect(index.corpus).toBe('folders');
    expect(index.utterances.map((u) => [u.speaker, u.label])).toEqual([
      ['s2', 'happy'],
      ['s1', 'angry'],
      ['s1', 'sad'],
      ['s2', 'sad'],
    ]);
    const nested = writeTree(dir('folders-nested'), [
      'spkA/neutral/1.wav',
      'spkB/angry/2.wav',
      'spkB/bliss/3.wav',
    ]);
    const chosen = await indexCorpus(nested, {
      corpus: 'folders',
      folders: { labelLevel: 1, speakerLevel: 0 },
    });
    expect(chosen.utterances.map((u) => [u.speaker, u.label])).toEqual([
      ['spkA', 'neutral'],
      ['spkB', 'angry'],
    ]);
    expect(chosen.skipped[0].reason).toMatch(/unknown label folder 'bliss'/);
  });

  it('CSV manifest: path,label,speaker,sex,split relative to the CSV', async () => {
    const root = writeTree(dir('csv'), ['audio/x1.wav', 'audio/x2.wav', 'audio/x3.wav']);
    fs.writeFileSync(
      path.join(root, 'list.csv'),
      'path,label,speaker,sex,split\naudio/x1.wav,anger,p1,F,train\naudio/x2.wav,neutral,p2,male,test\n' +
        'audio/x3.wav,bliss,p2,m,\naudio/missing.wav,sad,p3,f,\naudio/x1.wav,sad,p1,f,\n',
    );
    const index = await indexCorpus(root);
    expect(index.corpus).toBe('csv');
    expect(index.utterances.map((u) => [u.id, u.label, u.speaker, u.sex, u.split])).toEqual([
      ['audio/x1.wav', 'angry', 'p1', 'female', 'train'],
      ['audio/x2.wav', 'neutral', 'p2', 'male', 'test'],
    ]);
    expect(index.skipped.map((s) => [path.basename(s.path), s.reason])).toEqual([
      ['missing.wav', 'file not found'],
      ['x1.wav', 'listed again (manifest line 6)'],
      ['x3.wav', "unknown label 'bliss' (manifest line 4)"],
    ]);
  });

  it('unreadable and unsupported files are skipped with the reason; the rest is indexed', async () => {
    const root = writeTree(dir('broken'), [
      'Actor_01/03-01-01-01-01-01-01.wav',
      'Actor_01/03-01-05-01-01-01-01.wav',
    ]);
    fs.writeFileSync(path.join(root, 'Actor_01/03-01-03-01-01-01-01.wav'), 'not a wav at all');
    fs.writeFileSync(path.join(root, 'Actor_01/03-01-04-01-01-01-01.wav'), '');
    fs.writeFileSync(path.join(root, 'Actor_01/03-01-04-01-02-01-01.mp3'), 'ID3');
    writeTestWav(path.join(root, 'Actor_01/02-01-04-01-02-01-01.wav'));
    writeTestWav(path.join(root, 'Actor_01/03-02-04-01-02-01-01.wav'));
    writeTestWav(path.join(root, 'Actor_01/03-01-04-01-02-01-01.wav'), { channels: 2, sampleRate: 44100 });
    const index = await indexCorpus(root);
    expect(index.corpus).toBe('ravdess');
    expect(index.utterances.map((u) => [u.label, u.channels, u.sampleRate])).toEqual([
      ['neutral', 1, 16000],
      ['sad', 2, 44100],
      ['angry', 1, 16000],
    ]);
    const reasons = Object.fromEntries(index.skipped.map((s) => [path.basename(s.path), s.reason]));
    expect(Object.keys(reasons).sort()).toEqual([
      '02-01-04-01-02-01-01.wav',
      '03-01-03-01-01-01-01.wav',
      '03-01-04-01-01-01-01.wav',
      '03-01-04-01-02-01-01.mp3',
      '03-02-04-01-02-01-01.wav',
    ]);
    expect(reasons['02-01-04-01-02-01-01.wav']).toMatch(/modality 02/);
    expect(reasons['03-02-04-01-02-01-01.wav']).toMatch(/song/);
    expect(reasons['03-01-04-01-01-01-01.wav']).toMatch(/empty/);
    expect(reasons['03-01-03-01-01-01-01.wav']).toMatch(/not a WAV/);
    expect(reasons['03-01-04-01-02-01-01.mp3']).toMatch(/unsupported audio format/);
  });

  it('follows symlinked folders once, without looping', async () => {
    const root = writeTree(dir('links'), ['angry/a_1.wav', 'sad/b_1.wav']);
    fs.symlinkSync(root, path.join(root, 'sad', 'loop'));
    const index = await indexCorpus(root);
    expect(index.utterances.map((u) => u.id)).toEqual(['angry/a_1.wav', 'sad/b_1.wav']);
  });

  it('a missing folder is a user error naming it', async () => {
    await expect(indexCorpus(dir('nope'))).rejects.toThrow(/nope: no such folder/);
  });
});

describe('index cache', () => {
  it('lives in the data folder and follows changed, added and removed files', async () => {
    const root = writeTree(dir('cached'), ['angry/a_1.wav', 'sad/b_1.wav']);
    const before = snapshotTree(root);
    const first = await indexCorpus(root);
    expect(fs.existsSync(indexCacheFile(root))).toBe(true);
    expect(indexCacheFile(root).startsWith(process.env.SER_WORKBENCH_HOME!)).toBe(true);
    expect(snapshotTree(root)).toEqual(before);

    const again = await indexCorpus(root);
    expect(again).toEqual(first);

    // A file rewritten longer (new size and mtime) is read again.
    writeTestWav(path.join(root, 'angry/a_1.wav'), { seconds: 0.5 });
    const changed = await indexCorpus(root);
    expect(changed.utterances.find((u) => u.id === 'angry/a_1.wav')?.durationSec).toBeCloseTo(0.5, 6);
    expect(changed.hash).not.toBe(first.hash);

    writeTestWav(path.join(root, 'happy/c_1.wav'));
    expect((await indexCorpus(root)).utterances).toHaveLength(3);
    fs.rmSync(path.join(root, 'sad/b_1.wav'));
    const removed = await indexCorpus(root);
    expect(removed.utterances.map((u) => u.id)).toEqual(['angry/a_1.wav', 'happy/c_1.wav']);
    const cached = JSON.parse(fs.readFileSync(indexCacheFile(root), 'utf8'));
    expect(Object.keys(cached.files).sort()).toEqual(['angry/a_1.wav', 'happy/c_1.wav']);
  });

  it('reports progress as done/total', async () => {
    const seen: [number, number][] = [];
    await indexCorpus(RAVDESS, { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen).toHaveLength(64);
    expect(seen.at(-1)).toEqual([64, 64]);
  });
});
