import assert from 'node:assert/strict';
import * as http from 'node:http';
import { CxClient, CxClientOptions } from '../../nodes/lib';
import { CxSimulator, startSimulator } from '../../simulator';
import {
  HostileServer,
  forward,
  reply,
  startHostile,
  wsdlImportingSchema,
  wsdlImportingWsdl,
} from '../helpers/hostile-server';
import {
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
  showsStatus,
  statuses,
} from '../helpers/red';
import {
  MAX_STALL_MS,
  SAYS_WHAT_TO_DO,
  SHORT_TIMEOUT_MS,
  expectCode,
  longestStall,
  unhandledRejections,
} from '../helpers/reliability';

const MB = 1024 * 1024;
const vatCodes = (r: unknown) => (r as { VATCodes?: unknown[] }).VATCodes;

/**
 * Bad answers from the server: every one ends the call with a clear CX_* error that says what to
 * do, the next call works, nothing escapes as an unhandled rejection, and nothing touches
 * Object.prototype or a host other than the configured one.
 */
describe('reliability: bad answers from the server', function () {
  this.timeout(30000);
  let sim: CxSimulator;
  const rejections = unhandledRejections();
  const clients: CxClient[] = [];
  const client = (extra: Partial<CxClientOptions> = {}) => {
    const c = new CxClient({ url: sim.url, username: USER, password: PASSWORD, ...extra });
    clients.push(c);
    return c;
  };
  /** A client that has its token and the WSDL already, so the injection meets the business call. */
  const warm = async (extra: Partial<CxClientOptions> = {}) => {
    const c = client(extra);
    await c.call(RC, 'getVATCodes', {});
    return c;
  };
  const works = async (c: CxClient) =>
    assert.ok(vatCodes((await c.call(RC, 'getVATCodes', {})).result), 'the next call works');

  before(async () => {
    rejections.install();
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    sim.reset();
  });
  after(async () => {
    await sim.close();
    rejections.uninstall();
    assert.deepEqual(rejections.seen, [], 'no unhandled rejection');
  });

  describe('through the client', () => {
    it('an IIS 503 page is CX_HTTP with the status and a snippet; the next call works', async () => {
      const c = await warm();
      sim.inject('html503');
      const e = await expectCode(
        c.call(RC, 'getVATCodes', {}),
        'CX_HTTP',
        /HTTP 503/,
        /try again later/,
        SAYS_WHAT_TO_DO,
      );
      assert.equal(e.details.status, 503);
      assert.match(String(e.details.snippet), /Service Unavailable/);
      assert.ok(String(e.details.snippet).length <= 201);
      await works(c);
    });

    it('a 520 KB HTML error page is CX_HTTP without stalling the event loop', async () => {
      const c = await warm();
      sim.inject('html503-large');
      const { error, stallMs } = await longestStall(() => c.call(RC, 'getVATCodes', {}));
      await expectCode(Promise.reject(error), 'CX_HTTP', /HTTP 503/, SAYS_WHAT_TO_DO);
      assert.ok(stallMs < MAX_STALL_MS, `the event loop stalled for ${stallMs} ms`);
      await works(c);
    });

    it('HTTP 200 with a body that is not XML is CX_BAD_RESPONSE', async () => {
      const c = await warm();
      sim.inject('non-xml');
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_BAD_RESPONSE', /not XML/, SAYS_WHAT_TO_DO);
      assert.match(String(e.details.snippet), /temporarily unavailable/);
      await works(c);
    });

    it('truncated XML is CX_BAD_RESPONSE', async () => {
      const c = await warm();
      sim.inject('truncate');
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_BAD_RESPONSE', /cut short|malformed/, SAYS_WHAT_TO_DO);
      await works(c);
    });

    it('a connection dropped in the middle of the body is CX_NETWORK', async () => {
      const c = await warm();
      sim.inject('drop');
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_NETWORK', /dropped/, SAYS_WHAT_TO_DO);
      await works(c);
    });

    it('a server that accepts and never answers is CX_TIMEOUT after the timeout', async () => {
      const c = await warm({ timeoutMs: SHORT_TIMEOUT_MS });
      sim.inject('hang');
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_TIMEOUT', /raise the timeout/);
      assert.doesNotMatch(e.message, /within 0 s/, 'the message states the configured timeout');
      await works(c);
    });

    it('a slow drip that keeps sending is still cut at the overall deadline (CX_TIMEOUT)', async () => {
      const c = await warm({ timeoutMs: SHORT_TIMEOUT_MS });
      // 64 bytes every 400 ms: the answer (over a kilobyte) would take more than six seconds.
      sim.inject('drip', { ms: 400 });
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_TIMEOUT', /raise the timeout/);
      await works(c);
    });

    it('an answer over a configured size cap is CX_BAD_RESPONSE naming the limit', async () => {
      const c = await warm({ maxResponseBytes: 256 * 1024 });
      sim.inject('huge', { bytes: 2 * MB });
      await expectCode(
        c.call(RC, 'getVATCodes', {}),
        'CX_BAD_RESPONSE',
        /256 KB limit/,
        /raise the maximum response size/,
      );
      await works(c);
    });

    it('the default cap (50 MB) stops a 60 MB answer and a 200 MB gzip bomb, without stalling', async () => {
      const c = await warm();
      sim.inject('huge', { bytes: 60 * MB });
      const huge = await longestStall(() => c.call(RC, 'getVATCodes', {}));
      await expectCode(Promise.reject(huge.error), 'CX_BAD_RESPONSE', /50 MB limit/, SAYS_WHAT_TO_DO);
      sim.inject('gzip-bomb');
      const bomb = await longestStall(() => c.call(RC, 'getVATCodes', {}));
      await expectCode(Promise.reject(bomb.error), 'CX_BAD_RESPONSE', /50 MB limit/, SAYS_WHAT_TO_DO);
      assert.ok(
        huge.stallMs < MAX_STALL_MS && bomb.stallMs < MAX_STALL_MS,
        `stalls ${huge.stallMs} / ${bomb.stallMs} ms`,
      );
      await works(c);
    });

    it('a gzip bomb under a small cap is stopped by the decompressed size', async () => {
      const c = await warm({ maxResponseBytes: MB });
      sim.inject('gzip-bomb', { bytes: 16 * MB });
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_BAD_RESPONSE', /1 MB limit/);
      await works(c);
    });

    it('a DOCTYPE with entity expansion (billion laughs) is refused: CX_BAD_RESPONSE', async () => {
      const c = await warm();
      sim.inject('doctype');
      const { error, stallMs } = await longestStall(() => c.call(RC, 'getVATCodes', {}));
      await expectCode(Promise.reject(error), 'CX_BAD_RESPONSE', /DOCTYPE/, SAYS_WHAT_TO_DO);
      assert.ok(stallMs < MAX_STALL_MS, `stall ${stallMs} ms`);
      await works(c);
    });

    it("a DOCTYPE with an external entity is refused, and the entity's host gets no request", async () => {
      const bystander = await startHostile();
      const front = await startHostile((req, res) => {
        if (req.method === 'POST' && /wsrepaircontractorservice/.test(req.url ?? '')) {
          req.resume();
          reply(
            res,
            200,
            'text/xml; charset=utf-8',
            `<?xml version="1.0"?><!DOCTYPE s:Envelope [<!ENTITY x SYSTEM "${bystander.origin}/secret">]>` +
              '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><getVATCodesResponse xmlns="http://tempuri.org/">' +
              '<getVATCodesResult>&x;</getVATCodesResult></getVATCodesResponse></s:Body></s:Envelope>',
          );
        } else forward(new URL(sim.url).origin, req, res);
      });
      try {
        const c = client({ url: `${front.origin}/cx` });
        await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_BAD_RESPONSE', /DOCTYPE/);
        assert.deepEqual(bystander.requests, []);
      } finally {
        await front.close();
        await bystander.close();
      }
    });

    it('elements and attributes named __proto__ / constructor / prototype touch no prototype', async () => {
      const c = await warm();
      sim.inject('proto');
      const { result } = await c.call(RC, 'getVATCodes', {});
      const r = result as Record<string, unknown>;
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
      assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
      assert.equal(typeof {}.constructor, 'function');
      assert.equal(Object.getPrototypeOf(r), Object.prototype);
      assert.ok(Array.isArray(vatCodes(r)), 'the real data is still there');
      for (const v of [r, ...(vatCodes(r) as object[])]) assert.equal(Object.getPrototypeOf(v), Object.prototype);
      // Whatever was kept of the poison is plain own data.
      assert.ok(Object.prototype.hasOwnProperty.call(r, '__proto__'));
      assert.equal(JSON.parse(JSON.stringify(r)).VATCodes.length, (vatCodes(r) as unknown[]).length);
      await works(c);
    });

    it('a redirect is CX_HTTP and is not followed: its target gets no request', async () => {
      const c = await warm();
      sim.inject('redirect');
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_HTTP', /redirect/, /not followed/, SAYS_WHAT_TO_DO);
      assert.equal(e.details.status, 302);
      await works(c);

      const bystander = await startHostile();
      const front = await startHostile((req, res) => {
        if (req.method === 'POST' && /wsrepaircontractorservice/.test(req.url ?? '')) {
          req.resume();
          reply(res, 307, 'text/html', 'moved', { location: `${bystander.origin}${req.url}` });
        } else if (/wstenancyservice\?wsdl/i.test(req.url ?? '')) {
          reply(res, 301, 'text/html', 'moved', { location: `${bystander.origin}${req.url}` });
        } else forward(new URL(sim.url).origin, req, res);
      });
      try {
        const viaFront = client({ url: `${front.origin}/cx` });
        await expectCode(viaFront.call(RC, 'getVATCodes', {}), 'CX_HTTP', /not followed/);
        await expectCode(viaFront.call('WSTenancyService', 'X', {}), 'CX_HTTP', /redirected/, /not followed/);
        assert.deepEqual(bystander.requests, [], 'the redirect target got no request');
      } finally {
        await front.close();
        await bystander.close();
      }
    });

    it('a soapAction HTTP cannot carry is CX_BAD_RESPONSE naming the operation, from the WSDL; the others work', async () => {
      const origin = new URL(sim.url).origin;
      const front = await startHostile((req, res) => {
        if (req.method === 'GET' && /wsrepaircontractorservice\?wsdl$/i.test(req.url ?? ''))
          forward(origin, req, res, (wsdl) =>
            wsdl.replace(/soapAction="([^"]*\/GetContractorWorkOrders)"/, 'soapAction="$1&#13;&#10;X-Injected: 1"'),
          );
        else forward(origin, req, res);
      });
      try {
        const c = client({ url: `${front.origin}/cx` });
        const e = await expectCode(
          c.call(RC, 'GetContractorWorkOrders', {}),
          'CX_BAD_RESPONSE',
          /GetContractorWorkOrders cannot be called/,
          /soapAction holds characters an HTTP header cannot carry/,
          SAYS_WHAT_TO_DO,
        );
        assert.equal(e.details.sent, false);
        // Refused from the WSDL alone: no login, no request went out.
        assert.deepEqual(
          front.requests.filter((r) => r.method === 'POST'),
          [],
        );
        assert.ok((await c.operations(RC)).includes('GetContractorWorkOrders'), 'still listed');
        await works(c);
      } finally {
        await front.close();
      }
    });

    // The answer shapes a user can also inject in the demo (README "The simulator").
    const shapes: [Parameters<CxSimulator['inject']>[0], string, ...RegExp[]][] = [
      ['empty-body', 'CX_BAD_RESPONSE', /has an empty Body, not the <getVATCodesResponse> asked for/],
      ['other-response', 'CX_BAD_RESPONSE', /is <GetUserWSTokenResponse>, not the <getVATCodesResponse> asked for/],
      ['ntlm', 'CX_HTTP', /HTTP 401/, /Windows authentication, NTLM or Negotiate/, /ask the Cx administrator/],
      ['too-large', 'CX_HTTP', /HTTP 413/, /maxReceivedMessageSize/],
    ];
    for (const [kind, code, ...text] of shapes) {
      it(`the simulator's ${kind} injection is ${code} saying so; the next call works`, async () => {
        const c = await warm();
        sim.inject(kind);
        await expectCode(c.call(RC, 'getVATCodes', {}), code, ...text, SAYS_WHAT_TO_DO);
        await works(c);
      });
    }

    it("the simulator's huge-fault (an 8 MB faultstring) is CX_FAULT cut to a few KB", async () => {
      const c = await warm();
      sim.inject('huge-fault');
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_FAULT', /unable to process the request/, /cut at/);
      assert.ok(e.message.length <= 8192, `message of ${e.message.length} characters`);
      assert.ok(String(e.details.faultString).length < 4200, 'the fault text is cut');
      await works(c);
    });

    it("the simulator's windows-1252 and raw deflate answers are read as the normal answer", async () => {
      const c = await warm();
      const normal = (
        await c.call(RC, 'GetRepairWorkOrderDetails', {
          WorkOrderReference: 'WO100001',
          WorkOrderUid: '00000000-0000-0000-0000-000000000000',
        })
      ).result;
      for (const kind of ['windows-1252', 'deflate-raw'] as const) {
        sim.inject(kind);
        const { result } = await c.call(RC, 'GetRepairWorkOrderDetails', {
          WorkOrderReference: 'WO100001',
          WorkOrderUid: '00000000-0000-0000-0000-000000000000',
        });
        assert.deepEqual(result, normal, kind);
      }
    });

    it('a fault with no faultstring is CX_FAULT with its faultcode', async () => {
      const c = await warm();
      sim.inject('fault-no-string');
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_FAULT', /s:Server/);
      assert.equal(e.details.faultCode, 's:Server');
      assert.equal(e.details.faultString, '');
      assert.match(e.message, SAYS_WHAT_TO_DO, `no advice in "${e.message}"`);
      await works(c);
    });

    it('a SOAP 1.2 fault is CX_FAULT with Code/Value and Reason/Text, never "undefined"', async () => {
      const c = await warm();
      sim.inject('soap12-fault');
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_FAULT', /unable to process the request/);
      assert.equal(e.details.faultCode, 's:Receiver');
      assert.ok(!/undefined/.test(e.message));
      assert.match(e.message, SAYS_WHAT_TO_DO, `no advice in "${e.message}"`);
      await works(c);
    });
  });

  describe('WSDLs from a hostile server', () => {
    let bystander: HostileServer;
    let evil: HostileServer;
    let serve: (url: string) => { status: number; type: string; body: string };

    beforeEach(async () => {
      bystander = await startHostile();
      evil = await startHostile((req, res) => {
        const a = serve(req.url ?? '');
        reply(res, a.status, a.type, a.body);
      });
    });
    afterEach(async () => {
      await evil.close();
      await bystander.close();
    });

    const evilClient = () => client({ url: `${evil.origin}/cx` });
    const xml = (body: string) => ({ status: 200, type: 'text/xml; charset=UTF-8', body });

    it('a WSDL and its schemas served in UTF-16 (BOM, charset=utf-16) are read', async () => {
      // The simulator's own documents, re-encoded as WCF does with a UTF-16 text encoder.
      const utf16 = await startHostile((req, res) => {
        http.get(`${sim.url}${(req.url ?? '').replace(/^\/cx/, '')}`, (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const body = Buffer.concat([
              Buffer.from([0xff, 0xfe]),
              Buffer.from(Buffer.concat(parts).toString(), 'utf16le'),
            ]);
            res.writeHead(up.statusCode ?? 502, {
              'content-type': 'text/xml; charset=utf-16',
              'content-length': body.length,
            });
            res.end(body);
          });
        });
      });
      try {
        const ops = await client({ url: `${utf16.origin}/cx` }).operations(RC);
        assert.ok(ops.includes('getVATCodes'), ops.join(','));
      } finally {
        await utf16.close();
      }
    });

    it('a 400 KB script-heavy error page for a WSDL is CX_HTTP, looked at only in its first KB', async () => {
      serve = () => ({ status: 503, type: 'text/html', body: '<script>x'.repeat(45000) });
      const { error, stallMs } = await longestStall(() => evilClient().operations('WSEvil'));
      await expectCode(Promise.reject(error), 'CX_HTTP', /HTTP 503/);
      assert.ok(stallMs < MAX_STALL_MS, `stall ${stallMs} ms`);
    });

    it('metadata over 8 MB in total is CX_BAD_RESPONSE, and reading stops there', async () => {
      // 30 schemas of 0.95 MB each, every one under the per-answer cap.
      const filler = `<xs:annotation><xs:documentation>${'d'.repeat(950 * 1024)}</xs:documentation></xs:annotation>`;
      serve = (url) => {
        if (/\?wsdl$/.test(url)) {
          const imports = Array.from(
            { length: 30 },
            (_, i) => `<xsd:import schemaLocation="${evil.origin}/cx/webservice/wsevil?xsd=xsd${i}"/>`,
          );
          return xml(
            '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
              `<wsdl:types><xsd:schema>${imports.join('')}</xsd:schema></wsdl:types></wsdl:definitions>`,
          );
        }
        return xml(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">${filler}</xs:schema>`);
      };
      const { error, stallMs } = await longestStall(() => evilClient().operations('WSEvil'));
      await expectCode(Promise.reject(error), 'CX_BAD_RESPONSE', /larger than 8 MB in total/);
      assert.ok(evil.requests.length <= 10, `${evil.requests.length} documents fetched`);
      assert.ok(stallMs < MAX_STALL_MS, `stall ${stallMs} ms`);
    });

    it('a WSDL with a 10 MB element name is CX_BAD_RESPONSE without building the name', async () => {
      serve = () =>
        xml(
          `<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"><${'n'.repeat(10 * MB)}/></wsdl:definitions>`,
        );
      const c = client({ url: `${evil.origin}/cx`, maxResponseBytes: 20 * MB });
      // The heap, sampled between slices while the document is read: the name is refused after
      // 1 KB, never built (built a character at a time, 10 MB of name cost hundreds of MB).
      const base = process.memoryUsage().heapUsed;
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed - base)), 1);
      try {
        await expectCode(c.operations('WSEvil'), 'CX_BAD_RESPONSE', /name longer than 1024 characters/);
      } finally {
        clearInterval(sampler);
      }
      assert.ok(peak < 100 * MB, `heap rose by ${(peak / MB).toFixed(0)} MB while reading`);
    });

    it('a service or method that is not text is CX_BAD_REQUEST', async () => {
      const c = client();
      await expectCode(c.call(42 as unknown as string, 'x', {}), 'CX_BAD_REQUEST', /must be text/);
      await expectCode(c.call(RC, { toString: () => 'getVATCodes' } as unknown as string, {}), 'CX_BAD_REQUEST');
    });

    it('a schema import from another host is refused, and that host gets no request', async () => {
      serve = () => xml(wsdlImportingSchema(`${bystander.origin}/x.xsd`));
      await expectCode(
        evilClient().operations('WSEvil'),
        'CX_BAD_RESPONSE',
        /another host/,
        /127\.0\.0\.1:\d+/,
        /configured base URL/,
      );
      assert.deepEqual(bystander.requests, []);
    });

    it('a WSDL import from another loopback address is refused, and nothing is fetched from it', async () => {
      serve = () => xml(wsdlImportingWsdl(`http://127.0.0.2:${bystander.port}/x.wsdl`));
      await expectCode(evilClient().operations('WSEvil'), 'CX_BAD_RESPONSE', /another host \(127\.0\.0\.2/);
      assert.deepEqual(bystander.requests, []);
      assert.equal(evil.requests.length, 1);
    });

    it('a WCF-shaped import naming another host is fetched from the configured base instead', async () => {
      serve = (url) =>
        /\?wsdl$/.test(url)
          ? xml(wsdlImportingSchema(`http://127.0.0.1:${bystander.port}/cx/webservice/wsevil?xsd=xsd0`))
          : xml('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://tempuri.org/"/>');
      // The documents are empty, so the model cannot be built; what matters is where they came from.
      await assert.rejects(evilClient().operations('WSEvil'), { code: 'CX_BAD_RESPONSE' });
      assert.deepEqual(
        evil.requests.map((r) => r.url),
        ['/cx/webservice/wsevil?wsdl', '/cx/webservice/wsevil?xsd=xsd0'],
      );
      assert.deepEqual(bystander.requests, []);
    });

    it('an HTML page where the WSDL should be is CX_BAD_RESPONSE that says to check the base URL', async () => {
      serve = () => ({ status: 200, type: 'text/html', body: '<html><body>Welcome to IIS</body></html>' });
      const e = await expectCode(evilClient().operations('WSEvil'), 'CX_BAD_RESPONSE', /not XML/, /Check the base URL/);
      assert.match(String(e.details.snippet), /Welcome to IIS/);
    });

    it('XML with another root where the WSDL should be is CX_BAD_RESPONSE', async () => {
      serve = () => xml('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>');
      await expectCode(
        evilClient().operations('WSEvil'),
        'CX_BAD_RESPONSE',
        /not a WSDL document \(root <html>\)/,
        /Check the base URL/,
      );
      serve = () => xml('<definitions xmlns="urn:not-wsdl"/>');
      await expectCode(evilClient().operations('WSOther'), 'CX_BAD_RESPONSE', /not a WSDL document/);
    });

    it('a WSDL with a DOCTYPE is refused', async () => {
      serve = () =>
        xml(
          `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "${bystander.origin}/e">]><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">&x;</wsdl:definitions>`,
        );
      await expectCode(evilClient().operations('WSEvil'), 'CX_BAD_RESPONSE');
      assert.deepEqual(bystander.requests, []);
    });

    it('a WSDL over the size cap is CX_BAD_RESPONSE', async () => {
      serve = () =>
        xml(`<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">${' '.repeat(2 * MB)}</wsdl:definitions>`);
      await expectCode(
        client({ url: `${evil.origin}/cx`, maxResponseBytes: MB }).operations('WSEvil'),
        'CX_BAD_RESPONSE',
        /limit/,
      );
    });
  });

  describe('through a cx-call node', () => {
    const CREDS = { cfg: { username: USER, password: PASSWORD } };
    const flow = (url: string): FlowNode[] => [
      { id: 'f1', type: 'tab', label: 'reliability' },
      cxConfig('cfg', url, { timeout: SHORT_TIMEOUT_MS / 1000, maxResponseMB: 1 }),
      {
        id: 'c1',
        type: 'cx-call',
        z: 'f1',
        cx: 'cfg',
        service: RC,
        method: 'getVATCodes',
        refusalIsError: true,
        wires: [['out']],
      },
      { id: 'out', type: 'helper', z: 'f1', wires: [] },
      { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1', wires: [] },
    ];
    let out: Recorder;
    let caught: Recorder;
    let seen: unknown[];

    before(async () => {
      await helper.load(cxNodes, flow(sim.url), CREDS);
      out = new Recorder(helper.getNode('out'));
      caught = new Recorder(helper.getNode('caught'));
      seen = statuses(helper.getNode('c1'));
      helper.getNode('c1').receive({ payload: {} });
      await out.next();
    });
    after(async () => {
      await helper.unload();
    });

    const cases: [Parameters<CxSimulator['inject']>[0], string, RegExp, Record<string, number>?][] = [
      ['html503', 'CX_HTTP', /503/],
      ['html503-large', 'CX_HTTP', /503/],
      ['non-xml', 'CX_BAD_RESPONSE', /not XML/],
      ['truncate', 'CX_BAD_RESPONSE', /cut short|malformed/],
      ['drop', 'CX_NETWORK', /dropped/],
      ['hang', 'CX_TIMEOUT', /raise the timeout/],
      ['drip', 'CX_TIMEOUT', /raise the timeout/, { ms: 400 }],
      ['huge', 'CX_BAD_RESPONSE', /1 MB limit/, { bytes: 2 * MB }],
      ['gzip-bomb', 'CX_BAD_RESPONSE', /1 MB limit/],
      ['doctype', 'CX_BAD_RESPONSE', /DOCTYPE/],
      ['redirect', 'CX_HTTP', /not followed/],
      ['fault-no-string', 'CX_FAULT', /s:Server/],
      ['soap12-fault', 'CX_FAULT', /unable to process/],
      ['empty-body', 'CX_BAD_RESPONSE', /empty Body/],
      ['other-response', 'CX_BAD_RESPONSE', /GetUserWSTokenResponse/],
      ['huge-fault', 'CX_FAULT', /cut at/, { bytes: 512 * 1024 }],
      ['ntlm', 'CX_HTTP', /Windows authentication/],
      ['too-large', 'CX_HTTP', /maxReceivedMessageSize/],
    ];
    for (const [kind, code, text, opts] of cases) {
      it(`${kind}: Catch gets ${code} with its message, the status turns red, the next message succeeds`, async () => {
        // A fresh token first (the simulator was reset), so the injection meets the call itself.
        helper.getNode('c1').receive({ payload: {} });
        await out.next();
        sim.inject(kind, opts);
        const errorsBefore = caught.messages.length;
        const outsBefore = out.messages.length;
        helper.getNode('c1').receive({ payload: {}, tag: kind });
        const err = await caught.next();
        assert.equal(err.error.code, code, err.error.message);
        assert.match(err.error.message, text);
        assert.equal(err.cx.code, code);
        assert.equal(err.tag, kind);
        await settle();
        await showsStatus(seen, { fill: 'red', shape: 'ring', text: 'cx-call.status.error' });
        helper.getNode('c1').receive({ payload: {}, tag: 'after' });
        const ok: Msg = await out.next();
        assert.equal(ok.tag, 'after');
        assert.ok(Array.isArray(vatCodes(ok.payload)));
        await settle();
        await showsStatus(seen, { fill: 'green', shape: 'dot', text: 'cx-call.status.ok' });
        assert.equal(caught.messages.length, errorsBefore + 1, 'one error');
        assert.equal(out.messages.length, outsBefore + 1, 'one output');
      });
    }

    it('proto: the output is plain data and Object.prototype is untouched', async () => {
      sim.inject('proto');
      helper.getNode('c1').receive({ payload: {} });
      const msg = await out.next();
      assert.equal(Object.getPrototypeOf(msg.payload), Object.prototype);
      assert.ok(Array.isArray(vatCodes(msg.payload)));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assert.equal(({} as Record<string, unknown>).isAdmin, undefined);
    });
  });
});
