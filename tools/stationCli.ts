// tools/ (tool, Node) — `npm run station -- …`: administration of a station's registry from the shell.
// Works on the registry file; a running core notices the change at once and drops revoked devices.
import fs from 'node:fs';
import path from 'node:path';
import { scanJournalFile } from '../main/core/journal';
import { BackupError, backupTarget, createBackup, readBackup, restoreBackup, type BackupManifest } from '../main/core/backup';
import { z } from 'zod';
import { ROLES, type OperatorRef } from '../shared/events';
import { newIdSchema, schoolRowSchema } from '../shared/adminWire';
import { admitCommand, type CommandName, type ConsoleRequest } from '../shared/consoleContract';
import type { AreaClass, SchoolType } from '../shared/model';
import { demoRegistryFile } from '../main/demo';
import { Registry, RegistryError, ImportError } from '../main/core/registry';
import { readArgs, UsageError, type OptionSpec } from './cliArgs';
import { dataFile } from '../main/core/settings';
import { DATA_KINDS, exportData, formatOfFilename, formatRowError, isDataFormat, isDataKind, parseImport, type RowError } from '../shared/dataExchange';

const HELP = `usage: npm run station -- [--data-dir DIR] [--demo] COMMAND
  device list                                   terminals with school and state
  device add --id ID --school SCHOOL_ID [--label TEXT]
                                                register a terminal; prints its token ONCE
  device rotate --id ID                         new token for a terminal or unit (old one refused at once); prints it ONCE
  device disable --id ID | device enable --id ID
  station list | station add --id ID --name NAME [--name-en TEXT]
                                                a station (派出所) of the county (README: Stations); records and
                                                accounts get one with --station ID (absent: the default station)
  unit list | unit add --id ID --name NAME --callsign CS --lat LAT --lng LNG [--no-device] [--station ID]
  school list | school add --id ID --name NAME --type primary|middle|kindergarten|other --lat LAT --lng LNG
                           [--address TEXT] [--phone TEXT] [--area urban|suburban|rural] [--name-en TEXT] [--station ID]
  operator list | operator add --username U --name "DISPLAY NAME" --role officer|chief|trainer|admin|county [--station ID]
  operator reset --username U | operator disable --username U | operator enable --username U
    (add and reset print a temporary password: the first login must set a new one)
  verify                                        check the journal's hash chain; names the first bad record
  import KIND FILE.csv|FILE.json                reference data, all or nothing; KIND: ${DATA_KINDS.join(' | ')}
                                                rows with a known id are updated, others added; new device tokens printed ONCE
  export KIND csv|json [FILE]                   reference data without secrets, to FILE or stdout (docs/data-exchange.md)
  backup FILE|FOLDER                            the data folder (journal, registry, settings) into one archive, also while the
                                                station runs; a FOLDER gets station-backup-manual-DATE-TIME.tar.gz (docs/backup.md)
  verify-backup FILE                            check a backup from end to end (sizes, sha256, hash chain) without restoring
  restore FILE [--force]                        the backup into the data folder (new or empty; --force moves the files
                                                there aside); refused while a station core uses the folder
Data folder: --data-dir, else $STATION_DATA_DIR, else station-data (station-data-demo with --demo).`;

const SWITCHES = ['--demo', '--help', '--no-device', '--force'];
const VALUE_OPTIONS = [
  '--data-dir',
  '--id',
  '--school',
  '--label',
  '--name',
  '--name-en',
  '--callsign',
  '--lat',
  '--lng',
  '--type',
  '--address',
  '--phone',
  '--area',
  '--username',
  '--role',
  '--station',
];
const OPTIONS: OptionSpec = Object.fromEntries([
  ...SWITCHES.map((flag) => [flag.slice(2), { type: 'boolean' as const }]),
  ...VALUE_OPTIONS.map((flag) => [flag.slice(2), { type: 'string' as const }]),
]);

/**
 * The command words and the options as `--name` → value (switches "true"), by node:util parseArgs (see
 * tools/cliArgs.ts). Switches take no value: `--demo device list` is the switch and two words, not --demo=device.
 * An unknown option or an option without its value is a UsageError naming it (exit code 2).
 */
function parse(argv: string[]): { words: string[]; opts: Map<string, string> } {
  const { values, positionals } = readArgs(argv, OPTIONS, { positionals: true, missingValue: (flag) => `${flag} is required, with a value after it` });
  const opts = new Map<string, string>();
  for (const [name, v] of Object.entries(values)) if (v !== undefined) opts.set(`--${name}`, v === true ? 'true' : String(v));
  return { words: positionals, opts };
}

function need(opts: Map<string, string>, name: string): string {
  const v = opts.get(name);
  if (v === undefined || v === 'true') throw new RegistryError(`${name} is required`);
  return v;
}
function num(opts: Map<string, string>, name: string): number {
  const raw = need(opts, name);
  // Number('') is 0: an unset shell variable must not put a school at latitude 0.
  const v = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(v)) throw new RegistryError(`${name} must be a number, got "${raw}"`);
  return v;
}

/** Who the CLI's changes are admitted as: an administrator, by the admin screen's own contract. */
const CLI_ADMIN: OperatorRef = { username: 'station-cli', displayName: 'station CLI', role: 'admin' };

/**
 * What the CLI adds passes the admin screen's own checks (its command in the console contract): no name of control or
 * invisible characters, no reserved id, coordinates in range — a record the next start could not load would leave
 * the station unable to start.
 */
function admitted<K extends CommandName>(name: K, payload: unknown): ConsoleRequest<K> {
  const r = admitCommand(name, CLI_ADMIN, payload);
  if (!r.ok) throw new RegistryError(r.error.message);
  return r.value;
}
/** A station (no console command adds one): an id and names by the rules of a school's. */
const stationAddSchema = z.object({ id: newIdSchema, name: schoolRowSchema.shape.name, nameEn: schoolRowSchema.shape.nameEn });
function checkedStation(value: unknown): z.infer<typeof stationAddSchema> {
  const r = stationAddSchema.safeParse(value);
  if (!r.success) throw new RegistryError(r.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; '));
  return r.data;
}

function table(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) return console.log('(none)');
  console.table(rows);
}

/** `verify`: exit 0 when the journal is intact, 3 when it is not (with the first bad record named). */
function verify(dataDir: string): void {
  const file = dataFile(dataDir, 'journal');
  if (!fs.existsSync(file)) throw new RegistryError(`no journal at ${file}`);
  // Streamed in chunks: a year's journal (hundreds of MiB) is more than one string can hold.
  const scan = scanJournalFile(file, () => undefined);
  if (scan.problems.length === 0) {
    console.log(`journal OK: ${scan.records} records, seq 1–${scan.lastSeq}, hash chain intact (${file})`);
    return;
  }
  for (const p of scan.problems) console.log(`line ${p.line}: ${p.kind}: ${p.detail}`);
  const first = scan.problems[0]!;
  console.log(`journal NOT OK: first bad record at line ${first.line} (${first.kind}); ${scan.records} records read`);
  process.exitCode = 3;
}

const describeManifest = (m: BackupManifest): string =>
  (m.journal.records === 0
    ? 'no journal records yet, '
    : `${m.journal.records} journal records (seq 1–${m.journal.lastSeq}, last hash ${m.journal.lastHash.slice(0, 16)}…), `) +
  `${m.files.map((f) => f.name).join(', ') || 'no registry'}; taken ${m.createdAt} by version ${m.stationVersion}${m.stationName ? ` of ${m.stationName}` : ''}`;

/** `backup FILE|FOLDER`: exit 0 with the archive written and read back, else nothing written. */
async function backup(dataDir: string, target: string | undefined): Promise<void> {
  if (!target) throw new RegistryError('usage: backup FILE|FOLDER');
  const r = await createBackup(dataDir, backupTarget(target, Date.now()));
  console.log(`backup: ${r.file} (${(r.archiveBytes / 1048576).toFixed(2)} MiB in ${r.ms} ms)`);
  console.log(`  ${describeManifest(r.manifest)}`);
  for (const [name, why] of Object.entries(r.leftOut)) console.log(`  not backed up: ${name} — ${why}`);
}

async function verifyBackup(file: string | undefined): Promise<void> {
  if (!file) throw new RegistryError('usage: verify-backup FILE');
  const m = await readBackup(path.resolve(file));
  console.log(`backup OK: ${file}\n  ${describeManifest(m)}`);
}

async function restore(dataDir: string, file: string | undefined, force: boolean): Promise<void> {
  if (!file) throw new RegistryError('usage: restore FILE [--force]');
  const r = await restoreBackup(path.resolve(file), dataDir, { force });
  console.log(`restored ${file} into ${r.dataDir}\n  ${describeManifest(r.manifest)}`);
  if (r.keptAside) console.log(`  the folder's previous files are kept in ${r.keptAside}`);
  console.log(`  new journal id ${r.journalId}: consoles reload the journal; everyone logs in again (the session key is not in a backup)`);
  for (const note of r.notes) console.log(`  note: ${note}`);
}

async function main(): Promise<void> {
  const { words, opts } = parse(process.argv.slice(2));
  if (words.length === 0 || opts.has('--help')) return console.log(HELP);
  const demo = opts.has('--demo');
  const dataDir = path.resolve(opts.get('--data-dir') ?? process.env.STATION_DATA_DIR ?? (demo ? 'station-data-demo' : 'station-data'));
  if (words[0] === 'verify') return verify(dataDir);
  if (words[0] === 'backup') return backup(dataDir, words[1]);
  if (words[0] === 'verify-backup') return verifyBackup(words[1]);
  if (words[0] === 'restore') return restore(dataDir, words[1], opts.has('--force'));
  const file = demo ? demoRegistryFile(dataDir) : dataFile(dataDir, 'registry');
  const reg = Registry.load(file);
  const d = reg.snapshot;
  const [what, verb] = words;
  if (what === 'import') return importFile(reg, words[1], words[2]);
  if (what === 'export') return exportFile(reg, words[1], words[2], words[3]);
  const once = (label: string, secret: string): void =>
    console.log(`${label}: ${secret}\n(shown once: only a salted hash is stored; configure the device now)`);

  const station = opts.has('--station') ? { stationId: need(opts, '--station') } : {};
  switch (`${what} ${verb ?? 'list'}`) {
    case 'station list':
      return table((d.stations ?? []).map((x) => ({ id: x.id, name: x.name, nameEn: x.nameEn })));
    case 'station add':
      reg.addStation(checkedStation({ id: need(opts, '--id'), name: need(opts, '--name'), nameEn: opts.get('--name-en') ?? '' }));
      return console.log(`station ${opts.get('--id')} added`);
    case 'device list':
      return table(
        d.terminals.map((t) => ({ deviceId: t.deviceId, school: `${t.schoolId} ${reg.school(t.schoolId)?.name ?? ''}`, label: t.label, disabled: t.disabled })),
      );
    case 'device add':
      return once(
        'token',
        await reg.addTerminal(
          admitted('admin:addTerminal', { deviceId: need(opts, '--id'), schoolId: need(opts, '--school'), label: opts.get('--label') ?? need(opts, '--id') }),
        ),
      );
    case 'device rotate':
      return once('new token', await reg.rotateDevice(need(opts, '--id')));
    case 'device disable':
    case 'unit disable':
      reg.setDisabled(need(opts, '--id'), true, 'device');
      return console.log(`disabled ${opts.get('--id')}: refused from now on`);
    case 'device enable':
    case 'unit enable':
      reg.setDisabled(need(opts, '--id'), false, 'device');
      return console.log(`enabled ${opts.get('--id')}`);
    case 'unit list':
      return table(d.units.map((u) => ({ id: u.id, name: u.name, callsign: u.callsign, hasDevice: u.hasDevice, disabled: u.disabled })));
    case 'unit add': {
      const token = await reg.addUnit(
        admitted('admin:addUnit', {
          id: need(opts, '--id'),
          name: need(opts, '--name'),
          callsign: need(opts, '--callsign'),
          lat: num(opts, '--lat'),
          lng: num(opts, '--lng'),
          hasDevice: !opts.has('--no-device'),
          ...station,
        }),
      );
      return token ? once('token', token) : console.log('unit added (no device: dispatches to it are recorded as radio dispatches)');
    }
    case 'school list':
      return table(d.schools.map((s) => ({ id: s.id, name: s.name, type: s.type, lat: s.lat, lng: s.lng, area: s.area, station: s.stationId ?? '' })));
    case 'school add': {
      const type = need(opts, '--type') as SchoolType;
      if (!['primary', 'middle', 'kindergarten', 'other'].includes(type)) throw new RegistryError('--type must be primary, middle, kindergarten or other');
      const area = (opts.get('--area') ?? 'urban') as AreaClass;
      if (!['urban', 'suburban', 'rural'].includes(area)) throw new RegistryError('--area must be urban, suburban or rural');
      const school = admitted('admin:saveRecord', {
        kind: 'schools',
        mode: 'add',
        row: {
          id: need(opts, '--id'),
          name: need(opts, '--name'),
          nameEn: opts.get('--name-en') ?? need(opts, '--name'),
          type,
          address: opts.get('--address') ?? '',
          phone: opts.get('--phone') ?? '',
          lat: num(opts, '--lat'),
          lng: num(opts, '--lng'),
          area,
          ...station,
        },
      });
      if (school.kind === 'schools') reg.addSchool(school.row);
      return console.log(`school ${opts.get('--id')} added`);
    }
    case 'operator list':
      return table(d.operators.map((o) => ({ username: o.username, name: o.displayName, role: o.role, station: o.stationId ?? '', disabled: o.disabled })));
    case 'operator add': {
      const role = need(opts, '--role');
      if (!(ROLES as readonly string[]).includes(role)) throw new RegistryError(`--role must be one of ${ROLES.join(', ')}`);
      // A temporary password, as from the admin screen: no session is issued until its first login sets a new one.
      return once(
        'password',
        await reg.addOperator(admitted('admin:addOperator', { username: need(opts, '--username'), displayName: need(opts, '--name'), role, ...station }), {
          mustChangePassword: true,
        }),
      );
    }
    case 'operator reset':
      return once('new password', await reg.resetPassword(need(opts, '--username'), { mustChangePassword: true }));
    case 'operator disable':
    case 'operator enable':
      reg.setDisabled(need(opts, '--username'), verb === 'disable', 'operator');
      return console.log(`${verb}d ${opts.get('--username')}`);
    default:
      throw new RegistryError(`unknown command "${words.join(' ')}"\n${HELP}`);
  }
}

/** Prints every row error as `line N, field F: reason` and fails with exit code 2; nothing was changed. */
function rowErrors(errors: readonly RowError[], omitted = 0): never {
  for (const e of errors) console.error(formatRowError(e));
  if (omitted > 0) console.error(`… and ${omitted} more errors`);
  throw new RegistryError(`${errors.length + omitted} error${errors.length + omitted === 1 ? '' : 's'} in the file; nothing was changed`);
}

async function importFile(reg: Registry, kind: string | undefined, file: string | undefined): Promise<void> {
  if (!isDataKind(kind) || !file) throw new RegistryError(`usage: import KIND FILE.csv|FILE.json (KIND: ${DATA_KINDS.join(', ')})`);
  const format = formatOfFilename(file);
  if (!format) throw new RegistryError(`${file}: the file name must end in .csv or .json`);
  const parsed = parseImport(kind, format, fs.readFileSync(file, 'utf8'));
  if (!parsed.ok)
    return rowErrors(
      [...parsed.errors, ...reg.checkImport(kind, parsed.validRows, parsed.validLines)].sort((a, b) => a.line - b.line),
      parsed.omitted,
    );
  let out;
  try {
    out = await reg.importData(kind, parsed.rows, parsed.lines);
  } catch (e) {
    if (e instanceof ImportError) return rowErrors(e.errors);
    throw e;
  }
  console.log(`imported ${kind} from ${file}: ${out.added} added, ${out.updated} updated`);
  const creds = Object.entries(out.credentials);
  if (creds.length > 0) {
    for (const [id, token] of creds) console.log(`token ${id}: ${token}`);
    console.log('(shown once: only salted hashes are stored; configure the devices now)');
  }
}

function exportFile(reg: Registry, kind: string | undefined, format: string | undefined, file: string | undefined): void {
  if (!isDataKind(kind) || !isDataFormat(format)) throw new RegistryError(`usage: export KIND csv|json [FILE] (KIND: ${DATA_KINDS.join(', ')})`);
  const text = exportData(kind, format, reg.exportData(kind));
  if (!file) return void process.stdout.write(text);
  fs.writeFileSync(file, text);
  console.error(`exported ${reg.exportData(kind).length} ${kind} to ${file}`);
}

main().catch((e: unknown) => {
  const refused = e instanceof RegistryError || e instanceof UsageError || e instanceof BackupError;
  console.error(refused ? `error: ${e.message}` : e);
  process.exit(refused ? 2 : 1);
});
