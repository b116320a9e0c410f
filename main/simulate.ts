// main/ (tool, Node) — terminal simulator: `npm run simulate -- [options]`. Presses alarms on demo terminals
// over the real protocol (shared/terminalClient), prints every answer and alarm:status as a JSON line.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { ALARM_KINDS, DEFAULT_HEARTBEAT_MS, DEFAULT_STATION_PORT, type AlarmKind } from '../shared/protocol';
import { sendAlarm, sendHeartbeat } from '../shared/terminalClient';
import type { DemoCredentials } from './demo';

const HELP = `usage: npm run simulate -- [options]
  --url URL            station address (default http://127.0.0.1:$STATION_PORT or :${DEFAULT_STATION_PORT})
  --credentials FILE   demo credentials (default $STATION_DATA_DIR or station-data-demo, /demo-credentials.json)
  --device ID          terminal to use (default: the first); --token T to give its token directly
  --school N           use the N-th terminal (1-based) instead of --device
  --kind KIND          ${ALARM_KINDS.join(' | ')} (default panic)
  --note TEXT          note sent with the alarm
  --drill              mark the alarm as a drill
  --alarm-id ID        alarm id (default: random); resend the same id to test idempotency
  --count N            press N alarms (default 1), --interval MS apart (default 1000)
  --presses 0          only connect and send heartbeats
  --wait               stay connected and print alarm:status until Ctrl-C
  --heartbeat-ms MS    heartbeat interval while connected (default ${DEFAULT_HEARTBEAT_MS})`;

function args(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${HELP}`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) m.set(a, 'true');
    else m.set(a, argv[++i]!);
  }
  return m;
}

const out = (o: object): void => console.log(JSON.stringify(o));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const a = args(process.argv.slice(2));
  const url = a.get('--url') ?? `http://127.0.0.1:${process.env.STATION_PORT ?? DEFAULT_STATION_PORT}`;
  let deviceId = a.get('--device');
  let token = a.get('--token');
  if (!token) {
    const file = a.get('--credentials') ?? path.join(process.env.STATION_DATA_DIR ?? 'station-data-demo', 'demo-credentials.json');
    if (!fs.existsSync(file)) throw new Error(`no credentials at ${file}: start the station with npm start -- --demo, or pass --device and --token`);
    const creds = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoCredentials;
    const idx = a.has('--school') ? Number(a.get('--school')) - 1 : 0;
    const t = deviceId ? creds.terminals.find((x) => x.deviceId === deviceId) : creds.terminals[idx];
    if (!t) throw new Error(`no terminal ${deviceId ?? `#${idx + 1}`} in ${file}`);
    deviceId = t.deviceId;
    token = t.token;
  }
  if (!deviceId) throw new Error('--device is needed with --token');
  const kind = (a.get('--kind') ?? 'panic') as AlarmKind;
  if (!ALARM_KINDS.includes(kind)) throw new Error(`--kind must be one of ${ALARM_KINDS.join(', ')}`);
  const count = Number(a.get('--presses') ?? a.get('--count') ?? 1);
  const interval = Number(a.get('--interval') ?? 1000);
  const hbMs = Number(a.get('--heartbeat-ms') ?? DEFAULT_HEARTBEAT_MS);

  const socket: Socket = io(`${url.replace(/\/$/, '')}/terminal`, { auth: { deviceId, token }, transports: ['websocket'], reconnectionDelayMax: 5000 });
  socket.on('connect', () => out({ event: 'connected', deviceId }));
  socket.on('connect_error', (e) => out({ event: 'connect_error', message: e.message }));
  socket.on('alarm:status', (s) => out({ event: 'alarm:status', ...s }));
  const hb = setInterval(() => {
    if (socket.connected) sendHeartbeat(socket, { sentAt: Date.now() }).catch(() => undefined);
  }, hbMs);

  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, interval));
    const alarmId = count === 1 && a.get('--alarm-id') ? a.get('--alarm-id')! : `${a.get('--alarm-id') ?? 'sim'}-${crypto.randomUUID().slice(0, 8)}`;
    const note = a.get('--note');
    const ans = await sendAlarm(socket, {
      alarmId,
      kind,
      raisedAt: Date.now(),
      ...(a.has('--drill') ? { drill: true } : {}),
      ...(note && note !== 'true' ? { note } : {}),
    }, { sleep, onRetry: (n, why) => out({ event: 'retry', alarmId, attempt: n, why }) });
    out({ event: 'alarm:ack', alarmId, ...ans });
  }
  if (!a.has('--wait')) {
    clearInterval(hb);
    socket.close();
  }
}

main().catch((e: unknown) => {
  console.error((e as Error).message);
  process.exit(1);
});
