/**
 * The corpus one click away on the first screen: the shared RAVDESS subset beside a development
 * checkout when it is there, else a small synthetic corpus written to the data folder on demand.
 * The server chooses the folder (never the page), so granting it for the session widens nothing
 * a page could aim elsewhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StarterCorpus } from '@shared/contract';
import { dataHome, sharedDir } from '../../engine/util/paths';

/** Speakers × per-class files of the synthetic starter (4 classes): a LOSO run in minutes. */
const SYNTH = { speakers: 4, perClass: 6, seed: 7 };

export function starterCorpus(): StarterCorpus {
  const shared = path.join(sharedDir(), 'data', 'ravdess');
  if (fs.existsSync(shared) && fs.statSync(shared).isDirectory()) {
    return { kind: 'demo', dir: fs.realpathSync(shared), label: 'RAVDESS subset (shared demo corpus)' };
  }
  return {
    kind: 'synthetic',
    dir: path.join(dataHome(), 'corpora', 'synthetic-starter'),
    label: `synthetic corpus (${SYNTH.speakers} speakers × 4 classes × ${SYNTH.perClass})`,
  };
}

/** The starter corpus's folder, written first when it is the synthetic one and not there yet. */
export async function ensureStarterCorpus(): Promise<StarterCorpus> {
  const starter = starterCorpus();
  if (starter.kind === 'synthetic') {
    const { readSyntheticMarker, synthesizeCorpus } = await import('../../engine/corpora');
    if (!readSyntheticMarker(starter.dir)) await synthesizeCorpus(starter.dir, SYNTH);
  }
  return starter;
}
