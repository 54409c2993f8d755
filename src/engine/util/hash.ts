import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { FileError } from './errors';

/** Hex sha256 of a whole file, streamed so large corpora files never sit in memory twice. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new FileError(
      file,
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return hash.digest('hex');
}

/** Hex sha256 of bytes already in memory. */
export function sha256Buffer(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * JSON with object keys sorted at every depth, so equal values always hash equally whatever
 * order their keys were written in. `undefined` members are dropped, as JSON.stringify does.
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const json = (value as { toJSON?: () => unknown }).toJSON;
      return typeof json === 'function' ? sortKeys(json.call(value)) : value;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Hex sha256 of a JSON value with stable key order (config and parameter fingerprints). */
export function sha256Json(value: unknown): string {
  return sha256Buffer(stableStringify(value));
}
