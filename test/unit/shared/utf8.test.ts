// test/unit/shared — the one UTF-8 byte count agrees with Node's encoder, lone surrogates included.
import { describe, expect, it } from 'vitest';
import { utf8Bytes } from '../../../shared/utf8';
import { payloadBytes } from '../../../shared/protocol';
import { utf8Bytes as fromDataExchange } from '../../../shared/dataExchange';

const node = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('utf8Bytes', () => {
  it('counts ASCII, two- and three-byte characters and surrogate pairs like Buffer.byteLength', () => {
    for (const s of ['', 'abc', 'é', 'ß→', '报警', '😀', '𠀀', '报警😀𠀀!', 'a'.repeat(1000) + '警'.repeat(100)]) expect(utf8Bytes(s)).toBe(node(s));
  });

  it('counts a lone surrogate as U+FFFD (3 bytes), wherever it stands', () => {
    const hi = '\ud83d';
    const lo = '\ude00';
    for (const s of [hi, lo, `${hi}a`, `a${lo}`, `${lo}${hi}`, `${hi}${hi}${lo}`, `${lo}${lo}`, `x${hi}`, `${hi}😀${lo}`]) {
      expect(utf8Bytes(s), JSON.stringify(s)).toBe(node(s));
    }
    expect(utf8Bytes(hi)).toBe(3);
    expect(utf8Bytes(lo)).toBe(3);
    expect(utf8Bytes(`${hi}${lo}`)).toBe(4);
  });

  it('is the count the protocol and the data import use', () => {
    expect(fromDataExchange).toBe(utf8Bytes);
    // The protocol counts the JSON text, in which a lone surrogate is escaped to six ASCII bytes.
    expect(payloadBytes('\ud83d')).toBe(node(JSON.stringify('\ud83d')));
    expect(payloadBytes({ n: '😀\ude00' })).toBe(node(JSON.stringify({ n: '😀\ude00' })));
  });
});
