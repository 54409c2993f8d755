import type { Cell, ReportFormat, ReportTable, RunReport } from './types';

/** Three decimals as in the paper's Table II; '–' for undefined (class absent from a fold). */
export function formatNumber(v: number | null, digits = 3): string {
  return v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

/** '[0.612, 0.734]': an interval as printed in every text format. */
export function intervalText(lo: number | null, hi: number | null, digits = 3): string {
  return lo === null || hi === null ? '–' : `[${formatNumber(lo, digits)}, ${formatNumber(hi, digits)}]`;
}

function cellText(c: Cell, digits = 3): string {
  if (c.kind === 'text') return c.text;
  if (c.kind === 'count') return String(c.value);
  if (c.kind === 'interval') return intervalText(c.lo, c.hi, digits);
  const v = (c.signed && c.value !== null && c.value > 0 ? '+' : '') + formatNumber(c.value, digits);
  return c.sd !== undefined && c.value !== null ? `${v} ± ${formatNumber(c.sd, digits)}` : v;
}

/** The label column, and columns whose cells are all text, are left-aligned; numbers right-aligned. */
export function isTextColumn(t: ReportTable, column: number): boolean {
  if (column === 0) return true;
  const kinds = t.rows.map((r) => r.cells[column - 1]?.kind).filter((k) => k !== undefined);
  return kinds.length > 0 && kinds.every((k) => k === 'text');
}

// ---------- Markdown ----------

const mdEscape = (s: string) => s.replace(/\|/g, '\\|');

export function tableToMarkdown(t: ReportTable): string {
  const align = t.columns.map((_, i) => (isTextColumn(t, i) ? '---' : '---:'));
  const lines = [
    `| ${t.columns.map(mdEscape).join(' | ')} |`,
    `|${align.join('|')}|`,
    ...t.rows.map((r) => {
      const label = r.kind === 'pooled' || r.kind === 'mean' ? `**${r.label}**` : r.label;
      return `| ${[label, ...r.cells.map((c) => cellText(c))].map(mdEscape).join(' | ')} |`;
    }),
  ];
  return `### ${t.title}\n\n${lines.join('\n')}\n${t.notes.map((n) => `\n${n}`).join('\n')}\n`;
}

export function reportToMarkdown(r: RunReport): string {
  const parts = [`# ${r.title}\n`, r.provenance.map((p) => `- **${p.label}**: ${p.value}`).join('\n') + '\n'];
  for (const t of r.tables) parts.push(tableToMarkdown(t));
  if (r.paper) {
    parts.push('### Protocol: the paper vs this run\n');
    if (r.paper.differences.length > 0) {
      parts.push(
        [
          '| aspect | paper | this run | same |',
          '|---|---|---|---|',
          ...r.paper.differences.map(
            (d) => `| ${[d.aspect, d.paper, d.run, d.same ? 'yes' : '**no**'].map(mdEscape).join(' | ')} |`,
          ),
        ].join('\n') + '\n',
      );
    }
    parts.push(r.paper.notes.join('\n\n') + '\n', `Source: ${r.paper.source}.\n`);
  }
  return parts.join('\n');
}

// ---------- CSV (RFC 4180) ----------

const csvField = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * One CSV block per table, separated by a blank line, each headed by a `table` column naming it
 * so blocks stay identifiable after concatenation. Numbers at full precision; mean ± sd rows get
 * the sd in a following 'sd' row, and interval rows become a '… lo' and a '… hi' row, so every
 * numeric column stays numeric.
 */
export function tableToCsv(t: ReportTable): string {
  const lines = [['table', ...t.columns].map(csvField).join(',')];
  const raw = (c: Cell): string =>
    c.kind === 'text'
      ? c.text
      : c.kind === 'count'
        ? String(c.value)
        : c.kind === 'interval'
          ? ''
          : c.value === null
            ? ''
            : String(c.value);
  for (const r of t.rows) {
    if (r.cells.some((c) => c.kind === 'interval')) {
      for (const end of ['lo', 'hi'] as const) {
        const cells = r.cells.map((c) =>
          c.kind === 'interval' ? (c[end] === null ? '' : String(c[end])) : raw(c),
        );
        lines.push([t.id, `${r.label} ${end}`, ...cells].map(csvField).join(','));
      }
      continue;
    }
    const hasSd = r.cells.some((c) => c.kind === 'number' && c.sd !== undefined);
    const label = r.label.replace(/ ± sd$/, '');
    lines.push([t.id, label, ...r.cells.map(raw)].map(csvField).join(','));
    if (hasSd) {
      const sd = r.cells.map((c) =>
        c.kind === 'number' && c.sd !== undefined && c.sd !== null ? String(c.sd) : '',
      );
      lines.push([t.id, r.label.replace(/mean ± sd$/, 'sd'), ...sd].map(csvField).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

export function reportToCsv(r: RunReport): string {
  return r.tables.map(tableToCsv).join('\n');
}

// ---------- LaTeX (booktabs) ----------

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '±': '$\\pm$',
  '−': '$-$',
  '–': '--',
  '’': "'",
};

/** Escapes text for LaTeX in one pass (so the braces of a replacement are not escaped again). */
export function latexEscape(s: string): string {
  return s.replace(/[\\&%$#_{}~^±−–’]/g, (ch) => LATEX_SPECIALS[ch]);
}

function latexCell(c: Cell): string {
  if (c.kind === 'number' && c.sd !== undefined && c.value !== null) {
    return c.sd === null
      ? `$${formatNumber(c.value)} \\pm$ --`
      : `$${formatNumber(c.value)} \\pm ${formatNumber(c.sd)}$`;
  }
  return latexEscape(cellText(c));
}

/** A text column that wraps within the line width (tabularx X, ragged right). */
const WRAP = '>{\\raggedright\\arraybackslash}X';

/**
 * The column spec: the label column 'l', numbers 'r', other text columns wrapping X columns of a
 * tabularx as wide as the line (weights hashes, speaker lists and protocol texts are long). A
 * table without such a column stays a plain tabular.
 */
export function latexColumnSpec(t: ReportTable): { spec: string; wraps: boolean } {
  const cols = t.columns.map((_, i) => (i === 0 ? 'l' : isTextColumn(t, i) ? WRAP : 'r'));
  return { spec: cols.join(''), wraps: cols.includes(WRAP) };
}

export function tableToLatex(t: ReportTable): string {
  const { spec, wraps } = latexColumnSpec(t);
  const begin = wraps ? `\\begin{tabularx}{\\linewidth}{${spec}}` : `\\begin{tabular}{${spec}}`;
  const end = wraps ? '\\end{tabularx}' : '\\end{tabular}';
  const body = t.rows.map((r, i) => {
    const line = `${[latexEscape(r.label), ...r.cells.map(latexCell)].join(' & ')} \\\\`;
    return i > 0 && (r.kind === 'pooled' || r.kind === 'paper') ? `\\midrule\n${line}` : line;
  });
  return [
    '\\begin{table}[htbp]',
    '\\centering',
    `\\caption{${latexEscape(t.title)}}`,
    `\\label{tab:${t.id}}`,
    begin,
    '\\toprule',
    `${t.columns.map(latexEscape).join(' & ')} \\\\`,
    '\\midrule',
    ...body,
    '\\bottomrule',
    end,
    ...t.notes.map((n) => `\\par\\footnotesize ${latexEscape(n)}`),
    '\\end{table}',
  ].join('\n');
}

/** Tables for `\usepackage{booktabs}`; provenance as a comment block and an itemize list. */
export function reportToLatex(r: RunReport): string {
  const parts = [
    `% ${r.title}`,
    '% requires \\usepackage{booktabs,tabularx,array}',
    ...r.provenance.map((p) => `% ${p.label}: ${p.value}`),
    '',
    '\\begin{itemize}',
    ...r.provenance.map((p) => `  \\item \\textbf{${latexEscape(p.label)}}: ${latexEscape(p.value)}`),
    '\\end{itemize}',
    '',
    ...r.tables.map((t) => tableToLatex(t) + '\n'),
  ];
  if (r.paper && r.paper.differences.length > 0) {
    parts.push(
      tableToLatex({
        id: 'protocol',
        title: 'Protocol: the paper vs this run',
        columns: ['aspect', 'paper', 'this run', 'same'],
        rows: r.paper.differences.map((d) => ({
          label: d.aspect,
          kind: 'fold',
          cells: [d.paper, d.run, d.same ? 'yes' : 'no'].map((t) => ({ kind: 'text', text: t })),
        })),
        notes: [...r.paper.notes, `Source: ${r.paper.source}.`],
      }),
    );
  }
  return parts.join('\n') + '\n';
}

/** The report in one of the text formats. */
export function renderReport(r: RunReport, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return reportToMarkdown(r);
    case 'csv':
      return reportToCsv(r);
    case 'latex':
      return reportToLatex(r);
    case 'json':
      return JSON.stringify(r, null, 2) + '\n';
  }
}
