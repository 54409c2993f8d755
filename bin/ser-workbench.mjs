#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so the CLI, the worker processes and the
// server need no separate build step; Electron's bundles are built by electron-vite.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
