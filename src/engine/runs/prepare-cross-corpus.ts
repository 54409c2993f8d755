/**
 * The corpus side of a cross-corpus run (crossValidation.scheme 'cross-corpus'): every corpus
 * indexed with the config's classes, the classes they all have, and one index of the kept
 * utterances of all of them, so that the step cache, training and the artefacts work as for one
 * corpus. In that index a speaker is `<corpus>:<speaker>` and an utterance id `<corpus>/<id>`,
 * so nothing of two corpora can merge. The folds come from crossCorpusFolds (folds/cross-corpus.ts).
 * Like prepareCorpus, every mistake is a user error naming the config field, before any folder exists.
 */
import fs from 'node:fs';
import path from 'node:path';
import { indexCorpus } from '../corpora';
import type { CorpusIndex, Utterance } from '../corpora/types';
import type { ExperimentConfig } from '../config/schema';
import { corpusSpeaker, countFold, crossCorpusFolds, type Fold, type Partition } from '../folds';
import type { CrossCorpusRecord } from '../folds/export';
import { UserError } from '../util/errors';
import { sha256Json } from '../util/hash';
import type { CorpusRef } from '@shared/config-schema';

export interface PreparedCrossCorpus {
  index: CorpusIndex;
  folds: Fold[];
  record: CrossCorpusRecord;
}

interface Source {
  /** The config field that names the corpus (for errors). */
  field: string;
  dir: string;
  corpus: CorpusRef['corpus'];
  name?: string;
}

/** The corpora of the run: data first, then testCorpus or the corpora list. */
function sourcesOf(config: ExperimentConfig, dataDir: string): Source[] {
  const cv = config.crossValidation;
  const own: Source = { field: 'data.dir', dir: path.resolve(dataDir), corpus: config.data.corpus };
  const refs: [string, CorpusRef][] = cv.testCorpus
    ? [['crossValidation.testCorpus', cv.testCorpus]]
    : (cv.corpora ?? []).map((r, i) => [`crossValidation.corpora[${i}]`, r]);
  if (refs.length === 0) {
    throw new UserError(
      'crossValidation.testCorpus: cross-corpus needs a second corpus (testCorpus, or a corpora list)',
    );
  }
  const sources = [own, ...refs.map(([field, r]) => ({ field, ...r, dir: path.resolve(r.dir) }))];
  for (const [i, s] of sources.entries()) {
    const stat = fs.statSync(s.dir, { throwIfNoEntry: false });
    if (!stat) throw new UserError(`${s.field}: ${s.dir}: no such folder`);
    if (!stat.isDirectory()) throw new UserError(`${s.field}: ${s.dir}: not a folder`);
    const same = sources.slice(0, i).find((o) => o.dir === s.dir);
    if (same) {
      throw new UserError(
        `${s.field}.dir: ${s.dir} is already the corpus of ${same.field}; cross-corpus needs two different corpora`,
      );
    }
  }
  return sources;
}

/** A corpus's utterances over the shared classes, renamed so that corpora never merge. */
function renamed(name: string, utterances: Utterance[], shared: Set<string>): Utterance[] {
  return utterances
    .filter((u) => shared.has(u.label))
    .map((u) => ({ ...u, id: `${name}/${u.id}`, speaker: corpusSpeaker(name, u.speaker) }));
}

export async function prepareCrossCorpus(
  config: ExperimentConfig,
  dataDir: string,
  log: (message: string) => void,
  indexing: { repairNonFinite?: boolean; onWarning?: (message: string) => void },
): Promise<PreparedCrossCorpus> {
  const sources = sourcesOf(config, dataDir);
  const indexes: CorpusIndex[] = [];
  for (const s of sources) {
    log(`indexing ${s.dir}`);
    const index = await indexCorpus(s.dir, {
      corpus: s.corpus,
      classes: config.data.classes,
      repairNonFinite: config.data.repairNonFinite || indexing.repairNonFinite,
      onWarning: indexing.onWarning,
    });
    if (index.utterances.length === 0) {
      throw new UserError(
        `${s.field}: ${s.dir}: no utterances of the classes ${String(config.data.classes)} found`,
      );
    }
    indexes.push(index);
  }
  const names = sources.map((s, i) => s.name ?? indexes[i].corpus);
  const twice = names.findIndex((n, i) => names.indexOf(n) !== i);
  if (twice >= 0) {
    throw new UserError(
      `${sources[twice].field}: a second corpus named '${names[twice]}'; give it a distinct name (${sources[twice].field === 'data.dir' ? 'name the other one' : `${sources[twice].field}.name`})`,
    );
  }

  let plan;
  try {
    plan = crossCorpusFolds(
      indexes.map((ix, i) => ({ name: names[i], utterances: ix.utterances })),
      { seed: config.seed, valFraction: config.crossValidation.valFraction },
    );
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`crossValidation: ${err.message}`);
    throw err;
  }
  const shared = new Set(plan.classes);
  const utterances = indexes.flatMap((ix, i) => renamed(names[i], ix.utterances, shared));
  // With testCorpus only the fold tested on it; with a list, one fold per held-out corpus.
  const planned = config.crossValidation.testCorpus
    ? plan.folds.filter((f) => f.testCorpus === names[1])
    : plan.folds;
  const folds = planned.map((f, index): Fold => {
    const roles = new Map<string, Partition>();
    for (const role of ['train', 'validation', 'test'] as const) for (const s of f[role]) roles.set(s, role);
    return {
      index,
      test: f.test,
      validation: f.validation,
      train: f.train,
      ...countFold(utterances, roles),
      trainCorpora: f.trainCorpora,
      testCorpus: f.testCorpus,
    };
  });
  const classes = (indexes[0].classes as string[]).filter((c) => shared.has(c)) as CorpusIndex['classes'];
  const record: CrossCorpusRecord = {
    classes,
    corpora: indexes.map((ix, i) => ({
      name: names[i],
      corpus: ix.corpus,
      dir: ix.root,
      hash: ix.hash,
      utterances: plan.mapping[i].kept,
      speakers: new Set(ix.utterances.filter((u) => shared.has(u.label)).map((u) => u.speaker)).size,
      classes: (ix.classes as string[]).filter((c) => ix.utterances.some((u) => u.label === c)),
      dropped: plan.mapping[i].dropped,
    })),
  };
  for (const c of record.corpora) {
    const dropped = Object.entries(c.dropped).map(([cls, n]) => `${cls} (${n})`);
    log(
      `cross-corpus ${c.name} (${c.dir}): ${c.utterances} utterances of ${c.speakers} speakers kept` +
        (dropped.length ? `; left out, not in every corpus: ${dropped.join(', ')}` : ''),
    );
  }
  log(`cross-corpus classes: ${classes.join(', ')} (the classes every corpus has)`);
  const index: CorpusIndex = {
    corpus: indexes[0].corpus,
    root: indexes[0].root,
    classes,
    utterances,
    skipped: indexes.flatMap((ix) => ix.skipped),
    ...(indexes.some((ix) => ix.repaired?.length)
      ? { repaired: indexes.flatMap((ix) => ix.repaired ?? []) }
      : {}),
    hash: sha256Json({ corpora: names.map((n, i) => [n, indexes[i].hash]), classes }),
  };
  return { index, folds, record };
}
