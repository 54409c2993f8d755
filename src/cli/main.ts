import { UserError } from '../engine/util/errors';
import { HelpShown } from './args';
import { pathErrorMessage } from '../engine/util/fs-errors';

/** Every command, loaded on demand so that `ser-workbench index` never loads tfjs. */
const commands: Record<
  string,
  { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }
> = {
  index: { summary: 'index a corpus folder (Table-I summary)', load: () => import('./commands/index') },
  features: {
    summary: 'YAMNet log-mel patches of one audio file',
    load: () => import('./commands/features'),
  },
  folds: { summary: 'speaker-grouped cross-validation folds', load: () => import('./commands/folds') },
  synth: { summary: 'write a synthetic emotional-speech corpus', load: () => import('./commands/synth') },
  weights: {
    summary: 'YAMNet weights: status|download|import|check',
    load: () => import('./commands/weights'),
  },
  backends: {
    summary: 'list tfjs backends and which a run would pick',
    load: () => import('./commands/backends'),
  },
  setup: { summary: 'setup tensorflow: build the native backend', load: () => import('./commands/setup') },
  'init-config': {
    summary: "write the paper's default experiment config",
    load: () => import('./commands/init-config'),
  },
  run: { summary: 'run a cross-validated experiment', load: () => import('./commands/run') },
  report: {
    summary: 'print a run as a table (md, csv, latex, json)',
    load: () => import('./commands/report'),
  },
  predict: { summary: 'classify audio files with a trained run', load: () => import('./commands/predict') },
  cache: { summary: 'cache status|clear|verify', load: () => import('./commands/cache') },
  serve: { summary: 'serve the workbench UI to a browser', load: () => import('./commands/serve') },
  demo: { summary: 'the main job: a complete small experiment', load: () => import('./commands/demo') },
  bench: { summary: 'benchmarks, printed and saved as JSON', load: () => import('./commands/bench') },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: ser-workbench <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

/** The commands the dispatcher knows, in the order `--help` lists them. */
export const commandNames = Object.keys(commands);

/**
 * Exit codes: 0 done, 1 bad input or usage, 2 internal error. An internal error prints its
 * message, and its stack only with `--debug` (anywhere on the line) or SER_DEBUG=1.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || process.env.SER_DEBUG === '1';
  const [name, ...rest] = argv.filter((a) => a !== '--debug');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command '${name}'\n${help()}`);
    return 1;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    const { code, text } = describeFailure(err, debug);
    if (text) process.stderr.write(text);
    return code;
  }
}

/**
 * What a command's failure prints and its exit code: a user error or a file system error on a
 * given path is bad input (1, the message only); anything else is a bug (2, the stack only with
 * --debug).
 */
export function describeFailure(err: unknown, debug: boolean): { code: number; text: string } {
  if (err instanceof HelpShown) return { code: 0, text: '' };
  if (err instanceof UserError) return { code: 1, text: `error: ${err.message}\n` };
  const onPath = pathErrorMessage(err);
  if (onPath) return { code: 1, text: `error: ${onPath}\n` };
  const message = err instanceof Error ? err.message : String(err);
  return {
    code: 2,
    text: debug
      ? `internal error: ${(err as Error)?.stack ?? message}\n`
      : `internal error: ${message}\n(this is a bug; run again with --debug for the stack trace)\n`,
  };
}
