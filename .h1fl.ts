import fs from 'node:fs';
import { decodeAudioBytes } from './src/engine/audio';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const files = fs.readdirSync('/tmp/h1/flac').map((f) => '/tmp/h1/flac/' + f);
const bytes = files.map((f) => fs.readFileSync(f));
let sec = 0;
for (let i = 0; i < files.length; i++) sec += (await decodeAudioBytes(files[i], bytes[i])).durationSec;
for (let r = 0; r < 3; r++) {
  const t = cpu();
  for (let i = 0; i < files.length; i++) await decodeAudioBytes(files[i], bytes[i]);
  const ms = cpu() - t; console.log('flac decode', files.length, 'files', sec.toFixed(1), 's', ms.toFixed(1), 'ms', (sec * 1000 / ms).toFixed(0), 'xRT');
}
