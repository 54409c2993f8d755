import fs from 'node:fs/promises';
import wavefile from 'wavefile';
import { AudioDecodeError } from './errors';
import { firstFrameOffset, FlacHeaderError, isFlac, parseFlacStreamInfo } from './flac-header';
import { bufferReader } from './info';
import type { DecodedAudio, NonFiniteReport } from './types';
import { isWav, parseWavHeader, unsupportedWav, WavHeaderError, WAVE_FORMAT } from './wav-header';
import { wavToMono } from './wav-samples';

export interface DecodeOptions {
  /**
   * Accept a WAV whose data chunk declares more bytes than the file holds, or a FLAC stream
   * that ends early, and return the samples present. Off by default: a cut-off file usually
   * means a broken copy, and silently short audio would skew features.
   */
  allowTruncated?: boolean;
  /**
   * Set NaN and ±Inf samples to zero and list them (DecodedAudio.repairedNonFinite) instead of
   * failing. Off by default: a float WAV holding NaN is a broken file, and a NaN sample turns every
   * log-mel patch it touches, and then the model's loss, into NaN.
   */
  repairNonFinite?: boolean;
}

/** The bytes of an audio file; a missing or unreadable file is an AudioDecodeError naming it. */
export async function readAudioBytes(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AudioDecodeError(file, 'no such file');
    if (code === 'EISDIR') throw new AudioDecodeError(file, 'is a directory, not an audio file');
    throw new AudioDecodeError(file, `cannot read (${code ?? (err as Error).message})`);
  }
}

function decodeWav(file: string, bytes: Uint8Array, opts: DecodeOptions): DecodedAudio {
  let h;
  try {
    h = parseWavHeader(bufferReader(bytes), bytes.length);
  } catch (err) {
    if (err instanceof WavHeaderError) throw new AudioDecodeError(file, err.message);
    throw err;
  }
  if (h.formatTag === WAVE_FORMAT.IMA_ADPCM)
    return decodeImaAdpcm(file, bytes, h.truncated && !opts.allowTruncated);
  const problem = unsupportedWav(h);
  if (problem) throw new AudioDecodeError(file, problem);
  if (h.truncated && !opts.allowTruncated)
    throw new AudioDecodeError(
      file,
      `truncated: the data chunk ends ${bytes.length - h.dataOffset} bytes in, short of its declared size`,
    );
  if (h.dataBytes < h.blockAlign) throw new AudioDecodeError(file, 'no audio samples (empty data chunk)');
  const samples = wavToMono(bytes, h);
  return {
    samples,
    sampleRate: h.sampleRate,
    channels: h.channels,
    durationSec: samples.length / h.sampleRate,
    format: 'wav',
  };
}

/** IMA ADPCM is rare in speech corpora and slow anyway: wavefile expands it to 16-bit PCM. */
function decodeImaAdpcm(file: string, bytes: Uint8Array, truncated: boolean): DecodedAudio {
  if (truncated)
    throw new AudioDecodeError(file, 'truncated: the data chunk is shorter than its declared size');
  let channels: Float64Array[];
  let sampleRate: number;
  try {
    const wav = new wavefile.WaveFile(bytes);
    wav.fromIMAADPCM();
    const fmt = wav.fmt as { numChannels: number; sampleRate: number };
    sampleRate = fmt.sampleRate;
    const s = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
    channels = fmt.numChannels > 1 ? (s as Float64Array[]) : [s as Float64Array];
  } catch (err) {
    throw new AudioDecodeError(file, `IMA ADPCM decoding failed: ${(err as Error).message}`);
  }
  const n = channels[0]?.length ?? 0;
  if (n === 0) throw new AudioDecodeError(file, 'no audio samples (empty data chunk)');
  const samples = new Float32Array(n);
  for (const c of channels) for (let i = 0; i < n; i++) samples[i] += c[i] / 32768 / channels.length;
  return { samples, sampleRate, channels: channels.length, durationSec: n / sampleRate, format: 'wav' };
}

type FlacDecoderInstance = InstanceType<typeof import('@wasm-audio-decoders/flac').FLACDecoder>;
let flacDecoder: Promise<FlacDecoderInstance> | null = null;
let flacQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs fn on one shared decoder, one file at a time: a new WASM instance per file costs
 * about as much as decoding a short utterance. decodeFile resets the decoder when it is done;
 * after a failure the instance is dropped and a fresh one made.
 */
function withFlacDecoder<T>(fn: (d: FlacDecoderInstance) => Promise<T>): Promise<T> {
  const run = flacQueue.then(async () => {
    flacDecoder ??= import('@wasm-audio-decoders/flac').then(async ({ FLACDecoder }) => {
      const d = new FLACDecoder();
      await d.ready;
      return d;
    });
    const d = await flacDecoder;
    try {
      return await fn(d);
    } catch (err) {
      flacDecoder = null;
      d.free();
      throw err;
    }
  });
  flacQueue = run.catch(() => undefined);
  return run;
}

/**
 * The stream plus a copy of its first frame header (at most 16 bytes). The decoder's frame
 * parser (codec-parser 2.5) only ends a frame where it finds the next frame header, and at end
 * of input it glues the last frame onto the one before, so the last frame's samples are lost
 * (e.g. 163 840 of 166 567). A header after the last frame lets it be cut off correctly; the
 * copied header itself fails its frame CRC and is dropped.
 */
function withTrailingFrameHeader(bytes: Uint8Array, streamOffset: number): Uint8Array {
  const stream = bytes.subarray(streamOffset);
  const first = firstFrameOffset(bytes, streamOffset);
  if (first === null || first + 16 > bytes.length) return stream;
  const out = new Uint8Array(stream.length + 16);
  out.set(stream);
  out.set(bytes.subarray(first, first + 16), stream.length);
  return out;
}

async function decodeFlac(file: string, bytes: Uint8Array, opts: DecodeOptions): Promise<DecodedAudio> {
  let info;
  try {
    info = parseFlacStreamInfo(bufferReader(bytes));
  } catch (err) {
    if (err instanceof FlacHeaderError) throw new AudioDecodeError(file, err.message);
    throw err;
  }
  let decoded;
  try {
    decoded = await withFlacDecoder((d) => d.decodeFile(withTrailingFrameHeader(bytes, info.streamOffset)));
  } catch (err) {
    throw new AudioDecodeError(file, `FLAC decoding failed: ${(err as Error).message ?? err}`);
  }
  const { channelData, samplesDecoded, errors } = decoded;
  if (!samplesDecoded || channelData.length === 0) {
    const why = errors.length ? ` (${errors[0].message})` : '';
    const promised = info.totalFrames > 0 ? `, the header promises ${info.totalFrames}` : '';
    throw new AudioDecodeError(file, `truncated or corrupt: no complete FLAC frame decoded${promised}${why}`);
  }
  const short = info.totalFrames > 0 && samplesDecoded < info.totalFrames;
  if ((short || errors.length) && !opts.allowTruncated) {
    const why = short
      ? `truncated: ${samplesDecoded} of ${info.totalFrames} samples decoded`
      : 'corrupt frames';
    throw new AudioDecodeError(file, errors.length ? `${why} (${errors[0].message})` : why);
  }
  const samples = new Float32Array(samplesDecoded);
  const ch = channelData.length;
  for (const data of channelData) for (let i = 0; i < samplesDecoded; i++) samples[i] += data[i];
  // The decoder scales by 1/(2^(b-1) - 1); rescale to 1/2^(b-1) so FLAC matches its WAV exactly.
  const full = 2 ** (decoded.bitDepth - 1);
  const scale = (full - 1) / full / ch;
  for (let i = 0; i < samplesDecoded; i++) samples[i] *= scale;
  return {
    samples,
    sampleRate: decoded.sampleRate,
    channels: ch,
    durationSec: samplesDecoded / decoded.sampleRate,
    format: 'flac',
  };
}

/** Decodes WAV or FLAC bytes (already read) to mono float32; `file` only names errors. */
export async function decodeAudioBytes(
  file: string,
  bytes: Uint8Array,
  opts: DecodeOptions = {},
): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new AudioDecodeError(file, 'empty file');
  const reader = bufferReader(bytes);
  const head = reader(0, 4);
  const tag = Buffer.from(head).toString('latin1');
  let audio: DecodedAudio;
  if (isWav(reader(0, 12)) || tag === 'RIFF' || tag === 'RIFX' || tag === 'RF64')
    audio = decodeWav(file, bytes, opts);
  else if (isFlac(reader)) audio = await decodeFlac(file, bytes, opts);
  else throw new AudioDecodeError(file, 'not a WAV or FLAC file');
  return checkFinite(file, audio, opts);
}

/** Frames holding NaN or ±Inf (any channel's NaN/Inf survives the channel mean), or null. */
export function findNonFinite(samples: Float32Array): NonFiniteReport | null {
  let count = 0;
  const first: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    // x - x is 0 for every finite x and NaN for NaN and ±Inf: one cheap test per sample.
    if (samples[i] - samples[i] !== 0) {
      count++;
      if (first.length < 10) first.push(i);
    }
  }
  return count ? { count, first } : null;
}

/** The decoded audio, or an error naming the first bad frame; with repairNonFinite, zeroed and listed. */
function checkFinite(file: string, audio: DecodedAudio, opts: DecodeOptions): DecodedAudio {
  const bad = findNonFinite(audio.samples);
  if (!bad) return audio;
  if (!opts.repairNonFinite) {
    const what = Number.isNaN(audio.samples[bad.first[0]]) ? 'NaN' : 'infinite';
    throw new AudioDecodeError(
      file,
      `${bad.count} non-finite sample(s) (NaN or Inf); the first, ${what}, at sample ${bad.first[0]} ` +
        `(--repair-nonfinite sets them to zero)`,
    );
  }
  for (let i = 0; i < audio.samples.length; i++)
    if (audio.samples[i] - audio.samples[i] !== 0) audio.samples[i] = 0;
  return { ...audio, repairedNonFinite: bad };
}

/**
 * Decodes a WAV (PCM 8/16/24/32-bit, float 32/64, A-law, mu-law, WAVE_FORMAT_EXTENSIBLE) or
 * FLAC file to mono float32 at its own sample rate, averaging all channels. Every failure is an
 * AudioDecodeError naming the file and the problem.
 */
export async function decodeAudio(file: string, opts: DecodeOptions = {}): Promise<DecodedAudio> {
  return decodeAudioBytes(file, await readAudioBytes(file), opts);
}
