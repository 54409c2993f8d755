/**
 * The browser transport: the contract over HTTP (POST /api/<method>) and a WebSocket for events,
 * authenticated with the token the page was opened with (kept in sessionStorage, then removed
 * from the address bar so it does not end up in bookmarks or screenshots).
 */
import { WorkbenchCallError, wire, type WorkbenchApi } from '@shared/api';
import { callErrorSchema, type Method, type Req, type Res, type WorkbenchEvent } from '@shared/contract';

const STORAGE_KEY = 'ser-workbench-token';

export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get(wire.tokenQuery);
  if (fromUrl) {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete(wire.tokenQuery);
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(STORAGE_KEY);
}

export function createHttpApi(token: string): WorkbenchApi {
  const listeners = new Set<(e: WorkbenchEvent) => void>();
  let socket: WebSocket | null = null;
  let retry = 500;

  const connect = () => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${window.location.host}${wire.socketPath}`, [
      `${wire.socketProtocolPrefix}${token}`,
    ]);
    socket.onopen = () => {
      retry = 500;
    };
    socket.onmessage = (msg) => {
      let event: WorkbenchEvent;
      try {
        event = JSON.parse(String(msg.data)) as WorkbenchEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    };
    socket.onclose = () => {
      socket = null;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();

  return {
    shell: 'browser',
    async call<M extends Method>(method: M, request: Req<M>): Promise<Res<M>> {
      const res = await fetch(`${wire.apiPrefix}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [wire.tokenHeader]: token },
        body: JSON.stringify(request ?? {}),
      });
      const body = (await res.json().catch(() => null)) as unknown;
      if (res.ok && body && typeof body === 'object' && 'result' in body)
        return (body as { result: Res<M> }).result;
      const parsed = callErrorSchema.safeParse(body);
      throw new WorkbenchCallError(
        parsed.success
          ? parsed.data.error
          : { kind: 'internal', message: `HTTP ${res.status} ${res.statusText}` },
      );
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fileUrl(path: string): string {
      // <audio> cannot send headers: the same-site cookie set with the page authenticates it.
      return `${wire.filePath}?path=${encodeURIComponent(path)}`;
    },
  };
}
