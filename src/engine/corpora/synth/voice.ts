import type { Emotion } from '../types';
import type { Random } from '../../util/random';

/** How an emotion colours the voice (relative to the speaker's own base pitch and level). */
export interface Prosody {
  /** Mean pitch as a multiple of the speaker's base f0. */
  pitch: number;
  /** Pitch excursion per syllable accent, as a fraction of the mean pitch. */
  range: number;
  /** Syllables per second. */
  rate: number;
  /** Peak level (0–1) of the finished utterance. */
  loudness: number;
  /** One-pole low-pass coefficient on the glottal source: higher is a darker, steeper tilt. */
  tilt: number;
  /** Cycle-to-cycle pitch jitter (fraction). */
  jitter: number;
  /** Breath noise mixed into the source (fraction). */
  breath: number;
}

/**
 * Acoustic correlates of emotion after the speech literature (Scherer 2003; Juslin & Laukka
 * 2003): anger and happiness high, wide, fast, loud and bright; sadness low, flat, slow, soft
 * and dark; neutral in between. Exaggerated so that the classes are learnable.
 */
export const PROSODY: Record<Emotion, Prosody> = {
  neutral: { pitch: 1.0, range: 0.08, rate: 4.0, loudness: 0.35, tilt: 0.7, jitter: 0.005, breath: 0.02 },
  calm: { pitch: 0.95, range: 0.06, rate: 3.4, loudness: 0.3, tilt: 0.75, jitter: 0.004, breath: 0.04 },
  happy: { pitch: 1.45, range: 0.45, rate: 5.0, loudness: 0.6, tilt: 0.45, jitter: 0.008, breath: 0.03 },
  sad: { pitch: 0.85, range: 0.04, rate: 2.6, loudness: 0.18, tilt: 0.88, jitter: 0.01, breath: 0.08 },
  angry: { pitch: 1.3, range: 0.3, rate: 5.6, loudness: 0.9, tilt: 0.2, jitter: 0.012, breath: 0.02 },
  fearful: { pitch: 1.6, range: 0.2, rate: 6.0, loudness: 0.45, tilt: 0.5, jitter: 0.03, breath: 0.1 },
  disgust: { pitch: 0.9, range: 0.2, rate: 3.2, loudness: 0.45, tilt: 0.6, jitter: 0.015, breath: 0.05 },
  surprised: { pitch: 1.7, range: 0.6, rate: 4.6, loudness: 0.6, tilt: 0.45, jitter: 0.008, breath: 0.04 },
  boredom: { pitch: 0.9, range: 0.03, rate: 3.0, loudness: 0.25, tilt: 0.8, jitter: 0.005, breath: 0.05 },
  guilt: { pitch: 0.92, range: 0.1, rate: 3.3, loudness: 0.28, tilt: 0.78, jitter: 0.008, breath: 0.06 },
};

/** Formant frequencies (Hz) of an adult male voice for five vowels (Peterson & Barney 1952). */
const VOWELS: [number, number, number][] = [
  [730, 1090, 2440], // a
  [530, 1840, 2480], // e
  [270, 2290, 3010], // i
  [570, 840, 2410], // o
  [300, 870, 2240], // u
];
const BANDWIDTHS = [80, 100, 130];
/** Consonant noise level relative to the vowels' RMS. */
const CONSONANT_RMS = 0.15;

/** A speaker: sex, base pitch and formant scale (shorter vocal tracts have higher formants). */
export interface Voice {
  speaker: string;
  sex: 'male' | 'female';
  f0: number;
  formantScale: number;
}

export function makeVoice(speaker: string, index: number, random: Random): Voice {
  const sex = index % 2 === 0 ? 'male' : 'female';
  const f0 = sex === 'male' ? 95 + 40 * random() : 175 + 60 * random();
  const formantScale = (sex === 'male' ? 1.0 : 1.17) * (0.95 + 0.1 * random());
  return { speaker, sex, f0: Math.round(f0 * 10) / 10, formantScale };
}

/** Klatt's two-pole resonator, run in place over a buffer. */
function resonate(x: Float32Array, freq: number, bandwidth: number, sampleRate: number): void {
  const t = 1 / sampleRate;
  const c = -Math.exp(-2 * Math.PI * bandwidth * t);
  const b = 2 * Math.exp(-Math.PI * bandwidth * t) * Math.cos(2 * Math.PI * freq * t);
  const a = 1 - b - c;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = a * x[i] + b * y1 + c * y2;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
}

/** Rosenberg glottal pulse at phase p ∈ [0, 1): opening, closing, then closed. */
function rosenberg(p: number): number {
  const open = 0.4;
  const close = 0.16;
  if (p < open) return 0.5 * (1 - Math.cos((Math.PI * p) / open));
  if (p < open + close) return Math.cos((Math.PI * (p - open)) / (2 * close));
  return 0;
}

/**
 * One utterance: syllables of consonant noise + vowel, each vowel voiced by a Rosenberg pulse
 * train (differentiated for lip radiation, low-passed for spectral tilt) through three formant
 * resonators; the pitch follows a declining line with one accent per syllable.
 */
export function synthesizeUtterance(
  voice: Voice,
  prosody: Prosody,
  durationSec: number,
  sampleRate: number,
  random: Random,
): Float32Array {
  const total = Math.round(durationSec * sampleRate);
  const out = new Float32Array(total);
  const lead = Math.round(0.08 * sampleRate);
  const syllableLen = Math.round(sampleRate / (prosody.rate * (0.9 + 0.2 * random())));
  const meanF0 = voice.f0 * prosody.pitch;
  let start = lead;
  let phase = 0;
  while (start + syllableLen < total - lead) {
    const vowel = VOWELS[Math.floor(random() * VOWELS.length)];
    const consonant = Math.round(syllableLen * (0.15 + 0.1 * random()));
    const voiced = Math.round(syllableLen * 0.7);
    const accent = (random() * 2 - 1) * prosody.range;
    const decline = 1 - (0.12 * start) / total;
    const seg = new Float32Array(voiced);
    let glottal = 0;
    let lp = 0;
    for (let i = 0; i < voiced; i++) {
      const pos = i / voiced;
      const f0 =
        meanF0 * decline * (1 + accent * Math.sin(Math.PI * pos)) * (1 + prosody.jitter * (random() * 2 - 1));
      phase += f0 / sampleRate;
      if (phase >= 1) phase -= Math.floor(phase);
      const g = rosenberg(phase);
      const radiated = g - glottal;
      glottal = g;
      const source = radiated + prosody.breath * (random() * 2 - 1);
      lp = (1 - prosody.tilt) * source + prosody.tilt * lp;
      seg[i] = lp;
    }
    vowel.forEach((f, k) => resonate(seg, f * voice.formantScale, BANDWIDTHS[k], sampleRate));
    // Vowels at unit RMS whatever the tilt (which changes their shape, not their level); the
    // consonant noise well below them, as in speech, where vowels carry most of the energy.
    scaleToRms(seg, 1);
    const noise = new Float32Array(consonant);
    let prev = 0;
    for (let i = 0; i < consonant; i++) {
      const n = random() * 2 - 1;
      noise[i] = (n - prev) * Math.sin((Math.PI * i) / consonant);
      prev = n;
    }
    scaleToRms(noise, CONSONANT_RMS);
    out.set(noise, start);
    for (let i = 0; i < voiced && start + consonant + i < total; i++) {
      const env = Math.sin((Math.PI * i) / voiced) ** 0.5;
      out[start + consonant + i] += seg[i] * env;
    }
    start += syllableLen + Math.round(syllableLen * 0.1 * random());
  }
  return normalize(out, prosody.loudness * (0.9 + 0.2 * random()));
}

function scaleToRms(x: Float32Array, target: number): void {
  let sum = 0;
  for (const v of x) sum += v * v;
  const rms = Math.sqrt(sum / Math.max(1, x.length));
  if (rms > 0) for (let i = 0; i < x.length; i++) x[i] *= target / rms;
}

function normalize(x: Float32Array, peak: number): Float32Array {
  let max = 0;
  for (const v of x) max = Math.max(max, Math.abs(v));
  if (max > 0) for (let i = 0; i < x.length; i++) x[i] = (x[i] / max) * peak;
  return x;
}
