/**
 * Served mode: the built renderer and the contract over HTTP (POST /api/<method>) and a
 * WebSocket (/events), bound to loopback by default. Every request needs the session token,
 * as Jupyter does: the page gets it from the URL once, then sends it as a header (API), as a
 * WebSocket subprotocol (events) or, for <audio> and static files, via a same-site cookie.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { wire } from '@shared/api';
import type { WorkbenchEvent } from '@shared/contract';
import { dispatch, toCallError, type CallFailure } from '../app/dispatch';
import { handlers } from '../app/handlers';
import { permitted, type WorkbenchContext } from '../app/context';
import { JobManager, type JobLauncher } from '../app/jobs';
import { TaskPool, forkTaskSpawner, type TaskSpawner } from '../app/tasks';
import type { SettingsStore } from '../app/settings';
import { contentSecurityPolicy } from '../app/csp';
import { permittedPath } from '../app/access';

export interface ServeOptions {
  host?: string;
  port?: number;
  /** The built renderer (out/renderer). */
  staticDir: string;
  settings: SettingsStore;
  launcher: JobLauncher;
  /** Starts task workers for heavy requests; child processes by default. */
  taskSpawner?: TaskSpawner;
  /** Fixed token (tests); random otherwise. */
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  context: WorkbenchContext;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.txt': 'text/plain; charset=utf-8',
};

const STATUS: Record<string, number> = { invalid: 400, forbidden: 403, user: 422, internal: 500 };
const MAX_BODY = 64 * 1024 * 1024;

function sameToken(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function cookieToken(req: http.IncomingMessage): string | null {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === wire.tokenCookie) return decodeURIComponent(v.join('='));
  }
  return null;
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function sendError(res: http.ServerResponse, status: number, kind: string, message: string): void {
  send(res, status, JSON.stringify({ error: { kind, message } }), 'application/json');
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Streams a file, honouring a single byte Range (audio elements seek with it). */
function sendFile(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  file: string,
  headers: Record<string, string> = {},
): void {
  const stat = fs.statSync(file);
  const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const base = {
    'content-type': type,
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    ...headers,
  };
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, stat.size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), stat.size - 1) : stat.size - 1;
    if (start > end || start >= stat.size) {
      res.writeHead(416, { 'content-range': `bytes */${stat.size}` });
      res.end();
      return;
    }
    res.writeHead(206, {
      ...base,
      'content-range': `bytes ${start}-${end}/${stat.size}`,
      'content-length': String(end - start + 1),
    });
    fs.createReadStream(file, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { ...base, 'content-length': String(stat.size) });
  fs.createReadStream(file).pipe(res);
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? crypto.randomBytes(24).toString('hex');
  const sockets = new Set<WebSocket>();
  const broadcast = (event: WorkbenchEvent) => {
    const text = JSON.stringify(event);
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  };
  const context: WorkbenchContext = {
    shell: 'browser',
    settings: opts.settings,
    jobs: new JobManager(opts.launcher, broadcast),
    tasks: new TaskPool(opts.taskSpawner ?? forkTaskSpawner),
    dialogs: null,
    emit: broadcast,
  };
  const staticRoot = path.resolve(opts.staticDir);
  let port = 0;

  /** Host header check against DNS rebinding: only the names this server was reached by. */
  const hostAllowed = (req: http.IncomingMessage): boolean => {
    if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') return true;
    const h = (req.headers.host ?? '').toLowerCase();
    return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(h);
  };
  /** Browsers send Origin on cross-site requests: only our own origin may call the API. */
  const originAllowed = (req: http.IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (!origin) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };

  /**
   * Fetch metadata, where the browser sends it: a file may be fetched by our own page
   * (same-origin) or opened directly (none), never by another site's page, including another
   * port on localhost (same-site).
   */
  const fetchSiteAllowed = (req: http.IncomingMessage): boolean => {
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };

  const server = http.createServer(async (req, res) => {
    try {
      if (!hostAllowed(req)) return send(res, 403, 'forbidden host');
      const url = new URL(req.url ?? '/', 'http://localhost');
      const queryToken = url.searchParams.get(wire.tokenQuery);

      if (url.pathname.startsWith(wire.apiPrefix)) {
        if (!sameToken(token, req.headers[wire.tokenHeader] as string | undefined)) {
          return sendError(res, 401, 'forbidden', 'missing or wrong token');
        }
        if (req.method !== 'POST') return sendError(res, 405, 'invalid', 'use POST');
        if (!originAllowed(req)) return sendError(res, 403, 'forbidden', 'cross-origin request refused');
        const method = decodeURIComponent(url.pathname.slice(wire.apiPrefix.length));
        let body: unknown;
        try {
          const text = await readBody(req);
          body = text ? JSON.parse(text) : {};
        } catch (err) {
          return sendError(res, 400, 'invalid', (err as Error).message);
        }
        try {
          const result = await dispatch(handlers, method, body, context);
          return send(res, 200, JSON.stringify({ result }), 'application/json');
        } catch (err) {
          const error = (err as CallFailure).error ?? toCallError(err);
          return send(res, STATUS[error.kind] ?? 500, JSON.stringify({ error }), 'application/json');
        }
      }

      const hasToken = sameToken(token, queryToken) || sameToken(token, cookieToken(req));
      if (!hasToken) {
        return send(
          res,
          401,
          'This workbench needs its token: open the URL that `ser-workbench serve` printed.\n',
        );
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');

      if (url.pathname === wire.filePath) {
        // The cookie rides along on requests other sites' pages make: only our own page may fetch.
        if (!originAllowed(req) || !fetchSiteAllowed(req))
          return send(res, 403, 'cross-site request refused');
        const target = url.searchParams.get('path') ?? '';
        let file: string;
        try {
          file = permitted(context, target);
        } catch (err) {
          return send(res, 403, (err as Error).message);
        }
        if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return send(res, 404, 'no such file');
        return sendFile(req, res, file, { 'cache-control': 'no-store' });
      }

      let file: string;
      try {
        const rel =
          url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
        file = permittedPath([staticRoot], path.resolve(staticRoot, rel));
      } catch {
        return send(res, 404, 'not found');
      }
      if (file === staticRoot || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        return send(res, 404, 'not found');
      }
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      if (file.endsWith('.html')) {
        headers['content-security-policy'] = contentSecurityPolicy({ connect: [`ws://${req.headers.host}`] });
        headers['x-frame-options'] = 'DENY';
        headers['referrer-policy'] = 'no-referrer';
        // The page keeps the token; the cookie lets its own static files and <audio> load.
        headers['set-cookie'] = `${wire.tokenCookie}=${token}; Path=/; HttpOnly; SameSite=Strict`;
      }
      return sendFile(req, res, file, headers);
    } catch (err) {
      if (!res.headersSent) send(res, 500, (err as Error).message);
      else res.destroy();
    }
  });

  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => {
      for (const p of protocols) if (p.startsWith(wire.socketProtocolPrefix)) return p;
      return false;
    },
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .find((p) => p.startsWith(wire.socketProtocolPrefix));
    const given = offered?.slice(wire.socketProtocolPrefix.length);
    const refuse = (status: number, text: string) => {
      socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== wire.socketPath) return refuse(404, 'Not Found');
    if (!hostAllowed(req) || !originAllowed(req)) return refuse(403, 'Forbidden');
    if (!sameToken(token, given)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?${wire.tokenQuery}=${token}`,
    port,
    token,
    context,
    close: async () => {
      context.jobs.shutdown();
      context.tasks.shutdown();
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
