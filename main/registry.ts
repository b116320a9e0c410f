// main/ (core, Node) — the registry: schools, terminals (each bound to one school), units and operators,
// with credentials kept only as salted hashes. Persisted as one JSON file written atomically.
import fs from 'node:fs';
import path from 'node:path';
import type { OperatorRef, Role } from '../shared/events';
import type { GuardPost, PatrolUnit, PoliceRoom, ReferenceData, School, Terminal } from '../shared/model';
import { verifySecret, type SecretHash } from './secrets';

export interface TerminalRecord extends Terminal {
  secret: SecretHash;
  disabled: boolean;
}
export interface UnitRecord extends PatrolUnit {
  secret?: SecretHash;
  disabled: boolean;
}
export interface OperatorRecord extends OperatorRef {
  secret: SecretHash;
  disabled: boolean;
}

export interface RegistryData {
  stationName: string;
  schools: School[];
  terminals: TerminalRecord[];
  guardPosts: GuardPost[];
  policeRooms: PoliceRoom[];
  units: UnitRecord[];
  operators: OperatorRecord[];
}

export const emptyRegistryData = (stationName = '派出所'): RegistryData => ({
  stationName,
  schools: [],
  terminals: [],
  guardPosts: [],
  policeRooms: [],
  units: [],
  operators: [],
});

export class Registry {
  private schoolsById = new Map<string, School>();
  private terminalsById = new Map<string, TerminalRecord>();
  private operatorsByName = new Map<string, OperatorRecord>();

  constructor(
    private data: RegistryData,
    /** Where to persist; undefined keeps it in memory only (demo mode). */
    private readonly file?: string,
  ) {
    this.index();
  }

  static load(file: string): Registry {
    if (!fs.existsSync(file)) return new Registry(emptyRegistryData(), file);
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as RegistryData;
    return new Registry({ ...emptyRegistryData(), ...data }, file);
  }

  private index(): void {
    this.schoolsById = new Map(this.data.schools.map((s) => [s.id, s]));
    this.terminalsById = new Map(this.data.terminals.map((t) => [t.deviceId, t]));
    this.operatorsByName = new Map(this.data.operators.map((o) => [o.username, o]));
    for (const t of this.data.terminals) {
      if (!this.schoolsById.has(t.schoolId)) throw new Error(`registry: terminal ${t.deviceId} is bound to unknown school ${t.schoolId}`);
    }
  }

  /** Writes to a temporary file, fsyncs, then renames: a crash leaves the old or the new file, never half. */
  save(): void {
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(this.data, null, 1));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }

  update(mutate: (d: RegistryData) => void): void {
    const next = structuredClone(this.data);
    mutate(next);
    const before = this.data;
    this.data = next;
    try {
      this.index();
      this.save();
    } catch (e) {
      this.data = before;
      this.index();
      throw e;
    }
  }

  school(id: string): School | undefined {
    return this.schoolsById.get(id);
  }
  terminal(deviceId: string): TerminalRecord | undefined {
    return this.terminalsById.get(deviceId);
  }
  operatorCount(): number {
    return this.data.operators.length;
  }

  /** The terminal if the credentials are right and it is enabled; undefined otherwise (no reason given out). */
  async authenticateTerminal(deviceId: string, token: string): Promise<TerminalRecord | undefined> {
    const t = this.terminalsById.get(deviceId);
    if (!t || t.disabled) return undefined;
    return (await verifySecret(token, t.secret)) && !t.disabled ? t : undefined;
  }

  async authenticateOperator(username: string, password: string): Promise<OperatorRef | undefined> {
    const o = this.operatorsByName.get(username);
    if (!o || o.disabled) return undefined;
    if (!(await verifySecret(password, o.secret))) return undefined;
    return { username: o.username, displayName: o.displayName, role: o.role };
  }

  operator(username: string): OperatorRef | undefined {
    const o = this.operatorsByName.get(username);
    return o && !o.disabled ? { username: o.username, displayName: o.displayName, role: o.role } : undefined;
  }

  /** What consoles may see: no secrets. */
  reference(): ReferenceData {
    const d = this.data;
    return {
      stationName: d.stationName,
      schools: d.schools,
      terminals: d.terminals.map(({ deviceId, schoolId, label }) => ({ deviceId, schoolId, label })),
      guardPosts: d.guardPosts,
      policeRooms: d.policeRooms,
      units: d.units.map(({ id, name, callsign, lat, lng, hasDevice }) => ({ id, name, callsign, lat, lng, hasDevice })),
    };
  }
}

export function isRole(x: string): x is Role {
  return x === 'officer' || x === 'chief' || x === 'trainer' || x === 'admin';
}
