// main/ (core, Node) — demo mode: a sample county inside 隆化县 with credentials for every sample device
// and operator, written to <dataDir>/demo-credentials.json. Its registry is <dataDir>/demo-registry.json,
// loaded only with --demo, so without --demo no sample credential is active.
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../shared/events';
import { makeSampleCounty, LONGHUA_ADCODE, type SampleCountySize } from '../shared/sampleCounty';
import { Registry, type RegistryData } from './core/registry';
import { hashSecret, newToken } from './core/secrets';
import { dataFile } from './core/settings';

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

export const demoRegistryFile = (dataDir: string): string => dataFile(dataDir, 'demoRegistry');

/**
 * Loads the demo registry of this data folder, creating the sample county and its credentials on first use.
 * `size` (--demo-schools, --demo-units) asks for a county of that many schools and units: an existing demo
 * registry of another size is made anew (new credentials); without a size, whatever exists is kept.
 */
export async function loadDemoRegistry(
  dataDir: string,
  assetsDir: string,
  size: SampleCountySize = {},
): Promise<{ registry: Registry; credentialsFile: string }> {
  const credentialsFile = dataFile(dataDir, 'demoCredentials');
  const registryFile = demoRegistryFile(dataDir);
  let target: SampleCountySize = size;
  if (fs.existsSync(registryFile) && fs.existsSync(credentialsFile)) {
    const registry = Registry.load(registryFile);
    const have = { schools: registry.snapshot.schools.length, units: registry.snapshot.units.length };
    const want = { schools: size.schools ?? have.schools, units: size.units ?? have.units };
    if (want.schools === have.schools && want.units === have.units) return { registry, credentialsFile };
    console.log(
      `demo: the demo registry has ${have.schools} schools and ${have.units} units; making a new sample county with ` +
        `${want.schools} and ${want.units} (new credentials in ${credentialsFile})`,
    );
    target = want;
  }

  const county = makeSampleCounty(longhuaOutline(assetsDir), undefined, target);
  const secrets = county.terminals.length + county.units.filter((u) => u.hasDevice).length + DEMO_OPERATORS.length;
  // Each credential costs one scrypt hash (tens of ms of CPU); a big county takes a while, so say so.
  if (secrets > 100) console.log(`demo: hashing ${secrets} sample credentials; this takes a while for a county this size`);
  const issue = async (kind: 'token' | 'password' = 'token'): Promise<{ token: string; secret: Awaited<ReturnType<typeof hashSecret>> }> => {
    const token = newToken();
    return { token, secret: await hashSecret(token, kind) };
  };
  const schoolName = new Map(county.schools.map((s) => [s.id, s.name]));
  const terminals = await Promise.all(county.terminals.map(async (t) => ({ t, s: await issue() })));
  const units = await Promise.all(county.units.map(async (u) => ({ u, s: u.hasDevice ? await issue() : undefined })));
  const operators = await Promise.all(DEMO_OPERATORS.map(async (o) => ({ o, s: await issue('password') })));

  const data: RegistryData = {
    stationName: county.stationName,
    schools: county.schools,
    terminals: terminals.map(({ t, s }) => ({ ...t, secret: s.secret, disabled: false })),
    guardPosts: county.guardPosts,
    policeRooms: county.policeRooms,
    units: units.map(({ u, s }) => ({ ...u, disabled: false, ...(s ? { secret: s.secret } : {}) })),
    operators: operators.map(({ o, s }) => ({ ...o, secret: s.secret, disabled: false })),
  };
  const out: DemoCredentials = {
    terminals: terminals.map(({ t, s }) => ({ deviceId: t.deviceId, token: s.token, schoolId: t.schoolId, schoolName: schoolName.get(t.schoolId) ?? '' })),
    units: units.flatMap(({ u, s }) => (s ? [{ unitId: u.id, token: s.token, name: u.name }] : [])),
    operators: operators.map(({ o, s }) => ({ username: o.username, password: s.token, role: o.role })),
  };
  fs.mkdirSync(dataDir, { recursive: true });
  const registry = new Registry(data, registryFile);
  registry.save();
  fs.writeFileSync(credentialsFile, JSON.stringify(out, null, 2), { mode: 0o600 });
  return { registry, credentialsFile };
}
