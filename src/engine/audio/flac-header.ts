/**
 * FLAC STREAMINFO parsing (the first metadata block, always present), for header-only info.
 *
 * Layout: optional ID3v2 tag, "fLaC", then metadata blocks <1 bit last, 7 bits type,
 * 24-bit length>. STREAMINFO (type 0, 34 bytes) packs, big-endian: min/max block size (16+16),
 * min/max frame size (24+24), sample rate (20), channels-1 (3), bits-1 (5), total samples (36), MD5.
 */
import type { ReadAt } from './wav-header';

export interface FlacStreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 when the encoder did not know the length. */
  totalFrames: number;
  /** Offset of "fLaC" (after any ID3v2 tag). */
  streamOffset: number;
}

export class FlacHeaderError extends Error {}

/** Length of a leading ID3v2 tag (some tools prepend one to FLAC), or 0. */
export function id3Length(head: Uint8Array): number {
  if (head.length < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return 0;
  const size =
    ((head[6] & 0x7f) << 21) | ((head[7] & 0x7f) << 14) | ((head[8] & 0x7f) << 7) | (head[9] & 0x7f);
  const footer = head[5] & 0x10 ? 10 : 0;
  return 10 + size + footer;
}

function isMagic(b: Uint8Array, at = 0): boolean {
  return (
    b.length >= at + 4 && b[at] === 0x66 && b[at + 1] === 0x4c && b[at + 2] === 0x61 && b[at + 3] === 0x43
  );
}

/** True when the bytes (after any ID3v2 tag) start a FLAC stream. */
export function isFlac(readAt: ReadAt): boolean {
  return isMagic(readAt(id3Length(readAt(0, 10)), 4));
}

export function parseFlacStreamInfo(readAt: ReadAt): FlacStreamInfo {
  const streamOffset = id3Length(readAt(0, 10));
  const b = readAt(streamOffset, 4 + 4 + 34);
  if (!isMagic(b)) throw new FlacHeaderError('not a FLAC stream (no "fLaC" marker)');
  if (b.length < 42) throw new FlacHeaderError('file ends inside the STREAMINFO block');
  if ((b[4] & 0x7f) !== 0) throw new FlacHeaderError('first metadata block is not STREAMINFO');
  const s = 8; // STREAMINFO body
  const sampleRate = (b[s + 10] << 12) | (b[s + 11] << 4) | (b[s + 12] >> 4);
  const channels = ((b[s + 12] >> 1) & 0x07) + 1;
  const bitsPerSample = (((b[s + 12] & 0x01) << 4) | (b[s + 13] >> 4)) + 1;
  const totalFrames =
    (b[s + 13] & 0x0f) * 2 ** 32 +
    ((b[s + 14] << 24) >>> 0) +
    (b[s + 15] << 16) +
    (b[s + 16] << 8) +
    b[s + 17];
  if (sampleRate === 0) throw new FlacHeaderError('STREAMINFO declares a sample rate of 0');
  return { sampleRate, channels, bitsPerSample, totalFrames, streamOffset };
}

/**
 * Offset of the first audio frame: after "fLaC" and every metadata block (each block header
 * is 1 bit "last", 7 bits type, 24 bits length). Null when the metadata runs past the end.
 */
export function firstFrameOffset(bytes: Uint8Array, streamOffset: number): number | null {
  let pos = streamOffset + 4;
  for (;;) {
    if (pos + 4 > bytes.length) return null;
    const last = (bytes[pos] & 0x80) !== 0;
    pos += 4 + ((bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3]);
    if (last) return pos <= bytes.length ? pos : null;
  }
}
