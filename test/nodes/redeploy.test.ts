import assert from 'node:assert/strict';
import { CxClient, ServiceModelCache } from '../../nodes/lib';
import {
  FlowNode,
  PASSWORD,
  RC,
  Recorder,
  USER,
  cxConfig,
  cxNodes,
  helper,
  until,
  useFlowSimulator,
} from '../helpers/red';

// A fresh object each time: the runtime keeps (and later changes) the one it is given.
const creds = (password = PASSWORD) => ({ cfg: { username: USER, password } });

function flow(url: string, configProps: Record<string, unknown> = {}, callName = 'c'): FlowNode[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    cxConfig('cfg', url, configProps),
    {
      id: 'c1',
      type: 'cx-call',
      z: 'f1',
      name: callName,
      cx: 'cfg',
      service: RC,
      method: 'getVATCodes',
      refusalIsError: true,
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'f1', wires: [] },
    { id: 'k1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1', wires: [] },
  ];
}

describe('WSDL reuse across connections and redeploys', function () {
  this.timeout(15000);
  const cx = useFlowSimulator();

  /** One message through c1: its output, or a failure naming the error Catch got. */
  const callOnce = async () => {
    const out = new Recorder(helper.getNode('out'));
    const caught = new Recorder(helper.getNode('caught'));
    helper.getNode('c1').receive({ payload: {} });
    return Promise.race([
      out.next(),
      caught.next().then((m) => assert.fail(`caught ${m.error.code}: ${m.error.message}`)),
    ]);
  };

  it('a full redeploy with an unchanged configuration downloads no WSDL again', async () => {
    await helper.load(cxNodes, flow(cx.sim.url), creds());
    await callOnce();
    const first = cx.sim.stats();
    assert.ok(first.wsdlRequests >= 2, 'token and repair WSDLs were loaded');
    for (let i = 0; i < 3; i++) {
      await helper.setFlows(flow(cx.sim.url, {}, `run ${i}`), 'full', creds());
      await callOnce();
    }
    assert.equal(cx.sim.stats().wsdlRequests, first.wsdlRequests);
    assert.equal(cx.sim.stats().xsdRequests, first.xsdRequests);
  });

  it('a full redeploy with unchanged settings and credentials keeps the token: no second login', async () => {
    await helper.load(cxNodes, flow(cx.sim.url), creds());
    await callOnce();
    for (let i = 0; i < 3; i++) {
      await helper.setFlows(flow(cx.sim.url, {}, `run ${i}`), 'full', creds());
      assert.equal((await callOnce()).cx.retried, false);
    }
    assert.equal(cx.sim.stats().logins, 1);
  });

  it('a redeploy with other credentials logs in afresh', async () => {
    await helper.load(cxNodes, flow(cx.sim.url), creds());
    await callOnce();
    await helper.setFlows(flow(cx.sim.url, { name: 'renamed only' }), 'full', creds());
    await callOnce();
    assert.equal(cx.sim.stats().logins, 1, 'a new name is not a new identity');
    await helper.setFlows(flow(cx.sim.url), 'full', creds(`${PASSWORD}x`));
    // With the wrong password the old token must not be reused: the login is tried and refused.
    await assert.rejects(callOnce(), /CX_LOGIN_FAILED/);
    assert.equal(cx.sim.stats().failedLogins, 1);
    // The refusal holds for this URL and user through the cool-down, whatever the password.
    await helper.setFlows(flow(cx.sim.url), 'full', creds());
    await assert.rejects(callOnce(), /CX_LOGIN_FAILED.*No new login is tried for another \d+ s/);
    assert.equal(cx.sim.stats().failedLogins, 1);
    // Another address of the same Cx is another key: the right password logs in afresh there.
    await helper.setFlows(flow(cx.sim.url.replace('127.0.0.1', 'localhost')), 'full', creds());
    await callOnce();
    assert.equal(cx.sim.stats().logins, 2, 'the right password again: a fresh login, not a revived token');
  });

  it('a full redeploy with the same wrong password does not log in again during the cool-down', async () => {
    await helper.load(cxNodes, flow(cx.sim.url), creds('not-the-password'));
    await assert.rejects(callOnce(), /CX_LOGIN_FAILED/);
    for (let i = 0; i < 3; i++) {
      await helper.setFlows(flow(cx.sim.url, {}, `run ${i}`), 'full', creds('not-the-password'));
      await assert.rejects(callOnce(), /CX_LOGIN_FAILED.*No new login is tried for another \d+ s \(until /);
    }
    assert.equal(cx.sim.stats().failedLogins, 1);
    assert.equal(cx.sim.stats().logins, 0);
  });

  it('a redeploy while the login is in flight hands its token to the new connection', async () => {
    await helper.load(cxNodes, flow(cx.sim.url), creds());
    cx.sim.inject('latency', { ms: 400, count: 1 }); // the login
    helper.getNode('c1').receive({ payload: {} });
    await until(() => cx.sim.stats().inFlight >= 1, 'the login at Cx');
    await helper.setFlows(flow(cx.sim.url, {}, 'after'), 'full', creds());
    assert.equal((await callOnce()).cx.retried, false);
    assert.equal(cx.sim.stats().logins, 1, 'the login in flight served the new connection');
    assert.equal(cx.sim.stats().calls, 2, 'one login request and one call: the login in flight was not thrown away');
  });

  it('a changed configuration that affects loading reads the WSDL again', async () => {
    await helper.load(cxNodes, flow(cx.sim.url), creds());
    await callOnce();
    const before = cx.sim.stats().wsdlRequests;
    await helper.setFlows(flow(cx.sim.url, { maxResponseMB: 20 }), 'full', creds());
    await callOnce();
    assert.ok(cx.sim.stats().wsdlRequests > before);
  });

  it('clients sharing a cache share parsed WSDLs; clients without one do not', async () => {
    const cache = new ServiceModelCache();
    const a = new CxClient({ url: cx.sim.url, username: USER, password: PASSWORD, modelCache: cache });
    const b = new CxClient({ url: cx.sim.url, username: USER, password: PASSWORD, modelCache: cache });
    const c = new CxClient({ url: cx.sim.url, username: USER, password: PASSWORD });
    try {
      await a.operations(RC);
      const afterA = cx.sim.stats().wsdlRequests;
      await b.operations(RC);
      assert.equal(cx.sim.stats().wsdlRequests, afterA);
      await c.operations(RC);
      assert.equal(cx.sim.stats().wsdlRequests, afterA + 1);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });
});

describe('ServiceModelCache', () => {
  const model = (name: string) => ({ name, operations: new Map(), schema: {} }) as never;

  it('forgets entries past their age and beyond its size, oldest first', () => {
    let now = 0;
    const cache = new ServiceModelCache(2, 1000, () => now);
    cache.set('a', model('a'));
    cache.set('b', model('b'));
    cache.set('c', model('c'));
    assert.equal(cache.get('a'), undefined);
    assert.ok(cache.get('b') && cache.get('c'));
    now = 1001;
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.size, 1);
    cache.delete('c');
    assert.equal(cache.size, 0);
  });
});
