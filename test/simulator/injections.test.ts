import assert from 'node:assert/strict';
import * as http from 'node:http';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { INJECTION_KINDS, startSimulator } from '../../simulator';
import { toWindows1252 } from '../../simulator/injections';
import { until } from '../helpers/red';
import { field, login, repairCall, request, serviceUrl, soap, useSimulator } from '../helpers/sim';

const RC = 'WSRepairContractorService';

describe('simulator: injections and controls', function () {
  const s = useSimulator();
  let token = '';
  beforeEach(async () => {
    s.sim.reset();
    token = await login(s.sim);
  });

  const vat = () => soap(s.sim, RC, 'getVATCodes', repairCall('getVATCodes', token, ''));
  const vatOk = async () => {
    const r = await vat();
    assert.equal(r.status, 200);
    assert.equal(field(r.text, 'IsValid'), 'true');
    return r;
  };

  /** Send a call and report how the response went: headers, bytes and how it ended. */
  function raw(
    path: string,
    body: string,
    headers: Record<string, string>,
    onResponse?: (res: http.IncomingMessage, req: http.ClientRequest) => void,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; ended: 'end' | 'aborted' | 'error' }> {
    return new Promise((resolve) => {
      const req = http.request(path, { method: 'POST', headers, agent: false }, (res) => {
        const parts: Buffer[] = [];
        let done = false;
        const finish = (ended: 'end' | 'aborted' | 'error') => {
          if (done) return;
          done = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), ended });
        };
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => finish('end'));
        res.on('aborted', () => finish('aborted'));
        res.on('error', () => finish('error'));
        res.on('close', () => finish(res.complete ? 'end' : 'aborted'));
        onResponse?.(res, req);
      });
      req.on('error', () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0), ended: 'error' }));
      req.end(body);
    });
  }
  const rawVat = (onResponse?: (res: http.IncomingMessage, req: http.ClientRequest) => void) =>
    raw(
      serviceUrl(s.sim, RC),
      repairCall('getVATCodes', token, ''),
      {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: '"http://tempuri.org/IWSRepairContractorService/getVATCodes"',
      },
      onResponse,
    );

  it('lists every kind', () => {
    assert.deepEqual([...INJECTION_KINDS].sort(), [
      'deflate-raw',
      'doctype',
      'drip',
      'drop',
      'empty-body',
      'fault-no-string',
      'gzip-bomb',
      'hang',
      'html503',
      'html503-large',
      'huge',
      'huge-fault',
      'latency',
      'non-xml',
      'ntlm',
      'other-response',
      'proto',
      'redirect',
      'soap12-fault',
      'too-large',
      'truncate',
      'windows-1252',
    ]);
  });

  it('latency delays then answers normally', async () => {
    s.sim.inject('latency', { ms: 150 });
    const t0 = Date.now();
    await vatOk();
    assert.ok(Date.now() - t0 >= 140);
  });

  it('html503 answers an IIS 503 page for `count` calls, then normal service resumes; WSDL GETs are untouched', async () => {
    s.sim.inject('html503', { count: 2 });
    assert.equal((await request(`${serviceUrl(s.sim, RC)}?wsdl`)).status, 200);
    for (let i = 0; i < 2; i++) {
      const r = await vat();
      assert.equal(r.status, 503);
      assert.match(r.headers['content-type'] ?? '', /^text\/html/);
      assert.match(r.text, /<TITLE>Service Unavailable<\/TITLE>/);
    }
    await vatOk();
  });

  it('html503-large is a ~520 KB HTML page', async () => {
    s.sim.inject('html503-large');
    const r = await vat();
    assert.equal(r.status, 503);
    assert.ok(r.body.length > 500 * 1024 && r.body.length < 600 * 1024, String(r.body.length));
    assert.match(r.text, /^<!DOCTYPE html/);
  });

  it('truncate ends the response cleanly in the middle of the XML', async () => {
    s.sim.inject('truncate');
    const r = await rawVat();
    assert.equal(r.ended, 'end');
    assert.equal(r.status, 200);
    const text = r.body.toString('utf8');
    assert.ok(text.startsWith('<s:Envelope') && !text.includes('</s:Envelope>'));
    assert.equal(Number(r.headers['content-length']), r.body.length);
    await vatOk();
  });

  it('drop cuts the connection after headers and part of the body', async () => {
    s.sim.inject('drop');
    const r = await rawVat();
    assert.equal(r.status, 200);
    assert.notEqual(r.ended, 'end');
    assert.ok(r.body.length < Number(r.headers['content-length']));
    await vatOk();
  });

  it('hang never answers until the client gives up', async () => {
    s.sim.inject('hang');
    const r = await new Promise<string>((resolve) => {
      const req = http.request(
        serviceUrl(s.sim, RC),
        {
          method: 'POST',
          agent: false,
          headers: {
            'Content-Type': 'text/xml',
            SOAPAction: 'http://tempuri.org/IWSRepairContractorService/getVATCodes',
          },
        },
        () => resolve('answered'),
      );
      req.setTimeout(200, () => {
        req.destroy();
        resolve('timeout');
      });
      req.on('error', () => undefined);
      req.end(repairCall('getVATCodes', token, ''));
    });
    assert.equal(r, 'timeout');
    await vatOk();
  });

  it('drip sends the answer in small chunks, one every `ms`', async () => {
    s.sim.inject('drip', { ms: 2 });
    let chunks = 0;
    const r = await rawVat((res) =>
      res.on('data', () => {
        chunks++;
      }),
    );
    assert.equal(r.ended, 'end');
    assert.ok(r.body.toString('utf8').endsWith('</s:Envelope>'));
    assert.ok(chunks >= 5, String(chunks));
  });

  it('non-xml is HTTP 200 text/xml with a body that is not XML', async () => {
    s.sim.inject('non-xml');
    const r = await vat();
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^text\/xml/);
    assert.ok(!r.text.trimStart().startsWith('<'));
  });

  it('redirect is a 302 elsewhere', async () => {
    s.sim.inject('redirect');
    const r = await vat();
    assert.equal(r.status, 302);
    assert.match(r.headers.location ?? '', /^http:\/\/127\.0\.0\.1:\d+\/cx\/_sim\/redirected$/);
  });

  it('gzip-bomb is a small gzip body that inflates to `bytes` of zeros', async () => {
    s.sim.inject('gzip-bomb', { bytes: 8 * 1024 * 1024 });
    const r = await vat();
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.ok(r.body.length < 64 * 1024, String(r.body.length));
    assert.equal(gunzipSync(r.body).length, 8 * 1024 * 1024);
  });

  it('doctype answers with a billion-laughs internal entity', async () => {
    s.sim.inject('doctype');
    const r = await vat();
    assert.equal(r.status, 200);
    assert.match(r.text, /<!DOCTYPE s:Envelope \[<!ENTITY lol "lol"><!ENTITY lol1 "(&lol;){10}">/);
    assert.match(r.text, /<getVATCodesResult>&lol9;<\/getVATCodesResult>/);
  });

  it('proto puts __proto__ and constructor elements and attributes into a valid answer', async () => {
    s.sim.inject('proto');
    const r = await vat();
    assert.equal(r.status, 200);
    assert.match(r.text, /<getVATCodesResult [^>]*><a:__proto__ id="__proto__">/);
    assert.match(r.text, /<a:constructor constructor="constructor"><a:prototype>/);
    assert.ok(r.text.includes('<c:Rate>20.00</c:Rate>'));
  });

  it('fault-no-string is a SOAP 1.1 fault without faultstring', async () => {
    s.sim.inject('fault-no-string');
    const r = await vat();
    assert.equal(r.status, 500);
    assert.match(r.text, /<s:Fault><faultcode>s:Server<\/faultcode><\/s:Fault>/);
  });

  it('the answer shapes: empty Body, another operation, a huge fault, 401 NTLM, 413', async () => {
    s.sim.inject('empty-body');
    assert.match((await vat()).text, /<s:Body\/><\/s:Envelope>$/);
    s.sim.inject('other-response');
    assert.match((await vat()).text, /<s:Body><GetUserWSTokenResponse /);
    s.sim.inject('huge-fault', { bytes: 100000 });
    const fault = await vat();
    assert.equal(fault.status, 500);
    assert.ok((field(fault.text, 'faultstring') ?? '').length >= 100000);
    const ntlm = await rawVat();
    assert.equal(ntlm.status, 200, 'one injection at a time');
    s.sim.inject('ntlm');
    const denied = await rawVat();
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['www-authenticate'], 'Negotiate, NTLM');
    s.sim.inject('too-large');
    assert.equal((await rawVat()).status, 413);
    assert.equal(s.sim.stats().faults, 1);
  });

  it('windows-1252 and deflate-raw carry the real answer, re-encoded', async () => {
    const plain = (await rawVat()).body;
    s.sim.inject('windows-1252');
    const cp = await rawVat();
    assert.equal(cp.headers['content-type'], 'text/xml; charset=windows-1252');
    assert.deepEqual(cp.body, plain, 'an ASCII answer has the same bytes');
    assert.deepEqual(
      toWindows1252('£ – € 😀'),
      Buffer.from([0xa3, 0x20, 0x96, 0x20, 0x80, 0x20, ...Buffer.from('&#128512;')]),
    );
    s.sim.inject('deflate-raw');
    const deflated = await rawVat();
    assert.equal(deflated.headers['content-encoding'], 'deflate');
    assert.deepEqual(inflateRawSync(deflated.body), plain);
  });

  it('soap12-fault is a SOAP 1.2 fault with Code/Value and Reason/Text', async () => {
    s.sim.inject('soap12-fault');
    const r = await vat();
    assert.equal(r.status, 500);
    assert.match(r.text, /xmlns:s="http:\/\/www\.w3\.org\/2003\/05\/soap-envelope"/);
    assert.match(
      r.text,
      /<s:Code><s:Value>s:Receiver<\/s:Value>.*<s:Reason><s:Text xml:lang="en-US">[^<]+<\/s:Text><\/s:Reason>/,
    );
  });

  it('huge is a valid answer padded past `bytes`', async () => {
    s.sim.inject('huge', { bytes: 3 * 1024 * 1024 });
    const r = await vat();
    assert.equal(r.status, 200);
    assert.ok(r.body.length > 3 * 1024 * 1024);
    assert.ok(r.text.endsWith('</s:Envelope>'));
    assert.equal(field(r.text, 'IsValid'), 'true');
  });

  it('queues injections in order and does not touch /_sim/ or WSDL requests', async () => {
    s.sim.inject('html503');
    s.sim.inject('non-xml');
    assert.equal((await request(`${s.sim.url}/_sim/stats`)).status, 200);
    assert.equal((await vat()).status, 503);
    assert.ok(!(await vat()).text.startsWith('<'));
    await vatOk();
  });

  describe('controls over HTTP', () => {
    const post = (name: string, body?: unknown) =>
      request(`${s.sim.url}/_sim/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: body === undefined ? '' : JSON.stringify(body),
      });

    it('GET stats, POST reset-stats', async () => {
      await vatOk();
      const st = JSON.parse((await request(`${s.sim.url}/_sim/stats`)).text);
      assert.equal(st.logins, 1);
      assert.equal(st.calls, 2);
      assert.deepEqual(st.byOperation, { GetUserWSToken: 1, getVATCodes: 1 });
      assert.deepEqual(Object.keys(st).sort(), [
        'byOperation',
        'calls',
        'failedLogins',
        'faults',
        'inFlight',
        'logins',
        'maxInFlight',
        'wsdlRequests',
        'xsdRequests',
      ]);
      assert.deepEqual(JSON.parse((await post('reset-stats')).text), { ok: true });
      assert.equal(s.sim.stats().calls, 0);
    });

    it('POST expire-tokens and POST reset', async () => {
      await post('expire-tokens');
      assert.equal((await vat()).status, 500);
      token = await login(s.sim);
      await post('inject', { kind: 'html503' });
      await post('reset');
      token = await login(s.sim);
      await vatOk();
      assert.equal(s.sim.stats().calls, 2);
    });

    it('POST inject with kind, count, ms; unknown kinds and bad JSON are 400', async () => {
      assert.equal((await post('inject', { kind: 'html503', count: 2 })).status, 200);
      assert.equal((await vat()).status, 503);
      assert.equal((await vat()).status, 503);
      await vatOk();
      const bad = await post('inject', { kind: 'meteor' });
      assert.equal(bad.status, 400);
      assert.match(JSON.parse(bad.text).error, /html503/);
      const notJson = await request(`${s.sim.url}/_sim/inject`, { method: 'POST', body: '{nope' });
      assert.equal(notJson.status, 400);
      assert.equal((await request(`${s.sim.url}/_sim/nothing`, { method: 'POST' })).status, 404);
    });

    it('POST list-size sets and clears the generated list', async () => {
      await post('list-size', { size: 25 });
      const call = () =>
        soap(
          s.sim,
          RC,
          'GetContractorWorkOrders',
          repairCall('GetContractorWorkOrders', token, '<r:ContractorCode>C003</r:ContractorCode>'),
        );
      assert.equal(field((await call()).text, 'TotalCount'), '25');
      await post('list-size', { size: null });
      assert.equal(field((await call()).text, 'TotalCount'), '10');
      assert.equal((await post('list-size', { size: 'many' })).status, 400);
    });
  });
});

describe('simulator: close()', function () {
  it('ends hanging and dripping calls and resolves, leaving no socket open', async () => {
    const sockets = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
    const before = sockets();
    const sim = await startSimulator({ port: 0, quiet: true });
    const token = await login(sim);
    sim.inject('hang');
    sim.inject('drip', { ms: 1000 });
    const outcome = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (e: Error) => `error ${e.message}`,
      );
    const calls = [1, 2].map(() => outcome(soap(sim, RC, 'getVATCodes', repairCall('getVATCodes', token, ''))));
    while (sim.stats().inFlight < 2) await new Promise((r) => setImmediate(r));
    await sim.close();
    for (const c of calls) assert.match(await c, /^error/);
    await assert.rejects(request(`${sim.url}/_sim/stats`));
    await until(() => sockets() <= before, `sockets back to ${before} (now ${sockets()})`);
  });
});
