/**
 * Served mode over real HTTP: run ids are names of run folders (never `.` or `..`), `GET /file`
 * only answers our own page, and a symlink leaving a data folder is refused by name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSampleRun } from '../engine/report/sample-run';
import { CallFailure, dispatch } from '../app/dispatch';
import { handlers } from '../app/handlers';
import type { JobLauncher } from '../app/jobs';
import { servedTest } from '../../test/helpers/served';

let launched = 0;
const launcher: JobLauncher = () => {
  launched += 1;
  throw new Error('no job may start in this test');
};
// The data folder holds the runs folder, as when --data-dir is the data home: `..` of a run is data.
const served = servedTest('served', {
  dataDirs: (tmp) => [path.join(tmp, 'data')],
  runsDir: (tmp) => path.join(tmp, 'data', 'runs'),
  launcher,
  // Runs in beforeAll, when `data` and `outside` below are set.
  prepare: async () => {
    fs.mkdirSync(path.join(data, 'corpus'), { recursive: true });
    fs.writeFileSync(path.join(data, 'corpus', 'a.wav'), 'RIFF');
    fs.writeFileSync(path.join(data, 'config.json'), '{}');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.wav'), 'secret');
    fs.symlinkSync(path.join(outside, 'secret.wav'), path.join(data, 'corpus', 'link.wav'));
    await writeSampleRun(path.join(runsDir, 'sample-run'));
    await writeSampleRun(path.join(outside, 'foreign-run'));
    fs.symlinkSync(path.join(outside, 'foreign-run'), path.join(runsDir, 'linked-run'));
    fs.mkdirSync(path.join(runsDir, 'not-a-run'));
  },
});
const { tmp, runsDir } = served;
const data = path.join(tmp, 'data');
const outside = path.join(tmp, 'outside');
const api = served.call;

async function file(target: string, headers: Record<string, string> = {}) {
  const url = `${new URL(served.server.url).origin}/file?path=${encodeURIComponent(target)}&token=${served.server.token}`;
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text() };
}

describe('run ids', () => {
  it('refuses . and .. for every run method, over HTTP and at the handler', async () => {
    for (const method of ['runs.get', 'runs.resume', 'results.table', 'report.export']) {
      for (const id of ['.', '..']) {
        const body = method === 'report.export' ? { id, format: 'md' } : { id };
        const r = await api(method, body);
        expect(r.status, `${method} ${id}`).toBe(400);
      }
    }
    // Past the contract too (a transport that skipped it): the handler itself refuses.
    for (const method of ['runs.get', 'runs.resume'] as const) {
      const err = await handlers[method]({ id: '..' }, served.server.context).catch((e: Error) => e);
      expect((err as Error).message).toBe(`'..' is not a run id (the name of a run folder in ${runsDir})`);
    }
    expect(launched).toBe(0);
  });

  it('answers only for run folders inside the runs folder', async () => {
    expect((await api('runs.get', { id: 'sample-run' })).status).toBe(200);
    const notRun = await api('runs.get', { id: 'not-a-run' });
    expect(notRun).toMatchObject({
      status: 422,
      body: { error: { message: `no run 'not-a-run' in ${runsDir}` } },
    });
    const linked = await api('runs.get', { id: 'linked-run' });
    expect(linked.status).toBe(403);
    expect(linked.body.error?.message).toContain(`${path.join(runsDir, 'linked-run')} is a symbolic link to`);
    const resume = await dispatch(handlers, 'runs.resume', { id: 'linked-run' }, served.server.context).catch(
      (e: CallFailure) => e.error,
    );
    expect(resume).toMatchObject({ kind: 'forbidden' });
    expect(launched).toBe(0);
  });
});

describe('GET /file', () => {
  const wav = path.join(data, 'corpus', 'a.wav');
  const origin = () => new URL(served.server.url).origin;

  it('serves a permitted file to our own page or a direct open', async () => {
    expect((await file(wav)).status).toBe(200);
    expect((await file(wav, { 'sec-fetch-site': 'same-origin', origin: origin() })).status).toBe(200);
    expect((await file(wav, { 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it("refuses other sites' pages, including another port on this host", async () => {
    expect((await file(wav, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await file(wav, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await file(wav, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
  });

  it('refuses a symlink leaving the data folder, naming the link', async () => {
    const link = path.join(data, 'corpus', 'link.wav');
    const r = await file(link);
    expect(r.status).toBe(403);
    expect(r.text).toMatch(
      new RegExp(
        `^${link.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is a symbolic link to .*secret\\.wav, outside`,
      ),
    );
    expect((await api('audio.view', { path: link })).status).toBe(403);
  });
});

describe('cross-corpus configs', () => {
  it('refuse a further corpus outside the data folders for runs, submissions and the fold preview', async () => {
    const config = {
      data: { dir: path.join(data, 'corpus') },
      crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: outside } },
    };
    for (const method of ['runs.start', 'runs.submit', 'folds.preview']) {
      const r = await api(method, { config });
      expect(r.status, method).toBe(403);
      expect(r.body.error?.message, method).toContain(`${outside} is outside the folders`);
    }
    expect(launched).toBe(0);
  });
});
