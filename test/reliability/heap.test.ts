import assert from 'node:assert/strict';
import { CxClient } from '../../nodes/lib';
import { buildEnvelopeInSlices } from '../../nodes/lib/envelope';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { CxSimulator, startSimulator } from '../../simulator';
import { HostileServer, forward, startHostile } from '../helpers/hostile-server';
import { ctx, model, op } from '../helpers/job-service';
import { PASSWORD, RC, USER } from '../helpers/red';
import { expectCode, heapDuring, unhandledRejections } from '../helpers/reliability';

const MB = 1024 * 1024;
const mb = (n: number) => `${(n / MB).toFixed(1)} MB`;
const ENVELOPE = 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"';

/**
 * The heap, after a full collection, for each class of oversized input (README "Reliability and
 * security"): what a call costs while it runs (sampled between slices), and what it leaves behind.
 * Each of these cost hundreds of MB, or kept megabytes in an error, before its bound.
 */
describe('reliability: the heap stays bounded for oversized input', function () {
  this.timeout(60000);
  const rejections = unhandledRejections();
  let sim: CxSimulator;
  let front: HostileServer;
  /** The body the front answers the next business call with (the login and WSDLs are the simulator's). */
  let answer: { status: number; body: Buffer } | undefined;
  const clients: CxClient[] = [];
  const client = (url: string, extra: Partial<ConstructorParameters<typeof CxClient>[0]> = {}) => {
    const c = new CxClient({ url, username: USER, password: PASSWORD, ...extra });
    clients.push(c);
    return c;
  };

  before(async () => {
    rejections.install();
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
    const origin = new URL(sim.url).origin;
    front = await startHostile((req, res) => {
      const a = answer;
      if (req.method === 'POST' && a && /wsrepaircontractorservice/.test(req.url ?? '')) {
        answer = undefined;
        req.resume();
        res.writeHead(a.status, { 'content-type': 'text/xml; charset=utf-8', 'content-length': a.body.length });
        res.end(a.body);
      } else forward(origin, req, res);
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    answer = undefined;
  });
  after(async () => {
    await front.close();
    await sim.close();
    rejections.uninstall();
    assert.deepEqual(rejections.seen, [], 'no unhandled rejection');
  });

  /** A client of the front with its token and WSDL, so that what follows meets the business call. */
  const warm = async () => {
    const c = client(`${front.origin}/cx`);
    await c.call(RC, 'getVATCodes', {});
    return c;
  };

  it('30 schemas of 0.95 MB (over the 8 MB total): refused, the heap rises by tens of MB, not hundreds', async () => {
    const filler = Buffer.from(
      `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:annotation><xs:documentation>${'d'.repeat(950 * 1024)}</xs:documentation></xs:annotation></xs:schema>`,
    );
    const evil = await startHostile((req, res) => {
      const body = /\?wsdl$/.test(req.url ?? '')
        ? Buffer.from(
            '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><wsdl:types><xsd:schema>' +
              Array.from(
                { length: 30 },
                (_, i) => `<xsd:import schemaLocation="${evil.origin}/cx/webservice/wsevil?xsd=xsd${i}"/>`,
              ).join('') +
              '</xsd:schema></wsdl:types></wsdl:definitions>',
          )
        : filler;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
    try {
      const c = client(`${evil.origin}/cx`);
      const h = await heapDuring(() => c.operations('WSEvil'));
      await expectCode(Promise.reject(h.error), 'CX_BAD_RESPONSE', /larger than 8 MB in total/);
      // Without the total cap all 30 were read and kept: +438 MB.
      assert.ok(h.peak < 150 * MB, `the heap rose by ${mb(h.peak)} while reading`);
      assert.ok(h.retained < 16 * MB, `${mb(h.retained)} kept after the refusal`);
    } finally {
      await evil.close();
    }
  });

  it('an 8 MB faultstring: CX_FAULT whose error holds a few KB, and the heap stays low while reading', async () => {
    const c = await warm();
    answer = {
      status: 500,
      body: Buffer.from(
        `<s:Envelope ${ENVELOPE}><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>` +
          `${'Stack overflow in handler. '.repeat((8 * MB) / 27)}</faultstring></s:Fault></s:Body></s:Envelope>`,
      ),
    };
    const h = await heapDuring(() => c.call(RC, 'getVATCodes', {}));
    const e = await expectCode(Promise.reject(h.error), 'CX_FAULT', /cut at/);
    // The error is still referenced here: what is retained includes it (it was 8 MB, twice).
    assert.ok(h.retained < 4 * MB, `${mb(h.retained)} kept with the error`);
    assert.ok(JSON.stringify(e.details).length < 16 * 1024, 'the details hold a few KB');
    assert.ok(h.peak < 64 * MB, `the heap rose by ${mb(h.peak)} while reading`);
  });

  it('a 10 MB attribute value in an answer: CX_BAD_RESPONSE after 16 KB, the value never built', async () => {
    const c = client(`${front.origin}/cx`, { maxResponseBytes: 20 * MB });
    await c.call(RC, 'getVATCodes', {});
    answer = {
      status: 200,
      body: Buffer.from(
        `<s:Envelope ${ENVELOPE}><s:Body><getVATCodesResponse xmlns="http://tempuri.org/" a="${'v'.repeat(10 * MB)}">` +
          '</getVATCodesResponse></s:Body></s:Envelope>',
      ),
    };
    const h = await heapDuring(() => c.call(RC, 'getVATCodes', {}));
    await expectCode(Promise.reject(h.error), 'CX_BAD_RESPONSE', /attribute value longer than 16 KB/);
    // Built a character at a time, 10 MB of value cost hundreds of MB.
    assert.ok(h.peak < 64 * MB, `the heap rose by ${mb(h.peak)} while reading`);
    assert.ok(h.retained < 4 * MB, `${mb(h.retained)} kept after the refusal`);
  });

  it('a 1,000,000-item array from a flow: CX_BAD_REQUEST before anything is built', async () => {
    const Tags = Array.from({ length: 1_000_000 }, (_, i) => `tag${i}`);
    const GetJob = op('GetJob');
    const place = resolveTokenPlace(GetJob, model.schema, 'auto', 'Token', ctx('GetJob'));
    const h = await heapDuring(() =>
      buildEnvelopeInSlices(GetJob, model.schema, place, 'tok', { Tags }, ctx('GetJob')),
    );
    await expectCode(Promise.reject(h.error), 'CX_BAD_REQUEST', /1000000 items, more than the 50000/);
    // The array itself was made before the first measure: only what the refusal costs is counted.
    assert.ok(h.peak < 32 * MB, `the heap rose by ${mb(h.peak)} while refusing`);
    assert.ok(h.retained < 4 * MB, `${mb(h.retained)} kept after the refusal`);
    assert.equal(Tags.length, 1_000_000);
  });
});
