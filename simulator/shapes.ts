// WSShapesService's answers, as WCF writes them: out/ref parameters after <Op>Result in the
// response wrapper, a bare MessageContract answer with its parts straight in the Body and a SOAP
// header, a KnownType request read by xsi:type (base members in the base's namespace), an
// IsReference list with z:Id / z:Ref, a char as its code, an answer in UTF-16, and a bare request
// whose parts sit straight in the Body (read in declared order, as WCF's formatter does).
import { NS } from './contract';
import { FaultSpec, faultEnvelope, internalServiceFault } from './faults';
import { ROUND_NS, SHAPES_NS, SHAPES_OPERATIONS, shapesAction } from './shapes-wsdl';
import { XmlElement, XmlSyntaxError, childElements, isNil, parseXml } from './xml-read';
import { escapeText } from './xml-write';

export interface ShapesAnswer {
  status: number;
  contentType: string;
  body: Buffer;
  operation?: string;
}

const XML = 'text/xml; charset=utf-8';
const T = NS.tempuri;

/** A price with more digits than a double holds: the client must not round it. */
export const LONG_PRICE = '12345678901234567.123456789';

const envelope = (body: string, header = ''): string =>
  `<s:Envelope xmlns:s="${NS.soap11}">${header ? `<s:Header>${header}</s:Header>` : ''}<s:Body>${body}</s:Body></s:Envelope>`;

const ok = (op: string, xml: string): ShapesAnswer => ({
  status: 200,
  contentType: XML,
  body: Buffer.from(xml),
  operation: op,
});
const fail = (f: FaultSpec, op?: string): ShapesAnswer => ({
  status: 500,
  contentType: XML,
  body: Buffer.from(faultEnvelope(f)),
  operation: op,
});
const clientFault = (text: string): FaultSpec => ({ code: 's:Client', text, lang: 'en-GB' });

const text = (parent: XmlElement | undefined, ns: string, local: string): string | undefined => {
  const el = parent && childElements(parent, ns, local)[0];
  return el && !isNil(el) ? el.text : undefined;
};

export function shapesAnswer(actionHeader: string, body: string): ShapesAnswer {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (e) {
    if (e instanceof XmlSyntaxError) return { status: 400, contentType: XML, body: Buffer.alloc(0) };
    throw e;
  }
  const action = actionHeader.replace(/^"|"$/g, '');
  const op = SHAPES_OPERATIONS.find((o) => shapesAction(o) === action);
  const soapBody = childElements(root, NS.soap11, 'Body')[0];
  const header = childElements(root, NS.soap11, 'Header')[0];
  const wrapper = soapBody?.children[0];
  if (!op || !wrapper) return fail(clientFault(`No operation for the action '${action}'.`));
  switch (op) {
    case 'Divide': {
      const dividend = Number(text(wrapper, T, 'dividend') ?? 0);
      const divisor = Number(text(wrapper, T, 'divisor') ?? 0);
      if (divisor === 0) return fail(internalServiceFault(), op);
      const note = text(wrapper, T, 'note');
      return ok(
        op,
        envelope(
          `<DivideResponse xmlns="${T}"><DivideResult>${Math.trunc(dividend / divisor)}</DivideResult>` +
            `<remainder>${dividend % divisor}</remainder>` +
            (note === undefined
              ? '<note i:nil="true" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"/>'
              : `<note>${escapeText(note)} (checked)</note>`) +
            '</DivideResponse>',
        ),
      );
    }
    case 'GetQuote': {
      const account = text(header, T, 'Account');
      const trace = header && childElements(header, T, 'Trace')[0];
      if (account === undefined) return fail(clientFault('The Account header is required.'), op);
      const caller = text(trace, SHAPES_NS, 'Caller') ?? '-';
      const depth = text(trace, SHAPES_NS, 'Depth') ?? '-';
      const symbol = text(wrapper, T, 'Symbol') ?? '';
      return ok(
        op,
        envelope(
          `<Price xmlns="${T}">${symbol === 'SMALL' ? '0.5' : LONG_PRICE}</Price><Currency xmlns="${T}">GBP</Currency>`,
          `<RequestId xmlns="${T}">${escapeText(`${account}/${caller}/${depth}/${symbol}`)}</RequestId>`,
        ),
      );
    }
    case 'DescribeShape': {
      const shape = childElements(wrapper, T, 'shape')[0];
      if (!shape || isNil(shape)) return ok(op, result(op, 'nothing'));
      const xsiType =
        shape.attrs
          .find((a) => a.ns === NS.xsi && a.local === 'type')
          ?.value.split(':')
          .pop() ?? 'Shape';
      const parts = [xsiType, `Name=${text(shape, SHAPES_NS, 'Name') ?? '-'}`];
      if (xsiType === 'Circle') parts.push(`Radius=${text(shape, ROUND_NS, 'Radius') ?? '-'}`);
      else if (xsiType === 'Square') parts.push(`Side=${text(shape, SHAPES_NS, 'Side') ?? '-'}`);
      else if (xsiType !== 'Shape') return fail(clientFault(`Unknown type '${xsiType}'.`), op);
      return ok(op, result(op, parts.join(' ')));
    }
    case 'GetPeople':
      return ok(
        op,
        envelope(
          `<GetPeopleResponse xmlns="${T}"><GetPeopleResult xmlns:a="${SHAPES_NS}" xmlns:i="${NS.xsi}" xmlns:z="${NS.ser}">` +
            '<a:Person z:Id="i1"><a:Manager i:nil="true"/><a:Name>Ann</a:Name></a:Person>' +
            '<a:Person z:Id="i2"><a:Manager z:Ref="i1" i:nil="true"/><a:Name>Bob</a:Name></a:Person>' +
            '<a:Person z:Ref="i2" i:nil="true"/>' +
            '</GetPeopleResult></GetPeopleResponse>',
        ),
      );
    case 'NextChar': {
      const code = Number(text(wrapper, T, 'c') ?? 0);
      return ok(
        op,
        envelope(`<NextCharResponse xmlns="${T}"><NextCharResult>${code + 1}</NextCharResult></NextCharResponse>`),
      );
    }
    case 'PlaceOrder': {
      // WCF reads bare body parts in declared order: one out of order, or unknown, is a fault.
      const declared = [`${T}|Item`, `${T}|Quantity`, `${SHAPES_NS}|TraceInfo`];
      const got = soapBody.children.map((c) => `${c.ns}|${c.local}`);
      let at = 0;
      for (const g of got) {
        const i = declared.indexOf(g, at);
        if (i < 0)
          return fail(clientFault(`OperationFormatter encountered an invalid Message body: unexpected '${g}'.`), op);
        at = i + 1;
      }
      const trace = childElements(soapBody, SHAPES_NS, 'TraceInfo')[0];
      const words = [
        text(soapBody, T, 'Item') ?? '-',
        `x${text(soapBody, T, 'Quantity') ?? '-'}`,
        `by ${text(trace, SHAPES_NS, 'Caller') ?? '-'}/${text(trace, SHAPES_NS, 'Depth') ?? '-'}`,
      ];
      return ok(op, envelope(`<Confirmation xmlns="${T}">${escapeText(words.join(' '))}</Confirmation>`));
    }
    case 'Hello': {
      // textMessageEncoding with encoding="utf-16": a BOM, UTF-16LE, and the charset in Content-Type
      const xml = `<?xml version="1.0" encoding="utf-16"?>${result(op, `Hello ${text(wrapper, T, 'name') ?? ''} – ✓`)}`;
      return {
        status: 200,
        contentType: 'text/xml; charset=utf-16',
        body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]),
        operation: op,
      };
    }
  }
}

function result(op: string, value: string): string {
  return envelope(`<${op}Response xmlns="${T}"><${op}Result>${escapeText(value)}</${op}Result></${op}Response>`);
}
