import assert from 'node:assert/strict';
import * as soap from 'soap';
import { EMPTY_GUID, NS, PASSWORD, USER, request, serviceUrl, useSimulator } from '../helpers/sim';

const SERVICES = ['WSTokenService', 'WSRepairContractorService', 'WSAssetService', 'WSTenancyService'];

describe('simulator: WSDL and XSD in WCF shape', function () {
  const s = useSimulator();
  afterEach(() => s.sim.reset());

  it('?wsdl is the multi-file form: imports of xsd0 (tempuri), xsd1 (Serialization) and one per DataContract namespace', async () => {
    const base = serviceUrl(s.sim, 'WSRepairContractorService');
    const r = await request(`${base}?wsdl`);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^text\/xml/);
    const w = r.text;
    assert.match(w, /<wsdl:definitions [^>]*name="WSRepairContractorService" targetNamespace="http:\/\/tempuri.org\/"/);
    assert.ok(
      w.includes(
        '<wsdl:types><xsd:schema targetNamespace="http://tempuri.org/Imports">' +
          `<xsd:import schemaLocation="${base}?xsd=xsd0" namespace="http://tempuri.org/"/>` +
          `<xsd:import schemaLocation="${base}?xsd=xsd1" namespace="http://schemas.microsoft.com/2003/10/Serialization/"/>`,
      ),
      w,
    );
    for (const ns of [
      NS.repairs,
      NS.base,
      `${NS.base}.Common`,
      'http://schemas.microsoft.com/2003/10/Serialization/Arrays',
    ]) {
      assert.match(w, new RegExp(`schemaLocation="[^"]+\\?xsd=xsd\\d" namespace="${ns.replace(/\./g, '\\.')}"`), ns);
    }
    assert.ok(
      w.includes(
        '<wsdl:message name="IWSRepairContractorService_GetRepairWorkOrderDetails_InputMessage"><wsdl:part name="parameters" element="tns:GetRepairWorkOrderDetails"/>',
      ),
    );
    assert.ok(w.includes('<wsdl:portType name="IWSRepairContractorService">'));
    assert.ok(
      w.includes(
        '<wsdl:binding name="BasicHttpBinding_IWSRepairContractorService" type="tns:IWSRepairContractorService"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>',
      ),
    );
    assert.ok(
      w.includes(
        '<soap:operation soapAction="http://tempuri.org/IWSRepairContractorService/getVATCodes" style="document"/>',
      ),
    );
    assert.ok(
      w.includes(
        `<wsdl:port name="BasicHttpBinding_IWSRepairContractorService" binding="tns:BasicHttpBinding_IWSRepairContractorService"><soap:address location="${base}"/>`,
      ),
    );
  });

  it('builds soap:address and schemaLocation from the Host header', async () => {
    const r = await request(`${serviceUrl(s.sim, 'WSTokenService')}?wsdl`, {
      headers: { Host: 'mysitecxtest.example:8443' },
    });
    assert.ok(
      r.text.includes('<soap:address location="http://mysitecxtest.example:8443/cx/webservice/wstokenservice"/>'),
    );
    assert.ok(
      r.text.includes('schemaLocation="http://mysitecxtest.example:8443/cx/webservice/wstokenservice?xsd=xsd0"'),
    );
  });

  it('serves each schema: qualified, complexType plus nillable global element, ArrayOf with unbounded items, extension of an imported base', async () => {
    const base = serviceUrl(s.sim, 'WSRepairContractorService');
    const wsdl = (await request(`${base}?wsdl`)).text;
    const index = (ns: string) =>
      new RegExp(`\\?xsd=(xsd\\d+)" namespace="${ns.replace(/\./g, '\\.')}"`).exec(wsdl)?.[1];
    const repairs = (await request(`${base}?xsd=${index(NS.repairs)}`)).text;
    assert.match(repairs, /elementFormDefault="qualified" targetNamespace="[^"]+Modules\.Repairs"/);
    assert.ok(repairs.includes(`<xs:import schemaLocation="${base}?xsd=${index(NS.base)}" namespace="${NS.base}"/>`));
    assert.ok(
      repairs.includes(
        `<xs:complexType name="GetRepairWorkOrderDetailsRequest"><xs:complexContent mixed="false"><xs:extension xmlns:q`,
      ),
      repairs,
    );
    assert.match(
      repairs,
      /base="q\d+:WSRequestBase"><xs:sequence><xs:element minOccurs="0" name="WorkOrderReference" nillable="true" type="xs:string"\/><xs:element name="WorkOrderUid" type="ser:guid"\/><\/xs:sequence>/,
    );
    assert.ok(
      repairs.includes(
        '<xs:element name="GetRepairWorkOrderDetailsRequest" nillable="true" type="tns:GetRepairWorkOrderDetailsRequest"/>',
      ),
    );
    assert.ok(
      repairs.includes(
        '<xs:complexType name="ArrayOfRepairTask"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="RepairTask" nillable="true" type="tns:RepairTask"/></xs:sequence></xs:complexType>',
      ),
    );
    assert.ok(repairs.includes('<xs:element minOccurs="0" name="TotalCount" type="xs:int"/>'));
    assert.ok(
      repairs.includes(
        '<xs:simpleType name="RepairMasterStatus"><xs:restriction base="xs:string"><xs:enumeration value="Entered"/>',
      ),
    );
    const baseXsd = (await request(`${base}?xsd=${index(NS.base)}`)).text;
    assert.ok(
      baseXsd.includes(
        '<xs:complexType name="WSRequestBase"><xs:sequence><xs:element minOccurs="0" name="Token" nillable="true" type="xs:string"/></xs:sequence></xs:complexType>',
      ),
    );
    const ser = (await request(`${base}?xsd=xsd1`)).text;
    for (const bit of [
      'name="anyType"',
      '<xs:simpleType name="guid">',
      '<xs:simpleType name="char">',
      '<xs:simpleType name="duration">',
    ])
      assert.ok(ser.includes(bit), bit);
    const tem = (await request(`${base}?xsd=xsd0`)).text;
    assert.match(
      tem,
      /<xs:element name="getVATCodes"><xs:complexType><xs:sequence><xs:element xmlns:q\d+="[^"]+" minOccurs="0" name="request" nillable="true" type="q\d+:GetVATCodesRequest"\/>/,
    );
    assert.equal((await request(`${base}?xsd=xsd99`)).status, 404);
    const st = s.sim.stats();
    assert.ok(st.wsdlRequests >= 1 && st.xsdRequests >= 4);
  });

  it('declares the asset token as a parameter and the tenancy token as a soap:header', async () => {
    const asset = (await request(`${serviceUrl(s.sim, 'WSAssetService')}?xsd=xsd0`)).text;
    assert.match(
      asset,
      /<xs:element name="GetAssetDetails"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="token" nillable="true" type="xs:string"\/><xs:element [^>]*name="request"/,
    );
    const tenancy = (await request(`${serviceUrl(s.sim, 'WSTenancyService')}?wsdl`)).text;
    assert.ok(
      tenancy.includes(
        '<wsdl:message name="GetTenancyDetailsRequest_Headers"><wsdl:part name="Token" element="tns:Token"/></wsdl:message>',
      ),
    );
    assert.ok(
      tenancy.includes(
        '<wsdl:input name="GetTenancyDetailsRequest"><soap:header message="tns:GetTenancyDetailsRequest_Headers" part="Token" use="literal"/><soap:body use="literal"/></wsdl:input>',
      ),
    );
    const tem = (await request(`${serviceUrl(s.sim, 'WSTenancyService')}?xsd=xsd0`)).text;
    assert.ok(tem.includes('<xs:element name="Token" nillable="true" type="xs:string"/>'));
  });

  it('?singleWsdl holds every schema inline, without schemaLocation', async () => {
    const r = await request(`${serviceUrl(s.sim, 'WSRepairContractorService')}?singleWsdl`);
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes('schemaLocation'));
    assert.equal(r.text.match(/<xs:schema /g)?.length, 6);
    assert.ok(r.text.includes('<xs:complexType name="WSRequestBase">'));
  });

  describe('node-soap against the multi-file ?wsdl', () => {
    const clients: Record<string, soap.Client> = {};
    let token = '';
    before(async () => {
      for (const svc of SERVICES)
        clients[svc] = await soap.createClientAsync(`${serviceUrl(s.sim, svc)}?wsdl`, { disableCache: true });
    });

    it('loads and describes every service', () => {
      for (const svc of SERVICES) {
        const d = clients[svc].describe();
        assert.ok(d[svc]?.[`BasicHttpBinding_I${svc}`], svc);
      }
      const ops = Object.keys(
        clients.WSRepairContractorService.describe().WSRepairContractorService
          .BasicHttpBinding_IWSRepairContractorService,
      );
      assert.deepEqual(ops, [
        'GetContractorWorkOrders',
        'GetRepairWorkOrderDetails',
        'GetRepairWorkOrderDetailsDescription',
        'UpdateRepairWorksOrderStatus',
        'getVATCodes',
      ]);
    });

    it('logs in and calls every operation', async () => {
      const [login] = await clients.WSTokenService.GetUserWSTokenAsync({
        request: { UserName: USER, Password: PASSWORD },
      });
      token = login.GetUserWSTokenResult.Token;
      assert.match(token, /^[a-z0-9]{14}$/);
      const rc = clients.WSRepairContractorService;
      const [list] = await rc.GetContractorWorkOrdersAsync({ request: { Token: token, ContractorCode: 'C002' } });
      const wo = list.GetContractorWorkOrdersResult.WorkOrders.WorkOrderSummary;
      assert.ok(Array.isArray(wo) && wo.length === 10);
      assert.equal(list.GetContractorWorkOrdersResult.TotalCount, 10);
      const [details] = await rc.GetRepairWorkOrderDetailsAsync({
        request: { Token: token, WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID },
      });
      assert.equal(details.GetRepairWorkOrderDetailsResult.IsValid, true);
      assert.equal(details.GetRepairWorkOrderDetailsResult.WorkOrder.WorkOrderReference, 'WO100002');
      const [desc] = await rc.GetRepairWorkOrderDetailsDescriptionAsync({
        request: { Token: token, WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID },
      });
      assert.equal(desc.GetRepairWorkOrderDetailsDescriptionResult.WorkOrderReference, 'WO100002');
      const [upd] = await rc.UpdateRepairWorksOrderStatusAsync({
        request: { Token: token, RepairStatusCode: 'WIP', WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID },
      });
      assert.equal(upd.UpdateRepairWorksOrderStatusResult.IsValid, true, JSON.stringify(upd));
      const [vat] = await rc.getVATCodesAsync({ request: { Token: token } });
      assert.equal(vat.getVATCodesResult.VATCodes.VATCode.length, 5);
      const [asset] = await clients.WSAssetService.GetAssetDetailsAsync({
        token,
        request: { AssetReference: 'A0100200' },
      });
      assert.equal(asset.GetAssetDetailsResult.IsValid, true);
      assert.equal(asset.GetAssetDetailsResult.Asset.AssetReference, 'A0100200');
      const tenancy = clients.WSTenancyService;
      tenancy.addSoapHeader({ Token: token }, '', 'tem', 'http://tempuri.org/');
      const [t] = await tenancy.GetTenancyDetailsAsync({ request: { TenancyReference: 'T5001' } });
      assert.equal(t.GetTenancyDetailsResult.IsValid, true, JSON.stringify(t));
      assert.equal(t.GetTenancyDetailsResult.Tenancy.TenancyReference, 'T5001');
      assert.equal(s.sim.stats().faults, 0);
    });
  });
});
