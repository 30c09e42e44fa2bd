import assert from 'node:assert/strict';
import { CxSimulator, startSimulator } from '../../simulator';
import { NodeRedProcess, startNodeRed } from '../helpers/node-red-process';
import { PASSWORD, RC, USER, until } from '../helpers/red';

/**
 * The editor helpers in a real Node-RED with adminAuth (README "Reliability and security"): a
 * user with `read` may use a deployed Cx connection as it is; a request that brings its own URL,
 * credentials or transport settings needs `cx-config.write` and gets Node-RED's own 401 without
 * it; a `${NAME}` in what the browser sends is never resolved, so the host's environment stays
 * unreadable.
 */
describe('editor helpers with adminAuth (a real Node-RED 4.1)', function () {
  this.timeout(30000);
  let red: NodeRedProcess;
  let sim: CxSimulator;
  const SECRET = 'S3cret-of-the-host-7731';
  const tokens: Record<string, string> = {};

  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
    process.env.CX_AUTH_TEST_SECRET = SECRET;
    try {
      red = await startNodeRed('auth', {
        adminAuth: {
          type: 'credentials',
          // bcrypt hashes of "reader-pass-1" and "admin-pass-1", made for this test only.
          users: [
            {
              username: 'reader',
              password: '$2b$08$Q6452q6/sZ/9gSDhD1Ut3ubnggEaYOzb9anCm3oy4hEKVN8B19BVy',
              permissions: 'read',
            },
            {
              username: 'admin',
              password: '$2b$08$kehrUAfG3BJLgUFAp8H8muLwwkp.6Q4pF1urzKhtEtTUH5zHTtJwu',
              permissions: '*',
            },
          ],
        },
      });
    } finally {
      delete process.env.CX_AUTH_TEST_SECRET;
    }
    for (const [user, password, scope] of [
      ['reader', 'reader-pass-1', 'read'],
      ['admin', 'admin-pass-1', '*'],
    ]) {
      const res = await fetch(`${red.base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'node-red-admin', grant_type: 'password', scope, username: user, password }),
      });
      assert.equal(res.status, 200, `token for ${user}`);
      tokens[user] = ((await res.json()) as { access_token: string }).access_token;
    }
    const flows = [
      { id: 'f1', type: 'tab', label: 'auth' },
      {
        id: 'cfg',
        type: 'cx-config',
        name: 'Cx',
        url: sim.url,
        timeout: 30,
        credentials: { username: USER, password: PASSWORD },
      },
      { id: 't1', type: 'cx-token', z: 'f1', x: 100, y: 100, cx: 'cfg', wires: [] },
    ];
    // The runtime answers the deploy before it has started the new flows.
    const started = () => (red.log().match(/Started flows/g) ?? []).length;
    await until(() => started() > 0, 'the empty flows of the first start', 10000);
    const startsBefore = started();
    const deployed = await as('admin', 'flows', flows, { 'node-red-deployment-type': 'full' });
    assert.ok(deployed.ok, await deployed.text());
    await until(() => started() > startsBefore, 'the deployed flows to start', 10000);
  });
  after(async () => {
    await red?.stop();
    await sim?.close();
  });

  function as(user: string, path: string, body: unknown, headers: Record<string, string> = {}) {
    return fetch(`${red.base}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[user]}`, ...headers },
      body: JSON.stringify(body),
    });
  }
  const noSecret = (text: string) => assert.ok(!text.includes(SECRET), `the secret came back: ${text}`);

  it('a reader lists operations and gets a template of the deployed connection as it is', async () => {
    const ops = await as('reader', 'civica-cx/operations', { id: 'cfg', service: RC });
    assert.equal(ops.status, 200, await ops.clone().text());
    assert.ok(((await ops.json()) as { operations: string[] }).operations.includes('getVATCodes'));
    const tpl = await as('reader', 'civica-cx/template', {
      id: 'cfg',
      service: RC,
      method: 'GetRepairWorkOrderDetails',
    });
    assert.equal(tpl.status, 200);
  });

  it('a reader who types a URL, credentials or a TLS node gets 401 on every route, and no request is made', async () => {
    const before = sim.stats();
    const typed: Record<string, unknown>[] = [
      { url: '${CX_AUTH_TEST_SECRET}' },
      { id: 'cfg', url: sim.url },
      { id: 'cfg', username: '${CX_AUTH_TEST_SECRET}' },
      { id: 'cfg', password: 'guess' },
      { id: 'cfg', tls: 'some-tls' },
      { id: 'cfg', timeout: 1 },
    ];
    for (const settings of typed) {
      for (const route of ['operations', 'template', 'test-connection']) {
        const res = await as('reader', `civica-cx/${route}`, { ...settings, service: RC, method: 'getVATCodes' });
        const text = await res.text();
        assert.equal(res.status, 401, `${route} ${JSON.stringify(settings)}: ${res.status} ${text}`);
        noSecret(text);
      }
    }
    const after = sim.stats();
    assert.equal(after.wsdlRequests, before.wsdlRequests, 'no WSDL was fetched for a reader');
    assert.equal(after.logins + after.failedLogins, before.logins + before.failedLogins, 'no login for a reader');
  });

  it('a writer may type settings, but a ${NAME} typed in the browser is refused, never resolved', async () => {
    for (const route of ['operations', 'template', 'test-connection']) {
      for (const settings of [
        { url: '${CX_AUTH_TEST_SECRET}', username: USER, password: PASSWORD },
        { url: sim.url, username: USER, password: '${CX_AUTH_TEST_SECRET}' },
        { url: sim.url, username: USER, password: PASSWORD, tokenPlacement: '${CX_AUTH_TEST_SECRET}' },
      ]) {
        const res = await as('admin', `civica-cx/${route}`, { ...settings, service: RC, method: 'getVATCodes' });
        const text = await res.text();
        assert.equal(res.status, 400, `${route}: ${text}`);
        assert.equal(JSON.parse(text).code, 'CX_CONFIG');
        assert.match(JSON.parse(text).message, /environment variable/);
        noSecret(text);
      }
    }
    const ok = await as('admin', 'civica-cx/operations', { url: sim.url, service: RC });
    assert.equal(ok.status, 200);
  });
});
