// cx-call with the WCF shapes of the simulator's WSShapesService: msg.soapHeaders in, every answer
// part in msg.payload and the answer's header parts on msg.cx.soapHeaders (README, Messages).
import assert from 'node:assert/strict';
import { CxSimulator, startSimulator } from '../../simulator';
import { FlowNode, PASSWORD, Recorder, USER, cxConfig, cxNodes, helper } from '../helpers/red';

const CREDS = { cfg: { username: USER, password: PASSWORD } };

function flow(url: string, method: string): FlowNode[] {
  return [
    { id: 'f1', type: 'tab', label: 'test' },
    cxConfig('cfg', url),
    {
      id: 'c1',
      type: 'cx-call',
      z: 'f1',
      cx: 'cfg',
      service: 'WSShapesService',
      method,
      payload: 'payload',
      payloadType: 'msg',
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'f1', wires: [] },
  ];
}

describe('cx-call with SOAP header parts and multi-part answers (simulator)', function () {
  this.timeout(15000);
  let sim: CxSimulator;
  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
  });
  afterEach(async () => {
    await helper.unload();
  });
  after(async () => {
    await sim.close();
  });

  it('sends msg.soapHeaders and outputs every part, with the answer headers on msg.cx.soapHeaders', async () => {
    await helper.load(cxNodes, flow(sim.url, 'GetQuote'), CREDS);
    const out = new Recorder(helper.getNode('out'));
    helper.getNode('c1').receive({ payload: { Symbol: 'SMALL' }, soapHeaders: { Account: 'A1' } });
    const msg = await out.next();
    assert.deepEqual(msg.payload, { Price: 0.5, Currency: 'GBP' });
    assert.deepEqual(msg.cx.soapHeaders, { RequestId: 'A1/-/-/SMALL' });
  });
});
