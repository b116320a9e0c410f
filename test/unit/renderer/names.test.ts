// test/unit/renderer — names in the interface language (issue 11, point 9): the English console shows a place's
// English name where the data has one, the Chinese name otherwise; a missing record shows what the caller gives.
import { describe, expect, it } from 'vitest';
import { makeI18n } from '../../../renderer/i18n';

const school = { name: '示例小学 P01', nameEn: 'Sample Primary School P01' };
const unit = { name: '巡逻一组' };

describe('I18n.name', () => {
  it('Chinese console: the Chinese name', () => {
    expect(makeI18n('zh').name(school)).toBe('示例小学 P01');
  });
  it('English console: the English name, or the Chinese where there is none (or it is empty)', () => {
    const en = makeI18n('en');
    expect(en.name(school)).toBe('Sample Primary School P01');
    expect(en.name(unit)).toBe('巡逻一组');
    expect(en.name({ name: '示例中学', nameEn: '' })).toBe('示例中学');
  });
  it('a record not found: the fallback (an id), else empty', () => {
    expect(makeI18n('en').name(undefined, 'school-9')).toBe('school-9');
    expect(makeI18n('zh').name(undefined)).toBe('');
  });
});
