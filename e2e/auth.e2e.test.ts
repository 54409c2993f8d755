/** Served mode refuses every request and socket without the token (real HTTP, a real WebSocket). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { launchChromium, startServe, type Served } from './support';

let served: Served;
beforeAll(async () => {
  served = await startServe();
});
afterAll(async () => {
  await served?.stop();
});

function wsStatus(url: string, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('served mode token', () => {
  it('binds to loopback and prints a URL with a long random token', () => {
    expect(served.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('refuses the page, static files, the API and local files without the token', async () => {
    expect((await fetch(`${served.base}/`)).status).toBe(401);
    expect((await fetch(`${served.base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${served.base}/index.html`)).status).toBe(401);
    expect((await fetch(`${served.base}/api/app.info`, { method: 'POST', body: '{}' })).status).toBe(401);
    const wrong = await fetch(`${served.base}/api/app.info`, {
      method: 'POST',
      headers: { 'x-ser-workbench-token': 'f'.repeat(48) },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
    // A token in the query is not enough for the API (it must come as a header).
    expect(
      (await fetch(`${served.base}/api/app.info?token=${served.token}`, { method: 'POST', body: '{}' }))
        .status,
    ).toBe(401);
    expect((await fetch(`${served.base}/file?path=${encodeURIComponent('/etc/hostname')}`)).status).toBe(401);
  });

  it('answers with the token, and still refuses files outside the data folders', async () => {
    const ok = await fetch(`${served.base}/api/app.info`, {
      method: 'POST',
      headers: { 'x-ser-workbench-token': served.token },
      body: '{}',
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { result: { shell: string } }).result.shell).toBe('browser');
    const outside = await fetch(
      `${served.base}/file?path=${encodeURIComponent('/etc/hostname')}&token=${served.token}`,
    );
    expect(outside.status).toBe(403);
    const viaApi = await fetch(`${served.base}/api/audio.view`, {
      method: 'POST',
      headers: { 'x-ser-workbench-token': served.token },
      body: JSON.stringify({ path: '/etc/hostname' }),
    });
    expect(viaApi.status).toBe(403);
  });

  it('refuses WebSockets without the token or with a wrong one, accepts the right one', async () => {
    const ws = served.base.replace('http', 'ws') + '/events';
    expect(await wsStatus(ws, [])).toBe(401);
    expect(await wsStatus(ws, ['ser-workbench.' + '0'.repeat(48)])).toBe(401);
    expect(await wsStatus(`${ws}?token=${served.token}`, [])).toBe(401);
    expect(await wsStatus(ws, ['ser-workbench.' + served.token])).toBe(101);
  });

  it('shows a browser without the token a refusal, not the app', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const res = await page.goto(`${served.base}/`);
      expect(res?.status()).toBe(401);
      expect(await page.textContent('body')).toContain('needs its token');
    } finally {
      await browser.close();
    }
  });
});
