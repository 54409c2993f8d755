/**
 * The user's UI settings (data folders, added corpora, runs folder), kept as JSON in the
 * data home. Folders given on the command line are granted for this session only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dataHome } from '../engine/util/paths';
import { writeJsonAtomic } from '../engine/util/atomic';
import { settingsSchema, type Settings } from '@shared/contract';

export interface SettingsStoreOptions {
  /** Settings file; default <dataHome>/settings.json. */
  file?: string;
  /** Extra folders granted for this session (serve --data-dir). */
  sessionDataDirs?: string[];
  /** Runs folder override (serve --runs-dir). */
  runsDir?: string;
}

export class SettingsStore {
  readonly file: string;
  private readonly sessionDataDirs: string[];
  private readonly runsDirOverride: string | undefined;
  private saved: Settings;

  constructor(opts: SettingsStoreOptions = {}) {
    this.file = opts.file ?? path.join(dataHome(), 'settings.json');
    this.sessionDataDirs = (opts.sessionDataDirs ?? []).map((d) => path.resolve(d));
    this.runsDirOverride = opts.runsDir ? path.resolve(opts.runsDir) : undefined;
    this.saved = this.load();
  }

  private load(): Settings {
    const fallback: Settings = {
      dataDirs: [],
      datasets: [],
      runsDir: path.join(dataHome(), 'runs'),
    };
    try {
      const parsed = settingsSchema.partial().safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? { ...fallback, ...parsed.data } : fallback;
    } catch {
      return fallback;
    }
  }

  /**
   * Grants a folder the server chose itself (the starter corpus), kept so that the corpus restores
   * in later sessions; a page can never name the folder.
   */
  grant(dir: string): Settings {
    const resolved = path.resolve(dir);
    if (this.get().dataDirs.includes(resolved)) return this.get();
    return this.update({ dataDirs: [...this.saved.dataDirs, resolved] });
  }

  /** Saved settings merged with this session's grants. */
  get(): Settings {
    const dataDirs = unique([...this.sessionDataDirs, ...this.saved.dataDirs]);
    return { ...this.saved, dataDirs, runsDir: this.runsDirOverride ?? this.saved.runsDir };
  }

  update(patch: Partial<Settings>): Settings {
    this.saved = { ...this.saved, ...patch };
    if (patch.dataDirs) this.saved.dataDirs = unique(patch.dataDirs.map((d) => path.resolve(d)));
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeJsonAtomic(this.file, this.saved);
    return this.get();
  }

  addDataset(dir: string): Settings {
    return this.update({ datasets: unique([...this.saved.datasets, dir]) });
  }

  removeDataset(dir: string): Settings {
    return this.update({ datasets: this.saved.datasets.filter((d) => d !== dir) });
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
