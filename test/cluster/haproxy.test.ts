// test/ (Node, cluster tests) — the HAProxy helper of natsCluster.ts, minimally: TCP through it to two echo
// backends, round robin, a backend that dies is taken out, and nothing is left running after stop().
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startHaproxy, type Haproxy } from './natsCluster';

/** A TCP server that answers each line with `<name>:<line>`. */
function echoServer(name: string): Promise<net.Server> {
  return new Promise((resolve) => {
    const srv = net.createServer((s) => {
      s.setEncoding('utf8');
      s.on('data', (d: string) => s.write(`${name}:${d}`));
      s.on('error', () => undefined);
    });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

/** Connects to the port, sends `text`, resolves with the first answer. */
function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => s.write(text));
    s.setEncoding('utf8');
    s.once('data', (d: string) => {
      s.destroy();
      resolve(d);
    });
    s.once('error', reject);
    s.setTimeout(3_000, () => {
      s.destroy();
      reject(new Error('no answer through HAProxy'));
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('HAProxy in TCP mode in front of backends', () => {
  const servers: net.Server[] = [];
  let proxy: Haproxy | undefined;
  afterAll(async () => {
    await proxy?.stop();
    for (const s of servers) s.close();
  });

  it('passes TCP through, round robin, and stops sending to a backend that died', async () => {
    servers.push(await echoServer('a'), await echoServer('b'));
    const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
    proxy = await startHaproxy(ports.map((port) => ({ port })));

    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ask(proxy.port, 'ping'));
    expect(answers.every((a) => /^[ab]:ping$/.test(a))).toBe(true);
    expect(new Set(answers.map((a) => a[0])).size).toBe(2); // both backends were used

    // Backend a stops accepting: after two failed checks (500 ms apart) every new connection goes to b.
    await new Promise<void>((r) => servers[0]!.close(() => r()));
    const deadline = Date.now() + 5_000;
    let streak = 0;
    while (streak < 4 && Date.now() < deadline) {
      const a = await ask(proxy.port, 'ping').catch(() => 'refused');
      streak = a === 'b:ping' ? streak + 1 : 0;
    }
    expect(streak).toBe(4);

    const pid = proxy.process.pid!;
    await proxy.stop();
    proxy = undefined;
    expect(alive(pid)).toBe(false);
  });
});
