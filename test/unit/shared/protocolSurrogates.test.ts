// test/unit/shared — payloadBytes counts a character outside the BMP (emoji, rare CJK) as 4 UTF-8 bytes,
// so valid payloads near 16 KiB are not refused (regression test).
import { describe, expect, it } from 'vitest';
import { MAX_PAYLOAD_BYTES, payloadBytes } from '../../../shared/protocol';

describe('payloadBytes outside the BMP', () => {
  it('counts a surrogate pair as the 4 UTF-8 bytes it encodes to', () => {
    expect(payloadBytes('😀')).toBe(2 + 4);
    expect(payloadBytes('𠀀')).toBe(2 + 4); // CJK Extension B
    const p = { note: '报警😀𠀀!' };
    expect(payloadBytes(p)).toBe(Buffer.byteLength(JSON.stringify(p), 'utf8'));
  });

  it('does not push a payload of exactly 16 KiB over the limit', () => {
    // '{"pad":""}' is 10 bytes; 4093 emoji are 16372 bytes; two ASCII letters make 16384.
    const p = { pad: '😀'.repeat(4093) + 'ab' };
    expect(Buffer.byteLength(JSON.stringify(p), 'utf8')).toBe(MAX_PAYLOAD_BYTES);
    expect(payloadBytes(p)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
  });
});
