import { describe, expect, it } from 'vitest';
import { fromZoned } from '../../../shared/duty';
import { drillWindowFileTooLarge, MAX_DRILL_WINDOW_ROWS, parseDrillWindows } from '../../../shared/drillWindowImport';

const TZ = 'Asia/Shanghai';
const schools = new Set(['sch-1', 'sch-2']);
// 2026-12-04 08:00 on the station's clock.
const now = fromZoned(2026, 12, 4, 8, 0, TZ);

describe('drill windows from a CSV file', () => {
  it('reads Chinese or English headers in any order, times on the station clock', () => {
    const r = parseDrillWindows('日期,学校编号,开始,结束,备注\r\n2026-12-10,sch-1,09:30,10:30,消防演练\n2026-12-11,sch-2,14:00,15:00,\n', schools, TZ, now);
    expect(r).toEqual({
      ok: true,
      rows: [
        { line: 2, schoolId: 'sch-1', from: fromZoned(2026, 12, 10, 9, 30, TZ), to: fromZoned(2026, 12, 10, 10, 30, TZ), note: '消防演练' },
        { line: 3, schoolId: 'sch-2', from: fromZoned(2026, 12, 11, 14, 0, TZ), to: fromZoned(2026, 12, 11, 15, 0, TZ), note: '' },
      ],
    });
    // 09:30 in Shanghai is 01:30 UTC.
    expect(new Date((r as { rows: { from: number }[] }).rows[0]!.from).toISOString()).toBe('2026-12-10T01:30:00.000Z');
    const en = parseDrillWindows('SchoolId,Date,From,To\nsch-1,2026-12-10,09:30,10:30\n', schools, TZ, now);
    expect(en.ok && en.rows[0]!.note).toBe('');
  });

  it('names every bad row by line and column and registers nothing', () => {
    const text = [
      'schoolId,date,from,to,note',
      'sch-1,2026-12-10,09:30,10:30,ok',
      'sch-9,2026-12-10,09:30,10:30,unknown school',
      'sch-1,2026-13-01,09:30,10:30,bad date',
      'sch-1,2026-12-10,9:30,25:00,bad times',
      'sch-1,2026-12-10,11:00,10:00,ends before it starts',
      'sch-1,2026-12-10,06:00,19:00,over 12 hours',
      'sch-1,2026-12-01,09:00,10:00,over already',
      'sch-1,2027-06-01,09:00,10:00,too far ahead',
      'sch-1,2026-12-10,09:30,10:30,twice',
      'sch-1,2026-12-10',
      'sch-1,2026-11-31,09:00,10:00,no such day (not 1 December)',
    ].join('\n');
    const r = parseDrillWindows(text, schools, TZ, now);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'schoolId'],
      [4, 'date'],
      [5, 'from'],
      [5, 'to'],
      [6, 'to'],
      [7, 'to'],
      [8, 'to'],
      [9, 'from'],
      [10, ''],
      [11, ''],
      [12, 'date'],
    ]);
    expect(r.errors[8]!.reason).toBe('the same window as line 2');
    expect(r.errors[10]!.reason).toBe('no such day: 2026-11-31');
  });

  it('refuses a file whose header is wrong, empty, or too large, and hostile cells', () => {
    const bad = (text: string): string[] => {
      const r = parseDrillWindows(text, schools, TZ, now);
      return r.ok ? [] : r.errors.map((e) => `${e.line}|${e.field}|${e.reason}`);
    };
    expect(bad('')).toEqual(['0||the file is empty']);
    expect(bad('schoolId,date,from,to\n')).toEqual(['0||the file has no rows']);
    expect(bad('schoolId,date,from\nsch-1,2026-12-10,09:30\n')).toEqual(['1|to|the column is missing']);
    expect(bad('schoolId,date,from,to,__proto__\nsch-1,2026-12-10,09:30,10:30,x\n')[0]).toMatch(/^1\|__proto__\|unknown column/);
    expect(bad('schoolId,date,from,to,date\n')[0]).toBe('1|date|the column appears twice');
    expect(bad(`schoolId,date,from,to\n${'sch-1,2026-12-10,09:30,10:30\n'.repeat(MAX_DRILL_WINDOW_ROWS + 1)}`)).toEqual([
      `0||more than ${MAX_DRILL_WINDOW_ROWS} rows`,
    ]);
    expect(bad(`schoolId,date,from,to,note\nsch-1,2026-12-10,09:30,10:30,${'x'.repeat(800 * 1024)}\n`)[0]).toMatch(/^0\|\|the file is larger/);
    // The console asks with the file's size before it reads it: the same answer, and none for a file that fits.
    const big = drillWindowFileTooLarge(2 * 1024 ** 3);
    expect(big && !big.ok && big.errors[0]!.reason).toMatch(/^the file is larger/);
    expect(drillWindowFileTooLarge(10_000)).toBeUndefined();
    expect(bad('schoolId,date,from,to\nsch-1\u0000,2026-12-10,09:30,10:30\n')[0]).toMatch(/^2\|schoolId\|no school/);
    expect(bad('schoolId,date,from,to,note\nsch-1,2026-12-10,09:30,10:30,' + 'n'.repeat(1001) + '\n')[0]).toMatch(/^2\|note\|/);
  });
});
