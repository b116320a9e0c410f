// test/unit/main — the Electron window's navigation and IPC checks compare parsed origins (main/gateway/http.ts isSameOrigin).
import { describe, expect, it } from 'vitest';
import { isSameOrigin } from '../../../main/gateway/http';

describe('isSameOrigin', () => {
  const origin = 'http://127.0.0.1:8700';
  it('accepts the station itself, any path', () => {
    expect(isSameOrigin('http://127.0.0.1:8700/', origin)).toBe(true);
    expect(isSameOrigin('http://127.0.0.1:8700/index.html?x=1#y', origin)).toBe(true);
  });
  it.each([
    'http://127.0.0.1:8700@evil.example/',
    'http://127.0.0.1:87001/',
    'http://127.0.0.1:8700.evil.example/',
    'https://127.0.0.1:8700/',
    'http://localhost:8700/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    '',
    'not a url',
  ])('refuses %s (a string prefix check would let some of these through)', (url) => {
    expect(isSameOrigin(url, origin)).toBe(false);
  });
});
