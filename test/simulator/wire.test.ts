import assert from 'node:assert/strict';
import {
  EMPTY_GUID,
  NS,
  PASSWORD,
  USER,
  detailsCall,
  envelope,
  field,
  login,
  loginEnvelope,
  repairCall,
  request,
  serviceUrl,
  soap,
  useSimulator,
} from '../helpers/sim';

const INVALID_TOKEN = 'Exception Message:Access denied \u2013 Invalid token';

describe('simulator: WCF wire behaviour', function () {
  // A fake clock: 1 June 2023 18:00 UTC (British Summer Time) until a test moves it.
  let clock = Date.UTC(2023, 5, 1, 18, 0, 16, 571);
  const s = useSimulator({ now: () => clock, tokenTtlSeconds: 3600 });
  afterEach(() => s.sim.reset());

  describe('GetUserWSToken', () => {
    it('answers a good login as WCF writes it: no declaration, s: envelope, a:/i: on the result, BST offset', async () => {
      const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope());
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'text/xml; charset=utf-8');
      assert.ok(
        r.text.startsWith(
          `<s:Envelope xmlns:s="${NS.soap}"><s:Body><GetUserWSTokenResponse xmlns="http://tempuri.org/">` +
            `<GetUserWSTokenResult xmlns:a="${NS.security}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
            '<a:InvalidReason i:nil="true"/><a:IsValid>true</a:IsValid><a:Token>',
        ),
        r.text,
      );
      assert.match(field(r.text, 'Token') ?? '', /^[a-z0-9]{14}$/);
      // 18:00:16.571 UTC + 1 h ttl, shown in London summer time
      assert.equal(field(r.text, 'TokenExpiry'), '2023-06-01T20:00:16.5710000+01:00');
      assert.equal(s.sim.stats().logins, 1);
    });

    it('uses +00:00 in winter', async () => {
      clock = Date.UTC(2023, 11, 15, 9, 30, 0, 0);
      try {
        const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope());
        assert.equal(field(r.text, 'TokenExpiry'), '2023-12-15T10:30:00.0000000+00:00');
      } finally {
        clock = Date.UTC(2023, 5, 1, 18, 0, 16, 571);
      }
    });

    it('answers wrong credentials with HTTP 200, IsValid false, nil Token and TokenExpiry', async () => {
      const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope(USER, 'nope'));
      assert.equal(r.status, 200);
      assert.equal(field(r.text, 'InvalidReason'), 'Invalid login. Please try again.');
      assert.equal(field(r.text, 'IsValid'), 'false');
      assert.equal(field(r.text, 'Token'), null);
      assert.equal(field(r.text, 'TokenExpiry'), null);
      assert.deepEqual([s.sim.stats().logins, s.sim.stats().failedLogins], [0, 1]);
    });

    it('reads a member sent out of sequence order as absent: UserName before Password is a failed login', async () => {
      const body = envelope(
        `<tem:GetUserWSToken><tem:request xmlns:civ="${NS.security}">` +
          `<civ:UserName>${USER}</civ:UserName><civ:Password>${PASSWORD}</civ:Password></tem:request></tem:GetUserWSToken>`,
      );
      const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', body);
      assert.equal(r.status, 200);
      assert.equal(field(r.text, 'IsValid'), 'false');
    });

    it('ignores members in the wrong namespace and unknown members', async () => {
      const wrongNs = envelope(
        `<tem:GetUserWSToken><tem:request xmlns:civ="${NS.security}">` +
          `<tem:Password>${PASSWORD}</tem:Password><civ:UserName>${USER}</civ:UserName></tem:request></tem:GetUserWSToken>`,
      );
      assert.equal(field((await soap(s.sim, 'WSTokenService', 'GetUserWSToken', wrongNs)).text, 'IsValid'), 'false');
      const unknown = envelope(
        `<tem:GetUserWSToken><tem:request xmlns:civ="${NS.security}"><civ:Extra>1</civ:Extra>` +
          `<civ:Password>${PASSWORD}</civ:Password><civ:Zzz/><civ:UserName>${USER}</civ:UserName></tem:request></tem:GetUserWSToken>`,
      );
      assert.equal(field((await soap(s.sim, 'WSTokenService', 'GetUserWSToken', unknown)).text, 'IsValid'), 'true');
    });
  });

  describe('HTTP and SOAP strictness', () => {
    it('faults a wrong SOAPAction with a:ActionNotSupported and the ContractFilter text', async () => {
      const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope(), {
        SOAPAction: '"http://tempuri.org/IWSTokenService/Nope"',
      });
      assert.equal(r.status, 500);
      assert.ok(
        r.text.includes(
          '<faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">a:ActionNotSupported</faultcode>',
        ),
        r.text,
      );
      assert.ok(
        r.text.includes(
          '<faultstring xml:lang="en-US">The message with Action \'http://tempuri.org/IWSTokenService/Nope\' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.',
        ),
        r.text,
      );
      assert.equal(s.sim.stats().faults, 1);
    });

    it('faults a missing SOAPAction the same way, with an empty action', async () => {
      const r = await request(serviceUrl(s.sim, 'WSTokenService'), {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml; charset=utf-8' },
        body: loginEnvelope(),
      });
      assert.equal(r.status, 500);
      assert.match(r.text, /a:ActionNotSupported.*The message with Action '' cannot be processed/);
    });

    it('accepts an unquoted SOAPAction', async () => {
      const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope(), {
        SOAPAction: 'http://tempuri.org/IWSTokenService/GetUserWSToken',
      });
      assert.equal(r.status, 200);
    });

    it('answers 415 to a Content-Type other than text/xml', async () => {
      for (const ct of [
        'application/soap+xml; charset=utf-8',
        'application/xml',
        'text/plain',
        'text/xml; charset=iso-8859-1',
      ]) {
        const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope(), { 'Content-Type': ct });
        assert.equal(r.status, 415, ct);
      }
      const none = await request(serviceUrl(s.sim, 'WSTokenService'), { method: 'POST', body: loginEnvelope() });
      assert.equal(none.status, 415);
    });

    it('answers 400 to malformed XML, a DTD, or a non-envelope root, and keeps serving', async () => {
      for (const body of [
        '<s:Envelope xmlns:s="x"><oops',
        'not xml at all',
        '',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        '<Envelope/>',
      ]) {
        const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', body);
        assert.equal(r.status, 400, body);
      }
      assert.equal((await soap(s.sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope())).status, 200);
    });

    it('answers 413 to a body over 10 MB', async () => {
      const big = loginEnvelope().replace(
        '<soapenv:Header>',
        `<soapenv:Header><!--${'x'.repeat(10 * 1024 * 1024 + 10)}-->`,
      );
      const r = await soap(s.sim, 'WSTokenService', 'GetUserWSToken', big);
      assert.equal(r.status, 413);
    });

    it('faults a SOAP 1.2 envelope with s:VersionMismatch', async () => {
      const r = await soap(
        s.sim,
        'WSTokenService',
        'GetUserWSToken',
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>',
      );
      assert.equal(r.status, 500);
      assert.match(r.text, /s:VersionMismatch/);
    });

    it('faults a value of the wrong type with a:DeserializationFailed', async () => {
      const token = await login(s.sim);
      const r = await soap(
        s.sim,
        'WSRepairContractorService',
        'GetRepairWorkOrderDetails',
        detailsCall(token, 'WO100001', 'not-a-guid'),
      );
      assert.equal(r.status, 500);
      assert.ok(
        r.text.includes(
          '<faultcode xmlns:a="http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher">a:DeserializationFailed</faultcode>',
        ),
        r.text,
      );
      assert.match(
        r.text,
        /The formatter threw an exception while trying to deserialize the message: .*'not-a-guid' cannot be parsed as the type 'Guid'/,
      );
      const badDate = repairCall(
        'GetContractorWorkOrders',
        token,
        '<r:ContractorCode>C001</r:ContractorCode><r:RaisedFrom>yesterday</r:RaisedFrom>',
      );
      const r2 = await soap(s.sim, 'WSRepairContractorService', 'GetContractorWorkOrders', badDate);
      assert.equal(r2.status, 500);
      assert.match(r2.text, /a:DeserializationFailed.*'yesterday' cannot be parsed as the type 'DateTime'/);
    });

    it('faults a missing required WorkOrderUid (WCF IsRequired)', async () => {
      const token = await login(s.sim);
      const r = await soap(
        s.sim,
        'WSRepairContractorService',
        'GetRepairWorkOrderDetails',
        repairCall('GetRepairWorkOrderDetails', token, '<r:WorkOrderReference>WO100001</r:WorkOrderReference>'),
      );
      assert.equal(r.status, 500);
      assert.match(r.text, /a:DeserializationFailed.*Expecting element 'WorkOrderUid'/);
    });

    it('answers 404 for an unknown service and serves a help page on a plain GET', async () => {
      assert.equal((await request(`${s.sim.url}/webservice/wsnosuchservice`)).status, 404);
      const help = await request(serviceUrl(s.sim, 'WSTokenService'));
      assert.equal(help.status, 200);
      assert.match(help.text, /You have created a service/);
    });
  });

  describe('tokens in three shapes', () => {
    it('WSRepairContractorService: inherited Token member first, in the base namespace', async () => {
      const token = await login(s.sim);
      const ok = await soap(
        s.sim,
        'WSRepairContractorService',
        'GetRepairWorkOrderDetails',
        detailsCall(token, 'WO100001'),
      );
      assert.equal(ok.status, 200);
      assert.equal(field(ok.text, 'IsValid'), 'true');
      // Token in the derived (Repairs) namespace is an unknown member: no token at all
      const wrongNs = repairCall(
        'GetRepairWorkOrderDetails',
        undefined,
        `<r:Token>${token}</r:Token><r:WorkOrderReference>WO100001</r:WorkOrderReference><r:WorkOrderUid>${EMPTY_GUID}</r:WorkOrderUid>`,
      );
      const bad = await soap(s.sim, 'WSRepairContractorService', 'GetRepairWorkOrderDetails', wrongNs);
      assert.equal(bad.status, 500);
      assert.ok(
        bad.text.includes(
          `<faultcode>s:Client</faultcode><faultstring xml:lang="en-GB">${INVALID_TOKEN}</faultstring>`,
        ),
        bad.text,
      );
    });

    it('faults a missing, unknown, expired-by-clock and expireTokens() token with the U+2013 dash', async () => {
      const token = await login(s.sim);
      for (const t of [undefined, 'unknowntoken12']) {
        const r = await soap(
          s.sim,
          'WSRepairContractorService',
          'GetRepairWorkOrderDetails',
          detailsCall(t, 'WO100001'),
        );
        assert.equal(r.status, 500);
        assert.equal(field(r.text, 'faultstring'), INVALID_TOKEN);
        assert.ok(r.text.includes('\u2013') && !r.text.includes('denied - '));
      }
      clock += 3600 * 1000; // exactly the TTL later
      try {
        const expired = await soap(
          s.sim,
          'WSRepairContractorService',
          'GetRepairWorkOrderDetails',
          detailsCall(token, 'WO100001'),
        );
        assert.equal(field(expired.text, 'faultstring'), INVALID_TOKEN);
      } finally {
        clock -= 3600 * 1000;
      }
      const fresh = await login(s.sim);
      s.sim.expireTokens();
      const r = await soap(
        s.sim,
        'WSRepairContractorService',
        'GetRepairWorkOrderDetails',
        detailsCall(fresh, 'WO100001'),
      );
      assert.equal(r.status, 500);
      assert.equal(field(r.text, 'faultstring'), INVALID_TOKEN);
    });

    it('WSAssetService: token as a parameter before request', async () => {
      const token = await login(s.sim);
      const call = (t: string) =>
        envelope(
          `<tem:GetAssetDetails><tem:token>${t}</tem:token>` +
            `<tem:request xmlns:as="${NS.assets}"><as:AssetReference>A0100200</as:AssetReference></tem:request></tem:GetAssetDetails>`,
        );
      const ok = await soap(s.sim, 'WSAssetService', 'GetAssetDetails', call(token));
      assert.equal(ok.status, 200, ok.text);
      assert.equal(field(ok.text, 'IsValid'), 'true');
      assert.equal(field(ok.text, 'AssetReference'), 'A0100200');
      assert.match(ok.text, /<a:Components><a:AssetComponent>/);
      const bad = await soap(s.sim, 'WSAssetService', 'GetAssetDetails', call('wrong'));
      assert.equal(field(bad.text, 'faultstring'), INVALID_TOKEN);
      // token after request is out of order: read as absent
      const swapped = envelope(
        `<tem:GetAssetDetails><tem:request xmlns:as="${NS.assets}"><as:AssetReference>A0100200</as:AssetReference>` +
          `</tem:request><tem:token>${token}</tem:token></tem:GetAssetDetails>`,
      );
      assert.equal(
        field((await soap(s.sim, 'WSAssetService', 'GetAssetDetails', swapped)).text, 'faultstring'),
        INVALID_TOKEN,
      );
    });

    it('WSTenancyService: token as a SOAP header in tempuri', async () => {
      const token = await login(s.sim);
      const body = `<tem:GetTenancyDetails><tem:request xmlns:t="${NS.tenancy}"><t:TenancyReference>T5002</t:TenancyReference></tem:request></tem:GetTenancyDetails>`;
      const ok = await soap(
        s.sim,
        'WSTenancyService',
        'GetTenancyDetails',
        envelope(body, `<tem:Token>${token}</tem:Token>`),
      );
      assert.equal(ok.status, 200, ok.text);
      assert.equal(field(ok.text, 'TenancyReference'), 'T5002');
      assert.match(
        ok.text,
        /<a:Tenants xmlns:b="http:\/\/schemas.microsoft.com\/2003\/10\/Serialization\/Arrays"><b:string>Mr J O\u2019Brien<\/b:string>/,
      );
      const none = await soap(s.sim, 'WSTenancyService', 'GetTenancyDetails', envelope(body));
      assert.equal(field(none.text, 'faultstring'), INVALID_TOKEN);
      const inBody = envelope(
        `<tem:GetTenancyDetails><tem:Token>${token}</tem:Token><tem:request xmlns:t="${NS.tenancy}">` +
          '<t:TenancyReference>T5002</t:TenancyReference></tem:request></tem:GetTenancyDetails>',
      );
      assert.equal(
        field((await soap(s.sim, 'WSTenancyService', 'GetTenancyDetails', inBody)).text, 'faultstring'),
        INVALID_TOKEN,
      );
    });
  });

  describe('response formatting', () => {
    it('writes base members in their own namespace, nested namespaces where first needed, nils, decimals, escapes, non-BMP', async () => {
      const token = await login(s.sim);
      const r = await soap(
        s.sim,
        'WSRepairContractorService',
        'GetRepairWorkOrderDetails',
        detailsCall(token, 'WO100007'),
      );
      const t = r.text;
      assert.ok(
        t.includes(
          `<GetRepairWorkOrderDetailsResult xmlns:a="${NS.repairs}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:b="${NS.base}">` +
            '<b:InvalidReason i:nil="true"/><b:IsValid>true</b:IsValid><a:WorkOrder>',
        ),
        t,
      );
      assert.match(t, /<a:Address xmlns:c="[^"]+\.Common"><c:AddressLine1>/);
      assert.match(t, /<c:AddressLine3 i:nil="true"\/>/);
      assert.match(t, /<a:EstimatedCost>\d+\.\d{2}<\/a:EstimatedCost>/);
      assert.match(t, /<a:Quantity>1\.00<\/a:Quantity>/);
      assert.ok(t.includes('<a:SORDescription>Renew roof tiles &lt; 10 no.</a:SORDescription>'));
      assert.ok(t.includes('<a:TenantName>Mr &amp; Mrs T Hughes</a:TenantName>'));
      assert.ok(t.includes('\u{1F6BF}'), 'non-BMP character kept');
      assert.match(field(t, 'RaisedDate') ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}\+0[01]:00$/);
      assert.equal(field(t, 'CompletedDate'), null);
      assert.equal(field(t, 'RepairMasterStatus'), 'Issued');
    });

    it('getVATCodes: decimals as 20.00', async () => {
      const token = await login(s.sim);
      const r = await soap(s.sim, 'WSRepairContractorService', 'getVATCodes', repairCall('getVATCodes', token, ''));
      assert.equal(r.status, 200);
      assert.match(
        r.text,
        /<a:VATCodes xmlns:c="[^"]+\.Common"><c:VATCode><c:Code>S<\/c:Code><c:Description>Standard rate<\/c:Description><c:Rate>20\.00<\/c:Rate><\/c:VATCode>/,
      );
      assert.deepEqual(s.sim.stats().byOperation, { GetUserWSToken: 1, getVATCodes: 1 });
    });
  });

  describe('robustness', () => {
    it('survives hostile input and many concurrent calls, counting maxInFlight', async () => {
      const token = await login(s.sim);
      const nasty = [
        '<a>'.repeat(5000),
        '\u0000\u0001',
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>',
        envelope(
          '<tem:GetRepairWorkOrderDetails><tem:request i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/></tem:GetRepairWorkOrderDetails>',
        ),
      ];
      for (const body of nasty) {
        const r = await soap(s.sim, 'WSRepairContractorService', 'GetRepairWorkOrderDetails', body);
        assert.ok([400, 500].includes(r.status), `${r.status} ${body.slice(0, 40)}`);
      }
      s.sim.resetStats();
      const all = await Promise.all(
        Array.from({ length: 40 }, () =>
          soap(s.sim, 'WSRepairContractorService', 'GetRepairWorkOrderDetails', detailsCall(token, 'WO100003')),
        ),
      );
      assert.ok(all.every((r) => r.status === 200));
      const st = s.sim.stats();
      assert.equal(st.calls, 40);
      assert.equal(st.inFlight, 0);
      assert.ok(st.maxInFlight >= 1 && st.maxInFlight <= 40);
    });
  });
});
