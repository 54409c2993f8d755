import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileError } from './errors';
import { ensureWritableDir } from './writable-dir';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-writable-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ensureWritableDir', () => {
  it('creates missing parents one by one and leaves nothing else behind', () => {
    const dir = path.join(tmp, 'a', 'b', 'c');
    expect(ensureWritableDir(dir, 'runs folder')).toBe(dir);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(ensureWritableDir(dir, 'runs folder')).toBe(dir);
  });

  it('a path through a file is a FileError naming the path and the component', () => {
    fs.writeFileSync(path.join(tmp, 'plain'), 'x');
    const err = (() => {
      try {
        ensureWritableDir(path.join(tmp, 'plain', 'runs'), 'runs folder (--out)');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(FileError);
    expect((err as Error).message).toBe(
      `${path.join(tmp, 'plain', 'runs')}: runs folder (--out): ${path.join(tmp, 'plain')} is not a folder`,
    );
    expect(() => ensureWritableDir(path.join(tmp, 'plain'), 'data folder')).toThrow(/is not a folder/);
  });

  it('/proc/x fails at once instead of looping (Node recursive mkdir never returns there)', () => {
    const started = Date.now();
    expect(() => ensureWritableDir('/proc/x/y', 'runs folder (--out)')).toThrow(
      '/proc/x/y: runs folder (--out): cannot create /proc/x (ENOENT)',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a folder that exists but cannot be written is refused (read-only /proc/self)', () => {
    expect(() => ensureWritableDir('/proc/self', 'runs folder')).toThrow(/cannot write in it/);
  });
});
