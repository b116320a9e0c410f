// renderer/ — a school picker: every school of the reference data by name in the reader's language (pinyin order for
// Chinese), with an empty first choice ("any" in a filter, "—" in a form).
import { useMemo } from 'react';
import type { School } from '../../shared/model';
import { useI18n } from '../i18n';

export function SchoolSelect({
  schools,
  value,
  onChange,
  empty,
  testId,
  required = false,
}: {
  schools: readonly School[] | undefined;
  value: string;
  onChange: (schoolId: string) => void;
  empty: string;
  testId: string;
  required?: boolean;
}) {
  const { name } = useI18n();
  const sorted = useMemo(() => [...(schools ?? [])].sort((a, b) => name(a, a.id).localeCompare(name(b, b.id), 'zh-CN')), [schools, name]);
  return (
    <select data-testid={testId} value={value} required={required} onChange={(e) => onChange(e.target.value)}>
      <option value="">{empty}</option>
      {sorted.map((s) => (
        <option key={s.id} value={s.id}>
          {name(s, s.id)}
        </option>
      ))}
    </select>
  );
}
