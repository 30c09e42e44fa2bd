// SOAP 1.1 faults with WCF's own codes and texts, and Cx's invalid-token fault.
import { NS } from './contract';
import { escapeAttr, escapeText } from './xml-write';

const ADDRESSING_NONE = 'http://schemas.microsoft.com/ws/2005/05/addressing/none';
const DISPATCHER = 'http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher';

export interface FaultSpec {
  code: string;
  codeNs?: string;
  text: string;
  lang: string;
}

export function faultEnvelope(f: FaultSpec): string {
  const code = f.codeNs
    ? `<faultcode xmlns:a="${escapeAttr(f.codeNs)}">${escapeText(f.code)}</faultcode>`
    : `<faultcode>${escapeText(f.code)}</faultcode>`;
  return (
    `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><s:Fault>${code}` +
    `<faultstring xml:lang="${f.lang}">${escapeText(f.text)}</faultstring></s:Fault></s:Body></s:Envelope>`
  );
}

/** Cx's answer to an expired, unknown or missing token. The dash is U+2013 (en dash). */
export const INVALID_TOKEN_TEXT = 'Exception Message:Access denied \u2013 Invalid token';
export const invalidToken = (): FaultSpec => ({ code: 's:Client', text: INVALID_TOKEN_TEXT, lang: 'en-GB' });

/** WCF's dispatcher when no operation has the SOAPAction sent (or none was sent). */
export const actionNotSupported = (action: string): FaultSpec => ({
  code: 'a:ActionNotSupported',
  codeNs: ADDRESSING_NONE,
  lang: 'en-US',
  text:
    `The message with Action '${action}' cannot be processed at the receiver, due to a ContractFilter mismatch ` +
    'at the EndpointDispatcher. This may be because of either a contract mismatch (mismatched Actions between sender ' +
    'and receiver) or a binding/security mismatch between the sender and the receiver.  Check that sender and ' +
    'receiver have the same contract and the same binding (including security requirements, e.g. Message, Transport, None).',
});

/** WCF's operation formatter failing to read a parameter (wrong value type, missing required member...). */
export const deserializationFailed = (param: string, typeName: string | undefined, inner: string): FaultSpec => ({
  code: 'a:DeserializationFailed',
  codeNs: DISPATCHER,
  lang: 'en-US',
  text:
    'The formatter threw an exception while trying to deserialize the message: There was an error while trying ' +
    `to deserialize parameter ${NS.tempuri}:${param}. The InnerException message was '` +
    (typeName ? `There was an error deserializing the object of type ${typeName}. ${inner}` : inner) +
    "'.  Please see InnerException for more details.",
});

/** The body's first element is not the operation's wrapper. */
export const unexpectedBody = (op: string, found: string, foundNs: string): FaultSpec => ({
  code: 'a:DeserializationFailed',
  codeNs: DISPATCHER,
  lang: 'en-US',
  text:
    `The formatter threw an exception while trying to deserialize the message: Error in deserializing body of ` +
    `request message for operation '${op}'. OperationFormatter encountered an invalid Message body. Expected to find ` +
    `node type 'Element' with name '${op}' and namespace '${NS.tempuri}'. Found node type 'Element' with name ` +
    `'${found}' and namespace '${foundNs}'`,
});

export const internalServiceFault = (): FaultSpec => ({
  code: 'a:InternalServiceFault',
  codeNs: DISPATCHER,
  lang: 'en-US',
  text:
    'The server was unable to process the request due to an internal error.  For more information about the ' +
    'error, either turn on IncludeExceptionDetailInFaults (either from ServiceBehaviorAttribute or from the ' +
    '<serviceDebug> configuration behavior) on the server in order to send the exception information back to the ' +
    'client, or turn on tracing as per the Microsoft .NET Framework SDK documentation and inspect the server trace logs.',
});

/** A SOAP 1.2 envelope sent to a SOAP 1.1 (basicHttpBinding) endpoint. */
export const versionMismatch = (): FaultSpec => ({ code: 's:VersionMismatch', text: 'Wrong Version', lang: 'en-US' });
