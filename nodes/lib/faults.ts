import { CxError } from './errors';
import type { SoapAnswer } from './response-reader';

type Ctx = { service: string; method: string };

/** A SOAP fault as CX_FAULT, with a hint chosen by its code. */
export function faultError(a: SoapAnswer, ctx: Ctx): CxError {
  const f = a.fault as NonNullable<SoapAnswer['fault']>;
  let hint: string;
  if (/ActionNotSupported/i.test(f.code))
    hint =
      " The service does not accept this operation's SOAPAction: its WSDL may have changed, and will be read again on the next call.";
  else if (/DeserializationFailed/i.test(f.code))
    hint = ' Cx could not read a value in the request: check the types in msg.payload.';
  else if (/(^|:)(Server|Receiver)$|InternalServiceFault/i.test(f.code))
    hint =
      ' Cx failed while handling it: try again later, and if it persists ask your Cx administrator, quoting this fault.';
  else
    hint =
      " Check the arguments against the method's request (the Request template shows them); if they are right, ask your Cx administrator, quoting this fault.";
  return new CxError(
    'CX_FAULT',
    `Cx answered ${ctx.service}.${ctx.method} with a fault: ${sentence(f.string || f.code || 'no fault text')}${hint}`,
    {
      ...ctx,
      status: a.status,
      faultCode: f.code,
      faultString: f.string,
      faultDetail: f.detail.slice(0, 500),
      ...(a.faultData === undefined ? {} : { faultData: a.faultData }),
    },
  );
}

/**
 * How much of a fault's text the invalid-token pattern sees. Cx's fault is one short sentence; a
 * user-set pattern that backtracks can then cost at most this much, whatever the server sends.
 */
export const INVALID_TOKEN_TEXT_CHARS = 1024;

/** Whether a fault is Cx's invalid-token fault, by the pattern, over a bounded prefix of its text. */
export function isInvalidTokenFault(a: SoapAnswer, pattern: RegExp): boolean {
  return !!a.fault && pattern.test(a.fault.string.slice(0, INVALID_TOKEN_TEXT_CHARS));
}

/** Whether a fault says the operation's SOAPAction is unknown (the WSDL has changed). */
export function isActionNotSupported(a: SoapAnswer): boolean {
  return !!a.fault && /ActionNotSupported/i.test(a.fault.code);
}

/** A fresh token rejected too: the role or the placement is wrong, not the token's age. */
export function tokenRejectedError(a: SoapAnswer, ctx: Ctx, cooldownMs: number): CxError {
  const f = a.fault as NonNullable<SoapAnswer['fault']>;
  return new CxError(
    'CX_TOKEN_INVALID',
    `Cx rejected the token for ${ctx.service}.${ctx.method} even after a fresh login. Check that the API user's role allows this service, and the token placement setting. To avoid a login storm, calls fail at once with this error for ${Math.round(cooldownMs / 1000)} s.`,
    { ...ctx, status: a.status, faultCode: f.code, faultString: f.string },
  );
}

/** Whether a result is a business refusal (`IsValid: false`). */
export function isRefusal(result: unknown): boolean {
  return (
    !!result &&
    typeof result === 'object' &&
    !Array.isArray(result) &&
    (result as Record<string, unknown>).IsValid === false
  );
}

/** An `IsValid: false` result as CX_REFUSED, keeping the whole result. */
export function refusalError(result: unknown, ctx: Ctx): CxError {
  const reason = String((result as Record<string, unknown>).InvalidReason ?? '').trim();
  return new CxError(
    'CX_REFUSED',
    `Cx refused ${ctx.service}.${ctx.method}: ${sentence(reason || 'IsValid is false and no reason was given')}`,
    { ...ctx, invalidReason: reason, result },
  );
}

/** Cx's own texts often end in a full stop already ("Invalid login. Please try again."). */
export function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
