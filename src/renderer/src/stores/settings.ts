import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo, BackendsInfo, Settings, WeightsStatus } from '@shared/contract';
import { getApi } from '../transport';
import { messageOf } from '../lib/errors';

export const useSettingsStore = defineStore('settings', () => {
  const app = ref<AppInfo | null>(null);
  const settings = ref<Settings | null>(null);
  const backends = ref<BackendsInfo | null>(null);
  const weights = ref<WeightsStatus | null>(null);
  const weightsMessage = ref('');
  const error = ref('');
  const busy = ref(false);

  async function load(): Promise<void> {
    const api = getApi();
    [app.value, settings.value] = await Promise.all([api.call('app.info', {}), api.call('settings.get', {})]);
  }

  async function loadSystem(): Promise<void> {
    const api = getApi();
    error.value = '';
    try {
      [backends.value, weights.value] = await Promise.all([
        api.call('backends.list', {}),
        api.call('weights.status', {}),
      ]);
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function setDataDirs(dataDirs: string[]): Promise<void> {
    settings.value = await getApi().call('settings.update', { dataDirs });
  }

  async function weightsAction(action: 'download' | 'import', path?: string): Promise<void> {
    busy.value = true;
    error.value = '';
    const off = getApi().onEvent((e) => {
      if (e.type === 'weights.progress') weightsMessage.value = e.message;
    });
    try {
      weights.value =
        action === 'download'
          ? await getApi().call('weights.download', {})
          : await getApi().call('weights.import', { path: path ?? '' });
      weightsMessage.value = 'done';
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      off();
      busy.value = false;
    }
  }

  return {
    app,
    settings,
    backends,
    weights,
    weightsMessage,
    error,
    busy,
    load,
    loadSystem,
    setDataDirs,
    weightsAction,
  };
});
