// test/unit/renderer — every refusal code and reason has its text in both languages, and the console never shows
// the core's English message for one.
import { describe, expect, it } from 'vitest';
import { catalogues, refusalText } from '../../../renderer/i18n';
import { ERROR_CODES, REFUSAL_REASONS } from '../../../shared/protocol';

const CJK = /[\u4e00-\u9fff]/;

describe('refusal catalogue', () => {
  it.each(ERROR_CODES)('error code %s has zh and en text', (code) => {
    expect(catalogues.zh.errors[code]).toMatch(CJK);
    expect(catalogues.en.errors[code]).toMatch(/^[\x20-\x7e…]+$/);
    expect(catalogues.en.errors[code].length).toBeGreaterThan(5);
  });
  it.each(REFUSAL_REASONS)('reason %s has zh and en text', (reason) => {
    expect(catalogues.zh.refusals[reason]).toMatch(CJK);
    expect(catalogues.en.refusals[reason]).toMatch(/^[\x20-\x7e…]+$/);
    expect(catalogues.en.refusals[reason].length).toBeGreaterThan(5);
  });
  it('shows the reason when there is one, else the code; never the message', () => {
    const message = 'acknowledge incident 20261130-0001 before dispatching';
    expect(refusalText(catalogues.zh, { code: 'forbidden', reason: 'not_acknowledged' })).toBe('请先接警，再进行此操作');
    expect(refusalText(catalogues.zh, { code: 'forbidden' })).toBe(catalogues.zh.errors.forbidden);
    for (const lang of ['zh', 'en'] as const)
      for (const code of ERROR_CODES) {
        const text = refusalText(catalogues[lang], { code, message } as never);
        expect(text).not.toContain(message);
        expect(text).not.toBe(code);
      }
  });
});
