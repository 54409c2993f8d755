/**
 * Served mode in process for tests: the real server over real HTTP on a private temp folder (its
 * own data home, runs folder and static page), and calls to its API with the session's token.
 * `servedTest` registers the vitest hooks that start the server and remove the folder after.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { methods, type Method, type Res } from '../../src/shared/contract';
import { sharedDir } from '../../src/engine/util/paths';
import { startServer, type RunningServer } from '../../src/server/http';
import { SettingsStore } from '../../src/app/settings';
import type { JobLauncher } from '../../src/app/jobs';

export interface ApiAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests check the answers field by field
  body: { result?: any; error?: { kind: string; message: string } };
}

export interface ServedTest {
  /** The test's own folder (removed after the file's tests). */
  readonly tmp: string;
  readonly runsDir: string;
  /** The data home (SER_WORKBENCH_HOME) of the file's tests: TMP/home. */
  readonly home: string;
  /** Set once the file's beforeAll has run. */
  readonly server: RunningServer;
  /** POST /api/METHOD with the token (and any extra headers), the answer as it came. */
  call(method: Method | string, body: unknown, headers?: Record<string, string>): Promise<ApiAnswer>;
  /** A call that must succeed: no error, 200, and a result the contract's response schema parses. */
  ok<M extends Method>(method: M, body: unknown): Promise<Res<M>>;
}

export interface ServedOptions {
  /** The data folders the session may read (default: the shared corpora folder). */
  dataDirs?: (tmp: string) => string[];
  /** Where the runs live (default: TMP/runs). */
  runsDir?: (tmp: string) => string;
  /** Files the test needs before the server starts (runs, corpora, sweeps). */
  prepare?: (dirs: { tmp: string; runsDir: string }) => void | Promise<void>;
  /** Served mode's job launcher; by default a job start is an error. */
  launcher?: JobLauncher;
}

const noJobs: JobLauncher = () => {
  throw new Error('no jobs in this test');
};

export function servedTest(name: string, options: ServedOptions = {}): ServedTest {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `serwb-${name}-`));
  const runsDir = options.runsDir?.(tmp) ?? path.join(tmp, 'runs');
  const home = path.join(tmp, 'home');
  let server: RunningServer | undefined;

  beforeAll(async () => {
    process.env.SER_WORKBENCH_HOME = home;
    await options.prepare?.({ tmp, runsDir });
    const staticDir = path.join(tmp, 'static');
    fs.mkdirSync(staticDir);
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    server = await startServer({
      staticDir,
      settings: new SettingsStore({
        sessionDataDirs: options.dataDirs?.(tmp) ?? [path.join(sharedDir(), 'data')],
        runsDir,
      }),
      launcher: options.launcher ?? noJobs,
    });
  });
  afterAll(async () => {
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const running = (): RunningServer => {
    if (!server) throw new Error('the served-mode server has not started (call servedTest at module level)');
    return server;
  };
  const call = async (method: string, body: unknown, headers: Record<string, string> = {}) => {
    const s = running();
    const res = await fetch(`${new URL(s.url).origin}/api/${method}`, {
      method: 'POST',
      headers: { 'x-ser-workbench-token': s.token, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as ApiAnswer['body'] };
  };
  return {
    tmp,
    runsDir,
    home,
    get server() {
      return running();
    },
    call,
    async ok<M extends Method>(method: M, body: unknown): Promise<Res<M>> {
      const res = await call(method, body);
      expect(res.body.error, `${method}: ${res.body.error?.message}`).toBeUndefined();
      expect(res.status).toBe(200);
      // Strict: the contract's schema, not a loose look at a few fields.
      return methods[method].response.parse(res.body.result) as Res<M>;
    },
  };
}
