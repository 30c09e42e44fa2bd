import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { CxClient, CxClientOptions } from '../../nodes/lib';
import { CxSimulator, startSimulator } from '../../simulator';

const USER = 'Jim.Walker';
const PASSWORD = 'HappyB!rthday';
const RC = 'WSRepairContractorService';

describe('Cx client: fake clock for refresh and cool-down', () => {
  let now = Date.UTC(2026, 10, 28, 9);
  const clock = { now: () => now };
  let sim: CxSimulator;
  const clients: CxClient[] = [];
  const client = (extra: Partial<CxClientOptions> = {}) => {
    const c = new CxClient({ url: sim.url, username: USER, password: PASSWORD, clock, ...extra });
    clients.push(c);
    return c;
  };

  before(async () => {
    // One clock for both sides: the simulator's tokens expire by it, the client refreshes by it.
    sim = await startSimulator({
      port: 0,
      user: USER,
      password: PASSWORD,
      tokenTtlSeconds: 600,
      now: clock.now,
      quiet: true,
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    sim.reset();
  });
  after(() => sim.close());

  it('logs in again a margin before TokenExpiry, so no call meets the invalid-token fault', async () => {
    const c = client({ refreshMarginMs: 60000 });
    await c.call(RC, 'getVATCodes', {});
    now += 539 * 1000;
    assert.equal((await c.call(RC, 'getVATCodes', {})).retried, false);
    assert.equal(sim.stats().logins, 1);
    now += 2 * 1000; // 541 s: inside the 60 s margin
    assert.equal((await c.call(RC, 'getVATCodes', {})).retried, false);
    assert.equal(sim.stats().logins, 2);
    assert.equal(sim.stats().faults, 0);
  });

  it('does not log in again within the cool-down after a refused login, and does after it', async () => {
    const c = client({ password: 'not-the-password', loginCooldownMs: 60000 });
    await assert.rejects(c.call(RC, 'getVATCodes', {}), { code: 'CX_LOGIN_FAILED' });
    now += 59 * 1000;
    await assert.rejects(c.call(RC, 'getVATCodes', {}), { code: 'CX_LOGIN_FAILED' });
    assert.equal(sim.stats().failedLogins, 1);
    now += 2 * 1000;
    await assert.rejects(c.call(RC, 'getVATCodes', {}), { code: 'CX_LOGIN_FAILED' });
    assert.equal(sim.stats().failedLogins, 2);
  });
});

describe('Cx client: TLS, proxy and name resolution', function () {
  this.timeout(20000);
  let sim: CxSimulator;
  let dir: string;
  let tlsServer: https.Server;
  let tlsPort: number;
  let cert: string;

  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
    // A TLS front for the simulator (as IIS terminates TLS in front of WCF), with a throwaway
    // self-signed certificate for 127.0.0.1.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    const target = new URL(sim.url);
    tlsServer = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      const up = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    tlsPort = (tlsServer.address() as AddressInfo).port;
  });
  after(async () => {
    tlsServer.closeAllConnections();
    await new Promise((r) => tlsServer.close(r));
    await sim.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown certificate with CX_NETWORK, and works with the CA given', async () => {
    const url = `https://127.0.0.1:${tlsPort}/cx`;
    const strict = new CxClient({ url, username: USER, password: PASSWORD });
    const trusting = new CxClient({ url, username: USER, password: PASSWORD, tls: { ca: cert } });
    try {
      await assert.rejects(strict.call(RC, 'getVATCodes', {}), { code: 'CX_NETWORK', message: /TLS|certificate/ });
      assert.ok((await trusting.call(RC, 'getVATCodes', {})).result);
    } finally {
      strict.close();
      trusting.close();
    }
  });

  it('goes through an HTTP proxy: absolute URIs for http, CONNECT for https', async () => {
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const u = new URL(req.url ?? '');
      const up = http.request(
        { host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    proxy.on('connect', (req, socket, head) => {
      seen.push(`CONNECT ${req.url} ${req.headers['proxy-authorization'] ? 'auth' : 'noauth'}`);
      const [host, port] = String(req.url).split(':');
      const up = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const viaHttp = new CxClient({ url: sim.url, username: USER, password: PASSWORD, proxy: { url: proxyUrl } });
    const viaHttps = new CxClient({
      url: `https://127.0.0.1:${tlsPort}/cx`,
      username: USER,
      password: PASSWORD,
      tls: { ca: cert },
      proxy: { url: proxyUrl, username: 'p', password: 'q' },
    });
    const bypass = new CxClient({
      url: sim.url,
      username: USER,
      password: PASSWORD,
      proxy: { url: proxyUrl, noProxy: ['127.0.0.1'] },
    });
    try {
      assert.ok((await viaHttp.call(RC, 'getVATCodes', {})).result);
      assert.ok(
        seen.some((s) => s.startsWith(`POST ${sim.url}/webservice/`)),
        seen.join('\n'),
      );
      assert.ok((await viaHttps.call(RC, 'getVATCodes', {})).result);
      assert.ok(seen.includes(`CONNECT 127.0.0.1:${tlsPort} auth`), seen.join('\n'));
      const before = seen.length;
      assert.ok((await bypass.call(RC, 'getVATCodes', {})).result);
      assert.equal(seen.length, before, 'noProxy host went direct');
    } finally {
      viaHttp.close();
      viaHttps.close();
      bypass.close();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('an unknown host name is CX_NETWORK that says to check the base URL', async () => {
    const c = new CxClient({ url: 'http://cx-host.invalid/cx', username: USER, password: PASSWORD, timeoutMs: 5000 });
    try {
      await assert.rejects(c.call(RC, 'getVATCodes', {}), { code: 'CX_NETWORK', message: /base URL|DNS/ });
    } finally {
      c.close();
    }
  });
});
