// test/ (Node, cluster tests) — a core's credentials reach the NATS servers (main/cluster/natsAuth.ts,
// natsConnectOptions): a server that takes a token, or a user and password, lets the journal in with them and keeps it
// out without them. One nats-server with JetStream (a stream of one replica: what is tested is the connection).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../shared/events';
import { openNatsJournal } from '../../main/cluster/natsJournal';
import { findProgram, freePort, waitForPort } from './natsCluster';

let server: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  server?.kill('SIGKILL');
  server = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function natsWith(conf: string): Promise<string> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nats-auth-'));
  const port = await freePort();
  const file = path.join(dir, 'nats.conf');
  fs.writeFileSync(file, `listen: "127.0.0.1:${port}"\njetstream { store_dir: ${JSON.stringify(path.join(dir, 'js'))} }\n${conf}\n`);
  server = spawn(findProgram('nats-server'), ['-c', file], { stdio: 'ignore' });
  await waitForPort(port);
  return `nats://127.0.0.1:${port}`;
}

const event: StationEvent = {
  type: 'alarm.received',
  at: 1_700_000_000_000,
  incidentId: 'I-auth-1',
  deviceId: 'term-1',
  schoolId: 'S1',
  alarmId: 'auth-1',
  kind: 'panic',
  drill: false,
  raisedAt: 1_700_000_000_000,
};

describe('credentials for the NATS servers', () => {
  it('a token: the journal opens and appends with it, and is refused without it or with another', async () => {
    const url = await natsWith('authorization { token: "s3cret-token" }');
    const j = await openNatsJournal({ servers: url, auth: { token: 's3cret-token' }, replicas: 1, stream: 'AUTH' });
    expect((await j.append([event])).status).toBe('stored');
    await j.close();
    await expect(openNatsJournal({ servers: url, replicas: 1, stream: 'AUTH' })).rejects.toThrow(/auth/i);
    await expect(openNatsJournal({ servers: url, auth: { token: 'wrong' }, replicas: 1, stream: 'AUTH' })).rejects.toThrow(/auth/i);
  });

  it('a user and password', async () => {
    const url = await natsWith('authorization { users: [ { user: "core", password: "pa55word" } ] }');
    const j = await openNatsJournal({ servers: url, auth: { user: 'core', pass: 'pa55word' }, replicas: 1, stream: 'AUTH' });
    await j.close();
    await expect(openNatsJournal({ servers: url, auth: { user: 'core', pass: 'nope' }, replicas: 1, stream: 'AUTH' })).rejects.toThrow(/auth/i);
  });
});
