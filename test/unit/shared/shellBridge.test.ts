// test/unit/shared — the PDF file name the desktop shell suggests (shared/shellBridge.ts pdfFileName): never a path,
// no character Windows refuses, `.pdf` at the end, bounded.
import { describe, expect, it } from 'vitest';
import { pdfFileName } from '../../../shared/shellBridge';

describe('pdfFileName', () => {
  it('keeps a plain name and adds .pdf', () => {
    expect(pdfFileName('示例派出所-月报-2026-11-01-2026-11-30')).toBe('示例派出所-月报-2026-11-01-2026-11-30.pdf');
  });
  it('makes a path, a reserved character or a control character harmless', () => {
    expect(pdfFileName('../../etc/passwd')).toBe('_.._etc_passwd.pdf');
    expect(pdfFileName('a:b*c?"d<e>f|g\\h\u0000i')).toBe('a_b_c__d_e_f_g_h_i.pdf');
    expect(pdfFileName('...')).toBe('report.pdf');
    expect(pdfFileName('')).toBe('report.pdf');
    expect(pdfFileName('长'.repeat(500))).toHaveLength(116 + 4);
  });
});
