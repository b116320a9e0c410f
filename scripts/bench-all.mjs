// scripts/ — `npm run bench`: the four benches one after another with their defaults, each whatever the last one's
// verdict (a missed target must not hide the others' figures); exits 1 if any missed a target, 2 if any could not
// run. Options go to one bench alone: npm run bench:latency / bench:flood / bench:map / bench:journal -- --help.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bench');
const benches = ['bench', 'flood', 'mapBench', 'journalBench'];
const codes = benches.map((b) => {
  const r = spawnSync(process.execPath, [path.join(dist, `${b}.js`)], { stdio: 'inherit' });
  return r.status ?? 2;
});
console.log(`\nnpm run bench: ${benches.map((b, i) => `${b} ${codes[i] === 0 ? 'PASS' : codes[i] === 1 ? 'FAIL' : 'did not run'}`).join(', ')}`);
process.exit(codes.includes(2) ? 2 : codes.includes(1) ? 1 : 0);
