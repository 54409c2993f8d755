import { describe, expect, it } from 'vitest';
import { normalizeLabel, parseClasses } from '../labels';
import { DEFAULT_CLASSES } from '../types';
import { parseCremad } from './cremad';
import { parseDemos } from './demos';
import { parseEmodb } from './emodb';
import { detectFolderLayout, parseFolders } from './folders';
import { NameError } from './layout';
import { parseRavdess } from './ravdess';
import { parseSavee } from './savee';
import { parseTess } from './tess';

describe('RAVDESS names', () => {
  it('reads emotion, actor and sex (odd actors male)', () => {
    expect(parseRavdess('Actor_01/03-01-05-01-02-01-01.wav')).toEqual({
      speaker: '01',
      sex: 'male',
      label: 'angry',
    });
    expect(parseRavdess('Actor_24/03-01-08-02-01-01-24.wav')).toEqual({
      speaker: '24',
      sex: 'female',
      label: 'surprised',
    });
    expect(parseRavdess('03-01-02-01-01-01-13.wav').label).toBe('calm');
  });
  it('rejects video modalities, song and unknown codes with the reason', () => {
    expect(() => parseRavdess('01-01-01-01-01-01-01.wav')).toThrow(/modality 01/);
    expect(() => parseRavdess('03-02-01-01-01-01-01.wav')).toThrow(/not speech.*song/);
    expect(() => parseRavdess('03-01-09-01-01-01-01.wav')).toThrow(/unknown emotion code '09'/);
    expect(() => parseRavdess('03-01-01-03-01-01-01.wav')).toThrow(/unknown intensity code '03'/);
    expect(() => parseRavdess('notes.wav')).toThrow(NameError);
  });
});

describe('EMO-DB names', () => {
  it('maps emotion letters and speaker sex', () => {
    expect(parseEmodb('wav/03a01Fa.wav')).toEqual({ speaker: '03', sex: 'male', label: 'happy' });
    expect(parseEmodb('wav/16b10Td.wav')).toEqual({ speaker: '16', sex: 'female', label: 'sad' });
    expect(parseEmodb('08a02Wc.wav').label).toBe('angry');
    expect(parseEmodb('09b03Lb.wav').label).toBe('boredom');
    expect(parseEmodb('10a04Ad.wav').label).toBe('fearful');
    expect(parseEmodb('11a05Eb.wav').label).toBe('disgust');
    expect(parseEmodb('12a07Na.wav').label).toBe('neutral');
  });
  it('rejects unknown emotion letters and speakers', () => {
    expect(() => parseEmodb('03a01Xa.wav')).toThrow(/unknown emotion code 'X'/);
    expect(() => parseEmodb('04a01Fa.wav')).toThrow(/unknown speaker code '04'/);
  });
});

describe('DEMoS names (parsed from the right)', () => {
  it('reads emotional and neutral files', () => {
    expect(parseDemos('DEMOS/PR_f_03_rab001.wav')).toEqual({
      speaker: 'f_03',
      sex: 'female',
      label: 'angry',
    });
    expect(parseDemos('DEMOS/NP_m_12_gio1b2.wav')).toEqual({ speaker: 'm_12', sex: 'male', label: 'happy' });
    expect(parseDemos('NEU/m_12_neu0a1.wav')).toEqual({ speaker: 'm_12', sex: 'male', label: 'neutral' });
    expect(parseDemos('DEMOS/PR_f_07_tri003.wav').label).toBe('sad');
    expect(parseDemos('DEMOS/PR_f_07_col003.wav').label).toBe('guilt');
    expect(parseDemos('DEMOS/PR_f_07_sor003.wav').label).toBe('surprised');
    expect(parseDemos('DEMOS/PR_f_07_pau003.wav').label).toBe('fearful');
    expect(parseDemos('DEMOS/PR_f_07_dis003.wav').label).toBe('disgust');
  });
  it('rejects unknown codes', () => {
    expect(() => parseDemos('DEMOS/PR_f_03_xyz001.wav')).toThrow(/unknown emotion code 'xyz'/);
    expect(() => parseDemos('DEMOS/PR_x_03_rab001.wav')).toThrow(/unknown sex code 'x'/);
    expect(() => parseDemos('DEMOS/PR_f_ab_rab001.wav')).toThrow(/unknown speaker code 'ab'/);
  });
});

describe('CREMA-D names', () => {
  it('reads actor, emotion and sex from the demographics map', () => {
    const sex = new Map([['1001', 'male' as const]]);
    expect(parseCremad('AudioWAV/1001_DFA_ANG_XX.wav', sex)).toEqual({
      speaker: '1001',
      sex: 'male',
      label: 'angry',
    });
    expect(parseCremad('AudioWAV/1002_IEO_SAD_HI.wav', sex)).toEqual({
      speaker: '1002',
      sex: 'unknown',
      label: 'sad',
    });
  });
  it('rejects unknown emotion and level codes', () => {
    expect(() => parseCremad('1001_DFA_XXX_XX.wav')).toThrow(/unknown emotion code 'XXX'/);
    expect(() => parseCremad('1001_DFA_ANG_ZZ.wav')).toThrow(/unknown level code 'ZZ'/);
  });
});

describe('TESS names', () => {
  it('reads speaker and emotion, including pleasant surprise', () => {
    expect(parseTess('OAF_angry/OAF_back_angry.wav')).toEqual({
      speaker: 'OAF',
      sex: 'female',
      label: 'angry',
    });
    expect(parseTess('YAF_pleasant_surprise/YAF_bath_ps.wav').label).toBe('surprised');
    expect(parseTess('YAF_pleasant_surprise/YAF_bath_pleasant_surprise.wav').label).toBe('surprised');
    expect(parseTess('OAF_Fear/OAF_base_fear.wav').label).toBe('fearful');
  });
  it('rejects unknown emotions', () => {
    expect(() => parseTess('OAF_x/OAF_back_bored.wav')).toThrow(/unknown emotion code 'bored'/);
  });
});

describe('SAVEE names', () => {
  it('reads nested and flat layouts', () => {
    expect(parseSavee('AudioData/DC/a01.wav')).toEqual({ speaker: 'DC', sex: 'male', label: 'angry' });
    expect(parseSavee('JK_sa03.wav')).toEqual({ speaker: 'JK', sex: 'male', label: 'sad' });
    expect(parseSavee('AudioData/KL/su15.wav').label).toBe('surprised');
    expect(parseSavee('AudioData/JE/n30.wav').label).toBe('neutral');
  });
  it('rejects unknown prefixes and speakers', () => {
    expect(() => parseSavee('AudioData/DC/x01.wav')).toThrow(/unknown emotion code 'x'/);
    expect(() => parseSavee('AudioData/ZZ/a01.wav')).toThrow(/unknown speaker code 'ZZ'/);
  });
});

describe('folder-per-class layouts', () => {
  it('takes label and speaker from the chosen levels', () => {
    expect(parseFolders('angry/s1_001.wav', { labelLevel: 0, speakerLevel: 'prefix' })).toEqual({
      speaker: 's1',
      sex: 'unknown',
      label: 'angry',
    });
    expect(parseFolders('spk7/Happiness/x.wav', { labelLevel: 1, speakerLevel: 0 }).label).toBe('happy');
    expect(() => parseFolders('spk7/joyful/x.wav', { labelLevel: 1, speakerLevel: 0 })).toThrow(
      /unknown label/,
    );
  });
  it('detects which level holds the labels', () => {
    expect(detectFolderLayout(['angry/a_1.wav', 'sad/b_1.wav'])).toEqual({
      labelLevel: 0,
      speakerLevel: 'prefix',
    });
    expect(detectFolderLayout(['s1/angry/1.wav', 's2/sad/1.wav'])).toEqual({
      labelLevel: 1,
      speakerLevel: 0,
    });
    expect(detectFolderLayout(['angry/s1/1.wav', 'sad/s2/1.wav'])).toEqual({
      labelLevel: 0,
      speakerLevel: 1,
    });
    expect(detectFolderLayout(['x/y/1.wav'])).toBeUndefined();
  });
});

describe('labels', () => {
  it('normalises spellings and parses class lists', () => {
    expect(normalizeLabel('Anger')).toBe('angry');
    expect(normalizeLabel('pleasant surprise')).toBe('surprised');
    expect(normalizeLabel('nope')).toBeUndefined();
    expect(parseClasses(undefined)).toEqual(DEFAULT_CLASSES);
    expect(parseClasses('all')).toBe('all');
    expect(parseClasses('sad,anger,sad')).toEqual(['sad', 'angry']);
    expect(() => parseClasses('angry,bliss')).toThrow(/unknown class 'bliss'/);
  });
});
