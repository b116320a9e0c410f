// renderer/ — admin: import reference data from a CSV or JSON file (all or nothing; row errors shown with
// their line and field) and export it per kind and format as a download. The core checks the role and the
// file; this screen only reads the file, shows the answer and saves the export. See docs/data-exchange.md.
import { useRef, useState, type FormEvent } from 'react';
import type { ExportAck, ImportAck } from '../../shared/consoleApi';
import { COLUMNS, DATA_FORMATS, DATA_KINDS, formatOfFilename, type DataFormat, type DataKind } from '../../shared/dataExchange';
import { refusalText, useI18n } from '../i18n';
import { getStore } from '../store';
import { downloadText } from './download';

export function DataExchangeView() {
  const { t, c } = useI18n();
  const [kind, setKind] = useState<DataKind>('schools');
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ImportAck>();
  const [tokensShown, setTokensShown] = useState(true);
  const [message, setMessage] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const store = getStore();

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setResult(undefined);
    setMessage(undefined);
    if (!file) return setMessage(t('dataNoFile'));
    const format = formatOfFilename(file.name);
    if (!format) return setMessage(t('dataBadExtension'));
    setBusy(true);
    void file
      .text()
      .then((text) => store.importData(kind, format, text))
      .then((r) => {
        setResult(r);
        setTokensShown(true);
      })
      .catch((err: unknown) => setMessage((err as Error).message))
      .finally(() => {
        setBusy(false);
        // The file is read again only when chosen again (a corrected file on disk is a new choice).
        setFile(undefined);
        if (input.current) input.current.value = '';
      });
  };

  const exportAs = (k: DataKind, format: DataFormat): void => {
    setMessage(undefined);
    void store
      .exportData(k, format)
      .then((r: ExportAck) =>
        r.ok
          ? downloadText(r.filename, r.text, format === 'csv' ? 'text/csv;charset=utf-8' : 'application/json;charset=utf-8')
          : setMessage(refusalText(c, r.error)),
      );
  };

  const credentials = result?.ok ? Object.entries(result.credentials) : [];
  return (
    <section className="add data-exchange" data-testid="data-exchange">
      <h2>{t('dataTitle')}</h2>
      <p className="data-hint">{t('dataImportHint')}</p>
      <form className="data-import" onSubmit={submit}>
        <label>
          {t('dataKind')}
          <select
            data-testid="data-kind"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as DataKind);
              setResult(undefined);
            }}
          >
            {DATA_KINDS.map((k) => (
              <option key={k} value={k}>
                {c.dataKinds[k]}
              </option>
            ))}
          </select>
        </label>
        {/* The browser's own file control says "Choose File" in the browser's language: it is hidden, and an app-styled
            label in the interface language opens it. */}
        <div className="file-field">
          {t('dataFile')}
          <label className="file-pick">
            <input
              ref={input}
              data-testid="data-file"
              aria-label={t('dataFile')}
              type="file"
              accept=".csv,.json,text/csv,application/json"
              onChange={(e) => setFile(e.target.files?.[0])}
            />
            <span className="file-button" data-testid="data-file-button">
              {c.fileButton.choose}
            </span>
            <span className="file-name" data-testid="data-file-name">
              {file?.name ?? c.fileButton.none}
            </span>
          </label>
        </div>
        <button type="submit" data-testid="data-import" disabled={busy}>
          {busy ? t('dataImporting') : t('dataImport')}
        </button>
      </form>
      <p className="data-hint data-columns">{t('dataColumns', { cols: COLUMNS[kind].join(', ') })}</p>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {result?.ok && (
        <div className="data-result" role="status" data-testid="data-result" data-added={result.added} data-updated={result.updated}>
          <p>{t('dataImported', { added: result.added, updated: result.updated })}</p>
          {credentials.length > 0 && tokensShown && (
            <div className="secret data-tokens" role="alert" data-testid="data-tokens">
              <p>{t('dataTokensOnce')}</p>
              <table>
                <tbody>
                  {credentials.map(([id, token]) => (
                    <tr key={id}>
                      <td>{id}</td>
                      <td>
                        <code>{token}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button onClick={() => setTokensShown(false)}>{t('dataDone')}</button>
            </div>
          )}
        </div>
      )}
      {result && !result.ok && (
        <div className="data-errors" role="alert" data-testid="data-errors">
          <p className="error">
            <strong>{t('dataRefused')}</strong> {result.error.code === 'invalid_payload' ? '' : refusalText(c, result.error)}
          </p>
          {result.error.details && result.error.details.length > 0 && (
            <>
              <table>
                <thead>
                  <tr>
                    <th>{t('dataLine')}</th>
                    <th>{t('dataField')}</th>
                    <th>{t('dataReason')}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.error.details.map((e, i) => (
                    <tr key={i} data-testid="data-error-row" data-line={e.line} data-field={e.field}>
                      <td>{e.line}</td>
                      <td>{e.field || '—'}</td>
                      <td>{e.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {(result.error.omitted ?? 0) > 0 && <p>{t('dataErrorsMore', { n: result.error.omitted ?? 0 })}</p>}
              <p className="data-hint">{t('dataLineHint')}</p>
            </>
          )}
        </div>
      )}
      <h3>{t('dataExport')}</h3>
      <p className="data-hint">{t('dataExportHint')}</p>
      <table className="data-export">
        <tbody>
          {DATA_KINDS.map((k) => (
            <tr key={k}>
              <td>{c.dataKinds[k]}</td>
              {DATA_FORMATS.map((f) => (
                <td key={f}>
                  <button data-testid={`data-export-${k}-${f}`} onClick={() => exportAs(k, f)}>
                    {`${t('dataExport')} ${f.toUpperCase()}`}
                  </button>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
