// test/unit/shared — shared/consoleContract.ts: the schemas take what the console sends and refuse what the core
// refused by hand before (its limits are the contract's); the answers parse; alarmStatusOf (shared/protocol.ts).
import { describe, expect, it } from 'vitest';
import {
  COMMAND_NAMES,
  CONSOLE_CONTRACT,
  MAX_LABEL_LENGTH,
  MAX_NOTE_LENGTH,
  MAX_OUTCOME_LENGTH,
  MAX_REASON_LENGTH,
  isCommandName,
  parseAnswer,
  parseRequest,
} from '../../../shared/consoleContract';
import { alarmStatusOf, ERROR_CODES } from '../../../shared/protocol';
import { DEFAULT_TARGETS } from '../../../shared/response';
import { parseImport, type DataKind } from '../../../shared/dataExchange';
import { MAX_RECORD_ADDRESS_LENGTH, MAX_RECORD_NAME_LENGTH, MAX_RECORD_SHORT_LENGTH } from '../../../shared/dataColumns';

const ok = (name: Parameters<typeof parseRequest>[0], payload: unknown): boolean => parseRequest(name, payload).ok;

describe('requests', () => {
  it('accepts what the console sends', () => {
    expect(ok('acknowledge', { incidentId: '20260101-0001' })).toBe(true);
    expect(ok('acknowledgeFault', { deviceId: 'T-1', fault: 'tamper' })).toBe(true);
    expect(ok('mute', { reason: '正在电话核实' })).toBe(true);
    expect(ok('note', { incidentId: 'i', text: 'n'.repeat(MAX_NOTE_LENGTH) })).toBe(true);
    expect(ok('callBack', { incidentId: 'i', outcome: '' })).toBe(true);
    expect(ok('cancelDispatch', { incidentId: 'i', unitId: 'U-1', reason: '' })).toBe(true);
    expect(ok('progress', { incidentId: 'i', unitId: 'U-1', state: 'on_scene' })).toBe(true);
    expect(ok('resolve', { incidentId: 'i', disposition: 'false_alarm', note: '' })).toBe(true);
    expect(ok('reopen', { incidentId: 'i', reason: 'r'.repeat(MAX_REASON_LENGTH) })).toBe(true);
    expect(ok('admin:setTargets', { profile: DEFAULT_TARGETS })).toBe(true);
    expect(ok('admin:addTerminal', { deviceId: 'T-9', schoolId: 's1', label: '' })).toBe(true);
    expect(ok('admin:setDisabled', { id: 'T-9', disabled: false })).toBe(true);
    expect(ok('admin:import', { kind: 'units', format: 'json', text: '[]' })).toBe(true);
    // The admin's whole job (issue 14, shared/adminWire.ts).
    expect(ok('admin:operators', {})).toBe(true);
    expect(ok('admin:addOperator', { username: 'zhao.w', displayName: '赵警官', role: 'officer' })).toBe(true);
    expect(ok('admin:updateOperator', { username: 'zhao.w', displayName: '赵所长', role: 'chief' })).toBe(true);
    expect(ok('admin:resetPassword', { username: 'zhao.w' })).toBe(true);
    expect(ok('admin:setOperatorDisabled', { username: 'zhao.w', disabled: true })).toBe(true);
    expect(ok('admin:addUnit', { id: 'car-1', name: '巡逻一车', callsign: 'FZ1', lat: 41.3, lng: 117.7, hasDevice: true, postId: 'post-1' })).toBe(true);
    const school = { id: 'sch-1', name: '示例小学', nameEn: '', type: 'primary', address: '', lat: 41.3, lng: 117.7, area: 'urban', phone: '' };
    expect(ok('admin:saveRecord', { kind: 'schools', mode: 'add', row: school })).toBe(true);
    const post = { id: 'p-1', name: '岗', schoolId: 'sch-1', lat: 41.3, lng: 117.7, days: [1, 5], windows: [{ start: '07:10', end: '08:10' }] };
    expect(ok('admin:saveRecord', { kind: 'guardPosts', mode: 'edit', row: post })).toBe(true);
    expect(ok('admin:saveRecord', { kind: 'policeRooms', mode: 'add', row: { id: 'r-1', name: '警务室', kind: 'kiosk', lat: 41, lng: 117 } })).toBe(true);
    expect(ok('admin:deleteRecord', { kind: 'policeRooms', id: 'r-1' })).toBe(true);
  });

  it('edits every record an import takes: the same text limits on the admin screen as in a file', () => {
    const long = (n: number): string => '校'.repeat(n);
    const csv = (kind: DataKind, header: string, row: string): boolean => parseImport(kind, 'csv', `${header}\n${row}\n`).ok;
    const school = { id: 'sch-1', nameEn: '', type: 'primary', address: '', lat: 41.3, lng: 117.7, area: 'urban', phone: '' };
    for (const [field, max] of [
      ['name', MAX_RECORD_NAME_LENGTH],
      ['nameEn', MAX_RECORD_NAME_LENGTH],
      ['address', MAX_RECORD_ADDRESS_LENGTH],
      ['phone', MAX_RECORD_SHORT_LENGTH],
    ] as const) {
      const row = (n: number) => ({ ...school, name: '示例小学', [field]: long(n) });
      expect(
        csv(
          'schools',
          `id,name,type,lat,lng,${field === 'name' ? 'nameEn' : field}`,
          `s1,${field === 'name' ? long(max) : '示例小学'},primary,41.3,117.7,${field === 'name' ? '' : long(max)}`,
        ),
        field,
      ).toBe(true);
      expect(ok('admin:saveRecord', { kind: 'schools', mode: 'edit', row: row(max) }), field).toBe(true);
      expect(ok('admin:saveRecord', { kind: 'schools', mode: 'edit', row: row(max + 1) }), field).toBe(false);
    }
    // Characters beyond the BMP (an emoji, a rare CJK character: two UTF-16 units each) count one in a file and in a
    // form alike (zod counts code points, as the import does).
    const wide = (n: number): string => '𠀀'.repeat(n);
    expect(csv('schools', 'id,name,type,lat,lng', `s1,${wide(MAX_RECORD_NAME_LENGTH)},primary,41.3,117.7`)).toBe(true);
    expect(ok('admin:saveRecord', { kind: 'schools', mode: 'edit', row: { ...school, name: wide(MAX_RECORD_NAME_LENGTH) } })).toBe(true);
    expect(ok('admin:saveRecord', { kind: 'schools', mode: 'edit', row: { ...school, name: wide(MAX_RECORD_NAME_LENGTH + 1) } })).toBe(false);
    expect(csv('units', 'id,name,callsign,lat,lng', `u1,${long(MAX_RECORD_NAME_LENGTH)},${long(MAX_RECORD_SHORT_LENGTH)},41.3,117.7`)).toBe(true);
    const unit = { id: 'u1', name: long(MAX_RECORD_NAME_LENGTH), callsign: long(MAX_RECORD_SHORT_LENGTH), lat: 41.3, lng: 117.7 };
    expect(ok('admin:updateUnit', unit)).toBe(true);
    expect(ok('admin:updateUnit', { ...unit, callsign: long(MAX_RECORD_SHORT_LENGTH + 1) })).toBe(false);
    expect(
      ok('admin:saveRecord', { kind: 'policeRooms', mode: 'add', row: { id: 'r-1', name: long(MAX_RECORD_NAME_LENGTH), kind: 'kiosk', lat: 41, lng: 117 } }),
    ).toBe(true);
  });

  it.each([
    ['acknowledge', null],
    ['acknowledge', { incidentId: 7 }],
    ['shown', {}],
    ['acknowledgeFault', { deviceId: 'T-1', fault: 'fire' }],
    ['mute', { reason: ' ' }],
    ['mute', { reason: 'r'.repeat(MAX_REASON_LENGTH + 1) }],
    ['note', { incidentId: 'i', text: '  ' }],
    ['note', { incidentId: 'i', text: 'n'.repeat(MAX_NOTE_LENGTH + 1) }],
    ['callBack', { incidentId: 'i', outcome: 'o'.repeat(MAX_OUTCOME_LENGTH + 1) }],
    ['dispatch', { incidentId: 'i', unitId: 42 }],
    ['cancelDispatch', { incidentId: 'i', unitId: 'U-1', reason: 'r'.repeat(MAX_REASON_LENGTH + 1) }],
    ['progress', { incidentId: 'i', unitId: 'U-1', state: 'available' }],
    ['resolve', { incidentId: 'i', disposition: 'bogus', note: '' }],
    ['reopen', { incidentId: 'i', reason: '' }],
    ['admin:setTargets', { profile: { ...DEFAULT_TARGETS, roadFactor: 9 } }],
    ['admin:addTerminal', { deviceId: 'T-9', schoolId: 's1', label: 'l'.repeat(MAX_LABEL_LENGTH + 1) }],
    ['admin:rotate', { id: ['T-1'] }],
    ['admin:setDisabled', { id: 'T-1', disabled: 'yes' }],
    ['admin:import', { kind: 'people', format: 'csv', text: '' }],
    ['admin:export', { kind: 'schools', format: 'xlsx' }],
    ['admin:addOperator', { username: '__proto__', displayName: 'x', role: 'officer' }],
    ['admin:addOperator', { username: 'a\0b', displayName: 'x', role: 'officer' }],
    ['admin:addOperator', { username: 'zhao', displayName: ' ', role: 'officer' }],
    ['admin:addOperator', { username: 'zhao', displayName: 'x', role: 'root' }],
    ['admin:resetPassword', { username: 'x'.repeat(100_000) }],
    ['admin:addUnit', { id: 'constructor', name: 'x', callsign: 'FZ1', lat: 41, lng: 117, hasDevice: true }],
    ['admin:addUnit', { id: 'car-1', name: 'x', callsign: 'FZ1', lat: 91, lng: 117, hasDevice: true }],
    // No control characters or text-direction overrides in a name, a call sign or an address (as in an import).
    ['admin:addOperator', { username: 'zhao', displayName: '赵\n警官', role: 'officer' }],
    ['admin:addUnit', { id: 'car-1', name: '\u202e车一', callsign: 'FZ1', lat: 41, lng: 117, hasDevice: true }],
    ['admin:updateUnit', { id: 'car-1', name: '车一', callsign: 'FZ\u00001', lat: 41, lng: 117 }],
    // A unit's call sign is required, as in an import (a units export imports back).
    ['admin:addUnit', { id: 'car-1', name: 'x', callsign: ' ', lat: 41, lng: 117, hasDevice: true }],
    ['admin:updateUnit', { id: 'car-1', name: 'x', callsign: '', lat: 41, lng: 117 }],
    ['admin:saveRecord', { kind: 'policeRooms', mode: 'add', row: { id: 'toString', name: 'x', kind: 'kiosk', lat: 41, lng: 117 } }],
    ['admin:saveRecord', { kind: 'people', mode: 'add', row: {} }],
    [
      'admin:saveRecord',
      {
        kind: 'guardPosts',
        mode: 'add',
        row: {
          id: 'p',
          name: 'x',
          schoolId: 's',
          lat: 41,
          lng: 117,
          days: [1],
          windows: [
            { start: '07:00', end: '08:00' },
            { start: '07:30', end: '09:00' },
          ],
        },
      },
    ],
    ['admin:deleteRecord', { kind: 'terminals', id: 'T-1' }],
    ['admin:deleteRecord', { kind: 'schools', id: '' }],
  ] as const)('refuses %s %j as invalid_payload, naming the command', (name, payload) => {
    const r = parseRequest(name, payload);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringMatching(new RegExp(`^${name}: `)) } });
  });

  it('keeps known fields only: a key like __proto__ never reaches the core', () => {
    const r = parseRequest('note', JSON.parse('{"incidentId":"i","text":"t","__proto__":{"x":1},"operator":"root"}'));
    expect(r).toEqual({ ok: true, value: { incidentId: 'i', text: 't' } });
  });

  it('hands the core the checked target profile', () => {
    const r = parseRequest('admin:setTargets', { profile: { ...DEFAULT_TARGETS, extra: 1 } });
    expect(r).toEqual({ ok: true, value: { profile: DEFAULT_TARGETS } });
  });
});

describe('the contract', () => {
  it('names every command once, each with a permission', () => {
    expect(COMMAND_NAMES).toHaveLength(47);
    for (const name of COMMAND_NAMES) expect(CONSOLE_CONTRACT[name].permission).toMatch(/^(incident|device|registry|stats|history|plan|training)\./);
    expect(isCommandName('__proto__')).toBe(false);
    expect(isCommandName('toString')).toBe(false);
    expect(isCommandName('admin:import')).toBe(true);
  });

  it('parses answers, keeping import credentials of any id', () => {
    expect(parseAnswer('admin:rotate', { ok: true, token: 't' })).toEqual({ ok: true, value: { ok: true, token: 't' } });
    expect(parseAnswer('admin:rotate', { ok: true }).ok).toBe(false);
    expect(parseAnswer('acknowledge', { ok: false, error: { code: 'teapot', message: '' } }).ok).toBe(false);
    for (const code of ERROR_CODES) expect(parseAnswer('acknowledge', { ok: false, error: { code, message: 'm' } }).ok).toBe(true);
    const credentials = JSON.parse('{"__proto__":"t1","T-2":"t2"}') as Record<string, string>;
    const r = parseAnswer('admin:import', { ok: true, kind: 'terminals', added: 2, updated: 0, credentials });
    expect(r.ok && r.value.ok && Object.entries(r.value.credentials)).toEqual([
      ['__proto__', 't1'],
      ['T-2', 't2'],
    ]);
    const refused = { ok: false, error: { code: 'invalid_payload', message: '1 error', details: [{ line: 2, field: 'id', reason: 'r' }], omitted: 0 } };
    expect(parseAnswer('admin:import', refused)).toEqual({ ok: true, value: refused });
  });
});

describe('alarmStatusOf', () => {
  it('is the incident state at a time, for its first press unless another is named', () => {
    const inc = { id: '20260101-0001', alarmId: 'a1', state: 'acknowledged' as const };
    expect(alarmStatusOf(inc, 5)).toEqual({ alarmId: 'a1', incidentId: '20260101-0001', state: 'acknowledged', at: 5 });
    expect(alarmStatusOf(inc, 6, 'a2')).toEqual({ alarmId: 'a2', incidentId: '20260101-0001', state: 'acknowledged', at: 6 });
  });
});
