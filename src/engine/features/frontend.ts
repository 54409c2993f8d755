import { bytesToMono16k, DEFAULT_RESAMPLE_METHOD, type NonFiniteReport, type ResampleMethod } from '../audio';
import {
  frontEndParams,
  waveformToPatches,
  type FrontEndOptions,
  type FrontEndParams,
  type Patches,
} from './logmel';

export interface ExtractOptions extends FrontEndOptions {
  /** How non-16 kHz audio is brought to 16 kHz (default polyphase, see audio/resample.ts). */
  resampler?: ResampleMethod;
  /**
   * Zero NaN/Inf samples instead of failing (see DecodeOptions). Not a feature parameter: a file
   * without them gives the same patches either way, and one with them only has patches when set.
   */
  repairNonFinite?: boolean;
}

/** Patches of one file plus what the source was. */
export interface FileFeatures {
  patches: Patches;
  /** The source file's own sample rate (before resampling). */
  sampleRate: number;
  channels: number;
  /** Duration of the source audio (before padding). */
  durationSec: number;
  params: FeatureParams;
  /** Non-finite samples zeroed on the way (only with repairNonFinite). */
  repairedNonFinite?: NonFiniteReport;
}

/** Front-end parameters plus the resampler: everything that decides the numbers. */
export type FeatureParams = FrontEndParams & { resampler: ResampleMethod };

export function featureParams(opts: ExtractOptions = {}): FeatureParams {
  return { ...frontEndParams(opts), resampler: opts.resampler ?? DEFAULT_RESAMPLE_METHOD };
}

/** Decode, resample to 16 kHz and compute the log-mel patches of file bytes already read. */
export async function extractFromBytes(
  file: string,
  bytes: Uint8Array,
  opts: ExtractOptions = {},
): Promise<FileFeatures> {
  const params = featureParams(opts);
  const { audio, samples16k } = await bytesToMono16k(file, bytes, {
    resampler: params.resampler,
    repairNonFinite: opts.repairNonFinite,
  });
  return {
    ...(audio.repairedNonFinite ? { repairedNonFinite: audio.repairedNonFinite } : {}),
    patches: waveformToPatches(samples16k, { form: params.form, patchHopSec: opts.patchHopSec }),
    sampleRate: audio.sampleRate,
    channels: audio.channels,
    durationSec: audio.durationSec,
    params,
  };
}
