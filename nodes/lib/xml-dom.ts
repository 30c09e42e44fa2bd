import * as sax from 'sax';
import { CxError } from './errors';

/**
 * A small namespace-aware tree for WSDL and XSD documents, built as the document arrives (sax,
 * slice by slice, so a large WSDL never holds the event loop in one piece). WCF declares prefixes
 * inline (`xmlns:q1` on the element that uses them), so every node keeps its own in-scope prefix
 * map to resolve QName attribute values.
 */
export interface XNode {
  ns: string;
  local: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
  scope: ReadonlyMap<string, string>;
}

/** Longest element, attribute, entity or processing-instruction name accepted, characters. */
export const MAX_XML_NAME_CHARS = 1024;
/** Longest attribute value accepted, characters (namespace URIs, QNames and locations are far shorter). */
export const MAX_XML_ATTRIBUTE_CHARS = 16 * 1024;
/** Longest comment, declaration or processing instruction accepted, characters. */
export const MAX_XML_MARKUP_CHARS = 64 * 1024;
/** The largest piece handed to sax at once, so that the limits above are checked often. */
export const XML_SLICE_CHARS = 16 * 1024;

type SaxBuffers = Record<
  | 'tagName'
  | 'attribName'
  | 'procInstName'
  | 'entity'
  | 'attribValue'
  | 'comment'
  | 'sgmlDecl'
  | 'doctype'
  | 'procInstBody',
  string
>;

/**
 * What is over a limit in the parser's half-read token, if anything. sax builds names and
 * attribute values a character at a time (a 10 MB name costs hundreds of MB of heap) and checks
 * its own buffer limit only when it tracks positions, which costs time on every character; this
 * check after each slice is what bounds them (README "Reliability and security").
 */
export function saxOverLimit(parser: sax.SAXParser): string | undefined {
  const b = parser as unknown as SaxBuffers;
  if (b.tagName.length > MAX_XML_NAME_CHARS || b.attribName.length > MAX_XML_NAME_CHARS)
    return `an element or attribute name longer than ${MAX_XML_NAME_CHARS} characters`;
  if (b.procInstName.length > MAX_XML_NAME_CHARS || b.entity.length > MAX_XML_NAME_CHARS)
    return `a name longer than ${MAX_XML_NAME_CHARS} characters`;
  if (b.attribValue.length > MAX_XML_ATTRIBUTE_CHARS)
    return `an attribute value longer than ${MAX_XML_ATTRIBUTE_CHARS / 1024} KB`;
  if (
    b.comment.length > MAX_XML_MARKUP_CHARS ||
    b.sgmlDecl.length > MAX_XML_MARKUP_CHARS ||
    b.doctype.length > MAX_XML_MARKUP_CHARS ||
    b.procInstBody.length > MAX_XML_MARKUP_CHARS
  )
    return `a comment or declaration longer than ${MAX_XML_MARKUP_CHARS / 1024} KB`;
  return undefined;
}

/**
 * Feeds `text` to sax in slices of at most XML_SLICE_CHARS, checking the limits after each;
 * `over` turns a limit into the caller's error.
 */
export function writeBounded(parser: sax.SAXParser, text: string, over: (what: string) => Error): void {
  for (let i = 0; i < text.length; i += XML_SLICE_CHARS) {
    parser.write(i === 0 && text.length <= XML_SLICE_CHARS ? text : text.slice(i, i + XML_SLICE_CHARS));
    const what = saxOverLimit(parser);
    if (what) throw over(what);
  }
}

/** Builds an XNode tree from text given in pieces (`write`), then `end()`. */
export class XmlDomBuilder {
  private readonly parser: sax.SAXParser;
  private readonly stack: XNode[] = [];
  private readonly roots: XNode[] = [];

  constructor(private readonly what: string) {
    this.parser = sax.parser(true, { trim: false, normalize: false, xmlns: false, position: false } as sax.SAXOptions);
    this.parser.ondoctype = () => {
      // WSDL and XSD never need a DTD; refusing one closes the door on entity tricks.
      throw new CxError('CX_BAD_RESPONSE', `The ${what} contains a DOCTYPE, which a WCF service never sends; refused.`);
    };
    this.parser.onopentag = (tag) => this.open(tag.name, tag.attributes as Record<string, string>);
    this.parser.ontext = (t) => this.text(t);
    this.parser.oncdata = this.parser.ontext;
    this.parser.onclosetag = () => {
      const node = this.stack.pop();
      // Text may arrive in pieces split anywhere: trimmed once, whole.
      if (node) node.text = node.text.trim();
    };
  }

  write(text: string): void {
    this.guard(() => writeBounded(this.parser, text, (w) => this.bad(`contains ${w}; refused`)));
  }

  end(): XNode {
    this.guard(() => this.parser.close());
    if (this.roots.length !== 1) throw this.bad('has no single root element');
    return this.roots[0];
  }

  private open(name: string, raw: Record<string, string>): void {
    const parent = this.stack[this.stack.length - 1];
    const parentScope: ReadonlyMap<string, string> = parent?.scope ?? new Map();
    let scope = parentScope;
    const attrs: Record<string, string> = Object.create(null);
    for (const key of Object.keys(raw)) {
      const v = raw[key];
      if (key === 'xmlns' || key.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        (scope as Map<string, string>).set(key === 'xmlns' ? '' : key.slice(6), v);
      } else {
        attrs[key] = v;
      }
    }
    const [prefix, local] = splitName(name);
    const node: XNode = { ns: scope.get(prefix) ?? '', local, attrs, children: [], text: '', scope };
    if (parent) parent.children.push(node);
    else this.roots.push(node);
    this.stack.push(node);
  }

  private text(t: string): void {
    const node = this.stack[this.stack.length - 1];
    if (node) node.text += t;
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof CxError) throw err;
      throw this.bad(`is not well-formed XML (${String((err as Error).message).split('\n')[0]})`);
    }
  }

  private bad(why: string): CxError {
    return new CxError('CX_BAD_RESPONSE', `The ${this.what} ${why}.`);
  }
}

/** Parses a whole WSDL or XSD document held as text. */
export function parseXmlDocument(xml: string, what: string): XNode {
  const b = new XmlDomBuilder(what);
  b.write(xml);
  return b.end();
}

function splitName(name: string): [string, string] {
  const i = name.indexOf(':');
  return i < 0 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

/** Resolves a QName attribute value (`q1:ArrayOfint`) with the prefixes in scope at `node`. */
export function resolveQName(node: XNode, value: string): { ns: string; name: string } {
  const [prefix, name] = splitName(value.trim());
  return { ns: node.scope.get(prefix) ?? (prefix === '' ? '' : prefix), name };
}

export function childrenOf(node: XNode, ns: string, local: string): XNode[] {
  return node.children.filter((c) => c.local === local && c.ns === ns);
}

export function firstChild(node: XNode, ns: string, local: string): XNode | undefined {
  return node.children.find((c) => c.local === local && c.ns === ns);
}
