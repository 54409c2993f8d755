import type { RunSummary } from '../eval/types';
import { paperSection } from './comparison';
import { crossCorpusProvenance, crossCorpusTables } from './cross-corpus';
import { modelName, PAPER_DEMOS_CONFUSION, paperRowFor } from './paper';
import { foldGroupsTable, perSpeakerTable } from './speakers';
import { confusionTable, tableII } from './tables';

const nonNull = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);
import type { RunReport } from './types';

/** What made the numbers, one line each; every report names the weights (sha256) and the backend. */
export function provenance(summary: RunSummary): RunReport['provenance'] {
  const lines: RunReport['provenance'] = [];
  const add = (label: string, value: string) => lines.push({ label, value });
  const w = summary.weights;
  if (w.source === 'none') {
    // A baseline without YAMNet-embedding features: nothing pretrained was used, so none is named.
    add('model', `${modelName(summary)}, mode ${summary.mode}`);
    add('weights', 'none (these features use no YAMNet)');
  } else {
    add('model', `${modelName(summary)}, mode ${summary.mode}, from ${summary.initialWeights}`);
    add('weights', w.files.length === 0 ? `${w.source} (no weight files)` : w.source);
  }
  for (const f of w.files) add('weights file', `${f.name} sha256 ${f.sha256}`);
  add('backend', `${summary.backend.name} (${summary.backend.reason})`);
  const c = summary.corpus;
  add(
    'corpus',
    `${c.name}: ${c.utterances} utterances, ${c.speakers} speakers${c.hash ? `, index ${c.hash.slice(0, 16)}` : ''}`,
  );
  add('classes', summary.classes.join(', '));
  lines.push(...crossCorpusProvenance(summary));
  const s = summary.scheme;
  const scheme =
    s.kind === 'loso'
      ? 'leave-one-speaker-out'
      : s.kind === 'cross-corpus'
        ? 'cross-corpus (each fold tests one corpus, trained on the others)'
        : `${s.k ?? s.folds}-fold by speaker`;
  add(
    'folds',
    `${scheme}, ${summary.folds.length} of ${s.folds} folds reported` +
      (s.valFraction !== undefined ? `, validation ${s.valFraction} of training speakers` : ''),
  );
  add('seed', String(summary.seed));
  add('created', summary.createdAt);
  return lines;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Lines from the run's environment.json (written by the runner; read defensively since it is
 * informational): tfjs/native versions, the device and the machine.
 */
export function environmentLines(environment: unknown): RunReport['provenance'] {
  if (!isRecord(environment)) return [];
  const lines: RunReport['provenance'] = [];
  const backend = isRecord(environment.backend) ? environment.backend : {};
  if (isRecord(backend.versions)) {
    const v = Object.entries(backend.versions).map(([k, x]) => `${k} ${String(x)}`);
    if (v.length > 0) lines.push({ label: 'versions', value: v.join(', ') });
  }
  if (isRecord(backend.device)) {
    const d = backend.device;
    const extra =
      d.kind === 'cpu' && d.cores
        ? `, ${String(d.cores)} cores`
        : d.memoryMB
          ? `, ${String(d.memoryMB)} MB`
          : '';
    lines.push({ label: 'device', value: `${String(d.kind ?? '?')}: ${String(d.name ?? '?')}${extra}` });
  }
  const machine = [
    environment.node ? `node ${String(environment.node)}` : '',
    environment.platform ? String(environment.platform) : '',
  ].filter(Boolean);
  if (machine.length > 0) lines.push({ label: 'machine', value: machine.join(', ') });
  return lines;
}

/** The whole report of one run; `paper` adds the comparison with the paper's Table II. */
export function buildRunReport(
  summary: RunSummary,
  opts: { paper?: boolean; title?: string; environment?: unknown } = {},
): RunReport {
  const report: RunReport = {
    title: opts.title ?? `Results: ${modelName(summary)} on ${summary.corpus.name}`,
    provenance: [...provenance(summary), ...environmentLines(opts.environment)],
    tables: [
      ...crossCorpusTables(summary),
      tableII(summary),
      ...nonNull([perSpeakerTable(summary), foldGroupsTable(summary)]),
      confusionTable(summary.pooled.confusion, 'confusion-pooled', 'Pooled confusion matrix'),
    ],
    ...(summary.crossCorpus ? { crossCorpus: summary.crossCorpus } : {}),
  };
  if (opts.paper) {
    const { table, paper } = paperSection(summary);
    if (table) report.tables.push(table);
    const row = paperRowFor(modelName(summary), summary.corpus.name);
    if (row && row.corpus === 'demos' && row.classifier === 'YAMNet-LSTM') {
      report.tables.push(
        confusionTable(
          PAPER_DEMOS_CONFUSION,
          'confusion-paper',
          'The paper\u2019s pooled confusion matrix (YAMNet-LSTM, DEMoS)',
        ),
      );
    }
    report.paper = paper;
  }
  return report;
}
