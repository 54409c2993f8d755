import path from 'node:path';
import { UserError } from '../../util/errors';
import { normalizeLabel } from '../labels';
import type { FileLabel, FolderLayout } from '../types';
import { labelEntry, NameError, type Layout } from './layout';

/** Label and speaker from path levels chosen by the user (or detected). */
export function parseFolders(id: string, layout: FolderLayout): FileLabel {
  const parts = id.split('/');
  const dirs = parts.slice(0, -1);
  const labelDir = dirs[layout.labelLevel];
  if (labelDir === undefined) throw new NameError(`no folder at level ${layout.labelLevel} for the label`);
  const label = normalizeLabel(labelDir);
  if (!label) throw new NameError(`unknown label folder '${labelDir}'`);
  let speaker: string | undefined;
  if (layout.speakerLevel === 'prefix') {
    const name = path.posix.basename(id);
    const m = /^([^_-]+)[_-]/.exec(name);
    if (!m) throw new NameError(`no speaker prefix (<speaker>_...) in the file name '${name}'`);
    speaker = m[1];
  } else {
    speaker = dirs[layout.speakerLevel];
    if (speaker === undefined)
      throw new NameError(`no folder at level ${layout.speakerLevel} for the speaker`);
  }
  return { speaker, sex: 'unknown', label };
}

export function foldersLayout(layout: FolderLayout): Layout {
  if (layout.labelLevel === layout.speakerLevel) {
    throw new UserError('the label and the speaker must come from different path levels');
  }
  return {
    name: 'folders',
    entries: (ids) => ids.map((id) => labelEntry(id, () => parseFolders(id, layout))),
  };
}

/**
 * The folder level most of whose names are emotions is the label; the speaker is the other of
 * the first two folder levels, or the file-name prefix when files sit directly in the label folders.
 * Undefined when no level looks like labels.
 */
export function detectFolderLayout(ids: string[]): FolderLayout | undefined {
  if (ids.length === 0) return undefined;
  const depthCounts = new Map<number, number>();
  for (const id of ids) {
    const dirs = id.split('/').slice(0, -1);
    dirs.forEach((d, level) => {
      if (normalizeLabel(d)) depthCounts.set(level, (depthCounts.get(level) ?? 0) + 1);
    });
  }
  const best = [...depthCounts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  if (!best || best[1] < ids.length / 2) return undefined;
  const labelLevel = best[0];
  const deeper = ids.filter((id) => id.split('/').length - 1 > labelLevel + 1).length;
  if (labelLevel >= 1) return { labelLevel, speakerLevel: labelLevel - 1 };
  if (deeper > ids.length / 2) return { labelLevel, speakerLevel: labelLevel + 1 };
  return { labelLevel, speakerLevel: 'prefix' };
}
