/** One file for the Datasets view: a waveform envelope and the YAMNet log-mel spectrogram. */
import type { AudioView } from '@shared/contract';

/** Min/max of each of `columns` equal slices: enough to draw a waveform at that width. */
export function envelope(samples: Float32Array, columns: number): { min: number[]; max: number[] } {
  const n = Math.max(1, Math.min(columns, samples.length));
  const min: number[] = new Array(n);
  const max: number[] = new Array(n);
  for (let c = 0; c < n; c++) {
    const start = Math.floor((c * samples.length) / n);
    const end = Math.max(start + 1, Math.floor(((c + 1) * samples.length) / n));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i < end && i < samples.length; i++) {
      const v = samples[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[c] = Number.isFinite(lo) ? round4(lo) : 0;
    max[c] = Number.isFinite(hi) ? round4(hi) : 0;
  }
  return { min, max };
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

export async function audioView(file: string, columns = 1200): Promise<AudioView> {
  const { decodeAudio, resample } = await import('../../engine/audio');
  const { logMelSpectrogram, frontEndParams } = await import('../../engine/features/logmel');
  const decoded = await decodeAudio(file);
  const params = frontEndParams();
  const at16k =
    decoded.sampleRate === params.sampleRate
      ? decoded.samples
      : await resample(decoded.samples, decoded.sampleRate, params.sampleRate);
  const spec = logMelSpectrogram(at16k);
  return {
    path: file,
    sampleRate: decoded.sampleRate,
    channels: decoded.channels,
    durationSec: decoded.durationSec,
    waveform: envelope(decoded.samples, columns),
    logmel: {
      frames: spec.numFrames,
      bands: spec.bands,
      hopSec: params.hop / params.sampleRate,
      data: Array.from(spec.data, round4),
    },
  };
}
