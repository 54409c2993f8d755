import fs from 'node:fs';
import path from 'node:path';
import { failpoint } from './failpoint';

/**
 * Write a file so that a reader (or a crash) never sees half of it: write a sibling temp file,
 * fsync it, then rename over the target (rename is atomic within a file system).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  failpoint(`write:${path.basename(file)}:before-rename`);
  fs.renameSync(tmp, file);
  failpoint(`write:${path.basename(file)}:after-rename`);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}
