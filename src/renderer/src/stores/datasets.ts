import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AudioView, Dataset } from '@shared/contract';
import { getApi } from '../transport';
import { messageOf } from '../lib/errors';
import { pickFolder } from '../lib/platform';

export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = ref<Dataset[]>([]);
  const selectedDir = ref<string | null>(null);
  const loading = ref(false);
  const error = ref('');
  const selectedFile = ref<string | null>(null);
  const audio = ref<AudioView | null>(null);
  const audioLoading = ref(false);
  const audioError = ref('');

  const selected = computed(() => datasets.value.find((d) => d.dir === selectedDir.value) ?? null);

  /** Runs one indexing call and makes its dataset the listed, selected one (errors shown, not thrown). */
  async function adopt(index: () => Promise<Dataset>): Promise<Dataset | null> {
    loading.value = true;
    error.value = '';
    try {
      const ds = await index();
      datasets.value = [...datasets.value.filter((d) => d.dir !== ds.dir), ds];
      selectedDir.value = ds.dir;
      return ds;
    } catch (err) {
      error.value = messageOf(err);
      return null;
    } finally {
      loading.value = false;
    }
  }

  function add(dir: string, corpus = 'auto'): Promise<Dataset | null> {
    return adopt(() => getApi().call('datasets.index', { dir, corpus }));
  }

  /** The corpus the first screen offers: the shared demo subset, or a synthetic one written now. */
  function addStarter(): Promise<Dataset | null> {
    return adopt(() => getApi().call('datasets.addStarter', {}));
  }

  /** Re-indexes the folders saved in the settings (the index is cached by the engine). */
  async function restore(dirs: string[]): Promise<void> {
    for (const dir of dirs) {
      if (!datasets.value.some((d) => d.dir === dir)) await add(dir);
    }
    error.value = '';
  }

  /** The native folder dialog (desktop), then index what was picked. */
  async function browse(): Promise<void> {
    const dir = await pickFolder('Choose a corpus folder');
    if (dir) await add(dir);
  }

  async function remove(dir: string): Promise<void> {
    await getApi().call('datasets.remove', { dir });
    datasets.value = datasets.value.filter((d) => d.dir !== dir);
    if (selectedDir.value === dir) selectedDir.value = datasets.value[0]?.dir ?? null;
  }

  async function openFile(path: string): Promise<void> {
    selectedFile.value = path;
    audio.value = null;
    audioError.value = '';
    audioLoading.value = true;
    try {
      audio.value = await getApi().call('audio.view', { path, columns: 1200 });
    } catch (err) {
      audioError.value = messageOf(err);
    } finally {
      audioLoading.value = false;
    }
  }

  return {
    datasets,
    selectedDir,
    selected,
    loading,
    error,
    selectedFile,
    audio,
    audioLoading,
    audioError,
    add,
    addStarter,
    browse,
    restore,
    remove,
    openFile,
  };
});
