// tools/simulate (tool, Node) — single-press mode: one demo terminal presses its button over the real protocol
// client and prints every answer and alarm:status as a JSON line.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import type { DemoCredentials } from '../../main/demo';
import { ALARM_KINDS, DEFAULT_HEARTBEAT_MS, type AlarmKind } from '../../shared/protocol';
import { sendAlarm, sendHeartbeat } from '../../shared/terminalClient';
import { defaultCredentialsFile, defaultUrl } from './args';

const out = (o: object): void => console.log(JSON.stringify(o));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSingle(a: Map<string, string>): Promise<void> {
  const url = a.get('--url') ?? defaultUrl(process.env);
  let deviceId = a.get('--device');
  let token = a.get('--token');
  if (!token) {
    const file = a.get('--credentials') ?? defaultCredentialsFile(process.env);
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
    const ans = await sendAlarm(
      socket,
      {
        alarmId,
        kind,
        raisedAt: Date.now(),
        ...(a.has('--drill') ? { drill: true } : {}),
        ...(note && note !== 'true' ? { note } : {}),
      },
      { sleep, onRetry: (n, why) => out({ event: 'retry', alarmId, attempt: n, why }) },
    );
    out({ event: 'alarm:ack', alarmId, ...ans });
  }
  if (!a.has('--wait')) {
    clearInterval(hb);
    socket.close();
  }
}
