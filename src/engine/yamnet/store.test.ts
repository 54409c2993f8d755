/**
 * The weights store against a real HTTP server on 127.0.0.1 serving the shared YAMNet files in the
 * TF Hub layout: download with progress, an interrupted download resumed with Range, a checksum
 * mismatch refused, import, status and the YAMNET_WEIGHTS override.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../util/errors';
import { sha256File } from '../util/hash';
import { repoRoot, sharedDir } from '../util/paths';
import { RECONSTRUCTED_SHA256 } from './provenance';
import {
  downloadWeights,
  importWeights,
  resolveWeightsSource,
  slotDir,
  storeDir,
  weightsStatus,
} from './store';
import { kerasYamnetValues, writeKerasH5 } from './testing/fixtures';

const yamnetDir = path.join(sharedDir(), 'models', 'yamnet');
const served = path.join(yamnetDir, 'tfjs-graph-reconstructed');
const available = fs.existsSync(path.join(served, 'model.json'));

interface Behaviour {
  /** Close the connection after this many bytes, on the first request of the file. */
  cutAfter: Map<string, number>;
  /** Serve these files with one byte changed. */
  corrupt: Set<string>;
  /** Extra files served under /extra/. */
  extra: Map<string, Buffer>;
}

const behaviour: Behaviour = { cutAfter: new Map(), corrupt: new Set(), extra: new Map() };
const requests: { file: string; range: string | undefined }[] = [];
let server: http.Server;
let baseUrl: string;
let home: string;
const savedEnv = { ...process.env };

function fileBytes(name: string): Buffer | null {
  const file = name === 'yamnet_class_map.csv' ? path.join(yamnetDir, name) : path.join(served, name);
  if (!fs.existsSync(file)) return null;
  const bytes = fs.readFileSync(file);
  if (behaviour.corrupt.has(name)) bytes[bytes.length - 1] ^= 0xff;
  return bytes;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const pathname = new URL(req.url!, 'http://x').pathname;
    const name = decodeURIComponent(pathname.split('/').pop()!);
    requests.push({ file: name, range: req.headers.range });
    const known = pathname === `/tfjs/${name}` || pathname === '/yamnet_class_map.csv';
    const bytes = known ? fileBytes(name) : (behaviour.extra.get(pathname.replace(/^\/extra\//, '')) ?? null);
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= bytes.length) {
      res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
      return;
    }
    const body = bytes.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'Content-Length': body.length,
      ...(range ? { 'Content-Range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
    });
    const cut = behaviour.cutAfter.get(name);
    if (cut !== undefined) {
      behaviour.cutAfter.delete(name);
      res.write(body.subarray(0, cut), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'yamnet-store-'));
  process.env.SER_WORKBENCH_HOME = home;
  delete process.env.YAMNET_WEIGHTS;
  behaviour.cutAfter.clear();
  behaviour.corrupt.clear();
  behaviour.extra.clear();
  requests.length = 0;
});

afterEach(() => {
  process.env = { ...savedEnv };
  fs.rmSync(home, { recursive: true, force: true });
});

const opts = () => ({ baseUrl: `${baseUrl}/tfjs`, classMapUrl: `${baseUrl}/yamnet_class_map.csv` });

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe.skipIf(!available)('weights download', () => {
  it('downloads, verifies and selects the weights, with progress', async () => {
    const seen = new Map<string, { received: number; total: number | null }>();
    const result = await downloadWeights({ ...opts(), onProgress: (p) => seen.set(p.file, p) });
    expect(result.slot).toBe('tfhub');
    expect(result.provenance.source).toBe('reconstructed');
    for (const f of result.provenance.files) expect(f.sha256).toBe(RECONSTRUCTED_SHA256[f.name]);
    expect(seen.get('group1-shard4of4.bin')).toEqual({
      file: 'group1-shard4of4.bin',
      received: 3_455_404,
      total: 3_455_404,
    });
    expect(fs.existsSync(path.join(storeDir(), 'yamnet_class_map.csv'))).toBe(true);
    expect(fs.readdirSync(storeDir()).filter((f) => f.startsWith('.partial'))).toEqual([]);
    expect(resolveWeightsSource()).toEqual({ path: slotDir('tfhub'), origin: 'store', slot: 'tfhub' });
    const status = await weightsStatus();
    expect(status.selected?.provenance.source).toBe('reconstructed');
    expect(status.installed.map((i) => [i.slot, i.selected])).toEqual([['tfhub', true]]);
    expect(status.classMap).toBe(path.join(storeDir(), 'yamnet_class_map.csv'));
  });

  it('resumes an interrupted download with an HTTP Range request', async () => {
    behaviour.cutAfter.set('group1-shard2of4.bin', 1_000_000);
    const err = await rejection(downloadWeights(opts()));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/interrupted.*run it again to resume/);
    const part = path.join(storeDir(), '.partial-tfhub', 'group1-shard2of4.bin.part');
    const have = fs.statSync(part).size;
    expect(have).toBeGreaterThan(0);
    expect(have).toBeLessThanOrEqual(1_000_000);
    expect(fs.existsSync(slotDir('tfhub'))).toBe(false);

    requests.length = 0;
    const result = await downloadWeights(opts());
    const shard2 = requests.filter((r) => r.file === 'group1-shard2of4.bin');
    expect(shard2).toEqual([{ file: 'group1-shard2of4.bin', range: `bytes=${have}-` }]);
    expect(requests.some((r) => r.file === 'model.json' || r.file === 'group1-shard1of4.bin')).toBe(false);
    expect(await sha256File(path.join(slotDir('tfhub'), 'group1-shard2of4.bin'))).toBe(
      RECONSTRUCTED_SHA256['group1-shard2of4.bin'],
    );
    expect(result.provenance.source).toBe('reconstructed');
  });

  it('refuses a file whose checksum does not match and installs nothing', async () => {
    behaviour.corrupt.add('group1-shard4of4.bin');
    const err = await rejection(downloadWeights(opts()));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain('checksum mismatch');
    expect(fs.existsSync(slotDir('tfhub'))).toBe(false);
    expect(fs.existsSync(path.join(storeDir(), '.partial-tfhub', 'group1-shard4of4.bin.part'))).toBe(false);
    expect(fs.existsSync(path.join(storeDir(), '.partial-tfhub', 'group1-shard4of4.bin'))).toBe(false);
    behaviour.corrupt.add('model.json');
    fs.rmSync(storeDir(), { recursive: true });
    expect((await rejection(downloadWeights(opts()))).message).toMatch(/model\.json.*checksum mismatch/);
  });

  it('downloads a yamnet.h5 (from a mirror, so recorded as user weights)', async () => {
    const file = path.join(home, 'source.h5');
    await writeKerasH5(file, kerasYamnetValues(4));
    behaviour.extra.set('yamnet.h5', fs.readFileSync(file));
    const result = await downloadWeights({ ...opts(), format: 'h5', h5Url: `${baseUrl}/extra/yamnet.h5` });
    expect(result.slot).toBe('keras');
    expect(result.format).toBe('keras-h5');
    expect(result.provenance).toEqual({
      source: 'user',
      files: [{ name: 'yamnet.h5', sha256: await sha256File(file) }],
    });
  });

  it('says so when the server does not have the files', async () => {
    const err = await rejection(downloadWeights({ ...opts(), baseUrl: `${baseUrl}/nothing/here/` }));
    expect(err.message).toMatch(/model\.json.*404/);
  });
});

describe.skipIf(!available)('weights import, status and resolution', () => {
  it('imports a graph folder with its class map', async () => {
    const result = await importWeights(served);
    expect(result.slot).toBe('imported');
    expect(result.provenance.source).toBe('reconstructed');
    expect(fs.existsSync(path.join(slotDir('imported'), 'yamnet_class_map.csv'))).toBe(true);
    expect(resolveWeightsSource().slot).toBe('imported');
  });

  it('imports a yamnet.h5 as user weights and refuses a broken one', async () => {
    const file = path.join(home, 'mine.h5');
    await writeKerasH5(file, kerasYamnetValues(2));
    const result = await importWeights(file);
    expect(result.format).toBe('keras-h5');
    expect(result.provenance).toEqual({
      source: 'user',
      files: [{ name: 'yamnet.h5', sha256: await sha256File(file) }],
    });
    const broken = path.join(home, 'broken.h5');
    await writeKerasH5(broken, kerasYamnetValues(2), { omit: ['dense/kernel'] });
    expect((await rejection(importWeights(broken))).message).toContain('dense/kernel');
    expect((await weightsStatus()).installed.map((i) => i.slot)).toEqual(['imported']);
  });

  it('YAMNET_WEIGHTS overrides the store, and no weights at all is a user error', async () => {
    process.env.YAMNET_WEIGHTS = served;
    expect(resolveWeightsSource()).toEqual({ path: served, origin: 'env' });
    process.env.YAMNET_WEIGHTS = path.join(home, 'nope');
    expect(() => resolveWeightsSource()).toThrow(/YAMNET_WEIGHTS/);
    delete process.env.YAMNET_WEIGHTS;
    process.env.SER_SHARED = path.join(home, 'no-shared');
    expect(() => resolveWeightsSource()).toThrow(/weights download/);
  });

  it('`weights status --json` prints one JSON document', async () => {
    await importWeights(served);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), 'weights', 'status', '--json'],
      {
        env: { ...process.env, SER_WORKBENCH_HOME: home },
      },
    );
    const doc = JSON.parse(stdout);
    expect(doc.selected.origin).toBe('store');
    expect(doc.selected.provenance.source).toBe('reconstructed');
    expect(doc.selected.provenance.files).toHaveLength(5);
  });
});
