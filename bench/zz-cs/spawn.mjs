import { spawnSync, spawn } from 'node:child_process';
const ballast = [];
const mb = Number(process.argv[2] ?? 0);
for (let i = 0; i < mb; i++) ballast.push(Buffer.alloc(1024 * 1024, 1));
const t0 = performance.now();
const n = 50;
for (let i = 0; i < n; i++) {
  await new Promise((resolve) => { const t = performance.now(); const c = spawn('true'); globalThis.block = (globalThis.block ?? 0) + (performance.now() - t); c.on('exit', resolve); });
}
console.log(`rss=${Math.round(process.memoryUsage().rss/1e6)}MB spawn-block-per-call=${(globalThis.block/n).toFixed(2)}ms total-per-call=${((performance.now()-t0)/n).toFixed(2)}ms`);
