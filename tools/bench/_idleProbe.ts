// temporary probe: CPU of chromium processes with N open alarms, idle.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from '../../test/support/chromium';
import { startCoreProcess } from '../../test/support/core';
import { operator, sleep, submitConsoleLogin, procCpuMs } from './common';
import { connectTerminal } from './floodCommon';
import { sendAlarm } from '../../shared/terminalClient';
import { execSync } from 'node:child_process';

const N = Number(process.argv[2] ?? 3);
const core = await startCoreProcess();
const url = `http://127.0.0.1:${core.port}`;
const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, reducedMotion: process.env.RM ? 'reduce' : 'no-preference' });
const { page } = await submitConsoleLogin(context, core.url, operator(core, 'officer'));
await page.waitForSelector('[data-testid="link-state"].online', { timeout: 20_000 });
const terms = await Promise.all(core.credentials.terminals.slice(0, N).map((t) => connectTerminal(url, t)));
for (const [i, t] of terms.entries()) await sendAlarm(t, { alarmId: `idle-${i}`, kind: 'panic', raisedAt: Date.now() }, { ackTimeoutMs: 5000, maxAttempts: 1, sleep });
await sleep(3000); if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS });
const pids = (): number[] => execSync(`pgrep -f chromium || true`).toString().trim().split('\n').filter(Boolean).map(Number);
const cpu = () => new Map(pids().map((p) => [p, procCpuMs(p) ?? 0]));
const a = cpu(); const coreA = procCpuMs(core.child.pid) ?? 0;
await sleep(10_000);
const b = cpu(); const coreB = procCpuMs(core.child.pid) ?? 0;
let tot = 0;
for (const [p, v] of b) { const d = v - (a.get(p) ?? 0); tot += d; if (d > 20) console.log(p, (d / 100).toFixed(1) + '%', execSync(`ps -o args= -p ${p}`).toString().slice(0, 0) + execSync(`ps -o args= -p ${p}`).toString().match(/--type=(\S+)/)?.[1]); }
console.log(`N=${N} chromium total ${(tot / 100).toFixed(1)}% of a core; core ${((coreB - coreA) / 100).toFixed(1)}%`);
console.log(await page.evaluate(() => document.getAnimations().map((a) => (a as CSSAnimation).animationName + ' ' + ((a.effect as KeyframeEffect).target as Element).className + ' ' + ((a.effect as KeyframeEffect).pseudoElement ?? '')).join('\n')));
if (process.argv[3]) await page.screenshot({ path: process.argv[3] });
await browser.close(); await core.stop(); process.exit(0);
