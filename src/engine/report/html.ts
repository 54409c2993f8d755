import type { ConfusionMatrix } from '../eval/metrics';
import type { RunSummary } from '../eval/types';
import { buildRunReport } from './build';
import { buildCellsReport, cellLabel } from './cells';
import { readRunCells, readRunForReport } from './load';
import { modelName, PAPER_DEMOS_CONFUSION, paperRowFor } from './paper';
import { curvesSection, jsonTableSection } from './html-sections';
import { formatNumber, intervalText } from './render';
import type { Cell, ReportTable, RunReport } from './types';

/** A self-contained HTML page (no scripts, fonts or images from elsewhere) for the UI's export. */

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function cellHtml(c: Cell): string {
  if (c.kind === 'text') return escapeHtml(c.text);
  if (c.kind === 'count') return String(c.value);
  if (c.kind === 'interval') return escapeHtml(intervalText(c.lo, c.hi));
  const v = (c.signed && c.value !== null && c.value > 0 ? '+' : '') + formatNumber(c.value);
  return c.sd !== undefined && c.value !== null ? `${v}&nbsp;±&nbsp;${formatNumber(c.sd ?? null)}` : v;
}

export function tableToHtml(t: ReportTable): string {
  const head = `<tr>${t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = t.rows
    .map((r) => {
      const cells = r.cells.map((c) => `<td class="${c.kind}">${cellHtml(c)}</td>`).join('');
      return `<tr class="${r.kind}"><th scope="row">${escapeHtml(r.label)}</th>${cells}</tr>`;
    })
    .join('\n');
  const notes = t.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n');
  return `<section id="${escapeHtml(t.id)}">\n<h2>${escapeHtml(t.title)}</h2>\n<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>\n${notes}\n</section>`;
}

/**
 * A confusion matrix as inline SVG: cell shade = share of the actual class's utterances (row
 * recall), so imbalanced classes read the same; the count is printed in each cell.
 */
export function confusionSvg(cm: ConfusionMatrix, title: string): string {
  const k = cm.labels.length;
  const cell = 56;
  const left = 96;
  const top = 40;
  const width = left + k * cell + 16;
  const height = top + k * cell + 56;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeHtml(title)}</title>`,
  );
  for (let r = 0; r < k; r++) {
    const total = cm.matrix[r].reduce((a, b) => a + b, 0);
    for (let c = 0; c < k; c++) {
      const v = cm.matrix[r][c];
      const share = total > 0 ? v / total : 0;
      // White to dark blue; text flips to white on dark cells.
      const light = Math.round(97 - share * 62);
      const x = left + c * cell;
      const y = top + r * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="hsl(215, 70%, ${light}%)" stroke="#fff"/>`,
        `<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.5 ? '#fff' : '#111'}">${v}</text>`,
      );
    }
    parts.push(
      `<text x="${left - 6}" y="${top + r * cell + cell / 2 + 4}" text-anchor="end">${escapeHtml(cm.labels[r])}</text>`,
    );
  }
  for (let c = 0; c < k; c++) {
    parts.push(
      `<text x="${left + c * cell + cell / 2}" y="${top - 8}" text-anchor="middle">${escapeHtml(cm.labels[c])}</text>`,
    );
  }
  parts.push(
    `<text x="${left + (k * cell) / 2}" y="${top + k * cell + 20}" text-anchor="middle" font-style="italic">predicted</text>`,
    `<text x="12" y="${top + (k * cell) / 2}" text-anchor="middle" font-style="italic" transform="rotate(-90 12 ${top + (k * cell) / 2})">actual</text>`,
    `<text x="${left}" y="${top + k * cell + 42}" fill="#555">shade: share of the actual class (row recall)</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #111; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
th[scope=row], thead th:first-child { text-align: left; }
td.text { text-align: left; white-space: normal; }
tr.pooled, tr.mean { font-weight: 600; background: #f4f7fb; }
tr.paper { font-style: italic; } tr.delta { color: #555; }
dl.provenance { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; }
dl.provenance dt { font-weight: 600; } dl.provenance dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
.note { color: #555; font-size: .9em; margin: .25rem 0; }
.same-no { color: #a40000; font-weight: 600; }
figure { margin: 1rem 0; display: inline-block; vertical-align: top; } figcaption { font-size: .9em; color: #555; }
`;

export interface HtmlFigure {
  caption: string;
  confusion: ConfusionMatrix;
}

/** The pooled confusion matrix of a run, and the paper's where it has one for the same setting. */
export function confusionFigures(summary: RunSummary, paper: boolean, label = 'this run'): HtmlFigure[] {
  const figures = [{ caption: `Pooled confusion matrix (${label})`, confusion: summary.pooled.confusion }];
  const row = paperRowFor(modelName(summary), summary.corpus.name);
  if (paper && row?.corpus === 'demos' && row.classifier === 'YAMNet-LSTM') {
    figures.push({ caption: 'The paper (YAMNet-LSTM, DEMoS)', confusion: PAPER_DEMOS_CONFUSION });
  }
  return figures;
}

/** The HTML page of a report of one run; `figures` defaults to the run's confusion matrices. */
export function reportToHtml(
  report: RunReport,
  summary?: RunSummary,
  figureList?: HtmlFigure[],
  sections: string[] = [],
): string {
  const prov = report.provenance
    .map((p) => `<dt>${escapeHtml(p.label)}</dt><dd>${escapeHtml(p.value)}</dd>`)
    .join('\n');
  const figures = (figureList ?? (summary ? confusionFigures(summary, !!report.paper) : [])).map(
    (f) =>
      `<figure>${confusionSvg(f.confusion, f.caption)}<figcaption>${escapeHtml(f.caption)}</figcaption></figure>`,
  );
  let paper = '';
  if (report.paper) {
    const diffs = report.paper.differences
      .map(
        (d) =>
          `<tr><th scope="row">${escapeHtml(d.aspect)}</th><td class="text">${escapeHtml(d.paper)}</td><td class="text">${escapeHtml(d.run)}</td><td class="${d.same ? 'same-yes' : 'same-no'}">${d.same ? 'yes' : 'no'}</td></tr>`,
      )
      .join('\n');
    paper = `<section id="protocol"><h2>Protocol: the paper vs this run</h2>${
      diffs
        ? `<table><thead><tr><th>aspect</th><th>paper</th><th>this run</th><th>same</th></tr></thead><tbody>${diffs}</tbody></table>`
        : ''
    }${report.paper.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')}<p class="note">Source: ${escapeHtml(report.paper.source)}.</p></section>`;
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ser-workbench">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(report.title)}</h1>
<dl class="provenance">
${prov}
</dl>
${report.tables.map(tableToHtml).join('\n')}
${figures.length > 0 ? `<section id="figures"><h2>Confusion matrices</h2>\n${figures.join('\n')}\n</section>` : ''}
${paper}
${sections.filter(Boolean).join('\n')}
</body>
</html>
`;
}

/** The self-contained HTML report of a finished run folder. */
export async function renderHtmlReport(runDir: string, opts: { paper?: boolean } = {}): Promise<string> {
  const { summary, environment, config } = await readRunForReport(runDir);
  const sections = [
    curvesSection(
      runDir,
      summary.folds.map((f) => f.index),
    ),
    jsonTableSection(
      'config',
      'Configuration',
      (config as { config?: unknown } | undefined)?.config ?? config,
    ),
    jsonTableSection('environment', 'Environment', environment),
  ];
  const paper = opts.paper ?? true;
  const cells = await readRunCells(runDir);
  if (cells && cells.length > 1) {
    return reportToHtml(
      buildCellsReport(cells, { paper, environment }),
      undefined,
      cells.flatMap((c) => confusionFigures(c.summary, paper, cellLabel(c))),
      sections,
    );
  }
  return reportToHtml(buildRunReport(summary, { paper, environment }), summary, undefined, sections);
}
