/**
 * The paper's protocol (shared/docs/method.md) in one place: the config schema's defaults, the
 * paper comparison, the sample run, the front end and the form derive from it, so a default
 * cannot drift from the paper in one file only.
 */
export const PAPER_DEFAULTS = {
  frontEnd: {
    /** YAMNet's input rate. */
    sampleRate: 16000,
    /** 25 ms periodic-Hann window, 10 ms hop, 512-point FFT. */
    windowLength: 400,
    hop: 160,
    fftLength: 512,
    melBands: 64,
    fminHz: 125,
    fmaxHz: 7500,
    /** ln(E + 0.001). */
    logOffset: 0.001,
    /** One patch: 96 frames = 0.975 s with the window (95 hops + one window); every 48 frames. */
    patchFrames: 96,
    patchHopFrames: 48,
    patchSec: 0.975,
    patchHopSec: 0.48,
  },
  model: { lstmUnits: [150, 150] },
  training: { optimizer: 'adam', learningRate: 3e-4, batchSize: 24, epochs: 50 },
  /** The paper's four classes, in its table order. */
  classes: ['angry', 'happy', 'sad', 'neutral'],
  crossValidation: { valFraction: 0.2 },
  /** The baseline cell a new baseline config starts from (one of the paper's Table II grid). */
  baseline: { features: 'mfcc+dl', classifier: 'svm' },
} as const;

/** Patch hop in seconds ↔ STFT frames (10 ms each). */
export const patchHopFramesOf = (patchHopSec: number): number =>
  Math.round((patchHopSec * PAPER_DEFAULTS.frontEnd.sampleRate) / PAPER_DEFAULTS.frontEnd.hop);
