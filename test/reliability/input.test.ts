import assert from 'node:assert/strict';
import { CxSimulator, startSimulator } from '../../simulator';
import { HostileServer, reply, startHostile } from '../helpers/hostile-server';
import {
  EMPTY_GUID,
  FlowNode,
  Msg,
  PASSWORD,
  RC,
  Recorder,
  USER,
  cxConfig,
  cxNodes,
  helper,
  settle,
} from '../helpers/red';
import { SAYS_WHAT_TO_DO, unhandledRejections } from '../helpers/reliability';

const CREDS = { cfg: { username: USER, password: PASSWORD } };
const TYPES = 'WSTypesService';

/**
 * A small WCF-shaped service whose request has one member of each checked XSD type (the
 * simulator's requests have no int, boolean or decimal), served by a test server. Token placement
 * `none`: no login is needed, so what reaches the server is exactly what the flow sent.
 */
const TYPES_WSDL = `<wsdl:definitions name="${TYPES}" targetNamespace="http://tempuri.org/"
 xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="http://tempuri.org/">
 <wsdl:types>
  <xs:schema elementFormDefault="qualified" targetNamespace="http://tempuri.org/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:q1="urn:types">
   <xs:element name="SetValues"><xs:complexType><xs:sequence>
    <xs:element minOccurs="0" name="request" nillable="true" type="q1:SetValuesRequest"/>
   </xs:sequence></xs:complexType></xs:element>
   <xs:element name="SetValuesResponse"><xs:complexType><xs:sequence>
    <xs:element minOccurs="0" name="SetValuesResult" nillable="true" type="xs:string"/>
   </xs:sequence></xs:complexType></xs:element>
  </xs:schema>
  <xs:schema elementFormDefault="qualified" targetNamespace="urn:types" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:ser="http://schemas.microsoft.com/2003/10/Serialization/">
   <xs:complexType name="SetValuesRequest"><xs:sequence>
    <xs:element minOccurs="0" name="Amount" type="xs:decimal"/>
    <xs:element minOccurs="0" name="Count" type="xs:int"/>
    <xs:element minOccurs="0" name="Enabled" type="xs:boolean"/>
    <xs:element minOccurs="0" name="Note" nillable="true" type="xs:string"/>
    <xs:element minOccurs="0" name="Uid" type="ser:guid"/>
    <xs:element minOccurs="0" name="When" type="xs:dateTime"/>
   </xs:sequence></xs:complexType>
  </xs:schema>
  <xs:schema attributeFormDefault="qualified" elementFormDefault="qualified" targetNamespace="http://schemas.microsoft.com/2003/10/Serialization/" xmlns:xs="http://www.w3.org/2001/XMLSchema">
   <xs:simpleType name="guid"><xs:restriction base="xs:string"><xs:pattern value="[\\da-fA-F]{8}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{12}"/></xs:restriction></xs:simpleType>
  </xs:schema>
 </wsdl:types>
 <wsdl:message name="I${TYPES}_SetValues_InputMessage"><wsdl:part name="parameters" element="tns:SetValues"/></wsdl:message>
 <wsdl:message name="I${TYPES}_SetValues_OutputMessage"><wsdl:part name="parameters" element="tns:SetValuesResponse"/></wsdl:message>
 <wsdl:portType name="I${TYPES}"><wsdl:operation name="SetValues">
  <wsdl:input message="tns:I${TYPES}_SetValues_InputMessage"/><wsdl:output message="tns:I${TYPES}_SetValues_OutputMessage"/>
 </wsdl:operation></wsdl:portType>
 <wsdl:binding name="BasicHttpBinding_I${TYPES}" type="tns:I${TYPES}"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="SetValues"><soap:operation soapAction="http://tempuri.org/I${TYPES}/SetValues" style="document"/>
   <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
 </wsdl:binding>
 <wsdl:service name="${TYPES}"><wsdl:port name="BasicHttpBinding_I${TYPES}" binding="tns:BasicHttpBinding_I${TYPES}">
  <soap:address location="http://internal/cx/webservice/wstypesservice"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;

const TYPES_ANSWER =
  '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><SetValuesResponse xmlns="http://tempuri.org/">' +
  '<SetValuesResult>done</SetValuesResult></SetValuesResponse></s:Body></s:Envelope>';

/** Bad input from flows: each ends at a Catch node with CX_BAD_REQUEST, CX_UNKNOWN_* or CX_CONFIG and a message that says what to fix. */
describe('reliability: bad input from flows', function () {
  this.timeout(20000);
  let sim: CxSimulator;
  let types: HostileServer;
  const posted: string[] = [];
  const rejections = unhandledRejections();

  /** Two connections (the simulator; the types service) and one cx-call each, taking service and method from msg. */
  const flow = (cfgProps: Record<string, unknown> = {}): FlowNode[] => [
    { id: 'f1', type: 'tab', label: 'input' },
    cxConfig('cfg', sim.url, cfgProps),
    cxConfig('tcfg', `${types.origin}/cx`, { tokenPlacement: 'none' }),
    { id: 'c1', type: 'cx-call', z: 'f1', cx: 'cfg', service: '', method: '', refusalIsError: true, wires: [['out']] },
    {
      id: 't1',
      type: 'cx-call',
      z: 'f1',
      cx: 'tcfg',
      service: TYPES,
      method: 'SetValues',
      refusalIsError: true,
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'f1', wires: [] },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1', wires: [] },
  ];
  let out: Recorder;
  let caught: Recorder;

  before(async () => {
    rejections.install();
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
    types = await startHostile((req, res) => {
      if (req.method === 'GET') {
        reply(
          res,
          /\?wsdl$/i.test(req.url ?? '') ? 200 : 404,
          'text/xml; charset=UTF-8',
          /\?wsdl$/i.test(req.url ?? '') ? TYPES_WSDL : '',
        );
        return;
      }
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        posted.push(Buffer.concat(parts).toString('utf8'));
        reply(res, 200, 'text/xml; charset=utf-8', TYPES_ANSWER);
      });
    });
  });
  after(async () => {
    await types.close();
    await sim.close();
    rejections.uninstall();
    assert.deepEqual(rejections.seen, [], 'no unhandled rejection');
  });

  describe('payloads, names and values', () => {
    before(async () => {
      await helper.load(cxNodes, flow(), CREDS);
      out = new Recorder(helper.getNode('out'));
      caught = new Recorder(helper.getNode('caught'));
    });
    after(async () => {
      await helper.unload();
    });
    beforeEach(() => {
      sim.reset();
      posted.length = 0;
    });

    /** Sends one message and expects it at Catch with `code`; returns what Catch got. */
    const fails = async (node: 'c1' | 't1', msg: Msg, code: string, ...text: RegExp[]): Promise<Msg> => {
      const outs = out.messages.length;
      helper.getNode(node).receive(msg);
      const err = await caught.next();
      assert.equal(err.error.code, code, err.error.message);
      assert.equal(err.cx.code, code);
      for (const t of text) assert.match(err.error.message, t);
      assert.match(err.error.message, SAYS_WHAT_TO_DO);
      await settle();
      assert.equal(out.messages.length, outs, 'no output');
      return err;
    };
    const succeeds = async (node: 'c1' | 't1', msg: Msg): Promise<Msg> => {
      const errors = caught.messages.length;
      helper.getNode(node).receive(msg);
      const m = await out.next();
      assert.equal(caught.messages.length, errors, 'no error');
      return m;
    };
    const rc = (method: string, payload: unknown): Msg => ({ service: RC, method, payload });

    it('a payload that is not an object (string, number, array, Buffer, boolean) is CX_BAD_REQUEST', async () => {
      for (const payload of ['WO100002', 42, [1, 2], Buffer.from('WO100002'), true]) {
        await fails(
          'c1',
          rc('GetRepairWorkOrderDetails', payload),
          'CX_BAD_REQUEST',
          /must be an object \(msg\.payload\)/,
        );
      }
      assert.equal(sim.stats().calls, 0, 'nothing was sent');
    });

    it('unknown member names are CX_BAD_REQUEST listing the valid names', async () => {
      const e = await fails(
        'c1',
        rc('GetRepairWorkOrderDetails', { WorkOrderRef: 'WO100002', WorkOrderUid: EMPTY_GUID }),
        'CX_BAD_REQUEST',
        /WorkOrderRef/,
        /Valid names.*WorkOrderReference.*WorkOrderUid/,
      );
      assert.ok(e.cx.validNames.includes('WorkOrderReference'));
      // Keys that would be markup or prototype names if written out are refused the same way.
      await fails(
        'c1',
        rc('GetRepairWorkOrderDetails', { '<x/>': 1, WorkOrderUid: EMPTY_GUID }),
        'CX_BAD_REQUEST',
        /Valid names/,
      );
      await fails(
        'c1',
        rc(
          'GetRepairWorkOrderDetails',
          JSON.parse('{"__proto__": {"x": 1}, "WorkOrderUid": "00000000-0000-0000-0000-000000000000"}'),
        ),
        'CX_BAD_REQUEST',
        /Valid names/,
      );
      await fails(
        'c1',
        rc('GetRepairWorkOrderDetails', { request: { WorkOrderUid: EMPTY_GUID }, extra: 1 }),
        'CX_BAD_REQUEST',
        /"extra"/,
        /Valid names: request/,
      );
      assert.equal(sim.stats().calls, 0);
    });

    it('values of the wrong type (int, boolean, guid, dateTime, decimal) are CX_BAD_REQUEST naming the member and type', async () => {
      await fails('t1', { payload: { Count: 'ten' } }, 'CX_BAD_REQUEST', /Count/, /whole number \(int\)/);
      await fails('t1', { payload: { Count: 1.5 } }, 'CX_BAD_REQUEST', /whole number/);
      await fails('t1', { payload: { Enabled: 'yes' } }, 'CX_BAD_REQUEST', /Enabled/, /true or false/);
      await fails('t1', { payload: { Uid: 'not-a-guid' } }, 'CX_BAD_REQUEST', /Uid/, /GUID such as 00000000-/);
      await fails('t1', { payload: { When: 'yesterday' } }, 'CX_BAD_REQUEST', /When/, /ISO date-time/);
      await fails('t1', { payload: { Amount: 'lots' } }, 'CX_BAD_REQUEST', /Amount/, /must be a number \(decimal\)/);
      await fails('t1', { payload: { Amount: Infinity } }, 'CX_BAD_REQUEST', /Amount/);
      await fails('t1', { payload: { Note: { nested: true } } }, 'CX_BAD_REQUEST', /Note/);
      await fails(
        'c1',
        rc('GetRepairWorkOrderDetails', { WorkOrderReference: 'WO100002', WorkOrderUid: '{bad}' }),
        'CX_BAD_REQUEST',
        /WorkOrderUid/,
        /GUID/,
      );
      assert.deepEqual(posted, [], 'nothing was sent');
      assert.equal(sim.stats().calls, 0);
    });

    it('an invalid Date, a control character or half a surrogate pair is CX_BAD_REQUEST that says what to send instead', async () => {
      await fails('t1', { payload: { When: new Date('nonsense') } }, 'CX_BAD_REQUEST', /When/, /invalid Date/);
      await fails('t1', { payload: { Note: 'bell \u0007' } }, 'CX_BAD_REQUEST', /character XML cannot carry/);
      await fails('t1', { payload: { Note: 'half a pair \ud83d' } }, 'CX_BAD_REQUEST', /character XML cannot carry/);
      assert.deepEqual(posted, [], 'nothing was sent');
    });

    it('values of the right type are sent as XSD text: Dates as ISO, numbers and booleans as written', async () => {
      const when = new Date(Date.UTC(2026, 10, 28, 9, 30));
      const m = await succeeds('t1', {
        payload: {
          When: when,
          Uid: EMPTY_GUID,
          Enabled: false,
          Count: '7',
          Amount: '1234567890.123456789',
          Note: null,
        },
      });
      assert.equal(m.payload, 'done');
      assert.equal(posted.length, 1);
      const body = posted[0];
      assert.match(body, /:When>2026-11-28T09:30:00\.000Z</);
      assert.match(body, /:Enabled>false</);
      assert.match(body, /:Count>7</);
      assert.match(body, /:Amount>1234567890\.123456789</, 'a decimal given as text keeps every digit');
      assert.match(body, /:Note i:nil="true"/);
      // Schema order, whatever the object's order.
      assert.ok(body.indexOf(':Amount>') < body.indexOf(':Count>') && body.indexOf(':Count>') < body.indexOf(':When>'));
    });

    it('markup, ]]> and non-BMP characters are sent escaped and come back intact', async () => {
      const text = 'Tenant said: <b>"no access"</b> & rear gate ]]> locked \u{1F511}\u{1F3E0} – ok?';
      const update = await succeeds(
        'c1',
        rc('UpdateRepairWorksOrderStatus', {
          WorkOrderReference: 'WO100002',
          WorkOrderUid: EMPTY_GUID,
          RepairStatusCode: 'WIP',
          Comments: text,
        }),
      );
      assert.equal(update.payload.IsValid, true);
      const details = await succeeds(
        'c1',
        rc('GetRepairWorkOrderDetails', { WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID }),
      );
      assert.equal(details.payload.WorkOrder.StatusComments, text);
      assert.equal(details.payload.WorkOrder.RepairStatusCode, 'WIP');
    });

    it('a Date object is sent as its instant: it comes back as the same moment', async () => {
      const when = new Date(Date.UTC(2026, 6, 15, 8, 45, 12));
      await succeeds(
        'c1',
        rc('UpdateRepairWorksOrderStatus', {
          WorkOrderReference: 'WO100002',
          WorkOrderUid: EMPTY_GUID,
          RepairStatusCode: 'COMP',
          StatusDate: when,
        }),
      );
      const details = await succeeds(
        'c1',
        rc('GetRepairWorkOrderDetails', { WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID }),
      );
      const completed = details.payload.WorkOrder.CompletedDate as string;
      assert.match(completed, /^2026-07-15T09:45:12(\.0+)?\+01:00$/, 'UK local time with its offset');
      assert.equal(Date.parse(completed), when.getTime());
    });

    it('an unknown service is CX_UNKNOWN_SERVICE; an unknown method is CX_UNKNOWN_METHOD with similar names', async () => {
      await fails(
        'c1',
        { service: 'WSNoSuchService', method: 'X', payload: {} },
        'CX_UNKNOWN_SERVICE',
        /WSNoSuchService/,
        /service name/,
      );
      await fails(
        'c1',
        { service: '../../etc/passwd', method: 'X', payload: {} },
        'CX_UNKNOWN_SERVICE',
        /not a Cx service name/,
        /msg\.service/,
      );
      await fails('c1', { method: 'getVATCodes', payload: {} }, 'CX_UNKNOWN_SERVICE', /msg\.service/);
      const e = await fails(
        'c1',
        rc('GetRepairWorkOrderDetailz', {}),
        'CX_UNKNOWN_METHOD',
        /no method "GetRepairWorkOrderDetailz"/,
        /Similar: .*GetRepairWorkOrderDetails/,
      );
      assert.ok(e.cx.validNames.includes('GetRepairWorkOrderDetails'));
      await fails('c1', { service: RC, payload: {} }, 'CX_UNKNOWN_METHOD', /No method given/, /msg\.method/);
      // The node keeps working after each of these.
      await succeeds('c1', rc('getVATCodes', {}));
    });
  });

  describe('connection settings', () => {
    /** Loads a flow with these settings, sends two messages, and expects both at Catch with CX_CONFIG. */
    const expectConfigError = async (
      cfgProps: Record<string, unknown>,
      creds: Record<string, unknown>,
      ...text: RegExp[]
    ) => {
      await helper.load(cxNodes, flow(cfgProps), creds);
      try {
        const ended: Msg[] = [];
        let wake = () => {};
        for (const id of ['caught', 'out'])
          helper.getNode(id).on('input', (m: Msg) => {
            ended.push(m);
            wake();
          });
        helper.getNode('c1').receive({ service: RC, method: 'getVATCodes', payload: {} });
        helper.getNode('c1').receive({ service: RC, method: 'getVATCodes', payload: {} });
        while (ended.length < 2)
          await new Promise<void>((r) => {
            wake = r;
          });
        for (const m of ended) {
          assert.ok(
            m.error,
            `settings ${JSON.stringify(cfgProps)} were accepted: the message got an answer instead of CX_CONFIG`,
          );
          assert.equal(m.error.code, 'CX_CONFIG', m.error.message);
          for (const t of text) assert.match(m.error.message, t);
          assert.match(m.error.message, SAYS_WHAT_TO_DO);
        }
      } finally {
        await helper.unload();
      }
    };

    it('an empty base URL is CX_CONFIG', async () => {
      await expectConfigError({ url: '' }, CREDS, /No Cx base URL/, /https:\/\//);
      await expectConfigError({ url: '   ' }, CREDS, /No Cx base URL/);
    });

    it('a base URL without a scheme is CX_CONFIG', async () => {
      await expectConfigError({ url: 'mysite.civica-cx.co.uk/cx' }, CREDS, /scheme/, /https:\/\//);
      await expectConfigError({ url: 'ftp://mysite.civica-cx.co.uk/cx' }, CREDS, /https:\/\//);
    });

    it('credentials missing are CX_CONFIG at the first message, with no login attempt', async () => {
      sim.reset();
      await expectConfigError({}, {}, /username or password/, /credentials/);
      await expectConfigError({}, { cfg: { username: USER } }, /username or password/);
      assert.equal(sim.stats().failedLogins, 0);
      assert.equal(sim.stats().logins, 0);
    });

    it('an invalid-token pattern that is not a regular expression is CX_CONFIG that says what to fix', async () => {
      await expectConfigError({ invalidTokenPattern: '(' }, CREDS, /regular expression/);
    });

    it('nonsense numbers in the settings are CX_CONFIG, not a crash', async () => {
      await expectConfigError({ maxConcurrent: 0 }, CREDS, /concurrent/);
      // The dialog refuses these too; a flow edited by hand still fails clearly at each message.
      await expectConfigError({ maxConcurrent: -2 }, CREDS, /concurrent/);
      await expectConfigError({ timeout: 0 }, CREDS, /timeout/);
      await expectConfigError({ timeout: -1 }, CREDS, /timeout/);
      await expectConfigError({ maxResponseMB: 0 }, CREDS, /size/);
      await expectConfigError({ maxResponseMB: -1 }, CREDS, /size/);
      // Text where a number belongs must not silently become the default.
      await expectConfigError({ timeout: 'soon' }, CREDS, /timeout/);
    });
  });
});
