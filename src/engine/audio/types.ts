/** Container formats the decoder reads. */
export type AudioFormat = 'wav' | 'flac';

/** What a file header says, read without decoding any samples. */
export interface AudioInfo {
  format: AudioFormat;
  sampleRate: number;
  channels: number;
  /** Sample frames (one sample per channel) the header promises, clipped to the bytes present. */
  frames: number;
  durationSec: number;
  /** Bits per stored sample (8, 16, 24, 32, 64; FLAC 4–32). */
  bitsPerSample: number;
  /** 'int' for PCM, 'float' for IEEE float WAV. */
  sampleType: 'int' | 'float';
}

/** Decoded audio, already averaged to one channel. */
export interface DecodedAudio {
  /** Mono samples in [-1, 1] (float input may exceed it), at `sampleRate`. */
  samples: Float32Array;
  sampleRate: number;
  /** Channel count of the source (the samples are their mean). */
  channels: number;
  durationSec: number;
  format: AudioFormat;
  /**
   * Non-finite samples (NaN, ±Inf) that were set to zero because the caller asked
   * (`repairNonFinite`): how many frames, and the first few frame indices.
   */
  repairedNonFinite?: NonFiniteReport;
}

/** Where a decoded signal held NaN or ±Inf: frame count and the first indices (at most 10). */
export interface NonFiniteReport {
  count: number;
  first: number[];
}
