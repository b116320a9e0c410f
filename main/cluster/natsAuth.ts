// main/ (core, Node; cluster mode only) — how a core proves itself to the NATS servers, and how their addresses are
// written in a log. Whoever may publish on the cluster's subjects can write the station's log, its registry and its
// sessions' key (docs/scaling.md): in production the servers take credentials and TLS, and so must every core.
//   STATION_CLUSTER_CREDS  a .creds file (NATS decentralised auth: a user JWT and its nkey seed)
//   STATION_CLUSTER_TOKEN  a token (`authorization { token: … }` on the servers)
//   nats://user:password@host:4222 in STATION_CLUSTER_NATS  a user and password (taken out of the URL)
//   STATION_CLUSTER_CA     the CA file that signed the servers' certificates (with tls://… URLs)
// (No NATS import here: main/config.ts reads this on every start; natsConnectOptions in natsJournal.ts applies it.)

export interface NatsAuth {
  credsFile?: string;
  token?: string;
  user?: string;
  pass?: string;
  caFile?: string;
}

/** A server URL as it may be shown (in logs, on screens): without a user or password in it. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(an address that cannot be read)';
  }
}
