// test/unit — reference data import/export (shared/dataExchange.ts): the RFC 4180 parser and serializer,
// every kind of row error with the line and field it names, and export → import round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COLUMNS,
  DATA_KINDS,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  exportData,
  formatDays,
  formatRowError,
  mergeRow,
  parseCsv,
  parseDays,
  parseImport,
  parseImportInSlices,
  serializeCsv,
  type DataKind,
  type KindRows,
  type RowError,
} from '../../shared/dataExchange';
import { guardPost as post, school } from '../support/registryFixture';
import { hasControlChars, hasVisibleText, isReservedId } from '../../shared/dataColumns';

/** The errors of an import that must fail. */
function errorsOf(kind: DataKind, format: 'csv' | 'json', text: string): RowError[] {
  const r = parseImport(kind, format, text);
  if (r.ok) throw new Error(`expected errors, got ${r.rows.length} rows`);
  return r.errors;
}
const at = (errs: RowError[]) => errs.map((e) => [e.line, e.field]);

const POSTS_HEADER = 'id,name,schoolId,lat,lng,days,windows';

describe('parseCsv (RFC 4180)', () => {
  it('reads quotes, doubled quotes, commas and line breaks inside quotes, CRLF, a BOM and a blank trailing line', () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""","two\r\nlines"\r\nplain,,end\r\n\r\n';
    const r = parseCsv(text);
    expect(r).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['x, y', 'say "hi"', 'two\r\nlines'] },
        { line: 4, fields: ['plain', '', 'end'] },
      ],
    });
  });

  it('accepts LF and lone CR line ends, no final line break, and a trailing empty field', () => {
    expect(parseCsv('a,b\nc,d')).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['c', 'd'] },
      ],
    });
    expect(parseCsv('a,b\rc,')).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['a', 'b'] },
        { line: 2, fields: ['c', ''] },
      ],
    });
    expect(parseCsv('"a"')).toEqual({ ok: true, records: [{ line: 1, fields: ['a'] }] });
    expect(parseCsv('""')).toEqual({ ok: true, records: [{ line: 1, fields: [''] }] });
    expect(parseCsv('')).toEqual({ ok: true, records: [] });
  });

  it('numbers records by the physical line they start on, across quoted line breaks and blank lines', () => {
    const r = parseCsv('h1,h2\n"a\nb\nc",1\n\nx,2\n');
    expect(r.ok && r.records.map((x) => x.line)).toEqual([1, 2, 6]);
  });

  it('refuses an unclosed quote (at the line where it opened), text after a closing quote, and a bare quote', () => {
    expect(parseCsv('h\n"open\nstill open\n')).toEqual({ ok: false, error: { line: 2, field: '', reason: expect.stringMatching(/not closed/) } });
    expect(parseCsv('h\n"a"b\n')).toMatchObject({ ok: false, error: { line: 2, reason: expect.stringMatching(/after a closing quote/) } });
    expect(parseCsv('h\nab"c\n')).toMatchObject({ ok: false, error: { line: 2, reason: expect.stringMatching(/inside an unquoted field/) } });
  });

  it('round-trips any records through serializeCsv (property, awkward strings)', () => {
    const awkward = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.array(fc.constantFrom('"', ',', '\r', '\n', '\r\n', ' ', '\uFEFF', "'", '=', '-', '学', '😀', '""', 'a'), { maxLength: 8 }).map((a) => a.join('')),
    );
    fc.assert(
      fc.property(fc.array(fc.array(awkward, { minLength: 1, maxLength: 6 }), { maxLength: 8 }), (records) => {
        const text = serializeCsv(records);
        const back = parseCsv(text);
        expect(back.ok).toBe(true);
        if (back.ok) expect(back.records.map((r) => r.fields)).toEqual(records);
        // And with the BOM an export starts with.
        const withBom = parseCsv(`\uFEFF${text}`);
        if (withBom.ok) expect(withBom.records.map((r) => r.fields)).toEqual(records);
      }),
      { numRuns: 500 },
    );
  });

  it('serializes with CRLF after every record and quotes only where needed', () => {
    expect(serializeCsv([['a', 'b,c', 'd"e', 'f\ng'], ['']])).toBe('a,"b,c","d""e","f\ng"\r\n""\r\n');
  });
});

describe('days and windows', () => {
  it('reads 1-5, 1,2,3,4,5 and mixed lists, and writes ranges back', () => {
    expect(parseDays('1-5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays('1,2,3,4,5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseDays('6, 1-3,2')).toEqual([1, 2, 3, 6]);
    expect(parseDays('0-5')).toBeUndefined();
    expect(parseDays('5-1')).toBeUndefined();
    expect(parseDays('')).toBeUndefined();
    expect(formatDays([1, 2, 3, 4, 5])).toBe('1-5');
    expect(formatDays([1, 2, 4, 6, 7])).toBe('1,2,4,6,7');
    expect(formatDays([1, 2, 3, 5, 6, 7])).toBe('1-3,5-7');
  });
});

describe('parseImport: CSV', () => {
  it('reads a guard-post file into typed rows with their lines', () => {
    const r = parseImport(
      'guardPosts',
      'csv',
      `\uFEFF${POSTS_HEADER}\r\npost-1,护学岗一,s1,41.3,117.7,1-5,07:10-08:10;16:30-17:30\r\npost-2,护学岗二,s1,41.31,117.71,"1,3,5",7:30-8:30\r\n`,
    );
    expect(r).toEqual({
      ok: true,
      kind: 'guardPosts',
      lines: [2, 3],
      rows: [
        post('post-1', { name: '护学岗一' }),
        post('post-2', { name: '护学岗二', lat: 41.31, lng: 117.71, days: [1, 3, 5], windows: [{ start: '07:30', end: '08:30' }] }),
      ],
    });
  });

  it('names the line and field of every bad value', () => {
    const text = [
      POSTS_HEADER,
      'post-1,ok,s1,41.3,117.7,1-5,07:10-08:10', // 2: fine
      'post-2,bad lat,s1,abc,117.7,1-5,07:10-08:10', // 3
      'post-3,bad lng,s1,41.3,181,1-5,07:10-08:10', // 4
      'post-4,bad days,s1,41.3,117.7,1-8,07:10-08:10', // 5
      'post-5,backwards,s1,41.3,117.7,1-5,08:10-07:10', // 6
      'post-6,malformed,s1,41.3,117.7,1-5,7h-8h', // 7
      'post-7,overlap,s1,41.3,117.7,1-5,07:00-08:00;07:30-09:00', // 8
      'post 8,bad id,s1,41.3,117.7,1-5,07:10-08:10', // 9
      'post-9,,s1,41.3,117.7,1-5,07:10-08:10', // 10: name missing
      'post-1,dup,s1,41.3,117.7,1-5,07:10-08:10', // 11: duplicate id
      'post-10,few fields,s1', // 12
      'post-11,too,many,41.3,117.7,1-5,07:10-08:10,extra', // 13
    ].join('\n');
    const errs = errorsOf('guardPosts', 'csv', text);
    expect(at(errs)).toEqual([
      [3, 'lat'],
      [4, 'lng'],
      [5, 'days'],
      [6, 'windows'],
      [7, 'windows'],
      [8, 'windows'],
      [9, 'id'],
      [10, 'name'],
      [11, 'id'],
      [12, ''],
      [13, ''],
    ]);
    expect(errs[0]!.reason).toBe('lat must be a number between -90 and 90, got "abc"');
    expect(errs[2]!.reason).toMatch(/days must be ISO weekdays 1–7.*got "1-8"/);
    expect(errs[3]!.reason).toMatch(/must end after it starts/);
    expect(errs[4]!.reason).toMatch(/HH:MM-HH:MM/);
    expect(errs[5]!.reason).toMatch(/overlap/);
    expect(errs[7]!.reason).toBe('name is required');
    expect(errs[8]!.reason).toBe('duplicate id "post-1" (first on line 2)');
    expect(errs[9]!.reason).toBe('has 3 fields, the header has 7');
    expect(errs[10]!.reason).toBe('has 8 fields, the header has 7');
    expect(formatRowError(errs[0]!)).toBe('line 3, field lat: lat must be a number between -90 and 90, got "abc"');
  });

  it('counts lines of records that span several physical lines (and refuses the line break in a name)', () => {
    const text = `${POSTS_HEADER}\n"post-1","two\nline name",s1,41.3,117.7,1-5,07:10-08:10\npost-2,x,s1,91,117.7,1-5,07:10-08:10\n`;
    const errs = errorsOf('guardPosts', 'csv', text);
    expect(at(errs)).toEqual([
      [2, 'name'],
      [4, 'lat'],
    ]);
    expect(errs[0]!.reason).toMatch(/^name: must not contain control characters/);
  });

  it('refuses control characters and text-direction overrides inside any text, as the admin forms do', () => {
    const bad = ['a\u0000b', 'a\tb', 'a\rb', 'a\u007fb', '\u202eevil', 'x\u2066y'];
    const rows = bad.map((name, i) => ({ id: `s${i}`, name, type: 'primary', lat: 41, lng: 117 }));
    expect(at(errorsOf('schools', 'json', JSON.stringify(rows)))).toEqual(bad.map((_, i) => [i + 1, 'name']));
    // Chinese, English with spaces, and leading or trailing white space (trimmed) are text.
    const good = [{ id: 'ok1', name: ' 示例小学（东校区）\t', nameEn: 'Sample Primary, East', type: 'primary', lat: 41, lng: 117, address: '幸福路 1 号' }];
    const r = parseImport('schools', 'json', JSON.stringify(good));
    expect(r.ok && r.rows.map((x) => x.name)).toEqual(['示例小学（东校区）']);
  });

  it('refuses a name that shows nothing, and direction marks and C1 controls in any text', () => {
    // Zero-width space, Hangul filler, braille blank, soft hyphen, only spaces: no name at all.
    const blank = ['\u200b', '\u3164', '\u2800', '\u00ad', ' \u3000 '];
    const names = blank.map((name, i) => ({ id: `b${i}`, name, type: 'primary', lat: 41, lng: 117 }));
    expect(at(errorsOf('schools', 'json', JSON.stringify(names)))).toEqual(blank.map((_, i) => [i + 1, 'name']));
    // An RLM before a phone shows its groups reversed ("5551234 0314"): the officer would dial the wrong number.
    const marks = [{ phone: '\u200f0314 5551234' }, { address: 'a\u0085b' }, { address: 'a\u2028b' }, { name: '\u061c' }];
    const rows = marks.map((m, i) => ({ id: `m${i}`, name: '示例小学', type: 'primary', lat: 41, lng: 117, ...m }));
    // (A value can break two rules: each row's field is named, once or twice.)
    expect(new Set(at(errorsOf('schools', 'json', JSON.stringify(rows))).map(([line, field]) => `${line} ${field}`))).toEqual(
      new Set(['1 phone', '2 address', '3 address', '4 name']),
    );
    // A phone as people write them is text: full-width brackets, a note, two numbers, an extension.
    const phones = ['（0314）7012345', '0314-7012345（传达室）', '0314-7012345、13800138000', '0314 555 ext 8'];
    const fine = parseImport(
      'schools',
      'json',
      JSON.stringify(phones.map((phone, i) => ({ id: `p${i}`, name: '示例小学', type: 'primary', lat: 41, lng: 117, phone }))),
    );
    expect(fine.ok).toBe(true);
  });

  it('names a value nested deeper than the stack without failing the whole file', () => {
    // 200,000 levels: JSON.parse reads it, JSON.stringify (for the message) runs out of stack.
    const text = `[${JSON.stringify({ id: 's1', type: 'primary', lat: 41, lng: 117 }).slice(0, -1)},"name":${'['.repeat(200_000)}1${']'.repeat(200_000)}}]`;
    const errs = errorsOf('schools', 'json', text);
    expect(at(errs)).toEqual([[1, 'name']]);
  });

  it('refuses unknown, duplicate and missing header columns on line 1, and names secrets as never imported', () => {
    const errs = errorsOf('terminals', 'csv', 'deviceId,label,token,label\nT-1,a,b,c\n');
    expect(at(errs)).toEqual([
      [1, 'token'],
      [1, 'label'],
      [1, 'schoolId'],
    ]);
    expect(errs[0]!.reason).toMatch(/unknown column "token".*secrets are never imported/);
    expect(errs[1]!.reason).toMatch(/appears twice/);
    expect(errs[2]!.reason).toBe('required column "schoolId" is missing from the header');
  });

  it('matches header names without regard to case or surrounding spaces', () => {
    const r = parseImport('policeRooms', 'csv', ' ID , Name,KIND,lat,LNG\nroom-1,警务室,kiosk,41,117\n');
    expect(r.ok && r.rows).toEqual([{ id: 'room-1', name: '警务室', kind: 'kiosk', lat: 41, lng: 117 }]);
  });

  it('refuses values outside the enums: school type and area, police-room kind, booleans', () => {
    const s = errorsOf('schools', 'csv', 'id,name,type,lat,lng,area\ns1,a,college,41,117,urban\ns2,b,primary,41,117,downtown\n');
    expect(at(s)).toEqual([
      [2, 'type'],
      [3, 'area'],
    ]);
    expect(s[0]!.reason).toBe('type must be one of primary, middle, kindergarten, other, got "college"');
    const r = errorsOf('policeRooms', 'csv', 'id,name,kind,lat,lng\nr1,a,station,41,117\n');
    expect(r[0]).toEqual({ line: 2, field: 'kind', reason: 'kind must be one of police_room, kiosk, got "station"' });
    const u = errorsOf('units', 'csv', 'id,name,callsign,lat,lng,hasDevice,disabled\nu1,a,b,41,117,maybe,no\n');
    expect(u).toEqual([{ line: 2, field: 'hasDevice', reason: 'hasDevice must be true or false, got "maybe"' }]);
  });

  it('an empty switch cell (area, disabled, hasDevice) is "not given"; absent optional columns too', () => {
    const r = parseImport('units', 'csv', 'id,name,callsign,lat,lng,hasDevice\nu1,a,b,41,117,\nu2,c,d,41,117,false\n');
    expect(r.ok && r.rows).toEqual([
      { id: 'u1', name: 'a', callsign: 'b', lat: 41, lng: 117 },
      { id: 'u2', name: 'c', callsign: 'd', lat: 41, lng: 117, hasDevice: false },
    ]);
  });

  it('refuses an empty file, a file over the size cap and one over the row cap', () => {
    expect(errorsOf('schools', 'csv', '')).toEqual([{ line: 0, field: '', reason: expect.stringMatching(/empty/) }]);
    const big = `id,name,callsign,lat,lng\n${'x'.repeat(MAX_IMPORT_BYTES)}`;
    expect(errorsOf('units', 'csv', big)[0]!.reason).toMatch(/at most 768 KiB/);
    const many = `id,name,kind,lat,lng\n${'r,n,kiosk,1,1\n'.repeat(MAX_IMPORT_ROWS + 1)}`;
    expect(errorsOf('policeRooms', 'csv', many)).toEqual([{ line: 0, field: '', reason: expect.stringMatching(/20001 rows; at most 20000/) }]);
  });

  it('lists at most 200 errors and counts the rest', () => {
    const text = `id,name,kind,lat,lng\n${Array.from({ length: 300 }, (_, i) => `r${i},n,kiosk,x,1`).join('\n')}`;
    const r = parseImport('policeRooms', 'csv', text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toHaveLength(200);
      expect(r.omitted).toBe(100);
    }
  });
});

describe('parseImportInSlices', () => {
  it('gives the same answer as parseImport, pausing between slices of rows', async () => {
    const good = `id,name,kind,lat,lng\n${Array.from({ length: 1000 }, (_, i) => `r${i},警务室${i},kiosk,41,117`).join('\n')}\n`;
    const bad = good.replace('r500,警务室500,kiosk,41', 'r500,警务室500,kiosk,x');
    for (const text of [good, bad]) {
      let pauses = 0;
      const sliced = await parseImportInSlices('policeRooms', 'csv', text, async () => void pauses++);
      expect(sliced).toEqual(parseImport('policeRooms', 'csv', text));
      expect(pauses).toBeGreaterThanOrEqual(4);
    }
  });
});

describe('parseImport: JSON', () => {
  it('uses the 1-based item number as line, and refuses unknown keys, missing keys and wrong types', () => {
    const text = JSON.stringify([
      { id: 's1', name: 'a', type: 'primary', lat: 41, lng: 117 },
      { id: 's2', name: 'b', type: 'primary', lat: '41', lng: 117 },
      { id: 's3', name: 'c', type: 'primary', lng: 117, secret: 'x' },
      'not an object',
      { id: 's1', name: 'd', type: 'primary', lat: 41, lng: 117 },
    ]);
    const errs = errorsOf('schools', 'json', text);
    expect(at(errs)).toEqual([
      [2, 'lat'],
      [3, 'lat'],
      [3, 'secret'],
      [4, ''],
      [5, 'id'],
    ]);
    expect(errs[0]!.reason).toBe('lat must be a number between -90 and 90, got "41"');
    expect(errs[1]!.reason).toBe('lat is required');
    expect(errs[2]!.reason).toMatch(/unknown column "secret".*never imported/);
    expect(errs[4]!.reason).toBe('duplicate id "s1" (first on item 1)');
  });

  it('refuses an id every JavaScript object has, in every id column, as the admin forms do', () => {
    const text = JSON.stringify([
      { id: 'toString', name: 'a', type: 'primary', lat: 41, lng: 117 },
      { id: '__proto__', name: 'b', type: 'primary', lat: 41, lng: 117 },
      { id: 'constructor', name: 'c', type: 'primary', lat: 41, lng: 117 },
      { id: 'toString2', name: 'd', type: 'primary', lat: 41, lng: 117 },
    ]);
    const errs = errorsOf('schools', 'json', text);
    expect(at(errs)).toEqual([
      [1, 'id'],
      [2, 'id'],
      [3, 'id'],
    ]);
    expect(errs[0]!.reason).toBe('id: must not be a name every JavaScript object has (constructor, toString …), got "toString"');
    // Too long: the limit said, not "Invalid input".
    const long = errorsOf('schools', 'json', JSON.stringify([{ id: 'x'.repeat(65), name: '校'.repeat(201), type: 'primary', lat: 41, lng: 117 }]));
    expect(long.map((e) => e.reason.split(', got')[0])).toEqual(['id: must be 1–64 characters of A-Z a-z 0-9 _ . : -', 'name: must be at most 200 characters']);
    expect(at(errorsOf('terminals', 'csv', 'deviceId,schoolId\r\nT-1,hasOwnProperty\r\nvalueOf,s1\r\n'))).toEqual([
      [2, 'schoolId'],
      [3, 'deviceId'],
    ]);
  });

  it('refuses text that is not JSON (saying where), and JSON that is not an array', () => {
    expect(errorsOf('schools', 'json', '[\n  {"id": "s1",}\n]')[0]!.reason).toMatch(/^not valid JSON \(file line 2/);
    expect(errorsOf('schools', 'json', '{"id":"s1"}')[0]!.reason).toMatch(/must be an array/);
  });

  it('checks windows and days in their JSON form', () => {
    const errs = errorsOf(
      'guardPosts',
      'json',
      JSON.stringify([
        { ...post('p1'), days: [0, 1] },
        { ...post('p2'), windows: [{ start: '9:00', end: '10:00' }] },
      ]),
    );
    expect(at(errs)).toEqual([
      [1, 'days'],
      [2, 'windows'],
    ]);
  });
});

describe('export', () => {
  it('CSV starts with a BOM, has the documented header, CRLF, and never a secret', () => {
    const rows = [{ deviceId: 'T-1', schoolId: 's1', label: '门卫室, 东', disabled: false, secret: { salt: 'SALT', hash: 'HASH' } }];
    const csv = exportData('terminals', 'csv', rows);
    expect(csv).toBe('\uFEFFdeviceId,schoolId,label,disabled\r\nT-1,s1,"门卫室, 东",false\r\n');
    const json = exportData('terminals', 'json', rows);
    expect(json).not.toMatch(/SALT|HASH|secret/);
    expect(JSON.parse(json)).toEqual([{ deviceId: 'T-1', schoolId: 's1', label: '门卫室, 东', disabled: false }]);
  });

  it('has stable columns per kind', () => {
    expect(COLUMNS).toEqual({
      schools: ['id', 'name', 'nameEn', 'type', 'address', 'lat', 'lng', 'area', 'phone', 'stationId'],
      terminals: ['deviceId', 'schoolId', 'label', 'disabled'],
      guardPosts: ['id', 'name', 'schoolId', 'lat', 'lng', 'days', 'windows', 'stationId'],
      policeRooms: ['id', 'name', 'kind', 'lat', 'lng', 'stationId'],
      units: ['id', 'name', 'callsign', 'lat', 'lng', 'hasDevice', 'disabled', 'postId', 'stationId'],
    });
  });

  it('guards cells a spreadsheet would run as a formula, and reads them back exactly', () => {
    const s = school('s1', { name: '=HYPERLINK("x")', phone: '+86 314 000', address: "'quoted", nameEn: '@x' });
    const csv = exportData('schools', 'csv', [s]);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain("'+86 314 000");
    expect(csv).toContain(',-117.73,'.replace('-', '')); // numbers are never guarded
    const back = parseImport('schools', 'csv', csv);
    expect(back.ok && back.rows).toEqual([s]);
  });

  it('guards id cells that start with "-" (a spreadsheet computes -A1), and reads them back exactly', () => {
    const s = school('-A1', { lat: -41.3 });
    const post = { id: '-1-2', name: '岗', schoolId: '-A1', lat: 41.3, lng: 117.7, days: [1, 2, 3, 4, 5], windows: [{ start: '07:10', end: '08:10' }] };
    const schools = exportData('schools', 'csv', [s]);
    expect(schools.split('\r\n')[1]).toMatch(/^'-A1,/);
    expect(schools).toContain(',-41.3,'); // a negative number stays a number
    expect(schools).not.toMatch(/(^|,)-A1/m);
    const posts = exportData('guardPosts', 'csv', [post]);
    expect(posts.split('\r\n')[1]).toMatch(/^'-1-2,岗,'-A1,/);
    const back = parseImport('schools', 'csv', schools);
    expect(back.ok && back.rows).toEqual([s]);
    const backPosts = parseImport('guardPosts', 'csv', posts);
    expect(backPosts.ok && backPosts.rows).toEqual([post]);
    // Only our guard is removed: a ' before anything but a formula character stays, and the id is refused.
    const hand = parseImport('schools', 'csv', `id,name,type,lat,lng\r\n'abc,学校,primary,41,117\r\n`);
    expect(hand.ok).toBe(false);
    expect(!hand.ok && hand.errors.map((e) => e.field)).toEqual(['id']);
  });

  it('round-trips every kind through CSV and JSON (property, awkward names)', () => {
    const text = fc
      .array(
        fc.oneof(
          fc.constantFrom('"', ',', '\n', '\r\n', ';', "'", '=', '+', '-', '@', '学', '校', '😀', ' ', 'a', 'Z'),
          fc.string({ unit: 'grapheme', maxLength: 3 }),
        ),
        { minLength: 1, maxLength: 12 },
      )
      .map((a) => a.join('').trim())
      // Line breaks inside a cell are the CSV layer's (parseCsv's round trip above); a record's text holds none.
      .filter((s) => s.length > 0 && [...s].length <= 60 && !hasControlChars(s) && hasVisibleText(s));
    // Any id a record may take (not one every JavaScript object has: refused, tested above).
    const id = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,20}$/).filter((s) => !isReservedId(s));
    const coord = (max: number) => fc.double({ min: -max, max, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x));
    const hhmm = fc.integer({ min: 0, max: 23 * 60 + 59 });
    const windows = fc.uniqueArray(hhmm, { minLength: 2, maxLength: 6 }).map((ms) => {
      const sorted = [...ms].sort((a, b) => a - b);
      const t = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const out = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) out.push({ start: t(sorted[i]!), end: t(sorted[i + 1]!) });
      return out;
    });
    const arbs: { [K in DataKind]: fc.Arbitrary<KindRows[K]> } = {
      schools: fc.record({
        id,
        name: text,
        nameEn: text,
        type: fc.constantFrom('primary', 'middle', 'kindergarten', 'other'),
        address: text,
        lat: coord(90),
        lng: coord(180),
        area: fc.constantFrom('urban', 'suburban', 'rural'),
        phone: text,
      }),
      terminals: fc.record({ deviceId: id, schoolId: id, label: text, disabled: fc.boolean() }),
      guardPosts: fc.record({
        id,
        name: text,
        schoolId: id,
        lat: coord(90),
        lng: coord(180),
        days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1 }).map((d) => d.sort((a, b) => a - b)),
        windows,
      }),
      policeRooms: fc.record({ id, name: text, kind: fc.constantFrom('police_room', 'kiosk'), lat: coord(90), lng: coord(180) }),
      units: fc.record({ id, name: text, callsign: text, lat: coord(90), lng: coord(180), hasDevice: fc.boolean(), disabled: fc.boolean() }),
    };
    for (const kind of DATA_KINDS) {
      fc.assert(
        fc.property(
          fc.uniqueArray(arbs[kind] as fc.Arbitrary<KindRows[DataKind]>, {
            selector: (r) => (r as { id?: string; deviceId?: string }).id ?? (r as { deviceId: string }).deviceId,
            maxLength: 5,
          }),
          (rows) => {
            for (const format of ['csv', 'json'] as const) {
              const back = parseImport(kind, format, exportData(kind, format, rows as never));
              if (!back.ok) throw new Error(`${kind}/${format}: ${JSON.stringify(back.errors)}`);
              expect(back.rows.map((r) => mergeRow(kind, undefined, r as never))).toEqual(rows);
            }
          },
        ),
        { numRuns: 60 },
      );
    }
  });
});

describe('mergeRow', () => {
  it('keeps what the file left out, defaults new rows, and fills an empty nameEn or label', () => {
    const cur = school('s1', { phone: '123', area: 'rural' });
    expect(mergeRow('schools', cur, { id: 's1', name: '新名', type: 'middle', lat: 1, lng: 2 })).toEqual({
      ...cur,
      name: '新名',
      type: 'middle',
      lat: 1,
      lng: 2,
    });
    expect(mergeRow('schools', undefined, { id: 's2', name: '名', type: 'other', lat: 1, lng: 2 })).toEqual({
      id: 's2',
      name: '名',
      nameEn: '名',
      type: 'other',
      address: '',
      lat: 1,
      lng: 2,
      area: 'urban',
      phone: '',
    });
    expect(mergeRow('terminals', undefined, { deviceId: 'T-9', schoolId: 's1', label: '' })).toEqual({
      deviceId: 'T-9',
      schoolId: 's1',
      label: 'T-9',
      disabled: false,
    });
    expect(
      mergeRow(
        'units',
        { id: 'u', name: 'n', callsign: 'c', lat: 1, lng: 1, hasDevice: false, disabled: true },
        { id: 'u', name: 'n2', callsign: 'c', lat: 1, lng: 1 },
      ),
    ).toMatchObject({ hasDevice: false, disabled: true, name: 'n2' });
  });
});
