// main/ (core, Node) — demo mode: a sample county inside 隆化县 with credentials for every sample device
// and operator, written to <dataDir>/demo-credentials.json. Kept in memory only; never in registry.json.
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../shared/events';
import { makeSampleCounty, LONGHUA_ADCODE } from '../shared/sampleCounty';
import { Registry, type RegistryData } from './registry';
import { hashSecret, newToken, type SecretHash } from './secrets';

export interface DemoCredentials {
  terminals: { deviceId: string; token: string; schoolId: string; schoolName: string }[];
  units: { unitId: string; token: string; name: string }[];
  operators: { username: string; password: string; role: Role }[];
}

const DEMO_OPERATORS: { username: string; displayName: string; role: Role }[] = [
  { username: 'officer', displayName: '示例值班民警 王警官', role: 'officer' },
  { username: 'officer2', displayName: '示例值班民警 李警官', role: 'officer' },
  { username: 'chief', displayName: '示例所长 张所长', role: 'chief' },
  { username: 'trainer', displayName: '示例教官 刘教官', role: 'trainer' },
  { username: 'admin', displayName: '示例管理员', role: 'admin' },
];

interface GeoFeature {
  properties: { adcode: string };
  geometry: Parameters<typeof makeSampleCounty>[0];
}

export function longhuaOutline(assetsDir: string): GeoFeature['geometry'] {
  const fc = JSON.parse(fs.readFileSync(path.join(assetsDir, 'map', 'chengde-counties.geojson'), 'utf8')) as { features: GeoFeature[] };
  const f = fc.features.find((x) => x.properties.adcode === LONGHUA_ADCODE);
  if (!f) throw new Error('demo: 隆化县 is missing from the basemap data');
  return f.geometry;
}

/** Hashes (kept beside the credentials) make a demo restart fast and keep the same tokens valid. */
interface DemoHashes {
  [id: string]: SecretHash;
}

export async function loadDemoRegistry(dataDir: string, assetsDir: string): Promise<{ registry: Registry; credentialsFile: string }> {
  const county = makeSampleCounty(longhuaOutline(assetsDir));
  const credentialsFile = path.join(dataDir, 'demo-credentials.json');
  const hashesFile = path.join(dataDir, 'demo-hashes.json');
  let creds: DemoCredentials | undefined;
  let hashes: DemoHashes = {};
  if (fs.existsSync(credentialsFile) && fs.existsSync(hashesFile)) {
    creds = JSON.parse(fs.readFileSync(credentialsFile, 'utf8')) as DemoCredentials;
    hashes = JSON.parse(fs.readFileSync(hashesFile, 'utf8')) as DemoHashes;
  }
  const tokenOf = new Map<string, string>();
  for (const t of creds?.terminals ?? []) tokenOf.set(`t:${t.deviceId}`, t.token);
  for (const u of creds?.units ?? []) tokenOf.set(`u:${u.unitId}`, u.token);
  for (const o of creds?.operators ?? []) tokenOf.set(`o:${o.username}`, o.password);

  const secretFor = async (key: string): Promise<{ token: string; secret: SecretHash }> => {
    const known = tokenOf.get(key);
    if (known && hashes[key]) return { token: known, secret: hashes[key] };
    const token = newToken();
    const secret = await hashSecret(token);
    hashes[key] = secret;
    return { token, secret };
  };

  const schoolName = new Map(county.schools.map((s) => [s.id, s.name]));
  const terminals = await Promise.all(county.terminals.map(async (t) => ({ t, s: await secretFor(`t:${t.deviceId}`) })));
  const units = await Promise.all(county.units.filter((u) => u.hasDevice).map(async (u) => ({ u, s: await secretFor(`u:${u.id}`) })));
  const operators = await Promise.all(DEMO_OPERATORS.map(async (o) => ({ o, s: await secretFor(`o:${o.username}`) })));
  const unitSecret = new Map(units.map(({ u, s }) => [u.id, s.secret]));

  const data: RegistryData = {
    stationName: county.stationName,
    schools: county.schools,
    terminals: terminals.map(({ t, s }) => ({ ...t, secret: s.secret, disabled: false })),
    guardPosts: county.guardPosts,
    policeRooms: county.policeRooms,
    units: county.units.map((u) => ({ ...u, disabled: false, ...(unitSecret.has(u.id) ? { secret: unitSecret.get(u.id)! } : {}) })),
    operators: operators.map(({ o, s }) => ({ ...o, secret: s.secret, disabled: false })),
  };
  const out: DemoCredentials = {
    terminals: terminals.map(({ t, s }) => ({ deviceId: t.deviceId, token: s.token, schoolId: t.schoolId, schoolName: schoolName.get(t.schoolId) ?? '' })),
    units: units.map(({ u, s }) => ({ unitId: u.id, token: s.token, name: u.name })),
    operators: operators.map(({ o, s }) => ({ username: o.username, password: s.token, role: o.role })),
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(credentialsFile, JSON.stringify(out, null, 2), { mode: 0o600 });
  fs.writeFileSync(hashesFile, JSON.stringify(hashes), { mode: 0o600 });
  return { registry: new Registry(data), credentialsFile };
}
