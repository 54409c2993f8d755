import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileError } from './errors';
import { sha256Buffer, sha256File, sha256Json, stableStringify } from './hash';

describe('hash', () => {
  it('sha256 of known input', () => {
    expect(sha256Buffer('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Buffer(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });

  it('sha256File streams a file and agrees with sha256Buffer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-hash-'));
    const file = path.join(dir, 'x.bin');
    const bytes = Buffer.alloc(3_000_000, 7);
    fs.writeFileSync(file, bytes);
    expect(await sha256File(file)).toBe(sha256Buffer(bytes));
    await expect(sha256File(path.join(dir, 'missing'))).rejects.toBeInstanceOf(FileError);
    fs.rmSync(dir, { recursive: true });
  });

  it('sha256Json ignores key order at every depth, keeps array order', () => {
    expect(sha256Json({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(
      sha256Json({ b: { d: 'x', c: [1, 2] }, a: 1 }),
    );
    expect(sha256Json({ a: [1, 2] })).not.toBe(sha256Json({ a: [2, 1] }));
    expect(stableStringify({ b: 1, a: undefined, c: { z: 1, y: 2 } })).toBe('{"b":1,"c":{"y":2,"z":1}}');
  });
});
