import path from 'node:path';
import fs from 'node:fs';
import { parseCommand, progress } from '../args';
import { buildUi, defaultStaticDir, hasBuiltUi } from '../build-ui';
import { UserError } from '../../engine/util/errors';

const USAGE =
  'ser-workbench serve [--host 127.0.0.1] [--port N] [--data-dir DIR ...] [--runs-dir DIR] [--static DIR]';

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      'data-dir': { type: 'string', multiple: true, default: [] },
      'runs-dir': { type: 'string' },
      static: { type: 'string' },
    },
    USAGE,
  );
  if (!args) return 0;
  const { values } = args;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`--port: not a port number: ${values.port}`);
  const staticDir = path.resolve(values.static ?? defaultStaticDir);
  if (!hasBuiltUi(staticDir)) {
    // The repository's own UI is built on demand; a folder the user named must already hold one.
    if (values.static) throw new UserError(`--static ${staticDir}: no built UI (index.html) there`);
    await buildUi();
  }
  for (const d of values['data-dir']) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory())
      throw new UserError(`--data-dir ${d}: not a folder`);
  }
  if (values.host !== '127.0.0.1' && values.host !== 'localhost' && values.host !== '::1') {
    progress(
      `warning: serving on ${values.host}: anyone who can reach it and has the token can use this workbench`,
    );
  }
  const { startServer } = await import('../../server/http');
  const { SettingsStore } = await import('../../app/settings');
  const { workerLauncher } = await import('../../app/worker-launcher');
  const server = await startServer({
    host: values.host,
    port,
    staticDir,
    settings: new SettingsStore({ sessionDataDirs: values['data-dir'], runsDir: values['runs-dir'] }),
    launcher: workerLauncher,
  });
  process.stdout.write(`ser-workbench is serving at ${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  progress('stopping');
  await server.close();
  return 0;
}
