/**
 * The one mel filter bank: the YAMNet front end (TensorFlow's form) and the MFCC baseline (HTK's
 * form) are two option sets of melBands; the Slaney scale and area norm are the librosa options.
 * (The front end's fixture tests and the MFCC/GTCC tests check the numbers end to end.)
 */
import { describe, expect, it } from 'vitest';
import { melFilterbank } from './cepstral/filterbanks';
import { hzToMel, melBands, melFilterBank, melToHz } from './mel';

const spec = { sampleRate: 16000, fftLength: 512, melBands: 40, fminHz: 0, fmaxHz: 8000 };

describe('melBands', () => {
  it('the HTK scale, however written (1127·ln or 2595·log10 of 1 + f/700), differs by a constant factor', () => {
    // The factor cancels in band edges (equally spaced in mel, mapped back to Hz) and in triangles.
    for (const f of [125, 700, 1000, 7500]) {
      expect(hzToMel(f) / (2595 * Math.log10(1 + f / 700))).toBeCloseTo(1127 / (2595 / Math.LN10), 12);
      expect(melToHz(hzToMel(f))).toBeCloseTo(f, 9);
    }
  });

  it('the Slaney scale is linear below 1 kHz (15 mel there) and logarithmic above', () => {
    expect(hzToMel(600, 'slaney')).toBeCloseTo(9, 12);
    expect(hzToMel(1000, 'slaney')).toBeCloseTo(15, 12);
    // 27 mel per factor 6.4 above 1 kHz.
    expect(hzToMel(6400, 'slaney') - hzToMel(1000, 'slaney')).toBeCloseTo(27, 12);
    for (const f of [50, 999, 1000, 1001, 7999])
      expect(melToHz(hzToMel(f, 'slaney'), 'slaney')).toBeCloseTo(f, 9);
  });

  it("YAMNet's bank is TensorFlow's options (triangles in mel, DC bin zero) in float32", () => {
    const tf = melFilterBank({ ...spec, melBands: 64, fminHz: 125, fmaxHz: 7500 });
    const same = melBands({ ...spec, melBands: 64, fminHz: 125, fmaxHz: 7500 });
    expect(tf.map((b) => b.start)).toEqual(same.map((b) => b.start));
    tf.forEach((b, i) => expect(b.weights).toEqual(Float32Array.from(same[i].weights)));
    expect(Math.min(...tf.map((b) => b.start))).toBeGreaterThanOrEqual(1);
  });

  it("the MFCC baseline's bank is HTK's options (triangles in Hz, DC kept), dense", () => {
    const htk = melFilterbank({ sampleRate: 16000, nFft: 512, numBands: 40, fMin: 0, fMax: 8000 });
    const bands = melBands({ ...spec, triangles: 'hz', zeroDc: false });
    bands.forEach((band, b) => {
      const row = htk.weights.subarray(b * htk.numBins, (b + 1) * htk.numBins);
      expect(Array.from(row.subarray(band.start, band.start + band.weights.length))).toEqual(
        Array.from(band.weights),
      );
      expect(row.reduce((a, w) => a + w, 0)).toBeCloseTo(
        band.weights.reduce((a, w) => a + w, 0),
        12,
      );
      // Linear in Hz: the weight at a bin between the lower edge and the centre is its distance ratio.
      const [lo, centre] = band.edgesHz;
      const k = band.start;
      const f = (k * 16000) / 512;
      if (f <= centre) expect(band.weights[0]).toBeCloseTo((f - lo) / (centre - lo), 12);
    });
    expect(htk.centres).toEqual(bands.map((b) => b.edgesHz[1]));
  });

  it("norm 'slaney' gives every triangle unit area in Hz (librosa's norm='slaney')", () => {
    const bins = melBands({ ...spec, scale: 'slaney', triangles: 'hz', zeroDc: false, norm: 'slaney' });
    const binHz = 16000 / 512;
    // Wide bands (high frequencies) integrate to 1 on the bin grid; narrow ones are undersampled.
    for (const b of bins.slice(20)) expect(b.weights.reduce((a, w) => a + w, 0) * binHz).toBeCloseTo(1, 1);
    const peak = melBands({ ...spec, scale: 'slaney', triangles: 'hz', zeroDc: false });
    bins.forEach((b, i) => {
      const [lo, , hi] = b.edgesHz;
      expect(b.weights[0]).toBeCloseTo((peak[i].weights[0] * 2) / (hi - lo), 12);
    });
  });
});
