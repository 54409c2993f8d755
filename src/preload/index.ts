/**
 * The preload exposes one object, `window.serWorkbench`, and nothing else: a typed `call` over
 * the contract, event subscription, and URLs for permitted local media.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { wire, type BridgeApi, type CallEnvelope } from '@shared/api';
import type { Method, Req, Res, WorkbenchEvent } from '@shared/contract';

const api: BridgeApi = {
  shell: 'electron',
  call<M extends Method>(method: M, request: Req<M>): Promise<CallEnvelope<Res<M>>> {
    return ipcRenderer.invoke(wire.ipcCall, method, request) as Promise<CallEnvelope<Res<M>>>;
  },
  onEvent(listener: (event: WorkbenchEvent) => void): () => void {
    // The IPC event object (with its sender) never reaches the page: only the payload.
    const wrapped = (_e: IpcRendererEvent, payload: WorkbenchEvent) => listener(payload);
    ipcRenderer.on(wire.ipcEvent, wrapped);
    return () => {
      ipcRenderer.removeListener(wire.ipcEvent, wrapped);
    };
  },
  fileUrl(path: string): string {
    return `${wire.mediaScheme}://file/?path=${encodeURIComponent(path)}`;
  },
};

contextBridge.exposeInMainWorld('serWorkbench', api);
