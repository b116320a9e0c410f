// test/unit/main — a station that is told to stop closes at once, even with a browser's connection half open (a
// preconnected socket or an unfinished request): Node's server.close waits for such a connection until its
// headers time out (60 s), and the station's journal and sessions waited with it.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../main/config';
import { startCore } from '../../../main/server';

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'close-prompt-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

it('closes within a second while a connection holds an unfinished request', async () => {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const core = await startCore(loadConfig(['--port', '0', '--data-dir', path.join(root, 'station')], {}, path.join(root, 'dist')));
  const half = net.connect(core.port, '127.0.0.1');
  await new Promise<void>((resolve) => half.once('connect', () => resolve()));
  half.on('error', () => undefined);
  half.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // the headers never end
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  await core.close();
  expect(performance.now() - t0).toBeLessThan(1000);
  half.destroy();
});
