// shared/ — import and export of reference data (schools, terminals, guard posts, police rooms, patrol units)
// as CSV or JSON: one name for the pieces, which live in their own files. Pure: text in, rows or row-level
// errors out; no I/O. The registry applies the rows (all or nothing) and adds the checks that need the rest of
// the registry. See docs/data-exchange.md.
//   dataColumns.ts  kinds, row types, columns and their checks, the limits of one import
//   csv.ts          RFC 4180 reading and writing, the spreadsheet formula guard
//   dataImport.ts   parseImport (checks every row of a file), mergeRow, formatRowError
//   dataExport.ts   exportData, export file names
export * from './dataColumns';
export * from './csv';
export * from './dataImport';
export * from './dataExport';
