/**
 * The server in-process over real HTTP: every handler's answer checked against the contract's
 * response schema on real data (RAVDESS subset), plus the transport's own defences.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedDir } from '../engine/util/paths';
import { writeSampleRun } from '../engine/report/sample-run';
import { servedTest } from '../../test/helpers/served';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const served = servedTest('http', {
  prepare: async ({ tmp, runsDir }) => {
    fs.writeFileSync(path.join(tmp, 'secret.txt'), 'secret');
    await writeSampleRun(path.join(runsDir, 'sample-run'));
  },
});
const { tmp, runsDir, call, ok } = served;

describe('contract over HTTP on real data', () => {
  it('answers every read-only method in the contract shape', async () => {
    expect((await ok('app.info', {})).shell).toBe('browser');
    expect((await ok('settings.get', {})).runsDir).toBe(runsDir);
    const roots = await ok('folders.list', {});
    expect(roots.folders.map((f) => f.path)).toEqual([path.join(sharedDir(), 'data')]);
    const data = await ok('folders.list', { dir: path.join(sharedDir(), 'data') });
    expect(data.parent).toBeNull();
    expect(data.folders.map((f) => f.name)).toContain('ravdess');
    expect((await ok('folders.list', { dir: path.join(ravdess, 'Actor_01') })).audioFiles).toBe(16);
    const ds = await ok('datasets.index', { dir: ravdess });
    expect([ds.numFiles, ds.numSpeakers, ds.corpus]).toEqual([64, 4, 'ravdess']);
    const schema = await ok('config.schema', {});
    expect((schema.defaults as { training: { epochs: number } }).training.epochs).toBe(50);
    const folds = await ok('folds.preview', {
      config: { data: { dir: ravdess }, crossValidation: { scheme: 'loso' } },
    });
    expect(folds.folds).toHaveLength(4);
    const view = await ok('audio.view', { path: ds.files[0].path, columns: 200 });
    expect(view.waveform.min).toHaveLength(200);
    expect(view.logmel.bands).toBe(64);
    expect(view.logmel.data).toHaveLength(view.logmel.frames * 64);
    const runs = await ok('runs.list', {});
    expect(runs.map((r) => [r.id, r.state])).toEqual([['sample-run', 'done']]);
    expect((await ok('runs.get', { id: 'sample-run' })).summary).not.toBeNull();
    expect((await ok('results.table', { id: 'sample-run' })).rows).toHaveLength(24 + 3);
    expect((await ok('report.export', { id: 'sample-run', format: 'csv' })).text).toContain('angry');
    const paper = await ok('results.paper', { id: 'sample-run' });
    expect(paper.table?.rows.map((r) => r.kind)).toContain('paper');
  });

  it('reports invalid configs field by field', async () => {
    const res = await ok('config.validate', { config: { training: { epochs: 0, batchSize: -1 } } });
    expect(res.ok).toBe(false);
    expect(res.issues.map((i) => i.path.join('.')).sort()).toEqual(['training.batchSize', 'training.epochs']);
  });

  it('maps refusals onto status codes', async () => {
    expect((await call('runs.get', { id: '../x' })).status).toBe(400);
    expect((await call('datasets.index', { dir: tmp })).status).toBe(403);
    expect((await call('folders.list', { dir: '/' })).status).toBe(403);
    expect((await call('audio.view', { path: path.join(tmp, 'secret.txt') })).status).toBe(403);
    expect((await call('runs.get', { id: 'no-such-run' })).status).toBe(422);
    expect((await call('dialog.pickFolder', {})).status).toBe(422);
    expect((await call('settings.update', { dataDirs: [tmp] })).status).toBe(422);
    expect((await call('app.info', {}, { origin: 'http://evil.example' })).status).toBe(403);
  });
});

describe('transport defences', () => {
  it('serves the page with a strict CSP and the token cookie, and nothing outside the UI folder', async () => {
    const base = new URL(served.server.url).origin;
    const page = await fetch(served.server.url);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const traversal = await fetch(`${base}/%2e%2e/secret.txt?token=${served.server.token}`);
    expect(traversal.status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const http = await import('node:http');
    const port = new URL(served.server.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: `/?token=${served.server.token}`,
          headers: { host: `evil.example:${port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});
