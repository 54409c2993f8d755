/**
 * Served-mode latencies a researcher feels: one contract call over real HTTP for the Datasets
 * view (index of the RAVDESS subset, cached after the first), one file's waveform + log-mel,
 * a fold preview; and the size of the built renderer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot, sharedDir } from '../src/engine/util/paths';

type BenchRow = { group: string; name: string; value: number; unit: string; note?: string };

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

export async function bench(): Promise<BenchRow[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-bench-ui-'));
  const previousHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = tmp;
  const staticDir = path.join(tmp, 'static');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html>');
  const { startServer } = await import('../src/server/http');
  const { SettingsStore } = await import('../src/app/settings');
  const server = await startServer({
    staticDir,
    settings: new SettingsStore({ sessionDataDirs: [path.join(sharedDir(), 'data')] }),
    launcher: () => {
      throw new Error('no jobs in this benchmark');
    },
  });
  const base = new URL(server.url).origin;
  const call = async (method: string, body: unknown) => {
    const res = await fetch(`${base}/api/${method}`, {
      method: 'POST',
      headers: { 'x-ser-workbench-token': server.token },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${method}: ${text}`);
    return text;
  };
  const ravdess = path.join(sharedDir(), 'data', 'ravdess');
  const rows: BenchRow[] = [];
  try {
    const [, first] = await timed(() => call('datasets.index', { dir: ravdess }));
    const [indexText, again] = await timed(() => call('datasets.index', { dir: ravdess }));
    rows.push({ group: 'ui', name: 'datasets.index RAVDESS (64 files), first', value: first, unit: 'ms' });
    rows.push({ group: 'ui', name: 'datasets.index RAVDESS, cached', value: again, unit: 'ms' });
    const file = (JSON.parse(indexText) as { result: { files: { path: string }[] } }).result.files[0].path;
    await call('audio.view', { path: file });
    const [viewText, view] = await timed(() => call('audio.view', { path: file }));
    rows.push({ group: 'ui', name: 'audio.view (waveform + log-mel, 48 kHz file)', value: view, unit: 'ms' });
    rows.push({ group: 'ui', name: 'audio.view response size', value: viewText.length / 1024, unit: 'KiB' });
    const [, folds] = await timed(() => call('folds.preview', { config: { data: { dir: ravdess } } }));
    rows.push({ group: 'ui', name: 'folds.preview LOSO, 4 speakers', value: folds, unit: 'ms' });
  } finally {
    await server.close();
    if (previousHome === undefined) delete process.env.SER_WORKBENCH_HOME;
    else process.env.SER_WORKBENCH_HOME = previousHome;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const assets = path.join(repoRoot, 'out', 'renderer', 'assets');
  if (fs.existsSync(assets)) {
    const bytes = fs.readdirSync(assets).reduce((s, f) => s + fs.statSync(path.join(assets, f)).size, 0);
    rows.push({
      group: 'ui',
      name: 'built renderer assets',
      value: bytes / 1024 / 1024,
      unit: 'MiB',
      note: 'plotly.js is most of it',
    });
  }
  return rows;
}
