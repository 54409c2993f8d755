import fs from 'node:fs';
import path from 'node:path';
import { FileError, UserError } from '../util/errors';
import { cremad, cremadLayout } from './layouts/cremad';
import { demos } from './layouts/demos';
import { emodb } from './layouts/emodb';
import { detectFolderLayout, foldersLayout } from './layouts/folders';
import { nameLayout, type Layout, type NameParser } from './layouts/layout';
import { isManifest, manifestLayout } from './layouts/manifest';
import { ravdess } from './layouts/ravdess';
import { savee } from './layouts/savee';
import { tess } from './layouts/tess';
import type { ScanResult } from './scan';
import { readSyntheticMarker, SYNTHETIC_MARKER } from './synthetic-marker';
import type { CorpusName, FolderLayout } from './types';

/** Name-based layouts, most specific first (ties in detection go to the earlier one). */
const NAME_PARSERS: NameParser[] = [ravdess, emodb, cremad, tess, savee, demos];

export interface LayoutChoice {
  corpus?: CorpusName | 'auto';
  folders?: FolderLayout;
  manifest?: string;
}

function demographicsFile(root: string, scan: ScanResult): string | undefined {
  const id = scan.other.find((f) => path.posix.basename(f).toLowerCase() === 'videodemographics.csv');
  return id ? path.join(root, id) : undefined;
}

/** Manifest given by the user, or the one CSV at the root whose header is a manifest's. */
function findManifest(root: string, scan: ScanResult, given?: string): string | undefined {
  if (given) {
    const file = path.resolve(root, given);
    if (!fs.existsSync(file)) throw new FileError(file, 'manifest not found');
    return file;
  }
  const candidates = scan.other
    .filter((id) => !id.includes('/') && id.toLowerCase().endsWith('.csv'))
    .map((id) => path.join(root, id))
    .filter(isManifest);
  return candidates[0];
}

function syntheticLayout(root: string): Layout {
  const marker = readSyntheticMarker(root);
  if (!marker) throw new FileError(path.join(root, SYNTHETIC_MARKER), 'no synthetic-corpus marker');
  return manifestLayout(root, path.join(root, marker.manifest), 'synthetic');
}

/** The layout named by the user, built with the side files it needs. */
function namedLayout(name: CorpusName, root: string, scan: ScanResult, choice: LayoutChoice): Layout {
  switch (name) {
    case 'synthetic':
      return syntheticLayout(root);
    case 'csv': {
      const manifest = findManifest(root, scan, choice.manifest);
      if (!manifest)
        throw new UserError(`${root}: no CSV manifest (path,label,speaker[,sex][,split]) at the root`);
      return manifestLayout(root, manifest);
    }
    case 'cremad':
      return cremadLayout(demographicsFile(root, scan));
    case 'folders': {
      const folders = choice.folders ?? detectFolderLayout([...scan.audio.keys()]);
      if (!folders)
        throw new UserError(`${root}: no folder level is named after emotions; give the label level`);
      return foldersLayout(folders);
    }
    default: {
      const parser = NAME_PARSERS.find((p) => p.name === name);
      if (!parser) throw new UserError(`unknown corpus '${name}'`);
      return nameLayout(parser);
    }
  }
}

/** Fraction of the audio files whose names have the parser's shape. */
export function layoutScore(parser: NameParser, ids: string[]): number {
  if (ids.length === 0) return 0;
  return ids.filter((id) => parser.matches(id)).length / ids.length;
}

/**
 * Picks the layout: the user's choice, else a synthetic marker, a root manifest, the name-based
 * layout most files fit (at least half), or emotion-named folders.
 */
export function chooseLayout(root: string, scan: ScanResult, choice: LayoutChoice = {}): Layout {
  if (choice.corpus && choice.corpus !== 'auto') return namedLayout(choice.corpus, root, scan, choice);
  if (readSyntheticMarker(root)) return syntheticLayout(root);
  const manifest = findManifest(root, scan, choice.manifest);
  if (manifest) return manifestLayout(root, manifest);
  const ids = [...scan.audio.keys()];
  let best: { parser: NameParser; score: number } | undefined;
  for (const parser of NAME_PARSERS) {
    const score = layoutScore(parser, ids);
    if (score > (best?.score ?? 0)) best = { parser, score };
  }
  if (best && best.score >= 0.5) return namedLayout(best.parser.name, root, scan, choice);
  const folders = choice.folders ?? detectFolderLayout(ids);
  if (folders) return foldersLayout(folders);
  if (ids.length === 0) throw new UserError(`${root}: no WAV or FLAC files found`);
  throw new UserError(
    `${root}: cannot tell the corpus layout; name it (ravdess, demos, emodb, cremad, tess, savee, folders, csv)`,
  );
}
