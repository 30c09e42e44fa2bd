import assert from 'node:assert/strict';
import { CxClient, ServiceModelCache } from '../nodes/lib';
import { CxSimulator, startSimulator } from '../nodes/simulator';
import { FlowNode, PASSWORD, RC, Recorder, USER, cxConfig, cxNodes, helper } from './helpers/red';

const CREDS = { cfg: { username: USER, password: PASSWORD } };

function flow(url: string, configProps: Record<string, unknown> = {}, callName = 'c'): FlowNode[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    cxConfig('cfg', url, configProps),
    { id: 'c1', type: 'cx-call', z: 'f1', name: callName, cx: 'cfg', service: RC, method: 'getVATCodes', refusalIsError: true, wires: [['out']] },
    { id: 'out', type: 'helper', z: 'f1', wires: [] },
  ];
}

describe('WSDL reuse across connections and redeploys', function () {
  this.timeout(15000);
  let sim: CxSimulator;

  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
  });
  afterEach(async () => {
    await helper.unload();
    sim.reset();
  });
  after(async () => {
    await sim.close();
  });

  const callOnce = async () => {
    const out = new Recorder(helper.getNode('out'));
    helper.getNode('c1').receive({ payload: {} });
    return out.next();
  };

  it('a full redeploy with an unchanged configuration downloads no WSDL again', async () => {
    await helper.load(cxNodes, flow(sim.url), CREDS);
    await callOnce();
    const first = sim.stats();
    assert.ok(first.wsdlRequests >= 2, 'token and repair WSDLs were loaded');
    for (let i = 0; i < 3; i++) {
      await helper.setFlows(flow(sim.url, {}, `run ${i}`), 'full', CREDS);
      await callOnce();
    }
    assert.equal(sim.stats().wsdlRequests, first.wsdlRequests);
    assert.equal(sim.stats().xsdRequests, first.xsdRequests);
  });

  it('a changed configuration that affects loading reads the WSDL again', async () => {
    await helper.load(cxNodes, flow(sim.url), CREDS);
    await callOnce();
    const before = sim.stats().wsdlRequests;
    await helper.setFlows(flow(sim.url, { maxResponseMB: 20 }), 'full', CREDS);
    await callOnce();
    assert.ok(sim.stats().wsdlRequests > before);
  });

  it('clients sharing a cache share parsed WSDLs; clients without one do not', async () => {
    const cache = new ServiceModelCache();
    const a = new CxClient({ url: sim.url, username: USER, password: PASSWORD, modelCache: cache });
    const b = new CxClient({ url: sim.url, username: USER, password: PASSWORD, modelCache: cache });
    const c = new CxClient({ url: sim.url, username: USER, password: PASSWORD });
    try {
      await a.operations(RC);
      const afterA = sim.stats().wsdlRequests;
      await b.operations(RC);
      assert.equal(sim.stats().wsdlRequests, afterA);
      await c.operations(RC);
      assert.equal(sim.stats().wsdlRequests, afterA + 1);
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
