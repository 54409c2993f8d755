/** Shared e2e helpers: a real `serve` child process, Debian's Chromium, image checks. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot, sharedDir } from '../src/engine/util/paths';
import { sharedWeightsDir } from '../src/engine/yamnet/source';

export const artifactsDir = path.join(repoRoot, 'e2e-artifacts');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface Served {
  url: string;
  base: string;
  token: string;
  home: string;
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `ser-workbench serve --port 0` with a fresh data home; resolves with the printed URL. */
export async function startServe(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-e2e-'));
  const child = spawn(
    process.execPath,
    [
      path.join(repoRoot, 'bin', 'ser-workbench.mjs'),
      'serve',
      '--port',
      '0',
      '--data-dir',
      path.join(sharedDir(), 'data'),
      ...extraArgs,
    ],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        SER_WORKBENCH_HOME: home,
        YAMNET_WEIGHTS: process.env.YAMNET_WEIGHTS ?? sharedWeightsDir(),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 60 s:\n${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\?token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${err}`));
    });
  });
  const u = new URL(url);
  return {
    url,
    base: u.origin,
    token: u.searchParams.get('token')!,
    home,
    child,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A frozen-mode run config of two epochs (wasm), for the views that open a trained run. */
export const frozenRunConfig = (name: string) => ({
  name,
  model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
  training: { epochs: 2, batchSize: 16 },
  backend: 'wasm',
});

/**
 * Trains a run through the real CLI (`run CONFIG --data DATA --json`) into the served session's
 * data home, so the server lists it; `config` is written there as NAME.json. Resolves with the
 * run folder.
 */
export async function trainByCli(
  served: Served,
  name: string,
  config: object,
  data: string,
): Promise<string> {
  const file = path.join(served.home, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(config));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), 'run', file, '--data', data, '--json'],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        SER_WORKBENCH_HOME: served.home,
        YAMNET_WEIGHTS: process.env.YAMNET_WEIGHTS ?? sharedWeightsDir(),
      },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return (JSON.parse(stdout) as { runDir: string }).runDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** One contract call over HTTP with the served token; a contract error is thrown with its message. */
export async function callApi(served: Served, method: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${served.base}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ser-workbench-token': served.token },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (json.result === undefined) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
  return json.result;
}

/**
 * A page at the size the layout is designed for (1440×900 unless told), whose script errors and
 * console errors are collected in `problems` for the test to assert empty.
 */
export async function openPage(
  browser: Browser,
  problems: string[],
  viewport = { width: 1440, height: 900 },
): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  // The browser's console line for a failed request names no URL: record which call it was and why.
  page.on('response', (r) => {
    if (r.status() >= 400)
      void r.text().then((body) => problems.push(`HTTP ${r.status()} ${r.url().split('?')[0]}: ${body}`));
  });
  return page;
}

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
export function pngSize(bytes: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) throw new Error('not a PNG (bad signature)');
  if (bytes.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG (no IHDR first)');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Width and height attributes of an SVG document's root element. */
export function svgSize(text: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(text)?.[0];
  if (!root) throw new Error('not an SVG (no <svg> element)');
  const attr = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)(px)?"`).exec(root)?.[1] ?? NaN);
  return { width: attr('width'), height: attr('height') };
}

/**
 * Waits for the Experiment view's fold matrix; on timeout, fails with what the form showed instead
 * (the folds card's text and the config's problems), so a CI log says why no preview came.
 */
export async function waitForFoldMatrix(page: Page, timeout = 60_000): Promise<void> {
  try {
    await page.waitForSelector('[data-test="fold-matrix"]', { timeout });
  } catch (err) {
    const card = await page.textContent('[data-test="folds-card"]').catch(() => null);
    const invalid = await page
      .getAttribute('[data-test="config-invalid"]', 'title', { timeout: 1000 })
      .catch(() => null);
    throw new Error(
      `no fold matrix within ${timeout} ms; folds card: ${JSON.stringify(card?.trim() ?? null)}; ` +
        `config problems: ${JSON.stringify(invalid)}`,
      { cause: err },
    );
  }
}
