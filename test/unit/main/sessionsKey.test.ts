// test/unit/main — Sessions.open never signs with an empty or short key (e.g. after a crash while the key
// file was first written): such a key would make every session forgeable (regression test).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Sessions } from '../../../main/core/sessions';

const NOW = Date.UTC(2026, 10, 30, 8, 0, 0);
let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens sessions over the given key-file content; refusing to open is an acceptable answer too. */
function openOver(content: string): Sessions | undefined {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-bug-'));
  fs.writeFileSync(path.join(dir, 'session-key'), content);
  try {
    return Sessions.open(dir);
  } catch {
    return undefined;
  }
}

function forge(key: Buffer): string {
  const body = Buffer.from(JSON.stringify({ username: 'admin', exp: NOW + 3600_000 })).toString('base64url');
  return `${body}.${crypto.createHmac('sha256', key).update(body).digest('base64url')}`;
}

describe('Sessions.open with an unusable key file', () => {
  it('does not accept a token signed with an empty key when the key file is empty', () => {
    const s = openOver('');
    expect(s?.verify(forge(Buffer.alloc(0)), NOW)).toBeUndefined();
  });

  it('does not accept a token signed with a 1-byte key when the key file is truncated', () => {
    const s = openOver('QQ=='); // one byte: 0x41
    expect(s?.verify(forge(Buffer.from([0x41])), NOW)).toBeUndefined();
  });
});
