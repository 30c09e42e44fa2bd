import assert from 'node:assert/strict';
import { ENV, read, throwsCode } from '../helpers/job-service';
import { BASE_NS, MOD_NS } from '../helpers/wcf-fixture';

describe('reading answers', () => {
  const jobAnswer = ENV(
    `<GetJobResponse xmlns="http://tempuri.org/"><GetJobResult xmlns:a="${MOD_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
      `<InvalidReason i:nil="true" xmlns="${BASE_NS}"/><IsValid xmlns="${BASE_NS}">true</IsValid>` +
      '<a:Job><a:Address><a:Line1>1 High St &amp; Co</a:Line1><a:PostCode i:nil="true"/></a:Address><a:Cost>20.00</a:Cost>' +
      '<a:Due>2026-06-01T19:00:16.5718655+01:00</a:Due><a:Reference>00123</a:Reference>' +
      '<a:Tasks><a:Task><a:Code>SOR1</a:Code><a:Quantity>1.50</a:Quantity></a:Task></a:Tasks><a:Visits>3</a:Visits></a:Job>' +
      '</GetJobResult></GetJobResponse>',
  );

  it('types values by the schema: nil, booleans, decimals, dateTimes kept, one-item arrays stay arrays', () => {
    const a = read(jobAnswer, 'GetJob');
    assert.deepEqual(a.result, {
      InvalidReason: null,
      IsValid: true,
      Job: {
        Address: { Line1: '1 High St & Co', PostCode: null },
        Cost: 20,
        Due: '2026-06-01T19:00:16.5718655+01:00',
        Reference: '00123',
        Tasks: [{ Code: 'SOR1', Quantity: 1.5 }],
        Visits: 3,
      },
    });
  });

  it('reads the same answer whatever the chunking', () => {
    assert.deepEqual(
      read(jobAnswer, 'GetJob', { chunk: 1 }).result,
      read(jobAnswer, 'GetJob', { chunk: 1 << 20 }).result,
    );
  });

  it('keeps a long past 2^53 as text and an empty collection as []', () => {
    assert.equal(
      read(
        ENV('<PingResponse xmlns="http://tempuri.org/"><PingResult>9007199254740993</PingResult></PingResponse>'),
        'Ping',
      ).result,
      '9007199254740993',
    );
    assert.deepEqual(
      read(
        ENV(`<ListJobsResponse xmlns="http://tempuri.org/"><ListJobsResult xmlns:a="${MOD_NS}"/></ListJobsResponse>`),
        'ListJobs',
      ).result,
      [],
    );
  });

  it('never lets element or attribute names reach Object.prototype', () => {
    const xml = ENV(
      `<GetJobResponse xmlns="http://tempuri.org/"><GetJobResult xmlns:a="${MOD_NS}" id="__proto__"><a:Job><a:__proto__><a:polluted>yes</a:polluted></a:__proto__><a:constructor>x</a:constructor></a:Job></GetJobResult></GetJobResponse>`,
    );
    const r = read(xml, 'GetJob').result as { Job: Record<string, unknown> };
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(r.Job), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(r.Job, '__proto__')?.value, { polluted: 'yes' });
  });

  it('reads SOAP 1.1 faults, SOAP 1.2 faults and faults without a faultstring', () => {
    const f11 = read(
      ENV(
        '<s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-GB">Exception Message:Access denied – Invalid token</faultstring></s:Fault>',
      ),
      'GetJob',
      { status: 500 },
    );
    assert.deepEqual(f11.fault, {
      code: 's:Client',
      string: 'Exception Message:Access denied – Invalid token',
      detail: '',
    });
    const f12 = read(
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">Bad thing</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>',
      'GetJob',
      { status: 500 },
    );
    assert.deepEqual(f12.fault, { code: 's:Sender', string: 'Bad thing', detail: '' });
    const bare = read(ENV('<s:Fault><faultcode>s:Server</faultcode></s:Fault>'), 'GetJob', { status: 500 });
    assert.equal(bare.fault?.code, 's:Server');
  });

  it('turns an IIS error page into CX_HTTP with a short snippet', () => {
    throwsCode(
      () =>
        read(
          '<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>HTTP Error 503.</p></body></html>',
          'GetJob',
          { status: 503, contentType: 'text/html' },
        ),
      'CX_HTTP',
      /HTTP 503/,
    );
    const big = throwsCode(
      () =>
        read(`<html><body>${'x'.repeat(600000)}</body></html>`, 'GetJob', {
          status: 503,
          contentType: 'text/html',
          chunk: 65536,
        }),
      'CX_HTTP',
      /HTTP 503/,
    );
    assert.ok(big.details.snippet, 'the error carries a snippet of the page');
    assert.ok(big.details.snippet.length <= 201, `snippet of ${big.details.snippet.length} characters`);
    assert.ok(big.message.length < 1000, `message of ${big.message.length} characters`);
  });

  it('decodes the answer by BOM and charset (UTF-16LE/BE, ISO-8859-1, windows-1252), never into U+FFFD', () => {
    const xml = ENV('<PingResponse xmlns="http://tempuri.org/"><PingResult>Café – “ok” €</PingResult></PingResponse>');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    assert.equal(read(le, 'Ping', { chunk: 3 }).result, 'Café – “ok” €');
    const be = Buffer.from(xml, 'utf16le').swap16();
    assert.equal(read(be, 'Ping', { chunk: 5, contentType: 'text/xml; charset=utf-16BE' }).result, 'Café – “ok” €');
    const latin = Buffer.from(
      ENV('<PingResponse xmlns="http://tempuri.org/"><PingResult>Caf\xe9 \x80</PingResult></PingResponse>'),
      'latin1',
    );
    for (const cs of ['ISO-8859-1', 'windows-1252']) {
      assert.equal(read(latin, 'Ping', { contentType: `text/xml; charset=${cs}` }).result, 'Café €');
    }
    throwsCode(() => read(latin, 'Ping'), 'CX_BAD_RESPONSE', /is not valid UTF-8/);
    throwsCode(
      () => read(latin, 'Ping', { contentType: 'text/xml; charset=koi8-r' }),
      'CX_BAD_RESPONSE',
      /"koi8-r", which the pack cannot read/,
    );
  });

  it('refuses non-XML, truncated XML and DOCTYPEs with CX_BAD_RESPONSE', () => {
    throwsCode(() => read('this is not xml', 'GetJob'), 'CX_BAD_RESPONSE', /not XML/);
    throwsCode(
      () => read(jobAnswer.slice(0, jobAnswer.length - 40), 'GetJob'),
      'CX_BAD_RESPONSE',
      /cut short|malformed/,
    );
    throwsCode(
      () => read(`<!DOCTYPE lol [<!ENTITY a "aaaa">]>${ENV('<x>&a;</x>')}`, 'GetJob'),
      'CX_BAD_RESPONSE',
      /DOCTYPE/,
    );
    throwsCode(() => read('', 'GetJob'), 'CX_BAD_RESPONSE', /empty/);
  });
});

describe('reading answers that are not the answer asked for', () => {
  const T = 'xmlns="http://tempuri.org/"';
  const ping = (inner = '<PingResult>1</PingResult>') => `<PingResponse ${T}>${inner}</PingResponse>`;

  it('refuses an empty Body, no Body, another operation, a foreign envelope, two Bodies or two responses', () => {
    const cases: [string, RegExp][] = [
      [ENV(''), /empty Body, not the <PingResponse> asked for/],
      ['<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/></s:Envelope>', /no Body/],
      [ENV(`<GetJobResponse ${T}><GetJobResult/></GetJobResponse>`), /is <GetJobResponse>, not the <PingResponse>/],
      [ENV(`<PingResponse xmlns="http://evil.example/">1</PingResponse>`), /not the <PingResponse>/],
      [
        `<s:Envelope xmlns:s="http://example.org/not-soap"><s:Body>${ping()}</s:Body></s:Envelope>`,
        /not SOAP 1\.1 or 1\.2/,
      ],
      [
        `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${ping()}</s:Body><s:Body>${ping()}</s:Body></s:Envelope>`,
        /two Body elements/,
      ],
      [ENV(ping() + ping()), /more than one element in its Body/],
      [ENV(ping('<PingResult>1</PingResult><PingResult>2</PingResult>')), /two <PingResult> results/],
      [ENV(ping('<PingResult>a&#x1;b</PingResult>')), /control character that XML forbids|Invalid character entity/],
      [ENV(ping('<PingResult>a\u0002b</PingResult>')), /control character that XML forbids/],
    ];
    for (const [xml, why] of cases) throwsCode(() => read(xml, 'Ping'), 'CX_BAD_RESPONSE', why);
    assert.equal(read(ENV(ping()), 'Ping').result, 1, 'the right answer still reads');
  });

  it('caps names, attribute values and fault texts: a few KB in any message, saying it was cut', () => {
    const long = 'x'.repeat(2 * 1024 * 1024);
    throwsCode(() => read(ENV(`<${long}/>`), 'Ping', { chunk: 65536 }), 'CX_BAD_RESPONSE', /name longer than 1024/);
    throwsCode(
      () => read(ENV(ping(`<PingResult a="${long}">1</PingResult>`)), 'Ping', { chunk: 65536 }),
      'CX_BAD_RESPONSE',
      /attribute value longer than 16 KB/,
    );
    const f = read(
      ENV(`<s:Fault><faultcode>s:Client</faultcode><faultstring>${long}</faultstring></s:Fault>`),
      'Ping',
      {
        status: 500,
        chunk: 65536,
      },
    );
    assert.ok(f.fault!.string.length < 5000, `${f.fault!.string.length} characters`);
    assert.match(f.fault!.string, /… \(cut at 4096 characters\)$/);
  });

  it('says what a 401 for Windows authentication, a 413 and an HTML 500 labelled text/xml mean', () => {
    throwsCode(
      () =>
        read('', 'Ping', { status: 401, contentType: 'text/html', headers: { 'www-authenticate': 'Negotiate, NTLM' } }),
      'CX_HTTP',
      /HTTP 401.*Windows authentication, NTLM or Negotiate, which this pack does not do: ask the Cx administrator/,
    );
    throwsCode(
      () => read('Request Entity Too Large', 'Ping', { status: 413, contentType: 'text/plain' }),
      'CX_HTTP',
      /size limit, WCF's maxReceivedMessageSize/,
    );
    const page =
      '<!DOCTYPE html><html><head><title>Runtime Error</title></head><body><h1>Server Error in / Application.</h1></body></html>';
    const e = throwsCode(
      () => read(page, 'Ping', { status: 500, contentType: 'text/xml; charset=utf-8' }),
      'CX_HTTP',
      /HTTP 500/,
    );
    assert.match(String(e.details.snippet), /Server Error in \/ Application/);
  });
});
