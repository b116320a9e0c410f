// test/protocol — /api/health for a monitoring system: always { ok, time }; with the daily backup on, when it last
// succeeded and last failed (and nothing more: the route is unauthenticated, so no folder path and no error text).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from './support';

const cores: TestCore[] = [];
afterAll(async () => {
  for (const c of cores) await c.close();
});

const health = async (t: TestCore): Promise<Record<string, unknown>> => (await (await fetch(`${t.url}/api/health`)).json()) as Record<string, unknown>;

describe('/api/health', () => {
  it('says only that the station answers when no backup is set', async () => {
    const t = await startTestCore();
    cores.push(t);
    const h = await health(t);
    expect(h).toMatchObject({ ok: true });
    expect(Object.keys(h).sort()).toEqual(['ok', 'time']);
  });

  it('with the daily backup: its time, and when it last succeeded, without the folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'health-backups-'));
    const t = await startTestCore({ env: { STATION_BACKUP_DIR: dir, STATION_BACKUP_AT: '03:30' } });
    cores.push(t);
    const before = Date.now();
    await t.core.backups!.runNow();
    const h = await health(t);
    expect(h.ok).toBe(true);
    const b = h.backup as { at: string; lastAt: number | null; lastErrorAt: number | null; running: boolean };
    expect(b.at).toBe('03:30');
    expect(b.lastAt).toBeGreaterThanOrEqual(before);
    expect(b.lastErrorAt).toBeNull();
    expect(JSON.stringify(h)).not.toContain(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
