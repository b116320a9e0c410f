// test/unit/shared — the XLSX writer (shared/xlsx.ts): a workbook read back by an independent reader
// (read-excel-file) holds the same sheets, the same cells (Chinese intact, numbers as numbers, text never a
// formula, XML-hostile text kept), and Python's zipfile finds the archive sound.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readXlsxFile from 'read-excel-file/node';
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../shared/utf8';
import { columnName, crc32, sheetNames, xlsxFile } from '../../../shared/xlsx';

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
}

describe('xlsx', () => {
  it('is read back, sheet by sheet and cell by cell, by another reader', async () => {
    const summary = [
      ['环节', '次数', 'p50', '达标率'],
      ['收到→接警', 2, '0.2 s', '50.0 %'],
      ['收到→显示', 1234567, '—', '100.0 %'],
    ];
    const hostile = [
      ['=HYPERLINK("http://x","click")', '+1', '-A1', '@SUM(A1)'],
      ['<b>&amp;</b> "quoted" \'single\'', 'a\u0000b\u0007c', 'tab\there', 'line\nbreak'],
      ['示例小学 P01', '😀 emoji', ' spaced ', 3.25],
    ];
    const bytes = xlsxFile([
      { name: '汇总', rows: summary },
      { name: 'groups: a/b [1]?', rows: hostile },
    ]);
    const sheets = await readXlsxFile(Buffer.from(bytes), { trim: false });
    expect(sheets.map((s) => s.sheet)).toEqual(['汇总', 'groups  a b  1']);
    expect(sheets[0]!.data).toEqual(summary);
    // Text stays text (no formula), XML specials survive, characters XML cannot hold are dropped.
    expect(sheets[1]!.data).toEqual([
      ['=HYPERLINK("http://x","click")', '+1', '-A1', '@SUM(A1)'],
      ['<b>&amp;</b> "quoted" \'single\'', 'abc', 'tab\there', 'line\nbreak'],
      ['示例小学 P01', '😀 emoji', ' spaced ', 3.25],
    ]);
  });

  it.skipIf(!hasPython())('is a sound ZIP for another implementation (Python zipfile checks every CRC)', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xlsx-')), 'book.xlsx');
    fs.writeFileSync(file, xlsxFile([{ name: 'S', rows: [['a', 1]] }]));
    const out = execFileSync('python3', ['-c', 'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); print(z.testzip()); print(" ".join(z.namelist()))', file], {
      encoding: 'utf8',
    });
    expect(out.split('\n')[0]).toBe('None');
    expect(out).toContain('xl/worksheets/sheet1.xml');
  });

  it('names columns, sheets and checksums as the formats say', () => {
    expect([0, 25, 26, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
    expect(sheetNames(['a', 'A', '', 'x'.repeat(40), 'x'.repeat(40)])).toEqual(['a', 'A~2', 'Sheet3', 'x'.repeat(31), `${'x'.repeat(29)}~2`]);
    // The check value of CRC-32 (ISO-HDLC).
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(() => xlsxFile([])).toThrow();
  });
});

describe('utf8Encode', () => {
  it('encodes as TextEncoder does, lone surrogates included', () => {
    for (const s of ['', 'abc', '示例小学', '😀 emoji', 'a\uD800b', '\uDC00', 'x\uD83D', '\u0000\u007f\u0080\u07ff\u0800\uffff'])
      expect([...utf8Encode(s)]).toEqual([...new TextEncoder().encode(s)]);
  });
});
