import assert from 'node:assert/strict';
import {
  EMPTY_GUID,
  detailsCall,
  field,
  login,
  repairCall,
  request,
  soap,
  statusCall,
  useSimulator,
} from '../helpers/sim';

const RC = 'WSRepairContractorService';

// Cx's allowed status moves (README "The Cx simulator", UpdateRepairWorksOrderStatus), written out
// independently of the simulator's table.
const ALLOWED: Record<string, string[]> = {
  Entered: ['Issued', 'OnHold', 'AwaitingAuthorisation', 'AwaitingPreInspection', 'Cancelled'],
  Issued: [
    'OnHold',
    'WorkInProgress',
    'AwaitingVariationAuthorisation',
    'AwaitingPreInspection',
    'Varied',
    'Complete',
    'Cancelled',
  ],
  WorkInProgress: [
    'OnHold',
    'AwaitingVariationAuthorisation',
    'AwaitingPreInspection',
    'Varied',
    'PartiallyComplete',
    'Complete',
    'Cancelled',
  ],
  OnHold: ['Issued'],
};
const CODES: Record<string, string> = {
  ENT: 'Entered',
  ISS: 'Issued',
  WIP: 'WorkInProgress',
  HOLD: 'OnHold',
  AUTH: 'AwaitingAuthorisation',
  API: 'AwaitingPreInspection',
  AVA: 'AwaitingVariationAuthorisation',
  VAR: 'Varied',
  PCOMP: 'PartiallyComplete',
  COMP: 'Complete',
  CANC: 'Cancelled',
  INV: 'FullyInvoiced',
};
// One seeded order per starting status
const ORDERS: Record<string, string> = {
  Entered: 'WO100001',
  Issued: 'WO100002',
  WorkInProgress: 'WO100003',
  OnHold: 'WO100005',
  Complete: 'WO100006',
  Cancelled: 'WO100008',
  AwaitingAuthorisation: 'WO100010',
};

describe('simulator: repairs', function () {
  const now = Date.UTC(2023, 5, 15, 11, 0, 0);
  const s = useSimulator({ now: () => now });
  let token = '';
  beforeEach(async () => {
    s.sim.reset();
    token = await login(s.sim);
  });

  const details = async (ref: string) =>
    (await soap(s.sim, RC, 'GetRepairWorkOrderDetails', detailsCall(token, ref))).text;
  const move = async (ref: string, code: string, extra = '') =>
    (await soap(s.sim, RC, 'UpdateRepairWorksOrderStatus', statusCall(token, ref, code, extra))).text;

  describe('UpdateRepairWorksOrderStatus', () => {
    it('allows exactly the documented moves; a refusal is HTTP 200 IsValid false and changes nothing', async () => {
      for (const [from, ref] of Object.entries(ORDERS)) {
        for (const [code, to] of Object.entries(CODES)) {
          s.sim.reset();
          token = await login(s.sim);
          const before = await details(ref);
          assert.equal(field(before, 'RepairMasterStatus'), from);
          const r = await soap(s.sim, RC, 'UpdateRepairWorksOrderStatus', statusCall(token, ref, code));
          assert.equal(r.status, 200);
          const allowed = ALLOWED[from]?.includes(to) ?? false;
          assert.equal(field(r.text, 'IsValid'), String(allowed), `${from} -> ${to}`);
          const after = await details(ref);
          if (allowed) {
            assert.equal(field(r.text, 'InvalidReason'), null);
            assert.equal(field(after, 'RepairMasterStatus'), to);
            assert.equal(field(after, 'RepairStatusCode'), code);
          } else {
            assert.match(field(r.text, 'InvalidReason') ?? '', /^Cannot change status from .+ to .+\.$/);
            assert.equal(after, before, `${from} -> ${to} changed the order`);
          }
        }
      }
    });

    it('names both statuses in the refusal', async () => {
      assert.equal(field(await move('WO100002', 'COMP'), 'IsValid'), 'true');
      const r = await move('WO100002', 'ISS');
      assert.equal(field(r, 'InvalidReason'), 'Cannot change status from Complete to Issued.');
      assert.equal(
        field(await move('WO100003', 'ISS'), 'InvalidReason'),
        'Cannot change status from Work In Progress to Issued.',
      );
    });

    it('refuses an unknown status code without change', async () => {
      const before = await details('WO100002');
      const r = await move('WO100002', 'XYZ');
      assert.equal(field(r, 'IsValid'), 'false');
      assert.equal(field(r, 'InvalidReason'), "Unknown repair status code 'XYZ'.");
      assert.equal(await details('WO100002'), before);
    });

    it('keeps Comments and StatusDate, visible through GetRepairWorkOrderDetails', async () => {
      const r = await move('WO100003', 'COMP', '<r:Comments>Done &amp; dusted</r:Comments>');
      assert.equal(field(r, 'IsValid'), 'true');
      const withDate = await soap(
        s.sim,
        RC,
        'UpdateRepairWorksOrderStatus',
        repairCall(
          'UpdateRepairWorksOrderStatus',
          token,
          '<r:RepairStatusCode>COMP</r:RepairStatusCode><r:StatusDate>2023-06-14T16:30:00</r:StatusDate>' +
            `<r:WorkOrderReference>WO100009</r:WorkOrderReference><r:WorkOrderUid>${EMPTY_GUID}</r:WorkOrderUid>`,
        ),
      );
      assert.equal(field(withDate.text, 'IsValid'), 'true');
      const d3 = await details('WO100003');
      assert.equal(field(d3, 'StatusComments'), 'Done &amp; dusted');
      assert.equal(field(d3, 'CompletedDate'), '2023-06-15T12:00:00.0000000+01:00');
      assert.equal(field(await details('WO100009'), 'CompletedDate'), '2023-06-14T16:30:00.0000000+01:00');
    });
  });

  describe('GetRepairWorkOrderDetails', () => {
    it('finds by Uid alone, and by reference when both are given (the reference wins)', async () => {
      const uid3 = field(await details('WO100003'), 'WorkOrderUid') ?? '';
      assert.match(uid3, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const byUid = await soap(
        s.sim,
        RC,
        'GetRepairWorkOrderDetails',
        repairCall('GetRepairWorkOrderDetails', token, `<r:WorkOrderUid>${uid3.toUpperCase()}</r:WorkOrderUid>`),
      );
      assert.equal(field(byUid.text, 'WorkOrderReference'), 'WO100003');
      const both = await soap(s.sim, RC, 'GetRepairWorkOrderDetails', detailsCall(token, 'WO100002', uid3));
      assert.equal(field(both.text, 'WorkOrderReference'), 'WO100002');
    });

    it('answers an unknown order with IsValid false, a clear reason and a nil WorkOrder', async () => {
      const r = await soap(s.sim, RC, 'GetRepairWorkOrderDetails', detailsCall(token, 'WO999999'));
      assert.equal(r.status, 200);
      assert.equal(field(r.text, 'IsValid'), 'false');
      assert.equal(field(r.text, 'InvalidReason'), "Work order 'WO999999' not found.");
      assert.equal(field(r.text, 'WorkOrder'), null);
      const none = await soap(s.sim, RC, 'GetRepairWorkOrderDetails', detailsCall(token, ''));
      assert.equal(field(none.text, 'IsValid'), 'false');
    });

    it('GetRepairWorkOrderDetailsDescription gives the description, nil when there is none', async () => {
      const call = (ref: string) =>
        repairCall(
          'GetRepairWorkOrderDetailsDescription',
          token,
          `<r:WorkOrderReference>${ref}</r:WorkOrderReference><r:WorkOrderUid>${EMPTY_GUID}</r:WorkOrderUid>`,
        );
      const r = await soap(s.sim, RC, 'GetRepairWorkOrderDetailsDescription', call('WO100001'));
      assert.equal(field(r.text, 'Description'), 'Kitchen tap dripping constantly');
      const nil = await soap(s.sim, RC, 'GetRepairWorkOrderDetailsDescription', call('WO100006'));
      assert.equal(field(nil.text, 'Description'), null);
    });
  });

  describe('GetContractorWorkOrders', () => {
    const list = async (members: string) =>
      (await soap(s.sim, RC, 'GetContractorWorkOrders', repairCall('GetContractorWorkOrders', token, members))).text;
    const refs = (xml: string) => [...xml.matchAll(/<a:WorkOrderReference>(\w+)</g)].map((m) => m[1]);
    const raised = (xml: string) => [...xml.matchAll(/<a:RaisedDate>([^<]+)</g)].map((m) => Date.parse(m[1]));

    it("lists a contractor's orders in raised order with TotalCount", async () => {
      const xml = await list('<r:ContractorCode>C001</r:ContractorCode>');
      assert.equal(field(xml, 'IsValid'), 'true');
      assert.equal(field(xml, 'TotalCount'), '10');
      assert.equal(refs(xml).length, 10);
      assert.equal([...xml.matchAll(/<a:ContractorCode>C001</g)].length, 10);
      const dates = raised(xml);
      assert.deepEqual(
        dates,
        [...dates].sort((a, b) => a - b),
      );
      assert.match(xml, /<a:WorkOrders><a:WorkOrderSummary><a:ContractorCode>/);
    });

    it('filters by RepairStatusCode and by RaisedFrom/RaisedTo (inclusive, London time when no offset)', async () => {
      const all = await list('<r:ContractorCode>C002</r:ContractorCode>');
      const iss = await list('<r:ContractorCode>C002</r:ContractorCode><r:RepairStatusCode>ISS</r:RepairStatusCode>');
      assert.ok(refs(iss).length > 0 && refs(iss).length < refs(all).length);
      assert.equal([...iss.matchAll(/<a:RepairStatusCode>ISS</g)].length, refs(iss).length);
      const from = Date.parse('2023-06-05T00:00:00+01:00');
      const to = Date.parse('2023-06-12T23:59:59+01:00');
      const expected = refs(all).filter((_, i) => raised(all)[i] >= from && raised(all)[i] <= to);
      const ranged = await list(
        '<r:ContractorCode>C002</r:ContractorCode><r:RaisedFrom>2023-06-05T00:00:00</r:RaisedFrom>' +
          '<r:RaisedTo>2023-06-12T23:59:59</r:RaisedTo>',
      );
      assert.ok(expected.length > 0);
      assert.deepEqual(refs(ranged), expected);
    });

    it('answers an unknown or missing contractor with IsValid false', async () => {
      assert.equal(
        field(await list('<r:ContractorCode>C999</r:ContractorCode>'), 'InvalidReason'),
        "Contractor 'C999' not found.",
      );
      assert.equal(field(await list(''), 'IsValid'), 'false');
    });

    it('returns n generated records after setListSize(n), streamed, and the seeded list again after null', async () => {
      s.sim.setListSize(10000);
      const r = await soap(
        s.sim,
        RC,
        'GetContractorWorkOrders',
        repairCall('GetContractorWorkOrders', token, '<r:ContractorCode>C001</r:ContractorCode>'),
      );
      assert.equal(r.headers['transfer-encoding'], 'chunked');
      assert.equal(field(r.text, 'TotalCount'), '10000');
      assert.equal(r.text.split('<a:WorkOrderSummary>').length - 1, 10000);
      assert.ok(r.text.endsWith('</s:Envelope>'));
      s.sim.setListSize(null);
      assert.equal(field(await list('<r:ContractorCode>C001</r:ContractorCode>'), 'TotalCount'), '10');
    });

    it('serves 50,000 records set over POST list-size', async () => {
      const set = await request(`${s.sim.url}/_sim/list-size`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"size":50000}',
      });
      assert.deepEqual(JSON.parse(set.text), { ok: true });
      const xml = await list('<r:ContractorCode>C001</r:ContractorCode>');
      assert.equal(xml.split('</a:WorkOrderSummary>').length - 1, 50000);
      assert.ok(Buffer.byteLength(xml) > 20 * 1024 * 1024);
    });
  });
});
