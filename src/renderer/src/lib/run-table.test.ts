/** The run table's filter, sort and sweep grouping on RunInfo rows as runs.list returns them. */
import { describe, expect, it } from 'vitest';
import type { RunInfo } from '@shared/contract';
import { allTags, matchesFilter, sortRuns, sweepGroups, sweptValues } from './run-table';

function run(id: string, extra: Partial<RunInfo> = {}): RunInfo {
  return {
    id,
    dir: `/runs/${id}`,
    name: id,
    state: 'done',
    createdAt: null,
    corpus: 'emodb',
    mode: 'frozen',
    fold: null,
    folds: 2,
    epoch: null,
    epochs: 1,
    error: null,
    live: false,
    etaSec: null,
    updatedAt: null,
    uar: null,
    columns: {
      trainFrom: 'frozen',
      learningRate: 0.001,
      weights: null,
      backend: 'tensorflow',
      executor: 'slurm',
      hosts: ['localhost'],
    },
    ...extra,
  };
}

const cell = (n: number, lr: number, seed: number, uar: number | null) =>
  run(`S/0${n}-cell`, {
    uar,
    sweep: { id: 'S', name: 'grid', cell: `0${n}-cell`, values: { 'training.learningRate': lr, seed } },
    columns: {
      trainFrom: 'frozen',
      learningRate: lr,
      weights: null,
      backend: 'tensorflow',
      executor: 'slurm',
      hosts: [],
    },
  });

describe('run table', () => {
  const rows = [
    cell(2, 0.001, 2, 0.41),
    cell(1, 0.001, 1, 0.52),
    run('solo', { uar: 0.6, tags: ['paper'], notes: 'the headline run', corpus: 'ravdess' }),
    cell(4, 0.003, 2, null),
    cell(3, 0.003, 1, 0.52),
  ];

  it('filters on every word over names, columns, tags and notes', () => {
    expect(rows.filter((r) => matchesFilter(r, '#paper')).map((r) => r.id)).toEqual(['solo']);
    expect(rows.filter((r) => matchesFilter(r, 'headline RAVDESS')).map((r) => r.id)).toEqual(['solo']);
    expect(rows.filter((r) => matchesFilter(r, 'learningRate=0.003')).map((r) => r.id)).toEqual([
      'S/04-cell',
      'S/03-cell',
    ]);
    expect(rows.filter((r) => matchesFilter(r, '  ')).length).toBe(5);
  });

  it('sorts numbers as numbers with empty values last, either way', () => {
    expect(sortRuns(rows, { key: 'uar', descending: true }).map((r) => r.uar)).toEqual([
      0.6,
      0.52,
      0.52,
      0.41,
      null,
    ]);
    expect(sortRuns(rows, { key: 'uar', descending: false }).map((r) => r.uar)).toEqual([
      0.41,
      0.52,
      0.52,
      0.6,
      null,
    ]);
    expect(sortRuns(rows, { key: 'sweep', descending: false }).at(-1)!.id).toBe('solo');
  });

  it('groups sweep cells in cell order and marks every best cell', () => {
    const [g] = sweepGroups(rows);
    expect(g.cells.map((c) => c.id)).toEqual(['S/01-cell', 'S/02-cell', 'S/03-cell', 'S/04-cell']);
    expect(g.fields).toEqual(['training.learningRate', 'seed']);
    expect(g.best).toEqual(['S/01-cell', 'S/03-cell']);
    expect(sweptValues(g.cells[0])).toBe('learningRate=0.001, seed=1');
    expect(allTags(rows)).toEqual(['paper']);
  });
});
