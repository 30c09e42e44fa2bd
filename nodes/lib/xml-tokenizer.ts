import { MAX_XML_ATTRIBUTE_CHARS, MAX_XML_MARKUP_CHARS, MAX_XML_NAME_CHARS } from './xml-dom';

/**
 * A strict, streaming XML tokenizer for SOAP answers. It finds markup with `indexOf` and reads
 * each tag once, where sax looks at every character through several regular expressions: on a
 * small answer the parse was half of the client's own time per call (README "Under the hood").
 * It checks what a SOAP answer needs to be well-formed (names, quoting, references, one root,
 * tags closed in order, no text outside the root) and bounds every token, complete or not, so
 * a hostile answer can neither grow a name or an attribute without limit nor make it rescan much.
 * Processing instructions and comments are skipped; a DOCTYPE is refused.
 */
export interface XmlEvents {
  /** An element opens; `attrs` (no prototype) is undefined when it has none. */
  openTag(name: string, attrs: Record<string, string> | undefined): void;
  /** Character data (references decoded, CDATA as is), possibly in several pieces. */
  text(text: string): void;
  closeTag(name: string): void;
  /** A DOCTYPE was met: SOAP forbids one. The tokenizer refuses it if this returns. */
  doctype(): void;
}

/** What made a document unreadable: a limit, a character XML forbids, or a syntax error. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly kind: 'limit' | 'forbidden' | 'syntax',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The longest start tag, attributes included, accepted; far beyond any WCF answer. A tag cut
 * between chunks is read again from its start when the next chunk comes, so this also bounds the
 * work an answer dripped a byte at a time causes per byte.
 */
export const MAX_XML_TAG_CHARS = 64 * 1024;
/** The longest character or entity reference (`&#x10FFFF;` is 10). */
const MAX_REFERENCE_CHARS = 16;

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const QMARK = 0x3f;
const BANG = 0x21;
const EQ = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** A run of characters that may belong to a name (what ends one: white space, markup, quotes, '='). */
const NAME_RUN = /[^\s/>=<"'&]*/y;
const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
/** An XML name (XML 1.0 fifth edition: NameStartChar, then NameChar). */
// eslint-disable-next-line no-misleading-character-class -- combining marks are NameChars by the standard
const NAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`, 'u');
const WS_ONLY = /^[ \t\r\n]*$/;

export class XmlTokenizer {
  private buf = '';
  private pos = 0;
  private readonly open: string[] = [];
  private sawRoot = false;
  private rootClosed = false;
  private inCdata = false;
  private begun = false;

  constructor(private readonly on: XmlEvents) {}

  /** Reads `chunk`; what ends in the middle of a token waits for the next one. */
  write(chunk: string): void {
    if (chunk === '') return;
    if (XML_FORBIDDEN.test(chunk)) throw new XmlSyntaxError('forbidden', 'a control character that XML forbids');
    if (!this.begun) {
      this.begun = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + chunk : chunk;
    this.pos = 0;
    this.run();
  }

  /** The end of the document: anything unfinished is an error (no root at all is the caller's to say). */
  close(): void {
    if (this.inCdata) throw syntax('it ends inside a CDATA section');
    if (this.pos < this.buf.length) {
      throw syntax(
        this.buf.charCodeAt(this.pos) === LT ? 'it ends inside a tag' : 'it ends inside a character reference',
      );
    }
    if (this.open.length) throw syntax(`<${clip(this.open[this.open.length - 1])}> is not closed`);
  }

  private run(): void {
    const s = this.buf;
    const n = s.length;
    let i = this.pos;
    while (i < n) {
      if (this.inCdata) {
        const end = s.indexOf(']]>', i);
        if (end < 0) {
          // Keep the last two characters: they may begin the "]]>" that ends the section.
          const keep = Math.max(i, n - 2);
          if (keep > i) this.on.text(s.slice(i, keep));
          i = keep;
          break;
        }
        if (end > i) this.on.text(s.slice(i, end));
        i = end + 3;
        this.inCdata = false;
        continue;
      }
      if (s.charCodeAt(i) !== LT) {
        const lt = s.indexOf('<', i);
        let end = lt < 0 ? n : lt;
        if (lt < 0) {
          // A reference cut at the end of the chunk waits for the rest of it.
          const amp = s.lastIndexOf('&');
          if (amp >= i && s.indexOf(';', amp) < 0) {
            if (n - amp > MAX_REFERENCE_CHARS) throw syntax('a reference is not ended by ";"');
            end = amp;
          }
        }
        if (end > i) this.textRun(s.slice(i, end));
        i = end;
        if (lt < 0) break;
        continue;
      }
      if (i + 1 >= n) break;
      const c1 = s.charCodeAt(i + 1);
      const next =
        c1 === SLASH
          ? this.closeTag(s, i)
          : c1 === QMARK
            ? this.pi(s, i)
            : c1 === BANG
              ? this.bang(s, i)
              : this.openTag(s, i);
      if (next < 0) {
        if (n - i > MAX_XML_TAG_CHARS)
          throw new XmlSyntaxError('limit', `a tag longer than ${MAX_XML_TAG_CHARS / 1024} KB`);
        break;
      }
      i = next;
    }
    this.pos = i;
  }

  private textRun(raw: string): void {
    if (!this.sawRoot || this.rootClosed) {
      if (!WS_ONLY.test(raw)) throw syntax('it has text outside the root element');
      return;
    }
    this.on.text(raw.indexOf('&') < 0 ? raw : decodeReferences(raw));
  }

  /** A start tag from `i`; the index after it, or -1 when it is not all there yet. */
  private openTag(s: string, i: number): number {
    const name = nameAt(s, i + 1);
    if (name === undefined) return -1;
    let j = i + 1 + name.length;
    let attrs: Record<string, string> | undefined;
    let selfClosing = false;
    for (;;) {
      const k = skipSpace(s, j);
      if (k >= s.length) return -1;
      const ch = s.charCodeAt(k);
      if (ch === GT) {
        j = k + 1;
        break;
      }
      if (ch === SLASH) {
        if (k + 1 >= s.length) return -1;
        if (s.charCodeAt(k + 1) !== GT) throw syntax(`"/" inside <${clip(name)}>`);
        j = k + 2;
        selfClosing = true;
        break;
      }
      if (k === j) throw syntax(`an unexpected "${s[k]}" in <${clip(name)}>`);
      const attr = nameAt(s, k);
      if (attr === undefined) return -1;
      let m = skipSpace(s, k + attr.length);
      if (m >= s.length) return -1;
      if (s.charCodeAt(m) !== EQ) throw syntax(`the attribute ${clip(attr)} of <${clip(name)}> has no value`);
      m = skipSpace(s, m + 1);
      if (m >= s.length) return -1;
      const quote = s.charCodeAt(m);
      if (quote !== DQUOTE && quote !== SQUOTE) throw syntax(`the value of ${clip(attr)} is not quoted`);
      const close = s.indexOf(quote === DQUOTE ? '"' : "'", m + 1);
      if ((close < 0 ? s.length : close) - (m + 1) > MAX_XML_ATTRIBUTE_CHARS)
        throw new XmlSyntaxError('limit', `an attribute value longer than ${MAX_XML_ATTRIBUTE_CHARS / 1024} KB`);
      if (close < 0) return -1;
      let value = s.slice(m + 1, close);
      if (value.indexOf('<') >= 0) throw syntax(`"<" in the value of ${clip(attr)}`);
      if (value.indexOf('&') >= 0) value = decodeReferences(value);
      attrs ??= Object.create(null) as Record<string, string>;
      if (attr in attrs) throw syntax(`<${clip(name)}> has the attribute ${clip(attr)} twice`);
      attrs[attr] = value;
      j = close + 1;
    }
    if (this.rootClosed) throw syntax(`it has a second root element <${clip(name)}>`);
    this.sawRoot = true;
    if (!selfClosing) this.open.push(name);
    this.on.openTag(name, attrs);
    if (selfClosing) {
      this.on.closeTag(name);
      if (this.open.length === 0) this.rootClosed = true;
    }
    return j;
  }

  private closeTag(s: string, i: number): number {
    const name = nameAt(s, i + 2);
    if (name === undefined) return -1;
    const k = skipSpace(s, i + 2 + name.length);
    if (k >= s.length) return -1;
    if (s.charCodeAt(k) !== GT) throw syntax(`an unexpected "${s[k]}" in </${clip(name)}>`);
    const top = this.open.pop();
    if (top !== name)
      throw syntax(top === undefined ? `</${clip(name)}> closes nothing` : `</${clip(name)}> closes <${clip(top)}>`);
    this.on.closeTag(name);
    if (this.open.length === 0) this.rootClosed = true;
    return k + 1;
  }

  /** A processing instruction (the XML declaration among them): checked, then skipped. */
  private pi(s: string, i: number): number {
    const end = s.indexOf('?>', i + 2);
    if (end < 0) {
      if (s.length - i > MAX_XML_MARKUP_CHARS) throw overMarkup();
      return -1;
    }
    if (end - i > MAX_XML_MARKUP_CHARS) throw overMarkup();
    const target = nameAt(s, i + 2);
    if (!target) throw syntax('a processing instruction without a name');
    return end + 2;
  }

  private bang(s: string, i: number): number {
    const avail = s.length - i;
    if (s.startsWith('<!--', i)) {
      const end = s.indexOf('-->', i + 4);
      if (end < 0) {
        if (avail > MAX_XML_MARKUP_CHARS) throw overMarkup();
        return -1;
      }
      if (end - i > MAX_XML_MARKUP_CHARS) throw overMarkup();
      return end + 3;
    }
    if (s.startsWith('<![CDATA[', i)) {
      if (!this.sawRoot || this.rootClosed) throw syntax('it has a CDATA section outside the root element');
      this.inCdata = true;
      return i + 9;
    }
    if (s.startsWith('<!DOCTYPE', i)) {
      this.on.doctype();
      throw syntax('it has a DOCTYPE');
    }
    const head = s.slice(i, i + 9);
    if (avail < 9 && ('<!--'.startsWith(head) || '<![CDATA['.startsWith(head) || '<!DOCTYPE'.startsWith(head)))
      return -1;
    throw syntax(`unknown markup "${clip(head)}"`);
  }
}

/**
 * The name starting at `at`: undefined when it may go on past the end of `s`, an error when it is
 * over the length limit or not a name.
 */
function nameAt(s: string, at: number): string | undefined {
  NAME_RUN.lastIndex = at;
  NAME_RUN.test(s);
  const end = NAME_RUN.lastIndex;
  if (end - at > MAX_XML_NAME_CHARS)
    throw new XmlSyntaxError('limit', `an element or attribute name longer than ${MAX_XML_NAME_CHARS} characters`);
  if (end >= s.length) return undefined;
  const name = s.slice(at, end);
  if (!NAME.test(name))
    throw syntax(name === '' ? `a "${s[end]}" where a name should be` : `"${clip(name)}" is not a name`);
  return name;
}

function skipSpace(s: string, at: number): number {
  let k = at;
  for (;;) {
    const c = s.charCodeAt(k);
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d) return k;
    k++;
  }
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Text with its character and entity references replaced; anything else after "&" is an error. */
function decodeReferences(raw: string): string {
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
    const semi = raw.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > MAX_REFERENCE_CHARS) throw syntax('a "&" that does not begin a reference');
    const ref = raw.slice(amp + 1, semi);
    let ch: string;
    if (ref.charCodeAt(0) === 0x23) {
      const code = /^#x[0-9A-Fa-f]{1,6}$/.test(ref)
        ? parseInt(ref.slice(2), 16)
        : /^#[0-9]{1,7}$/.test(ref)
          ? parseInt(ref.slice(1), 10)
          : -1;
      if (code < 0) throw syntax(`"&${clip(ref)};" is not a character reference`);
      if (!isXmlChar(code)) throw new XmlSyntaxError('forbidden', 'a control character that XML forbids');
      ch = String.fromCodePoint(code);
    } else {
      const e = Object.prototype.hasOwnProperty.call(ENTITIES, ref) ? ENTITIES[ref] : undefined;
      if (e === undefined)
        throw syntax(`the entity "&${clip(ref)};" is not defined (XML knows lt, gt, amp, quot, apos)`);
      ch = e;
    }
    out += raw.slice(from, amp) + ch;
    from = semi + 1;
  }
  return out + raw.slice(from);
}

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

function syntax(why: string): XmlSyntaxError {
  return new XmlSyntaxError('syntax', why);
}

function overMarkup(): XmlSyntaxError {
  return new XmlSyntaxError('limit', `a comment or declaration longer than ${MAX_XML_MARKUP_CHARS / 1024} KB`);
}

/** A name or markup for a message: short, whatever the document holds. */
function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}...` : s;
}
