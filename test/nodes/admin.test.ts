import assert from 'node:assert/strict';
import { CxSimulator, startSimulator } from '../../simulator';
import { FlowNode, PASSWORD, RC, Recorder, USER, cxConfig, cxNodes, helper } from '../helpers/red';

describe('cx-config admin endpoints (editor helpers)', function () {
  this.timeout(15000);
  let sim: CxSimulator;

  const deployed = (url: string): FlowNode[] => [
    { id: 'f1', type: 'tab', label: 'test' },
    cxConfig('cfg', url),
    {
      id: 'c1',
      type: 'cx-call',
      z: 'f1',
      x: 100,
      y: 100,
      cx: 'cfg',
      service: RC,
      method: 'getVATCodes',
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'f1', x: 300, y: 100, wires: [] },
  ];
  const post = (path: string, body: Record<string, unknown>) => helper.request().post(`/civica-cx/${path}`).send(body);
  const noSecrets = (res: { text: string }, ...secrets: string[]) => {
    for (const s of secrets) assert.ok(!res.text.includes(s), `answer contains a secret: ${res.text}`);
  };

  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
  });
  beforeEach(async () => {
    await helper.load(cxNodes, deployed(sim.url), { cfg: { username: USER, password: PASSWORD } });
  });
  afterEach(async () => {
    await helper.unload();
    sim.reset();
  });
  after(async () => {
    await sim.close();
  });

  it('GET services lists the known Cx services', async () => {
    const res = await helper.request().get('/civica-cx/services').expect(200);
    assert.ok(res.body.services.includes(RC));
    assert.ok(res.body.services.includes('WSAssetService'));
  });

  it("POST operations lists a service's methods for a config that is not deployed", async () => {
    const res = await post('operations', { url: sim.url, service: RC }).expect(200);
    for (const m of ['getVATCodes', 'GetRepairWorkOrderDetails', 'UpdateRepairWorksOrderStatus'])
      assert.ok(res.body.operations.includes(m), m);
    assert.equal(sim.stats().logins, 0, 'listing needs no login');
  });

  it('POST template gives the request skeleton; an unknown method is a 404 with its code', async () => {
    const res = await post('template', { url: sim.url, service: RC, method: 'GetRepairWorkOrderDetails' }).expect(200);
    const text = JSON.stringify(res.body.template);
    assert.match(text, /WorkOrderReference/);
    assert.match(text, /WorkOrderUid/);
    assert.ok(!/"Token"/.test(text), 'the token is not part of the template');
    const bad = await post('template', { url: sim.url, service: RC, method: 'NoSuchMethod' }).expect(404);
    assert.equal(bad.body.code, 'CX_UNKNOWN_METHOD');
    assert.equal(typeof bad.body.message, 'string');
  });

  it("POST template also gives the SOAP header parts, each derived type's members and the answer's shape", async () => {
    const quote = await post('template', { url: sim.url, service: 'WSShapesService', method: 'GetQuote' }).expect(200);
    assert.deepEqual(quote.body.template, { Symbol: 'string' });
    assert.deepEqual(quote.body.soapHeaders, { Account: 'string', Trace: { Caller: 'string', Depth: 'int' } });
    assert.deepEqual(quote.body.answer, {
      shape: 'parts',
      payload: { Price: 'decimal', Currency: 'string' },
      soapHeaders: { RequestId: 'string' },
    });
    const shape = await post('template', { url: sim.url, service: 'WSShapesService', method: 'DescribeShape' }).expect(
      200,
    );
    assert.deepEqual(shape.body.derivedTypes, {
      'msg.payload.shape': {
        Square: { $type: 'Square', Name: 'string', Side: 'decimal' },
        Circle: { $type: 'Circle', Name: 'string', Radius: 'decimal' },
      },
    });
    assert.deepEqual(shape.body.answer, { shape: 'result', payload: 'string' });
    assert.deepEqual(shape.body.soapHeaders, {});
    const rc = await post('template', { url: sim.url, service: RC, method: 'getVATCodes' }).expect(200);
    assert.equal(rc.body.answer.shape, 'result');
    assert.ok(!/"Token"/.test(JSON.stringify(rc.body)), 'the token is in no part of the answer');
  });

  it('POST test-connection logs in with typed credentials before any deploy', async () => {
    const res = await post('test-connection', {
      url: sim.url,
      timeout: '30',
      username: USER,
      password: PASSWORD,
    }).expect(200);
    assert.equal(res.body.ok, true);
    assert.match(res.body.validUntil, /^\d\d:\d\d$/);
    assert.ok(!Number.isNaN(Date.parse(res.body.expiry)));
    assert.equal(sim.stats().logins, 1);
    noSecrets(res, PASSWORD);
    assert.deepEqual(Object.keys(res.body).sort(), ['expiry', 'ok', 'validUntil']);
  });

  it('POST test-connection answers a refused login with its code and message, not the password', async () => {
    const res = await post('test-connection', { url: sim.url, username: USER, password: 'Wr0ng!pass' }).expect(422);
    assert.equal(res.body.code, 'CX_LOGIN_FAILED');
    assert.match(res.body.message, /Invalid login/);
    noSecrets(res, 'Wr0ng!pass');
  });

  it('POST test-connection waits out a refusal of the same URL and user, and says when the next try is allowed', async () => {
    await post('test-connection', { url: sim.url, username: USER, password: 'Wr0ng!pass' }).expect(422);
    for (const password of ['Wr0ng!pass', 'An0ther!guess']) {
      const res = await post('test-connection', { url: sim.url, username: USER, password }).expect(422);
      assert.equal(res.body.code, 'CX_LOGIN_FAILED');
      assert.match(res.body.message, /No new login is tried for another \d+ s \(until \d{4}-\d\d-\d\dT/);
      noSecrets(res, password);
    }
    assert.equal(sim.stats().failedLogins, 1, 'one real login in three clicks');
  });

  it('never resolves ${NAME} in what the browser sends; a deployed node names its own', async () => {
    process.env.CX_ADMIN_TEST_URL = sim.url;
    process.env.CX_ADMIN_TEST_PASSWORD = PASSWORD;
    try {
      for (const [route, typed] of [
        ['operations', { url: '${CX_ADMIN_TEST_URL}' }],
        ['template', { url: '${CX_ADMIN_TEST_URL}' }],
        ['test-connection', { url: sim.url, password: '${CX_ADMIN_TEST_PASSWORD}' }],
        ['test-connection', { url: sim.url, username: '${CX_ADMIN_TEST_URL}', password: PASSWORD }],
      ] as const) {
        const res = await post(route, { username: USER, ...typed, service: RC, method: 'getVATCodes' }).expect(400);
        assert.equal(res.body.code, 'CX_CONFIG');
        assert.match(res.body.message, /environment variable/);
        noSecrets(res, sim.url, PASSWORD);
      }
      assert.equal(sim.stats().logins + sim.stats().wsdlRequests, 0);
      // A cx-config deployed with the same references: the runtime resolved them, and a request
      // naming it alone uses it as it is.
      await helper.unload();
      await helper.load(cxNodes, deployed('${CX_ADMIN_TEST_URL}'), {
        cfg: { username: USER, password: '${CX_ADMIN_TEST_PASSWORD}' },
      });
      const ops = await post('operations', { id: 'cfg', service: RC }).expect(200);
      assert.ok(ops.body.operations.includes('getVATCodes'));
      await post('test-connection', { id: 'cfg' }).expect(200);
      // The stored user name sent back as stored, the password as __PWRD__: the stored values.
      await post('test-connection', { id: 'cfg', url: sim.url, username: USER, password: '__PWRD__' }).expect(200);
    } finally {
      delete process.env.CX_ADMIN_TEST_URL;
      delete process.env.CX_ADMIN_TEST_PASSWORD;
    }
  });

  it('a request naming only a cx-config that is not deployed is a 400 CX_CONFIG', async () => {
    const res = await post('operations', { id: 'not-deployed', service: RC }).expect(400);
    assert.equal(res.body.code, 'CX_CONFIG');
    const other = await post('operations', { id: 'c1', service: RC }).expect(400);
    assert.equal(other.body.code, 'CX_CONFIG', 'a node that is not a cx-config is not one');
  });

  it('POST test-connection of a deployed config uses its stored password (__PWRD__) and its connection', async () => {
    const res = await post('test-connection', {
      id: 'cfg',
      url: sim.url,
      timeout: 30,
      refreshMargin: '60',
      maxConcurrent: '8',
      maxResponseMB: '50',
      invalidTokenPattern: '',
      tokenPlacement: 'auto',
      tokenName: 'Token',
      tls: '',
      proxy: '',
      username: USER,
      password: '__PWRD__',
    }).expect(200);
    assert.equal(res.body.ok, true);
    assert.equal(sim.stats().logins, 1);
    // The deployed node kept that token: its next call needs no login of its own.
    const out = new Recorder(helper.getNode('out'));
    helper.getNode('c1').receive({ payload: {} });
    await out.next();
    assert.equal(sim.stats().logins, 1);
  });

  it('POST test-connection with __PWRD__ and changed settings uses the stored password in a temporary connection', async () => {
    await post('test-connection', {
      id: 'cfg',
      url: sim.url,
      timeout: 12,
      username: USER,
      password: '__PWRD__',
    }).expect(200);
    const out = new Recorder(helper.getNode('out'));
    helper.getNode('c1').receive({ payload: {} });
    await out.next();
    assert.equal(sim.stats().logins, 2, 'the deployed connection logged in on its own');
  });

  it('answers settings that cannot work with 400 CX_CONFIG', async () => {
    const bad = await post('test-connection', {
      url: 'mysite.civica-cx.co.uk/cx',
      username: USER,
      password: PASSWORD,
    }).expect(400);
    assert.equal(bad.body.code, 'CX_CONFIG');
    const noStored = await post('test-connection', {
      id: 'not-saved',
      url: sim.url,
      username: USER,
      password: '__PWRD__',
    }).expect(400);
    assert.equal(noStored.body.code, 'CX_CONFIG');
    noSecrets(bad, PASSWORD);
  });
});
