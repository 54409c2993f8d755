import { parse, printJson, progress } from '../args';
import { UserError } from '../../engine/util/errors';
import { setupTensorflow } from '../../engine/backend/setup';

const usage =
  'ser-workbench setup tensorflow [--from-wheel FILE] [--from-libtensorflow DIR_OR_TARBALL] [--gpu | --cpu] [--force] [--no-download] [--json]';

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(
    argv,
    {
      'from-wheel': { type: 'string' },
      'from-libtensorflow': { type: 'string' },
      gpu: { type: 'boolean' },
      cpu: { type: 'boolean' },
      force: { type: 'boolean' },
      'no-download': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    usage,
  );
  if (positionals[0] !== 'tensorflow' || positionals.length > 1) throw new UserError(`usage: ${usage}`);
  if (values['from-wheel'] && values['from-libtensorflow']) {
    throw new UserError('give either --from-wheel or --from-libtensorflow, not both');
  }
  if (values.gpu && values.cpu) throw new UserError('give either --gpu or --cpu, not both');
  const report = await setupTensorflow({
    gpu: values.gpu ? true : values.cpu ? false : undefined,
    fromWheel: values['from-wheel'],
    fromLibtensorflow: values['from-libtensorflow'],
    force: values.force,
    noDownload: values['no-download'],
    onProgress: progress,
  });
  if (values.json) {
    printJson(report);
    return 0;
  }
  const r = report.record;
  const lines = [
    `tensorflow backend ready: ${report.package} ${r.packageVersion}, TensorFlow ${report.smoke.tfVersion}`,
    `  route:     ${report.route}${r.source ? ` (from ${r.source.kind} ${r.source.path})` : ''}`,
    `  installed: ${report.installedAt}`,
    ...(report.cacheDir ? [`  cached:    ${report.cacheDir}`] : []),
    `  size:      ${mb(r.sizes.packageBytes)} (libraries ${mb(r.sizes.libBytes)}, binding ${mb(r.sizes.bindingBytes)})${r.stripped ? ', stripped' : ''}`,
    ...(r.buildSeconds !== null ? [`  build:     ${r.buildSeconds}s`] : []),
    `  smoke:     conv2d gradients match the cpu backend (max rel. diff ${report.smoke.convGradMaxRelDiff.toExponential(2)})`,
    `  took:      ${report.totalSeconds}s`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
