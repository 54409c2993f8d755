/**
 * The t-SNE figure with a fold model's training and validation utterances: they are drawn faded,
 * under the test points, with one legend entry each ("train", "val"); the title names the method.
 */
import { describe, expect, it } from 'vitest';
import type { TsnePoint, TsneResult } from '@shared/contract';
import { embeddingName, pointsText, tsneFigure } from './tsne-plot';

const point = (file: string, role: TsnePoint['role'], label: string, fold = 0): TsnePoint => ({
  x: file.length,
  y: 1,
  file,
  path: `/c/${file}`,
  speaker: 's',
  label,
  predicted: label,
  fold,
  role,
});

function result(points: TsnePoint[][], method = 't-SNE of fold 1'): TsneResult {
  const panels = points.map((ps, fold) => ({
    fold,
    method,
    points: ps,
    perplexity: 5,
    seed: 0,
    trustworthiness: null,
  }));
  return { method, points: points.flat(), panels };
}

type Trace = {
  name: string;
  showlegend: boolean;
  customdata: string[];
  marker: { opacity: number | number[]; symbol?: string };
};

describe('tsneFigure with train/val context', () => {
  const r = result([
    [
      point('t1', 'test', 'sad'),
      point('t2', 'test', 'happy'),
      point('a1', 'train', 'sad'),
      point('v1', 'val', 'happy'),
    ],
    [point('t3', 'test', 'sad'), point('a2', 'train', 'happy')],
  ]);
  const traces = tsneFigure(r, 'label').data as unknown as Trace[];

  it('draws train and val faded before the test points, one legend entry each', () => {
    expect(traces.map((t) => t.name)).toEqual(['train', 'val', 'happy', 'sad', 'train', 'sad']);
    expect(traces.filter((t) => t.name === 'train').map((t) => t.showlegend)).toEqual([true, false]);
    expect(traces[0].customdata).toEqual(['a1']);
    expect(traces[1].customdata).toEqual(['v1']);
    expect(traces[1].marker.symbol).toBe('circle-open');
    for (const t of traces.filter((q) => q.name === 'train' || q.name === 'val'))
      expect(t.marker.opacity).toBeLessThan(0.5);
    // The class traces hold test points only.
    expect(traces.filter((t) => t.name === 'sad').flatMap((t) => t.customdata)).toEqual(['t1', 't3']);
    expect(pointsText(r)).toBe('test utterances; train/val faded');
  });

  it('draws no context traces for a test-only embedding and names its method', () => {
    const plain = result([[point('t1', 'test', 'sad'), point('t2', undefined, 'happy')]], 'UMAP of fold 1');
    const names = (tsneFigure(plain, 'label').data as unknown as Trace[]).map((t) => t.name);
    expect(names).toEqual(['happy', 'sad']);
    expect(pointsText(plain)).toBe('test utterances');
    expect(embeddingName(plain)).toBe('UMAP');
    expect(embeddingName(r)).toBe('t-SNE');
  });

  it("says in each point's hover that the visualisation model was trained on it", () => {
    const vis = result([[point('t1', undefined, 'sad', -1)]], 't-SNE of the visualisation model');
    const [trace] = tsneFigure(vis, 'label').data as unknown as { text: string[] }[];
    expect(trace.text[0]).toContain('visualisation model (trained on it) · speaker s');
  });
});
