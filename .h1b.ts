import { bench } from './bench/frontend';
import { formatTable } from './src/cli/commands/bench';
console.log(formatTable(await bench()));
