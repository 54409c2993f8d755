import fs from 'node:fs';
import { AudioDecodeError } from './errors';
import { FlacHeaderError, isFlac, parseFlacStreamInfo } from './flac-header';
import type { AudioInfo } from './types';
import {
  isWav,
  parseWavHeader,
  unsupportedWav,
  WavHeaderError,
  WAVE_FORMAT,
  type ReadAt,
  type WavHeader,
} from './wav-header';

/** A ReadAt over an open file descriptor: header parsing reads only the bytes it needs. */
function fdReader(fd: number): ReadAt {
  return (position, length) => {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, position);
    return n === length ? buf : buf.subarray(0, n);
  };
}

/** A ReadAt over bytes already in memory. */
export function bufferReader(bytes: Uint8Array): ReadAt {
  return (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length));
}

/** Opens a file for reading, turning fs errors into AudioDecodeError. */
function openOrThrow(file: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AudioDecodeError(file, code === 'ENOENT' ? 'no such file' : `cannot open (${code ?? err})`);
  }
  const stat = fs.fstatSync(fd);
  if (stat.isDirectory()) {
    fs.closeSync(fd);
    throw new AudioDecodeError(file, 'is a directory, not an audio file');
  }
  return { fd, size: stat.size };
}

/** IMA ADPCM (an estimate: decoders differ on the last block): 1 + (blockAlign − 4·ch)·2/ch frames per block. */
function imaFrames(h: WavHeader): number {
  const perBlock = 1 + ((h.blockAlign - 4 * h.channels) * 2) / h.channels;
  return Math.floor(h.dataBytes / h.blockAlign) * perBlock;
}

/** Header-derived info of in-memory audio bytes (WAV or FLAC). */
export function infoFromReader(file: string, readAt: ReadAt, size: number): AudioInfo {
  if (size === 0) throw new AudioDecodeError(file, 'empty file');
  try {
    if (isWav(readAt(0, 12)) || ['RIFX', 'RF64'].includes(Buffer.from(readAt(0, 4)).toString('latin1'))) {
      const h = parseWavHeader(readAt, size);
      const problem = h.formatTag === WAVE_FORMAT.IMA_ADPCM ? null : unsupportedWav(h);
      if (problem) throw new AudioDecodeError(file, problem);
      if (h.truncated)
        throw new AudioDecodeError(file, 'truncated: the data chunk is shorter than its declared size');
      const frames =
        h.formatTag === WAVE_FORMAT.IMA_ADPCM ? imaFrames(h) : Math.floor(h.dataBytes / h.blockAlign);
      return {
        format: 'wav',
        sampleRate: h.sampleRate,
        channels: h.channels,
        frames,
        durationSec: frames / h.sampleRate,
        bitsPerSample: h.bitsPerSample,
        sampleType: h.formatTag === WAVE_FORMAT.IEEE_FLOAT ? 'float' : 'int',
      };
    }
    if (isFlac(readAt)) {
      const s = parseFlacStreamInfo(readAt);
      return {
        format: 'flac',
        sampleRate: s.sampleRate,
        channels: s.channels,
        frames: s.totalFrames,
        durationSec: s.totalFrames / s.sampleRate,
        bitsPerSample: s.bitsPerSample,
        sampleType: 'int',
      };
    }
  } catch (err) {
    if (err instanceof WavHeaderError || err instanceof FlacHeaderError)
      throw new AudioDecodeError(file, err.message);
    throw err;
  }
  throw new AudioDecodeError(file, 'not a WAV or FLAC file');
}

/**
 * Sample rate, channels, duration and format from the header alone (a few hundred bytes read),
 * for indexing corpora without decoding them. FLAC files whose encoder did not record the
 * length report 0 frames.
 */
export async function readAudioInfo(file: string): Promise<AudioInfo> {
  const { fd, size } = openOrThrow(file);
  try {
    return infoFromReader(file, fdReader(fd), size);
  } finally {
    fs.closeSync(fd);
  }
}
