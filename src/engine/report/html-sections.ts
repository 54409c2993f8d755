/**
 * The parts of a run's HTML report that come from its folder rather than its summary: training
 * curves as static inline SVG (per fold: training loss, validation loss and validation UAR per
 * epoch, from history.json) and the config and environment as readable name/value tables.
 */
import fs from 'node:fs';
import path from 'node:path';
import { foldDir } from '../runs/store';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Epoch {
  epoch: number;
  trainLoss: number;
  valLoss: number | null;
  valAverageAccuracy: number | null;
}

/** One fold's curves as a small SVG line chart (two panels: loss; validation UAR). */
export function curvesSvg(fold: number, epochs: Epoch[], bestEpoch?: number): string {
  const w = 320;
  const h = 150;
  const left = 40;
  const top = 24;
  const pw = w - left - 10;
  const ph = h - top - 28;
  const n = Math.max(2, epochs.length);
  const x = (e: number) => left + ((e - 1) / (n - 1)) * pw;
  const losses = epochs.flatMap((e) => [e.trainLoss, e.valLoss ?? NaN]).filter(Number.isFinite);
  const maxLoss = Math.max(1e-9, ...losses);
  const yLoss = (v: number) => top + ph - (v / maxLoss) * ph;
  const yUar = (v: number) => top + ph - v * ph;
  const line = (pts: [number, number][], colour: string, dash = '') =>
    pts.length === 0
      ? ''
      : `<polyline fill="none" stroke="${colour}" stroke-width="1.6"${dash ? ` stroke-dasharray="${dash}"` : ''} points="${pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`;
  const defined = <K extends keyof Epoch>(k: K) =>
    epochs.filter((e) => typeof e[k] === 'number' && Number.isFinite(e[k] as number));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="10" role="img" aria-label="fold ${fold + 1} training curves">`,
    `<rect width="${w}" height="${h}" fill="#fff"/>`,
    `<text x="${left}" y="12" font-weight="600">fold ${fold + 1}${bestEpoch ? ` (best epoch ${bestEpoch})` : ''}</text>`,
    `<line x1="${left}" y1="${top + ph}" x2="${left + pw}" y2="${top + ph}" stroke="#999"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + ph}" stroke="#999"/>`,
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end">${maxLoss.toFixed(2)}</text>`,
    `<text x="${left - 4}" y="${top + ph}" text-anchor="end">0</text>`,
    `<text x="${left + pw}" y="${top + ph + 12}" text-anchor="end">epoch ${epochs.length}</text>`,
    line(
      defined('trainLoss').map((e) => [x(e.epoch), yLoss(e.trainLoss)]),
      '#d94f4f',
    ),
    line(
      defined('valLoss').map((e) => [x(e.epoch), yLoss(e.valLoss!)]),
      '#e6a23c',
      '4 2',
    ),
    line(
      defined('valAverageAccuracy').map((e) => [x(e.epoch), yUar(e.valAverageAccuracy!)]),
      '#1f4fc4',
    ),
    bestEpoch
      ? `<line x1="${x(bestEpoch)}" y1="${top}" x2="${x(bestEpoch)}" y2="${top + ph}" stroke="#5aa469" stroke-dasharray="2 2"/>`
      : '',
    `<text x="${left}" y="${h - 4}"><tspan fill="#d94f4f">train loss</tspan> <tspan fill="#e6a23c">val loss</tspan> <tspan fill="#1f4fc4">val UAR (0–1)</tspan></text>`,
    '</svg>',
  ];
  return parts.filter(Boolean).join('\n');
}

/** The curves section of a run folder, or '' when no fold has a history (baselines). */
export function curvesSection(runDir: string, folds: number[]): string {
  const figures = folds.flatMap((f) => {
    const file = path.join(foldDir(runDir, f), 'history.json');
    if (!fs.existsSync(file)) return [];
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as { bestEpoch?: number; epochs?: Epoch[] };
    if (!h.epochs?.length) return [];
    return [`<figure>${curvesSvg(f, h.epochs, h.bestEpoch)}</figure>`];
  });
  if (figures.length === 0) return '';
  return `<section id="curves"><h2>Training curves</h2>\n${figures.join('\n')}\n<p class="note">Per fold and epoch: training loss, validation loss (dashed) and validation UAR; the green line marks the epoch whose weights were kept (best validation UAR).</p></section>`;
}

/** Leaf values of a JSON document as dotted names. */
function leaves(value: unknown, prefix = ''): [string, string][] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return [[prefix, text.length > 400 ? `${text.slice(0, 400)}…` : text]];
}

/** A name/value table section of a JSON document ('' when absent). */
export function jsonTableSection(id: string, title: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  const rows = leaves(value)
    .map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td class="text">${esc(v)}</td></tr>`)
    .join('\n');
  return `<section id="${id}"><h2>${esc(title)}</h2>\n<table><tbody>\n${rows}\n</tbody></table></section>`;
}
