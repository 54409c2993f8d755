/**
 * What the renderer talks to. The Electron preload exposes exactly this object as
 * `window.serWorkbench`; in the browser the HTTP/WebSocket client implements the same interface.
 */
import type { CallError, Method, Req, Res, WorkbenchEvent } from './contract';

export interface WorkbenchApi {
  call<M extends Method>(method: M, request: Req<M>): Promise<Res<M>>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  /** A URL the page can load a permitted local file from (audio playback). */
  fileUrl(path: string): string;
  readonly shell: 'electron' | 'browser';
}

/** The error both transports reject with, carrying the contract's error kind. */
export class WorkbenchCallError extends Error {
  readonly kind: CallError['kind'];
  readonly issues: CallError['issues'];
  constructor(error: CallError) {
    super(error.message);
    this.name = 'WorkbenchCallError';
    this.kind = error.kind;
    this.issues = error.issues;
  }
}

/** Wire names shared by the server and the browser client. */
export const wire = {
  apiPrefix: '/api/',
  socketPath: '/events',
  filePath: '/file',
  tokenHeader: 'x-ser-workbench-token',
  tokenQuery: 'token',
  /** The WebSocket carries the token as its subprotocol: `<prefix><token>`. */
  socketProtocolPrefix: 'ser-workbench.',
  tokenCookie: 'ser_workbench_token',
  /** Electron: the IPC channels and the privileged scheme for local media. */
  ipcCall: 'ser-workbench:call',
  ipcEvent: 'ser-workbench:event',
  mediaScheme: 'ser-media',
} as const;

/** A call's outcome as it crosses the Electron bridge (class instances do not survive it). */
export type CallEnvelope<T> = { result: T } | { error: CallError };

/** What the preload exposes through contextBridge; the renderer wraps it into a WorkbenchApi. */
export interface BridgeApi {
  call<M extends Method>(method: M, request: Req<M>): Promise<CallEnvelope<Res<M>>>;
  onEvent(listener: (event: WorkbenchEvent) => void): () => void;
  fileUrl(path: string): string;
  readonly shell: 'electron';
}

export function apiFromBridge(bridge: BridgeApi): WorkbenchApi {
  return {
    shell: 'electron',
    async call(method, request) {
      // Requests are JSON by contract; a copy also unwraps Vue's reactive proxies, which the
      // bridge's structured clone refuses.
      const envelope = await bridge.call(method, JSON.parse(JSON.stringify(request)) as typeof request);
      if ('error' in envelope) throw new WorkbenchCallError(envelope.error);
      return envelope.result;
    },
    onEvent: (listener) => bridge.onEvent(listener),
    fileUrl: (path) => bridge.fileUrl(path),
  };
}
