// test/unit/main — HMAC-signed operator sessions with the key in the data folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_TTL_MS, Sessions } from '../../../main/core/sessions';

const NOW = Date.UTC(2026, 10, 30, 8, 0, 0);
const b64u = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

let root: string;
let dir: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-test-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(root, 'case-'));
});

describe('Sessions', () => {
  it('verifies a token it issued and gives back the claims', () => {
    const s = Sessions.open(dir);
    const token = s.issue('wang', NOW);
    // The claims now carry a random session id too (what logout and a password reset end: sessionsRevoke.test.ts).
    expect(s.verify(token, NOW)).toEqual({ username: 'wang', exp: NOW + SESSION_TTL_MS, sid: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    expect(s.verify(token, NOW + 60_000)?.username).toBe('wang');
  });

  it('keeps a Chinese or dotted username intact', () => {
    const s = Sessions.open(dir);
    expect(s.verify(s.issue('王.警官', NOW), NOW)?.username).toBe('王.警官');
  });

  it('refuses a token whose body was changed', () => {
    const s = Sessions.open(dir);
    const [, mac] = s.issue('wang', NOW).split('.');
    const forgedBody = b64u(JSON.stringify({ username: 'admin', exp: NOW + SESSION_TTL_MS }));
    expect(s.verify(`${forgedBody}.${mac}`, NOW)).toBeUndefined();
    // Extending one's own session is a forgery too.
    const longer = b64u(JSON.stringify({ username: 'wang', exp: NOW + 10 * SESSION_TTL_MS }));
    expect(s.verify(`${longer}.${mac}`, NOW)).toBeUndefined();
  });

  it('refuses a token whose MAC was changed, cut or dropped', () => {
    const s = Sessions.open(dir);
    const token = s.issue('wang', NOW);
    const [body, mac] = token.split('.') as [string, string];
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    expect(s.verify(`${body}.${flipped}`, NOW)).toBeUndefined();
    expect(s.verify(`${body}.${mac.slice(0, -1)}`, NOW)).toBeUndefined();
    expect(s.verify(`${body}.`, NOW)).toBeUndefined();
    expect(s.verify(body, NOW)).toBeUndefined();
    expect(s.verify(`${token}.extra`, NOW)).toBeUndefined();
    expect(s.verify('', NOW)).toBeUndefined();
  });

  it('refuses an expired token, and accepts it up to its expiry time', () => {
    const s = Sessions.open(dir);
    const token = s.issue('wang', NOW);
    expect(s.verify(token, NOW + SESSION_TTL_MS)).toBeDefined();
    expect(s.verify(token, NOW + SESSION_TTL_MS + 1)).toBeUndefined();
    expect(s.verify(token, NOW + 7 * SESSION_TTL_MS)).toBeUndefined();
  });

  it('refuses a token signed with another data folder’s key', () => {
    const a = Sessions.open(dir);
    const b = Sessions.open(fs.mkdtempSync(path.join(root, 'other-')));
    expect(b.verify(a.issue('wang', NOW), NOW)).toBeUndefined();
    expect(a.verify(b.issue('wang', NOW), NOW)).toBeUndefined();
  });

  it.each([
    ['a number', 12345],
    ['null', null],
    ['undefined', undefined],
    ['an object', { token: 'x' }],
    ['an array', ['a', 'b']],
  ])('refuses a token that is %s', (_what, token) => {
    expect(Sessions.open(dir).verify(token, NOW)).toBeUndefined();
  });

  it('refuses an oversized token without looking further, even a correctly signed one', () => {
    const s = Sessions.open(dir);
    expect(s.verify('a'.repeat(100_000), NOW)).toBeUndefined();
    const huge = s.issue('x'.repeat(2000), NOW);
    expect(huge.length).toBeGreaterThan(2048);
    expect(s.verify(huge, NOW)).toBeUndefined();
  });

  it('refuses a correctly signed body that does not hold session claims', () => {
    // Sign bodies with the real key from the data folder, as an insider with the key could: the claim checks must still hold.
    const s = Sessions.open(dir);
    const key = Buffer.from(fs.readFileSync(path.join(dir, 'session-key'), 'utf8'), 'base64');
    const sign = (body: string): string => `${body}.${crypto.createHmac('sha256', key).update(body).digest('base64url')}`;
    expect(s.verify(sign(b64u(JSON.stringify({ username: 'wang', exp: NOW + 1000 }))), NOW)?.username).toBe('wang');
    expect(s.verify(sign(b64u('not json')), NOW)).toBeUndefined();
    expect(s.verify(sign(b64u('null')), NOW)).toBeUndefined();
    expect(s.verify(sign(b64u(JSON.stringify({ username: 7, exp: NOW + 1000 }))), NOW)).toBeUndefined();
    expect(s.verify(sign(b64u(JSON.stringify({ username: 'wang', exp: String(NOW + 1000) }))), NOW)).toBeUndefined();
    expect(s.verify(sign(b64u(JSON.stringify({ username: 'wang' }))), NOW)).toBeUndefined();
  });

  it('keeps the key across a reopen of the same folder, so sessions survive a core restart', () => {
    const token = Sessions.open(dir).issue('wang', NOW);
    const keyBefore = fs.readFileSync(path.join(dir, 'session-key'), 'utf8');
    const reopened = Sessions.open(dir);
    expect(reopened.verify(token, NOW + 1000)?.username).toBe('wang');
    expect(fs.readFileSync(path.join(dir, 'session-key'), 'utf8')).toBe(keyBefore);
  });

  it('logs everyone out when the key file is deleted', () => {
    const token = Sessions.open(dir).issue('wang', NOW);
    fs.rmSync(path.join(dir, 'session-key'));
    expect(Sessions.open(dir).verify(token, NOW)).toBeUndefined();
  });

  it('creates the data folder and a 32-byte key readable by the owner only', () => {
    const nested = path.join(dir, 'data', 'station');
    Sessions.open(nested);
    const file = path.join(nested, 'session-key');
    expect(Buffer.from(fs.readFileSync(file, 'utf8'), 'base64')).toHaveLength(32);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
