/** The self-contained HTML report of one run: tables and figures (inline SVG), no external files. */
import type { ResultsTable, RunDetail } from '@shared/contract';

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const pct = (v: number | null) => (v === null ? '–' : (v * 100).toFixed(1));

export function tableHtml(table: ResultsTable): string {
  const head = `<tr><th></th>${table.classes.map((c) => `<th>${esc(c)}</th>`).join('')}<th>Average</th></tr>`;
  const rows = table.rows
    .map(
      (r) =>
        `<tr class="${r.kind}"><td>${esc(r.label)}</td>${r.perClass.map((v) => `<td>${pct(v)}</td>`).join('')}<td>${pct(r.average)}</td></tr>`,
    )
    .join('\n');
  return `<table><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

export function reportHtml(
  detail: RunDetail,
  table: ResultsTable,
  figures: { title: string; svg: string }[],
): string {
  const info = detail.info;
  const figs = figures
    .map((f) => `<figure><figcaption>${esc(f.title)}</figcaption>${f.svg}</figure>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(info.name)} — ser-workbench report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;color:#1d2330}
table{border-collapse:collapse;margin:1rem 0}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:right}
td:first-child,th:first-child{text-align:left}tr.pooled td,tr.mean td,tr.sd td{font-weight:600;background:#eef2fc}
figure{margin:1.5rem 0}figcaption{font-weight:600;margin-bottom:.5rem}pre{background:#f6f7f9;padding:1rem;overflow:auto}
</style></head><body>
<h1>${esc(info.name)}</h1>
<p>Run <code>${esc(info.id)}</code> · ${esc(info.state)} · corpus ${esc(info.corpus ?? '')} · mode ${esc(info.mode ?? '')} · ${esc(info.createdAt ?? '')}</p>
<h2>Class accuracies (%)</h2>
${tableHtml(table)}
<h2>Figures</h2>
${figs}
<h2>Configuration</h2>
<pre>${esc(JSON.stringify(detail.config, null, 2))}</pre>
<h2>Environment</h2>
<pre>${esc(JSON.stringify(detail.environment, null, 2))}</pre>
<p><small>Made with ser-workbench. YAMNet: Apache-2.0; AudioSet class names: CC BY-SA 4.0.</small></p>
</body></html>
`;
}
