import assert from 'node:assert/strict';
import { pinLocation } from '../../nodes/lib/wsdl-loader';
import { throwsCode } from '../helpers/job-service';

describe('WSDL loader', () => {
  it('pins WCF import locations to the configured service URL and refuses foreign hosts', () => {
    const svc = new URL('https://cx.example.org/cx/webservice/wsjobservice');
    const from = new URL('https://cx.example.org/cx/webservice/wsjobservice?wsdl');
    assert.equal(
      pinLocation('http://internal-host:8080/cx/webservice/wsjobservice?xsd=xsd0', from, svc, 'S').href,
      'https://cx.example.org/cx/webservice/wsjobservice?xsd=xsd0',
    );
    throwsCode(() => pinLocation('http://evil.example/steal.xsd', from, svc, 'S'), 'CX_BAD_RESPONSE', /another host/);
  });

  it('pins an imported WSDL (?wsdl=wsdl0) onto the service URL', () => {
    const svc = new URL('https://cx.example.org/cx/webservice/wssplit');
    assert.equal(
      pinLocation('http://internal/cx/webservice/wssplit?wsdl=wsdl0', new URL(`${svc.href}?wsdl`), svc, 'WSSplit').href,
      `${svc.href}?wsdl=wsdl0`,
    );
  });
});
