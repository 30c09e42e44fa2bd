import assert from 'node:assert/strict';
import { CxSimulator, startSimulator } from '../../simulator';
import { MODULE, NodeRedProcess, startNodeRed } from '../helpers/node-red-process';
import { until } from '../helpers/red';

/**
 * The pack claims Node-RED >= 3. Node-RED 3.1 (dev dependency `node-red-3`) loads it, runs a
 * call, and a refusal reaches a Catch node; 3.x does not copy an error's code onto msg.error, so
 * the code must be on msg.cx.
 */
describe('the package in a real Node-RED 3.1', function () {
  this.timeout(30000);
  let red: NodeRedProcess;
  let sim: CxSimulator;

  before(async () => {
    sim = await startSimulator({ port: 0, quiet: true });
    red = await startNodeRed('nr3', { logging: { console: { level: 'info' } } }, 'node-red-3');
  });
  after(async () => {
    await red?.stop();
    await sim?.close();
  });

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${red.base}/${p}`, {
      ...init,
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'node-red-deployment-type': 'full',
        ...(init.headers ?? {}),
      },
    });
  /** Resolves once the log holds `n` matches of `re` (the runtime answers before it has run the flow). */
  const logged = (re: RegExp, n = 1) =>
    until(
      () => (red.log().match(new RegExp(re.source, 'g')) ?? []).length >= n,
      `${re} in the Node-RED log:\n${red.log().slice(-2000)}`,
      10000,
    );

  it('registers the three node types', async () => {
    assert.match(JSON.parse(await (await api('settings')).text()).version ?? '', /^3\.1\./);
    const nodes = (await (await api('nodes')).json()) as Array<{
      module: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }>;
    const ours = nodes.filter((n) => n.module === MODULE);
    assert.deepEqual(ours.flatMap((n) => n.types).sort(), ['cx-call', 'cx-config', 'cx-token']);
    assert.ok(
      ours.every((n) => n.enabled && !n.err),
      JSON.stringify(ours),
    );
  });

  it('calls Cx, and a refusal reaches Catch with msg.cx.code', async () => {
    const update = (ref: string) =>
      JSON.stringify({
        WorkOrderReference: ref,
        WorkOrderUid: '00000000-0000-0000-0000-000000000000',
        RepairStatusCode: 'WIP',
      });
    const flows = [
      { id: 'f1', type: 'tab', label: 'nr3' },
      {
        id: 'cfg',
        type: 'cx-config',
        url: sim.url,
        timeout: 30,
        credentials: { username: 'Jim.Walker', password: 'HappyB!rthday' },
      },
      {
        id: 'ok',
        type: 'inject',
        z: 'f1',
        props: [{ p: 'payload' }],
        payload: update('WO100002'),
        payloadType: 'json',
        wires: [['c1']],
      },
      {
        id: 'no',
        type: 'inject',
        z: 'f1',
        props: [{ p: 'payload' }],
        payload: update('WO100008'),
        payloadType: 'json',
        wires: [['c1']],
      },
      {
        id: 'c1',
        type: 'cx-call',
        z: 'f1',
        cx: 'cfg',
        service: 'WSRepairContractorService',
        method: 'UpdateRepairWorksOrderStatus',
        refusalIsError: true,
        wires: [['good']],
      },
      {
        id: 'good',
        type: 'function',
        z: 'f1',
        func: 'node.warn("answered IsValid=" + msg.payload.IsValid); return null;',
        outputs: 0,
        wires: [],
      },
      { id: 'k1', type: 'catch', z: 'f1', scope: null, wires: [['bad']] },
      {
        id: 'bad',
        type: 'function',
        z: 'f1',
        func: 'node.warn("caught " + msg.cx.code + " error.code=" + msg.error.code + " classname=" + /^CxError/.test(msg.error.message)); return null;',
        outputs: 0,
        wires: [],
      },
    ];
    const startsBefore = (red.log().match(/Started flows/g) ?? []).length;
    const deployed = await api('flows', { method: 'POST', body: JSON.stringify(flows) });
    assert.equal(deployed.status, 204, await deployed.text());
    await logged(/Started flows/, startsBefore + 1);
    assert.equal((await api('inject/ok', { method: 'POST' })).status, 200);
    await logged(/answered IsValid=true/);
    assert.equal((await api('inject/no', { method: 'POST' })).status, 200);
    // msg.error.message is the message alone, without the class name.
    await logged(/caught CX_REFUSED error\.code=undefined classname=false/);
    assert.equal(sim.stats().logins, 1);
  });
});
