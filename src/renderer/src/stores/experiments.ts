import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { ConfigIssue, FoldsPreview } from '@shared/contract';
import { modelDefaults, type ExperimentConfig } from '@shared/config-schema';
import { formatIssuePath, issuesByField } from '@shared/config-issues';
import { getApi } from '../transport';
import { messageOf } from '../lib/errors';
import { openTextFile, saveFile } from '../lib/platform';
import { plainCopy } from '../lib/plain';

// The config is the shared schema's ExperimentConfig; the form edits it in place, so it may hold
// a value the schema refuses until config.validate says which.
export type ConfigJson = ExperimentConfig;

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
    defaults.value = res.defaults;
    config.value = plainCopy(res.defaults);
  }

  /** The paper's defaults, keeping the corpus the form was pointed at. */
  function reset(): void {
    if (!defaults.value) return;
    const dir = config.value?.data.dir;
    config.value = plainCopy(defaults.value);
    if (dir) config.value.data.dir = dir;
  }

  /** Switches the model kind: the kind's defaults (YAMNet-LSTM: the paper's), other edits kept. */
  function setKind(kind: string): void {
    if (!config.value) return;
    config.value.model = modelDefaults(kind as ExperimentConfig['model']['kind']);
  }

  /** The sweep block (a grid over config fields), or none: one run. */
  function setSweep(sweep: { grid: Record<string, unknown[]> } | undefined): void {
    if (!config.value) return;
    if (sweep) config.value.sweep = sweep;
    else delete config.value.sweep;
  }

  let timer: ReturnType<typeof setTimeout> | null = null;
  async function validate(): Promise<boolean> {
    if (!config.value) return false;
    const key = foldsKey.value;
    const res = await getApi().call('config.validate', { config: config.value });
    issues.value = res.issues;
    valid.value = res.ok;
    if (res.ok) followFolds(key);
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

  /** What the folds depend on: corpus, classes, scheme and seed. */
  const foldsKey = computed(() => {
    const c = config.value;
    return c ? JSON.stringify([c.data, c.crossValidation, c.seed]) : '';
  });
  /** The key the preview shown was computed for: a preview of another corpus is never shown. */
  const previewKey = ref('');
  /** The key of the newest preview asked for (in flight or answered); '' after a failed one. */
  let requestedKey = '';
  let previewRequest = 0;
  /** This form's preview channel: the server drops our older previews still waiting behind a newer one. */
  const previewChannel = `form-${Math.random().toString(36).slice(2, 12)}`;

  async function previewFolds(): Promise<void> {
    const mine = ++previewRequest;
    const key = foldsKey.value;
    requestedKey = key;
    previewError.value = '';
    previewLoading.value = true;
    try {
      const res = await getApi().call('folds.preview', {
        config: plainCopy(config.value!),
        channel: previewChannel,
      });
      if (mine !== previewRequest) return;
      preview.value = res;
      previewKey.value = key;
    } catch (err) {
      if (mine !== previewRequest) return;
      preview.value = null;
      previewError.value = messageOf(err);
      // The next valid edit asks again (a corpus made readable, a sweep finished being typed).
      requestedKey = '';
    } finally {
      if (mine === previewRequest) previewLoading.value = false;
    }
  }

  /**
   * The fold preview follows the config: after a validation that passed, it is asked for whenever
   * the corpus, classes, scheme or seed differ from the last preview asked for. Driving it from the
   * validation (not from a timer on the folds key alone) means an edit elsewhere that was invalid
   * for a moment, such as a sweep row typed field first, cannot leave the form without folds.
   */
  function followFolds(validatedKey: string): void {
    if (!config.value?.data.dir) return;
    if (validatedKey !== foldsKey.value || validatedKey === requestedKey) return;
    void previewFolds();
  }

  // A preview of other folds is hidden at once; the new one comes with the next validation.
  watch(foldsKey, (key) => {
    if (key !== previewKey.value) {
      preview.value = null;
      previewError.value = '';
    }
  });

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
    setSweep,
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
    setKind,
    validate,
    previewFolds,
    saveConfig,
    loadConfig,
  };
});
