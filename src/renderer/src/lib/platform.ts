/**
 * What differs between the shells besides the transport: native dialogs in Electron, a
 * download or a file input in the browser. Views call these and never check the shell.
 */
import { getApi } from '../transport';

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Saves through the native save dialog, or as a browser download. Returns where (or the name). */
export async function saveFile(
  name: string,
  content: string | Uint8Array,
  mime: string,
): Promise<string | null> {
  const api = getApi();
  if (api.shell === 'electron') {
    const res = await api.call('dialog.saveFile', {
      suggestedName: name,
      content: typeof content === 'string' ? content : toBase64(content),
      encoding: typeof content === 'string' ? 'utf8' : 'base64',
    });
    return res.path;
  }
  const blob = new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

/** A folder from the native dialog; null in the browser (the user types a path there). */
export async function pickFolder(title: string): Promise<string | null> {
  const api = getApi();
  if (api.shell !== 'electron') return null;
  return (await api.call('dialog.pickFolder', { title })).path;
}

export function canPickFolder(): boolean {
  return getApi().shell === 'electron';
}

/** A text file the user picks (native dialog, or a file input in the browser). */
export async function openTextFile(extensions: string[]): Promise<{ name: string; content: string } | null> {
  const api = getApi();
  if (api.shell === 'electron') {
    const res = await api.call('dialog.openFile', { extensions });
    return res.path && res.content !== null ? { name: res.path, content: res.content } : null;
  }
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = extensions.map((e) => `.${e}`).join(',');
    input.onchange = async () => {
      const file = input.files?.[0];
      resolve(file ? { name: file.name, content: await file.text() } : null);
    };
    input.click();
  });
}

export function dataUrlToBytes(dataUrl: string): Uint8Array {
  const base64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const bin = atob(base64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
