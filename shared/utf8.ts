// shared/ — the one UTF-8 byte count (shared/ has no TextEncoder or Buffer types). Used for the protocol's
// payload limit and the data-import size limit, which once counted surrogates in two different ways.

/**
 * How many bytes `s` takes encoded as UTF-8, exactly as `Buffer.byteLength(s, 'utf8')` and `TextEncoder` count:
 * a surrogate pair is one code point of 4 bytes; a lone surrogate (high without a low after it, or a low on
 * its own) is encoded as U+FFFD, 3 bytes.
 */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** `s` encoded as UTF-8, as TextEncoder encodes it (a lone surrogate as U+FFFD); shared/ has no TextEncoder type. */
export function utf8Encode(s: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(utf8Bytes(s));
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xe000) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else c = 0xfffd;
    }
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 63);
      out[o++] = 0x80 | ((c >> 6) & 63);
      out[o++] = 0x80 | (c & 63);
    }
  }
  return out;
}
