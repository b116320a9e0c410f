// main/ (core, Node) — demo mode: a sample county inside 隆化县 with credentials for every sample device
// and operator, written to <dataDir>/demo-credentials.json. Its registry is <dataDir>/demo-registry.json,
// loaded only with --demo, so without --demo no sample credential is active.
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../shared/events';
import { makeSampleCounty, LONGHUA_ADCODE, type SampleCountySize } from '../shared/sampleCounty';
import type { Station } from '../shared/stations';
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
  // Stations (issue 15, --demo-stations): the county command centre sees every station; each station's own officer.
  { username: 'county', displayName: '示例县局指挥中心 赵主任', role: 'county' },
  { username: 'officer-west', displayName: '示例西区派出所 值班民警 陈警官', role: 'officer' },
  { username: 'officer-east', displayName: '示例东区派出所 值班民警 周警官', role: 'officer' },
];

/** The demo county's stations with --demo-stations: its schools split at the middle longitude, west and east. */
export const DEMO_STATIONS: readonly Station[] = [
  { id: 'st-west', name: '示例西区派出所', nameEn: 'Sample West Station' },
  { id: 'st-east', name: '示例东区派出所', nameEn: 'Sample East Station' },
];
/** Who logs in to which demo station; the rest (admin, county) see every station. */
const DEMO_OPERATOR_STATIONS = new Map([
  ['officer', 'st-west'],
  ['officer2', 'st-west'],
  ['chief', 'st-west'],
  ['trainer', 'st-west'],
  ['officer-west', 'st-west'],
  ['officer-east', 'st-east'],
]);

/**
 * The demo registry split into two stations (with) or back into one (without): schools by longitude, each guard post
 * with its school, police rooms and units by their position. Deterministic, so a demo folder keeps its stations.
 */
export function withDemoStations(d: RegistryData, on: boolean): void {
  const strip = <T extends { stationId?: string }>(x: T): T => {
    delete x.stationId;
    return x;
  };
  if (!on) {
    delete d.stations;
    for (const list of [d.schools, d.guardPosts, d.policeRooms, d.units, d.operators] as { stationId?: string }[][]) list.forEach(strip);
    return;
  }
  const lngs = d.schools.map((x) => x.lng).sort((a, b) => a - b);
  const middle = lngs[Math.floor(lngs.length / 2)] ?? 0;
  const [west, east] = [DEMO_STATIONS[0]!.id, DEMO_STATIONS[1]!.id];
  const side = (lng: number): string => (lng < middle ? west : east);
  d.stations = DEMO_STATIONS.map((x) => ({ ...x }));
  for (const x of d.schools) x.stationId = side(x.lng);
  const schoolSide = new Map(d.schools.map((x) => [x.id, x.stationId]));
  for (const g of d.guardPosts) strip(g);
  for (const r of d.policeRooms) r.stationId = side(r.lng);
  for (const u of d.units) {
    const post = u.postId ? d.guardPosts.find((g) => g.id === u.postId) : undefined;
    u.stationId = (post && schoolSide.get(post.schoolId)) ?? side(u.lng);
  }
  for (const o of d.operators) {
    const st = DEMO_OPERATOR_STATIONS.get(o.username);
    if (st) o.stationId = st;
    else strip(o);
  }
}

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
