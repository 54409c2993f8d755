/**
 * One HTTP(S) file download that survives interruption: bytes go to `<dest>.part`; a later call
 * asks for the rest with `Range: bytes=<have>-` and appends when the server answers 206 (a 200
 * means the server ignored the range, so it starts over). The finished file is checked (size,
 * sha256) before it is renamed into place, so `dest` only ever holds a verified file.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors';

export interface DownloadProgress {
  file: string;
  received: number;
  /** Expected total, when known. */
  total: number | null;
}

export interface DownloadOptions {
  expectedSha256?: string;
  expectedBytes?: number;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** Bytes already in `.part` that a Range request kept (0 for a fresh download). */
  resumedFrom: number;
}

async function hashOf(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function downloadFile(
  url: string,
  dest: string,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  const part = `${dest}.part`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  let have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  if (opts.expectedBytes !== undefined && have > opts.expectedBytes) {
    fs.rmSync(part);
    have = 0;
  }
  const name = path.basename(dest);
  let response: Response;
  try {
    response = await fetch(url, {
      headers: have > 0 ? { Range: `bytes=${have}-` } : {},
      signal: opts.signal,
      redirect: 'follow',
    });
  } catch (err) {
    throw new UserError(`cannot download ${url}: ${(err as Error).cause ?? (err as Error).message}`);
  }
  let resumedFrom = 0;
  if (response.status === 206 && have > 0) {
    const start = /bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1];
    if (Number(start) !== have)
      throw new UserError(`${url}: the server resumed at byte ${start}, not ${have}`);
    resumedFrom = have;
  } else if (response.status === 416 && have > 0 && have === opts.expectedBytes) {
    // Everything is already here; the server has nothing after the last byte.
    resumedFrom = have;
  } else if (response.ok) {
    have = 0;
  } else {
    throw new UserError(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const length = Number(response.headers.get('content-length'));
  const total =
    opts.expectedBytes ?? (Number.isFinite(length) && response.status !== 416 ? resumedFrom + length : null);
  if (response.status !== 416 && response.body) {
    const out = fs.createWriteStream(part, { flags: resumedFrom > 0 ? 'a' : 'w' });
    let received = resumedFrom;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve));
        received += chunk.length;
        opts.onProgress?.({ file: name, received, total });
      }
    } catch (err) {
      await new Promise<void>((resolve) => out.end(resolve));
      throw new UserError(
        `download of ${url} was interrupted after ${received} bytes (${(err as Error).message}); run it again to resume`,
      );
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
  }
  const bytes = fs.statSync(part).size;
  if (opts.expectedBytes !== undefined && bytes !== opts.expectedBytes) {
    if (bytes > opts.expectedBytes) fs.rmSync(part);
    throw new UserError(
      `${url}: received ${bytes} bytes, expected ${opts.expectedBytes}; run it again to resume`,
    );
  }
  const sha256 = await hashOf(part);
  if (opts.expectedSha256 && sha256 !== opts.expectedSha256) {
    fs.rmSync(part);
    throw new UserError(
      `${url}: checksum mismatch (sha256 ${sha256}, expected ${opts.expectedSha256}); the file was discarded`,
    );
  }
  fs.renameSync(part, dest);
  return { bytes, sha256, resumedFrom };
}
