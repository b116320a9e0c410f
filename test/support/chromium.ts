// test/ — finds a Chromium for e2e tests and the bench: CHROMIUM_PATH, Playwright's own, or Debian's.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

export function findChromium(): string {
  const candidates: string[] = [];
  if (process.env.CHROMIUM_PATH) candidates.push(process.env.CHROMIUM_PATH);
  try {
    candidates.push(chromium.executablePath());
  } catch {
    /* Playwright has no browser of its own here */
  }
  candidates.push('/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome');
  const found = candidates.find((p) => p && fs.existsSync(p));
  if (!found) {
    throw new Error(
      'No Chromium found. Set CHROMIUM_PATH to a Chromium or Chrome binary, or install one: ' +
        'on Debian/Ubuntu `sudo apt-get install -y chromium fonts-noto-cjk` (then /usr/bin/chromium is used).',
    );
  }
  return found;
}

/** Flags for a headless Chromium on a closed network; autoplay allowed, as the Electron shell allows it. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];
