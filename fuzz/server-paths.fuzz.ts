/**
 * Path probes against the served mode: the real server (in this process, port 0, a private data
 * home) asked over HTTP for generated paths (`..`, `%2e%2e`, double encoding, NUL, unicode,
 * symlinks that lead out, a symlink loop) at every endpoint that reaches a file: `GET /file`, the
 * static files, and the API methods taking a path, a folder, a corpus in a config or a run id.
 *
 * A failure is a 2xx answer for a path whose real location is outside the permitted folders, any
 * answer carrying the content of a file outside them, or a 5xx (an unhandled error).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { writeSampleRun } from '../src/engine/report/sample-run';
import { Rng } from '../src/engine/util/rng';
import { startServer } from '../src/server/http';
import type { JobLauncher } from '../src/app/jobs';
import { SettingsStore } from '../src/app/settings';
import type { FuzzModule } from './types';

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.next() * xs.length)];
}

/** Where `p` really is (symlinks resolved), or null when nothing is there. */
function realOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** `s` as written into a URL: `%` sequences left for the server to decode, the rest made legal. */
function rawUrlPart(s: string): string {
  return s.replace(/[^\x21-\x7e]|[#&?+]/gu, (c) => encodeURIComponent(c));
}

interface Reply {
  status: number;
  body: string;
}

function request(
  port: number,
  method: string,
  rawPath: string,
  headers: Record<string, string>,
  body?: string,
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: rawPath, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Builds the folders the server may and may not open; every file outside holds `secret`. */
async function layout(workDir: string, secret: string) {
  const data = path.join(workDir, 'data');
  const corpus = path.join(data, 'corpus');
  const runsDir = path.join(workDir, 'runs');
  const outside = path.join(workDir, 'outside');
  const home = path.join(workDir, 'home');
  const staticDir = path.join(workDir, 'static');
  for (const d of [corpus, runsDir, outside, home, staticDir]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(corpus, 'a.wav'), 'RIFF0000WAVE');
  fs.writeFileSync(path.join(corpus, 'ünï cødé.wav'), 'RIFF0000WAVE');
  fs.writeFileSync(path.join(outside, 'secret.wav'), secret);
  fs.writeFileSync(path.join(outside, 'secret.txt'), secret);
  fs.writeFileSync(path.join(workDir, 'secret.txt'), secret);
  fs.writeFileSync(path.join(home, 'settings.json'), JSON.stringify({ note: secret }));
  fs.symlinkSync(path.join(outside, 'secret.wav'), path.join(corpus, 'link-out.wav'));
  fs.symlinkSync(outside, path.join(corpus, 'dir-out'));
  fs.symlinkSync(path.join(outside, 'gone.wav'), path.join(corpus, 'dangling.wav'));
  fs.symlinkSync(path.join(corpus, 'loop-b'), path.join(corpus, 'loop-a'));
  fs.symlinkSync(path.join(corpus, 'loop-a'), path.join(corpus, 'loop-b'));
  fs.symlinkSync(path.join(corpus, 'a.wav'), path.join(corpus, 'link-in.wav'));
  await writeSampleRun(path.join(runsDir, 'sample-run'));
  await writeSampleRun(path.join(outside, 'foreign-run'));
  // A foreign run whose content is recognisable if it ever comes back.
  fs.writeFileSync(
    path.join(outside, 'foreign-run', 'status.json'),
    JSON.stringify({ state: 'done', error: secret }),
  );
  fs.symlinkSync(path.join(outside, 'foreign-run'), path.join(runsDir, 'linked-run'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  fs.writeFileSync(path.join(staticDir, 'app.js'), 'console.log(1)');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(staticDir, 'leak.js'));
  return { data, corpus, runsDir, outside, home, staticDir };
}

const SEGMENTS = [
  '..',
  '.',
  '',
  '%2e%2e',
  '%2e',
  '%252e%252e',
  '..%2f..',
  '%2e%2e%2f',
  '..\\..',
  '\0',
  '%00',
  'a.wav',
  'ünï cødé.wav',
  '%C3%BC',
  '\u202e',
  'link-out.wav',
  'link-in.wav',
  'dir-out',
  'dangling.wav',
  'loop-a',
  'secret.wav',
  'secret.txt',
  'corpus',
  'data',
  'outside',
  'runs',
  'sample-run',
  'linked-run',
  'foreign-run',
  'config.json',
  'summary.json',
  'settings.json',
  'home',
  'etc',
  'passwd',
];

export const fuzz: FuzzModule = async ({ long, seed, workDir, log }) => {
  const rng = new Rng(seed);
  const secret = `SECRET-${seed}-${Math.floor(rng.next() * 1e9)}`;
  const dirs = await layout(workDir, secret);
  const previousHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = dirs.home;
  const refuseJobs: JobLauncher = () => {
    throw new Error('no run may start in a path probe');
  };
  const server = await startServer({
    staticDir: dirs.staticDir,
    settings: new SettingsStore({ sessionDataDirs: [dirs.data], runsDir: dirs.runsDir }),
    launcher: refuseJobs,
  });
  const roots = [dirs.data, dirs.runsDir].map((r) => fs.realpathSync(r));
  const permitted = (p: string): boolean => {
    if (!path.isAbsolute(p) || p.includes('\0')) return false;
    const real = realOrNull(p);
    return real !== null && roots.some((r) => inside(r, real));
  };
  const bases = [
    dirs.data,
    dirs.corpus,
    dirs.runsDir,
    dirs.outside,
    dirs.home,
    dirs.staticDir,
    workDir,
    '/',
    '',
  ];
  const generated = () => {
    const parts = Array.from({ length: 1 + Math.floor(rng.next() * 5) }, () => pick(rng, SEGMENTS));
    return [pick(rng, bases), ...parts].join(pick(rng, ['/', '/', '/', '//', '/./']));
  };

  const probes = long ? 1200 : 150;
  const failures: string[] = [];
  const auth = { 'x-ser-workbench-token': server.token };
  let tried = 0;
  try {
    // Every probe kind on each known trap first, then generated paths.
    const c = dirs.corpus;
    const traps = [
      path.join(c, 'link-out.wav'),
      path.join(c, 'dir-out', 'secret.wav'),
      path.join(c, 'dir-out'),
      path.join(c, 'dangling.wav'),
      path.join(c, 'loop-a'),
      path.join(c, 'loop-a', 'x.wav'),
      `${c}/../../outside/secret.wav`,
      `${c}/%2e%2e/%2e%2e/outside/secret.wav`,
      `${c}/%252e%252e/%252e%252e/outside/secret.wav`,
      `${c}/a.wav\0/../../../outside/secret.wav`,
      path.join(c, 'ünï cødé.wav'),
      `${dirs.data}/../secret.txt`,
      path.join(dirs.runsDir, 'linked-run'),
      `${dirs.runsDir}/sample-run/../../outside/secret.txt`,
      path.join(dirs.home, 'settings.json'),
      '/etc/passwd',
      'corpus/a.wav',
      dirs.corpus,
    ];
    const KINDS = 7;
    const fixed = traps.length * KINDS;
    for (let i = 0; i < fixed + probes; i++) {
      const target = i < fixed ? traps[Math.floor(i / KINDS)] : generated();
      const kind = i < fixed ? i % KINDS : Math.floor(rng.next() * KINDS);
      let what: string;
      let reply: Reply;
      // Whether a 2xx would be right: the path (as the server reads it) is really inside.
      let allowed: boolean;
      if (kind === 0) {
        // GET /file: the path sent encoded once (server sees it as is), raw, or encoded twice.
        const enc = Math.floor(rng.next() * 3);
        const q =
          enc === 0
            ? encodeURIComponent(target)
            : enc === 1
              ? rawUrlPart(target)
              : encodeURIComponent(encodeURIComponent(target));
        const raw = `/file?path=${q}&token=${server.token}`;
        const seen = new URL(`http://x${raw}`).searchParams.get('path') ?? '';
        what = `GET ${raw.replace(server.token, 'TOKEN')}`;
        reply = await request(server.port, 'GET', raw, {});
        allowed = permitted(seen);
      } else if (kind === 1) {
        // Static files: a raw path below '/', never normalised by a client.
        const rel = target.replace(/^\/+/, '');
        const raw = `/${rng.next() < 0.5 ? rawUrlPart(rel) : encodeURI(rel)}?token=${server.token}`;
        what = `GET ${raw.replace(server.token, 'TOKEN')}`;
        reply = await request(server.port, 'GET', raw, {});
        allowed = false;
        if (reply.status >= 200 && reply.status < 300) {
          const served = [path.join(dirs.staticDir, 'index.html'), path.join(dirs.staticDir, 'app.js')].map(
            (f) => fs.readFileSync(f, 'utf8'),
          );
          allowed = served.includes(reply.body);
        }
      } else {
        const method = pick(rng, [
          'audio.view',
          'datasets.index',
          'folders.list',
          'folds.preview',
          'runs.start',
          'run-id',
        ]);
        let body: unknown;
        let apiMethod = method;
        if (method === 'audio.view') body = { path: target };
        else if (method === 'datasets.index' || method === 'folders.list') body = { dir: target };
        else if (method === 'folds.preview' || method === 'runs.start')
          body = { config: { data: { dir: target } } };
        else {
          apiMethod = pick(rng, [
            'runs.get',
            'runs.resume',
            'results.table',
            'results.paper',
            'report.export',
          ]);
          const id = target.split('/').filter(Boolean).slice(-1)[0] ?? '..';
          body = apiMethod === 'report.export' ? { id, format: 'json' } : { id };
        }
        what = `POST /api/${apiMethod} ${JSON.stringify(body)}`;
        reply = await request(server.port, 'POST', `/api/${apiMethod}`, auth, JSON.stringify(body));
        allowed =
          method === 'run-id'
            ? permitted(path.join(dirs.runsDir, (body as { id: string }).id)) &&
              path.dirname(path.join(dirs.runsDir, (body as { id: string }).id)) === dirs.runsDir
            : permitted(target);
      }
      tried++;
      const ok = reply.status >= 200 && reply.status < 300;
      if (ok && !allowed)
        failures.push(`#${i} ${what}: ${reply.status} for a path outside the permitted folders`);
      if (reply.body.includes(secret)) failures.push(`#${i} ${what}: the answer holds a file from outside`);
      if (reply.status >= 500) failures.push(`#${i} ${what}: ${reply.status} ${reply.body.slice(0, 200)}`);
    }
  } finally {
    await server.close();
    if (previousHome === undefined) delete process.env.SER_WORKBENCH_HOME;
    else process.env.SER_WORKBENCH_HOME = previousHome;
  }
  log(`server paths: ${tried} probes over /file, static files and the path-taking API methods`);
  return { name: 'server-paths', tried, failures };
};
