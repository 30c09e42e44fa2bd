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

  it('in auto, guesses a *Token member only when it is the one candidate, and logs the choice', () => {
    const build = (xsd2: string) =>
      buildServiceModel(
        'WSJobService',
        [parseXmlDocument(WSDL, 'wsdl')],
        [XSD0, XSD1.replace('name="Token"', 'name="AuthToken"'), xsd2, XSD3, XSD_SER].map((x) =>
          parseXmlDocument(x, 'xsd'),
        ),
      );
    const logged: string[] = [];
    const one = build(XSD2);
    const place = resolveTokenPlace(one.operations.get('GetJob')!, one.schema, 'auto', 'Token', ctx('GetJob'), (m) =>
      logged.push(m),
    );
    assert.equal(place.kind === 'member' && place.member.name, 'AuthToken');
    assert.equal(logged.length, 1);
    assert.match(logged[0], /WSJobService\.GetJob: the token goes in member request\.AuthToken/);

    // A business member that also ends in "token" makes the guess ambiguous: the token must not
    // overwrite it, so nothing is guessed and the log says why.
    logged.length = 0;
    const two = build(
      XSD2.replace(
        '<xs:element minOccurs="0" name="JobReference"',
        '<xs:element minOccurs="0" name="ConfirmationToken" nillable="true" type="xs:string"/>\n  <xs:element minOccurs="0" name="JobReference"',
      ),
    );
    const none = resolveTokenPlace(two.operations.get('GetJob')!, two.schema, 'auto', 'Token', ctx('GetJob'), (m) =>
      logged.push(m),
    );
    assert.equal(none.kind, 'none');
    assert.equal(logged.length, 1);
    assert.match(logged[0], /member request\.AuthToken, member request\.ConfirmationToken/);
    assert.match(logged[0], /Set the token placement and name/);
  });
});
