import { resample } from './src/engine/audio';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const x = new Float32Array(48000 * 60).map(() => Math.random() - 0.5);
await resample(x, 48000);
for (let r = 0; r < 3; r++) { const t = cpu(); await resample(x, 48000); const ms = cpu() - t; console.log('poly 48k 60s', ms.toFixed(1), 'ms', (60000 / ms).toFixed(0), 'xRT'); }
const x2 = new Float32Array(22050 * 60).map(() => Math.random() - 0.5);
await resample(x2, 22050);
const t = cpu(); await resample(x2, 22050); const ms = cpu() - t; console.log('poly 22.05k 60s', (60000 / ms).toFixed(0), 'xRT');
