import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { ConfigIssue, FoldsPreview } from '../../../shared/contract';
import { formatIssuePath, issuesByField } from '../../../shared/config-issues';
import { getApi } from '../transport';
import { messageOf } from '../lib/errors';
import { openTextFile, saveFile } from '../lib/platform';

// The config is the engine's ExperimentConfig as plain JSON; the form edits it in place.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConfigJson = Record<string, any>;

export const useExperimentsStore = defineStore('experiments', () => {
  const jsonSchema = ref<unknown>(null);
  const defaults = ref<ConfigJson | null>(null);
  const config = ref<ConfigJson | null>(null);
  const issues = ref<ConfigIssue[]>([]);
  const valid = ref(true);
  const preview = ref<FoldsPreview | null>(null);
  const previewError = ref('');
  const previewLoading = ref(false);
  const message = ref('');

  async function load(): Promise<void> {
    if (config.value) return;
    const res = await getApi().call('config.schema', {});
    jsonSchema.value = res.jsonSchema;
    defaults.value = res.defaults as ConfigJson;
    config.value = structuredClone(res.defaults as ConfigJson);
  }

  function reset(): void {
    if (defaults.value) config.value = structuredClone(defaults.value);
  }

  let timer: ReturnType<typeof setTimeout> | null = null;
  async function validate(): Promise<boolean> {
    if (!config.value) return false;
    const res = await getApi().call('config.validate', { config: config.value });
    issues.value = res.issues;
    valid.value = res.ok;
    return res.ok;
  }
  // Inline validation as the user types, against the engine's own schema.
  watch(
    config,
    () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void validate().catch(() => undefined), 250);
    },
    { deep: true },
  );

  const issueAt = computed(() => issuesByField(issues.value));
  /** Every problem as one line (`training.epoch: unknown key; did you mean …`), as the CLI says it. */
  const issueLines = computed(() => issues.value.map((i) => `${formatIssuePath(i.path)}: ${i.message}`));

  async function previewFolds(): Promise<void> {
    previewError.value = '';
    previewLoading.value = true;
    try {
      preview.value = await getApi().call('folds.preview', { config: config.value });
    } catch (err) {
      preview.value = null;
      previewError.value = messageOf(err);
    } finally {
      previewLoading.value = false;
    }
  }

  async function saveConfig(): Promise<void> {
    if (!config.value) return;
    const name = `${String(config.value.name || 'experiment').replace(/[^A-Za-z0-9._-]+/g, '-')}.json`;
    const where = await saveFile(name, JSON.stringify(config.value, null, 2) + '\n', 'application/json');
    message.value = where ? `saved ${where}` : '';
  }

  async function loadConfig(): Promise<void> {
    const file = await openTextFile(['json']);
    if (!file) return;
    try {
      const parsed = JSON.parse(file.content) as ConfigJson;
      const res = await getApi().call('config.validate', { config: parsed });
      // Fill defaults where the file leaves them out, but keep what it says even if invalid.
      config.value = res.ok ? (res.config as ConfigJson) : parsed;
      message.value = `loaded ${file.name}`;
    } catch (err) {
      message.value = `${file.name}: ${messageOf(err)}`;
    }
  }

  return {
    jsonSchema,
    defaults,
    config,
    issues,
    valid,
    issueAt,
    issueLines,
    preview,
    previewError,
    previewLoading,
    message,
    load,
    reset,
    validate,
    previewFolds,
    saveConfig,
    loadConfig,
  };
});
