// renderer/ — the admin screen's tables: a search box, a filter, the count, and one page of rows at a time (a county of
// 1,000 schools renders 100 rows, never 1,000), shared by every table of the admin screen.
import { useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n';

export const PAGE_SIZE = 100;

/** The rows matching a search (every word, case-insensitive, anywhere in the row's text) and one page of them. */
export function useSearchPage<T>(rows: readonly T[], textOf: (row: T) => string, keep: (row: T) => boolean = () => true) {
  const [query, setQueryRaw] = useState('');
  const [page, setPage] = useState(0);
  // Not memoised: a thousand rows filter in well under a millisecond, and the callers' functions change every render.
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = rows.filter((r) => {
    if (!keep(r)) return false;
    if (words.length === 0) return true;
    const text = textOf(r).toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const current = Math.min(page, pages - 1);
  const shown = matching.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE);
  const setQuery = (q: string): void => {
    setQueryRaw(q);
    setPage(0);
  };
  return { query, setQuery, page: current, pages, setPage, shown, matching: matching.length, total: rows.length };
}
export type SearchPage = Pick<ReturnType<typeof useSearchPage>, 'query' | 'setQuery' | 'page' | 'pages' | 'setPage' | 'matching' | 'total'>;

/** The search box, the table's own filters (children), and the count. */
export function SearchBar({ name, table, children }: { name: string; table: SearchPage; children?: ReactNode }) {
  const { t } = useI18n();
  const { query, setQuery: onQuery, matching, total } = table;
  return (
    <div className="adm-search" data-testid={`${name}-search`}>
      <label>
        {t('admSearch')}
        <input type="search" value={query} placeholder={t('admSearchHint')} onChange={(e) => onQuery(e.target.value)} data-testid={`${name}-query`} />
      </label>
      {children}
      <span className="adm-count" data-testid={`${name}-count`} data-total={total} data-matching={matching}>
        {t('admCount', { total, n: matching })}
      </span>
    </div>
  );
}

/** A filter <select> beside the search box: '' is every row. */
export function FilterSelect({
  label,
  value,
  onChange,
  options,
  testId,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
  testId: string;
}) {
  const { t } = useI18n();
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">{t('admFilterAll')}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** An enabled / disabled filter ('' is both). */
export function StatusFilter({ label, value, onChange, testId }: { label: string; value: string; onChange: (v: string) => void; testId: string }) {
  const { t } = useI18n();
  return (
    <FilterSelect
      label={label}
      value={value}
      onChange={onChange}
      testId={testId}
      options={[
        ['enabled', t('admEnabled')],
        ['disabled', t('admDisabled')],
      ]}
    />
  );
}

/** Below a table: "none" when no row matches, and the pages when there is more than one. */
export function TableFooter({ table }: { table: SearchPage }) {
  const { t } = useI18n();
  const { page, pages, setPage: onPage } = table;
  if (table.matching === 0) return <p className="adm-empty">{t('admNone')}</p>;
  if (pages <= 1) return null;
  return (
    <div className="adm-pager">
      <button type="button" disabled={page === 0} onClick={() => onPage(page - 1)}>
        {t('admPrev')}
      </button>
      <span>{t('admPage', { page: page + 1, pages, size: PAGE_SIZE })}</span>
      <button type="button" disabled={page >= pages - 1} onClick={() => onPage(page + 1)}>
        {t('admNext')}
      </button>
    </div>
  );
}

/** An error or a confirmation line above a table. */
export function Notice({ error, done }: { error?: string | undefined; done?: string | undefined }) {
  if (error)
    return (
      <p className="error" role="alert" data-testid="admin-error">
        {error}
      </p>
    );
  if (done)
    return (
      <p className="adm-done" role="status" data-testid="admin-done">
        {done}
      </p>
    );
  return null;
}
