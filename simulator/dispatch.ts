// One SOAP request through WCF's pipeline: envelope version, SOAPAction to operation (a
// ContractFilter mismatch otherwise), wrapper element, parameters by the DataContract rules, token
// check in the shape the operation declares, then the handler.
import { DataContract, NS, Operation, ServiceContract, inputParams, soapAction } from './contract';
import {
  FaultSpec,
  actionNotSupported,
  deserializationFailed,
  faultEnvelope,
  internalServiceFault,
  invalidToken,
  unexpectedBody,
  versionMismatch,
} from './faults';
import { SimState } from './state';
import {
  DeserializationError,
  XmlElement,
  XmlSyntaxError,
  childElements,
  isNil,
  parseXml,
  readParams,
} from './xml-read';
import { writeResponse } from './xml-write';

export interface Answer {
  status: number;
  /** chunks of the body; a generator for responses that stream */
  body: Iterable<string>;
  contentType?: string;
  operation?: string;
  fault?: boolean;
}

const XML_CONTENT_TYPE = 'text/xml; charset=utf-8';

const fault = (f: FaultSpec, operation?: string): Answer => ({
  status: 500,
  contentType: XML_CONTENT_TYPE,
  body: [faultEnvelope(f)],
  operation,
  fault: true,
});

/** WCF answers an unreadable message with an empty 400. */
const badRequest = (): Answer => ({ status: 400, body: [] });

/** The SOAPAction header without the quotes SOAP 1.1 puts around it. */
export function actionOf(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? (header[0] ?? '') : (header ?? '');
  const t = raw.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

const clrName = (dc: DataContract): string =>
  `${dc.ns.replace('http://schemas.datacontract.org/2004/07/', '')}.${dc.name}`;

function soapChild(el: XmlElement, local: string): XmlElement | undefined {
  return childElements(el, NS.soap11, local)[0];
}

export function findOperation(svc: ServiceContract, action: string): Operation | undefined {
  return svc.operations.find((op) => soapAction(svc, op) === action);
}

export function dispatch(
  svc: ServiceContract,
  state: SimState,
  actionHeader: string | string[] | undefined,
  text: string,
): Answer {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) return badRequest();
    throw e;
  }
  if (root.local === 'Envelope' && root.ns === NS.soap12) return fault(versionMismatch());
  if (root.local !== 'Envelope' || root.ns !== NS.soap11) return badRequest();
  const body = soapChild(root, 'Body');
  if (!body) return badRequest();

  const action = actionOf(actionHeader);
  const op = findOperation(svc, action);
  if (!op) return fault(actionNotSupported(action));

  const wrapper = body.children[0];
  if (!wrapper || wrapper.ns !== NS.tempuri || wrapper.local !== op.name) {
    return fault(unexpectedBody(op.name, wrapper?.local ?? '', wrapper?.ns ?? ''), op.name);
  }
  let params: Record<string, unknown>;
  try {
    params = readParams(wrapper, inputParams(op));
  } catch (e) {
    if (e instanceof DeserializationError)
      return fault(deserializationFailed('request', clrName(op.request), e.message), op.name);
    throw e;
  }
  const request = (params.request ?? {}) as Record<string, unknown>;

  let ctxUser: string | undefined;
  if (op.tokenShape !== 'none') {
    ctxUser = state.checkToken(tokenFor(op, params, request, root));
    if (ctxUser === undefined) return fault(invalidToken(), op.name);
  }
  let result: Record<string, unknown>;
  try {
    result = op.handler(request, { now: () => state.now(), user: ctxUser });
  } catch {
    return fault(internalServiceFault(), op.name);
  }
  return {
    status: 200,
    contentType: XML_CONTENT_TYPE,
    body: writeResponse(op.name, op.response, result),
    operation: op.name,
  };
}

function tokenFor(
  op: Operation,
  params: Record<string, unknown>,
  request: Record<string, unknown>,
  envelope: XmlElement,
): unknown {
  switch (op.tokenShape) {
    case 'member':
      return request.Token;
    case 'param':
      return params.token;
    case 'header': {
      const header = soapChild(envelope, 'Header');
      const el = header && childElements(header, NS.tempuri, 'Token')[0];
      return el && !isNil(el) ? el.text : undefined;
    }
    default:
      return undefined;
  }
}
