// Shared by the unit tests of the client's modules: the hand-written WCF job service of
// wcf-fixture.ts, its operations, request envelopes and answers read as Cx would send them.
import assert from 'node:assert/strict';
import { buildEnvelope } from '../../nodes/lib/envelope';
import { CxError } from '../../nodes/lib/errors';
import { soapAnswerHandler } from '../../nodes/lib/response-reader';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { jobServiceModel } from './wcf-fixture';

export const model = jobServiceModel();

export const ctx = (method: string) => ({ service: 'WSJobService', method });

export const op = (name: string) => {
  const o = model.operations.get(name);
  assert.ok(o, `operation ${name}`);
  return o;
};

/** The request envelope the client writes for `method` with `args`. */
export const envelope = (method: string, args: unknown, token = 'tok123') => {
  const place = resolveTokenPlace(op(method), model.schema, 'auto', 'Token', ctx(method));
  return buildEnvelope(op(method), model.schema, place, token, args, ctx(method));
};

/** Asserts `fn` throws a CxError of `code` whose message matches `text`; returns the error. */
export const throwsCode = (fn: () => unknown, code: string, text?: RegExp): CxError => {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(
    caught instanceof CxError,
    `expected a CxError ${code}, got ${caught === undefined ? 'success' : String(caught)}`,
  );
  assert.equal(caught.code, code, caught.message);
  if (text) assert.match(caught.message, text);
  return caught;
};

/** Feeds `xml` to the answer reader of `method` in chunks of `chunk` bytes and returns what it read. */
export function read(
  xml: string | Buffer,
  method: string,
  opts: { status?: number; contentType?: string; chunk?: number; headers?: Record<string, string> } = {},
) {
  const o = op(method);
  const h = soapAnswerHandler(model.schema, o.output, {
    ...ctx(method),
    host: 'cx.test',
    wrapper: o.output?.wrapper,
  });
  h.head(opts.status ?? 200, { 'content-type': opts.contentType ?? 'text/xml; charset=utf-8', ...opts.headers });
  const buf = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const step = opts.chunk ?? 7;
  for (let i = 0; i < buf.length; i += step) h.chunk(buf.subarray(i, i + step));
  return h.end();
}

export const ENV = (body: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;
