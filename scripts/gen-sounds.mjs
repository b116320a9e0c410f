// scripts/ — build tool (plain Node, no dependencies): synthesises the console's alert sounds into assets/sounds/.
// Generated rather than downloaded so the sounds carry no third-party licence and can be rebuilt byte for byte.
// Usage: node scripts/gen-sounds.mjs

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'assets', 'sounds');
const SAMPLE_RATE = 22050;

/** Encodes mono float samples in [-1, 1] as a 16-bit PCM RIFF/WAVE file. */
function encodeWav(samples, sampleRate) {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    buf.writeInt16LE(Math.round(s * 32767), 44 + i * 2);
  }
  return buf;
}

/** Raised-cosine ramp 0→1 over `len` samples; used for fades so edges do not click. */
function ramp(i, len) {
  if (i >= len) return 1;
  return 0.5 - 0.5 * Math.cos((Math.PI * i) / len);
}

/**
 * Two-tone siren: 960 Hz / 770 Hz, 0.3 s each, twice (1.2 s). Each segment holds a whole number of
 * cycles (288 and 231) and starts at phase 0, and every segment fades in and out over 5 ms, so the
 * file loops with no click at the seam. The soft-clipped sine (tanh) sounds square-ish and urgent
 * without the harsh aliasing a true square wave gives at 22 kHz.
 */
function alarmSamples() {
  const segLen = Math.round(0.3 * SAMPLE_RATE); // 6615 samples
  const fade = Math.round(0.005 * SAMPLE_RATE);
  const drive = 2.5;
  const norm = Math.tanh(drive);
  const tones = [960, 770, 960, 770];
  const out = new Float64Array(segLen * tones.length);
  tones.forEach((freq, seg) => {
    for (let i = 0; i < segLen; i++) {
      const env = Math.min(ramp(i, fade), ramp(segLen - 1 - i, fade));
      const wave = Math.tanh(drive * Math.sin((2 * Math.PI * freq * i) / SAMPLE_RATE)) / norm;
      out[seg * segLen + i] = 0.7 * env * wave;
    }
  });
  return out;
}

/**
 * Calm double chime for a device fault: two 660 Hz strikes 0.45 s apart, each a sine with a quiet
 * octave partial (bell-like), 5 ms attack and exponential decay; 1.5 s in all, fading to silence.
 */
function faultSamples() {
  const total = Math.round(1.5 * SAMPLE_RATE);
  const attack = Math.round(0.005 * SAMPLE_RATE);
  const tailFade = Math.round(0.05 * SAMPLE_RATE);
  const strikes = [0, Math.round(0.45 * SAMPLE_RATE)];
  const out = new Float64Array(total);
  for (const start of strikes) {
    for (let i = 0; start + i < total; i++) {
      const t = i / SAMPLE_RATE;
      const env = ramp(i, attack) * Math.exp(-t / 0.28);
      const tone = Math.sin(2 * Math.PI * 660 * t) + 0.25 * Math.sin(2 * Math.PI * 1320 * t);
      out[start + i] += (0.45 * env * tone) / 1.25;
    }
  }
  for (let i = 0; i < tailFade; i++) out[total - 1 - i] *= ramp(i, tailFade);
  return out;
}

/**
 * A drill awaiting acknowledgement: a rising two-note call (523 Hz then 784 Hz, soft sine with a fifth partial,
 * 0.22 s each), then 1.06 s of silence; 1.5 s in all. Heard as "drill" at once: neither the alarm's hard siren nor
 * the fault's falling chime, and gentler than both.
 */
function drillSamples() {
  const total = Math.round(1.5 * SAMPLE_RATE);
  const note = Math.round(0.22 * SAMPLE_RATE);
  const fade = Math.round(0.02 * SAMPLE_RATE);
  const out = new Float64Array(total);
  [523.25, 783.99].forEach((freq, n) => {
    const start = n * note;
    for (let i = 0; i < note; i++) {
      const t = i / SAMPLE_RATE;
      const env = Math.min(ramp(i, fade), ramp(note - 1 - i, fade));
      out[start + i] = (0.5 * env * (Math.sin(2 * Math.PI * freq * t) + 0.2 * Math.sin(2 * Math.PI * 1.5 * freq * t))) / 1.2;
    }
  });
  return out;
}

/**
 * Link to the station lost: three short, low, hollow beeps (440 Hz, square-ish, 0.12 s each, 0.1 s apart), then
 * 0.74 s of silence; 1.5 s in all. Neither the alarm's siren nor the fault's chime: an officer hears at once that
 * the console itself is cut off, not that a school pressed.
 */
function linkSamples() {
  const total = Math.round(1.5 * SAMPLE_RATE);
  const beep = Math.round(0.12 * SAMPLE_RATE);
  const gap = Math.round(0.1 * SAMPLE_RATE);
  const fade = Math.round(0.005 * SAMPLE_RATE);
  const out = new Float64Array(total);
  for (let b = 0; b < 3; b++) {
    const start = b * (beep + gap);
    for (let i = 0; i < beep; i++) {
      const env = Math.min(ramp(i, fade), ramp(beep - 1 - i, fade));
      const wave = Math.tanh(4 * Math.sin((2 * Math.PI * 440 * i) / SAMPLE_RATE)) / Math.tanh(4);
      out[start + i] = 0.6 * env * wave;
    }
  }
  return out;
}

/** Writes only when the bytes differ, so re-running leaves timestamps (and build caches) alone. */
function writeIfChanged(path, bytes) {
  const rel = relative(ROOT, path);
  if (existsSync(path) && readFileSync(path).equals(bytes)) {
    console.log(`unchanged ${rel} (${bytes.length} bytes)`);
    return;
  }
  writeFileSync(path, bytes);
  console.log(`wrote     ${rel} (${bytes.length} bytes)`);
}

mkdirSync(OUT_DIR, { recursive: true });
writeIfChanged(join(OUT_DIR, 'alarm.wav'), encodeWav(alarmSamples(), SAMPLE_RATE));
writeIfChanged(join(OUT_DIR, 'drill.wav'), encodeWav(drillSamples(), SAMPLE_RATE));
writeIfChanged(join(OUT_DIR, 'fault.wav'), encodeWav(faultSamples(), SAMPLE_RATE));
writeIfChanged(join(OUT_DIR, 'link.wav'), encodeWav(linkSamples(), SAMPLE_RATE));
