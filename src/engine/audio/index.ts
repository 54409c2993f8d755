import { decodeAudio, decodeAudioBytes, type DecodeOptions } from './decode';
import { resample, TARGET_RATE, type ResampleMethod } from './resample';

export { AudioDecodeError } from './errors';
export { readAudioInfo } from './info';
export { decodeAudio, decodeAudioBytes, findNonFinite, readAudioBytes, type DecodeOptions } from './decode';
export {
  resample,
  RESAMPLE_METHODS,
  DEFAULT_RESAMPLE_METHOD,
  TARGET_RATE,
  type ResampleMethod,
} from './resample';
export { resamplePolyphase, type PolyphaseOptions } from './polyphase';
export type { AudioFormat, AudioInfo, DecodedAudio, NonFiniteReport } from './types';

export interface LoadOptions extends DecodeOptions {
  resampler?: ResampleMethod;
}

/** Decodes any supported file to mono float32 at 16 kHz, the front end's input. */
export async function loadMono16k(file: string, opts: LoadOptions = {}): Promise<Float32Array> {
  const audio = await decodeAudio(file, opts);
  return resample(audio.samples, audio.sampleRate, TARGET_RATE, opts.resampler);
}

/** As loadMono16k, for bytes already in memory (the feature cache hashes them first). */
export async function bytesToMono16k(file: string, bytes: Uint8Array, opts: LoadOptions = {}) {
  const audio = await decodeAudioBytes(file, bytes, opts);
  return { audio, samples16k: await resample(audio.samples, audio.sampleRate, TARGET_RATE, opts.resampler) };
}
