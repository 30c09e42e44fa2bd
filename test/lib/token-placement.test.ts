import assert from 'node:assert/strict';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';
import { ctx, model, op, throwsCode } from '../helpers/job-service';
import { WSDL, XSD0, XSD1, XSD2, XSD3, XSD_SER } from '../helpers/wcf-fixture';

describe('token placement', () => {
  it('finds the token in each of the three WCF shapes', () => {
    assert.equal(resolveTokenPlace(op('GetJob'), model.schema, 'auto', 'Token', ctx('GetJob')).kind, 'member');
    assert.equal(resolveTokenPlace(op('ListJobs'), model.schema, 'auto', 'Token', ctx('ListJobs')).kind, 'header');
    assert.equal(resolveTokenPlace(op('Ping'), model.schema, 'auto', 'Token', ctx('Ping')).kind, 'parameter');
  });

  it('in auto, takes a string named like *Token when nothing is named exactly Token', () => {
    const wsdl = parseXmlDocument(WSDL.replace('element="tns:Token"', 'element="tns:SecurityToken"'), 'wsdl');
    const xsds = [
      XSD0.replace('name="Token"', 'name="SecurityToken"'),
      XSD1.replace('name="Token"', 'name="AuthToken"'),
      XSD2,
      XSD3,
      XSD_SER,
    ].map((x) => parseXmlDocument(x, 'xsd'));
    const m = buildServiceModel('WSJobService', [wsdl], xsds);
    const list = resolveTokenPlace(m.operations.get('ListJobs')!, m.schema, 'auto', 'Token', ctx('ListJobs'));
    assert.equal(list.kind === 'header' && list.header.name, 'SecurityToken');
    const get = resolveTokenPlace(m.operations.get('GetJob')!, m.schema, 'auto', 'Token', ctx('GetJob'));
    assert.equal(get.kind === 'member' && get.member.name, 'AuthToken');
    // An explicit setting stays exact.
    throwsCode(
      () => resolveTokenPlace(m.operations.get('ListJobs')!, m.schema, 'header', 'Token', ctx('ListJobs')),
      'CX_CONFIG',
    );
  });

  it('lets a setting force the placement, and says when the WSDL has no such place', () => {
    assert.equal(resolveTokenPlace(op('ListJobs'), model.schema, 'none', 'Token', ctx('ListJobs')).kind, 'none');
    throwsCode(
      () => resolveTokenPlace(op('ListJobs'), model.schema, 'member', 'Token', ctx('ListJobs')),
      'CX_CONFIG',
      /declares no member with the configured token name/,
    );
  });
});
