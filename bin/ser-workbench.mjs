#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so the CLI, the worker processes and the
// server need no separate build step; Electron's bundles are built by electron-vite.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// tsx reads the path aliases (`@shared/*`) from this tsconfig whatever the current folder is (a
// Slurm task starts in its own); the variable is inherited by the worker processes it forks.
process.env.TSX_TSCONFIG_PATH ??= fileURLToPath(new URL('../tsconfig.json', import.meta.url));
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
