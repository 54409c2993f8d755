/**
 * Plotly traces and layout of a t-SNE result: one panel for a fold, small multiples (one panel per
 * fold, each with its own axes) for 'all folds'. Points in `highlight` (file ids) are drawn
 * larger with a dark outline and the others faded, so a selection elsewhere shows up here.
 * A fold model's training and validation utterances, when asked for, are context: drawn small and
 * faded (validation as open circles) in the same panel, one legend entry each ("train", "val").
 */
import type Plotly from 'plotly.js-dist';
import type { TsnePoint, TsneResult } from '@shared/contract';
import { classColour, indexColour } from './colours';

export type TsneColourBy = 'label' | 'speaker' | 'correct';

function groupOf(p: TsnePoint, by: TsneColourBy): string {
  if (by === 'label') return p.label;
  if (by === 'speaker') return p.speaker;
  return p.label === p.predicted ? 'correct' : 'wrong';
}

function colourOf(g: string, i: number, by: TsneColourBy): string {
  if (by === 'label') return classColour(g);
  if (by === 'correct') return g === 'correct' ? '#2d8a4e' : '#c43d3d';
  return indexColour(i);
}

/** Axis names of panel i (plotly: x, x2, x3 …). */
const axis = (i: number) => (i === 0 ? '' : String(i + 1));

/** Opacity of the faded context points (the model's own training / validation utterances). */
const CONTEXT_OPACITY = 0.35;

const isContext = (p: TsnePoint) => p.role === 'train' || p.role === 'val';

/** One faded trace of a panel's train or val points, coloured as the test points are. */
function contextTrace(
  panel: TsnePoint[],
  pi: number,
  role: 'train' | 'val',
  by: TsneColourBy,
  groups: string[],
  firstPanel: boolean,
): Plotly.Data | null {
  const ps = panel.filter((p) => p.role === role);
  if (ps.length === 0) return null;
  return {
    x: ps.map((p) => p.x),
    y: ps.map((p) => p.y),
    xaxis: `x${axis(pi)}`,
    yaxis: `y${axis(pi)}`,
    name: role,
    legendgroup: role,
    showlegend: firstPanel,
    type: 'scatter',
    mode: 'markers',
    marker: {
      color: ps.map((p) => colourOf(groupOf(p, by), groups.indexOf(groupOf(p, by)), by)),
      size: 6,
      symbol: role === 'val' ? 'circle-open' : 'circle',
      opacity: CONTEXT_OPACITY,
    },
    customdata: ps.map((p) => p.file) as unknown as Plotly.Datum[],
    text: ps.map(
      (p) =>
        `${p.file}<br>fold ${p.fold + 1}'s ${role === 'train' ? 'training' : 'validation'} utterance · speaker ${p.speaker}<br>true ${p.label}<br>predicted ${p.predicted}`,
    ),
    hovertemplate: '%{text}<extra></extra>',
  } as Plotly.Data;
}

export function tsneFigure(
  result: TsneResult | null,
  by: TsneColourBy,
  highlight: ReadonlySet<string> = new Set(),
): { data: Plotly.Data[]; layout: Partial<Plotly.Layout> } {
  const panels = result?.panels ?? [];
  const all = panels.flatMap((p) => p.points);
  const groups = [...new Set(all.map((p) => groupOf(p, by)))].sort();
  const data: Plotly.Data[] = [];
  panels.forEach((panel, pi) => {
    // Context first, so that the test points are drawn over it.
    for (const role of ['train', 'val'] as const) {
      const firstPanel = !panels.slice(0, pi).some((q) => q.points.some((p) => p.role === role));
      const trace = contextTrace(panel.points, pi, role, by, groups, firstPanel);
      if (trace) data.push(trace);
    }
    const tests = panel.points.filter((p) => !isContext(p));
    groups.forEach((g, gi) => {
      const ps = tests.filter((p) => groupOf(p, by) === g);
      if (ps.length === 0) return;
      const lit = ps.map((p) => highlight.has(p.file));
      data.push({
        x: ps.map((p) => p.x),
        y: ps.map((p) => p.y),
        xaxis: `x${axis(pi)}`,
        yaxis: `y${axis(pi)}`,
        name: g,
        legendgroup: g,
        showlegend: !panels
          .slice(0, pi)
          .some((q) => q.points.some((p) => !isContext(p) && groupOf(p, by) === g)),
        type: 'scatter',
        mode: 'markers',
        marker: {
          color: colourOf(g, gi, by),
          size: lit.map((l) => (l ? 11 : 7)),
          opacity: highlight.size > 0 ? lit.map((l) => (l ? 1 : 0.25)) : 0.85,
          line: { color: '#111', width: lit.map((l) => (l ? 2 : 0)) },
        },
        customdata: ps.map((p) => p.file) as unknown as Plotly.Datum[],
        text: ps.map(
          (p) =>
            `${p.file}<br>${p.fold < 0 ? 'visualisation model (trained on it)' : `fold ${p.fold + 1}`} · speaker ${p.speaker}<br>true ${p.label}<br>predicted ${p.predicted}`,
        ),
        hovertemplate: '%{text}<extra></extra>',
      } as Plotly.Data);
    });
  });
  const layout: Partial<Plotly.Layout> = { dragmode: 'lasso' };
  if (panels.length > 1) {
    const columns = Math.ceil(Math.sqrt(panels.length));
    const rows = Math.ceil(panels.length / columns);
    layout.grid = { rows, columns, pattern: 'independent' };
    layout.annotations = panels.map((p, i) => ({
      text: `fold ${p.fold + 1}${p.trustworthiness ? ` · T(${p.trustworthiness.k}) ${p.trustworthiness.value.toFixed(2)}` : ''}`,
      xref: `x${axis(i)} domain` as Plotly.XAxisName,
      yref: `y${axis(i)} domain` as Plotly.YAxisName,
      x: 0.5,
      y: 1.02,
      xanchor: 'center',
      yanchor: 'bottom',
      showarrow: false,
      font: { size: 10 },
    })) as Partial<Plotly.Annotation>[];
    for (let i = 0; i < panels.length; i++) {
      const hidden = { showticklabels: false, zeroline: false, showgrid: false };
      (layout as Record<string, unknown>)[`xaxis${axis(i)}`] = hidden;
      (layout as Record<string, unknown>)[`yaxis${axis(i)}`] = hidden;
    }
  }
  return { data, layout };
}

/** 'trustworthiness T(5) = 0.91' of a one-panel result, for its title line. */
export function trustText(result: TsneResult | null): string {
  const t = result?.panels.length === 1 ? result.panels[0].trustworthiness : null;
  return t
    ? `trustworthiness T(${t.k}) = ${t.value.toFixed(2)}${t.over === 'test' ? ' (test points)' : ''}`
    : '';
}

/** 'UMAP' or 't-SNE': the method a result was computed with (its panels' method lines say). */
export function embeddingName(result: TsneResult | null): string {
  return result?.panels[0]?.method.startsWith('UMAP') ? 'UMAP' : 't-SNE';
}

/** What the points are: 'test utterances', or with the faded training/validation context. */
export function pointsText(result: TsneResult | null): string {
  const context = result?.points.some(isContext) ?? false;
  return context ? 'test utterances; train/val faded' : 'test utterances';
}
