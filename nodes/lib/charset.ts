import { isUtf8 } from 'node:buffer';
/**
 * The one text decoder for everything the pack reads from a server (SOAP answers, WSDL and XSD
 * documents, error pages): streaming, chosen by the byte-order mark, then the Content-Type
 * charset, then the XML declaration, else UTF-8 (README "Reliability and security"). It reads
 * UTF-8, UTF-16LE, UTF-16BE, ISO-8859-1 and windows-1252, and never produces replacement
 * characters: bytes that are not valid in the chosen encoding, or a charset it does not know,
 * raise a CharsetError saying so.
 */

/** Why a body could not be decoded, phrased to follow "The answer ..." (e.g. "is not valid UTF-8"). */
export class CharsetError extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'CharsetError';
  }
}

export type Charset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

const LABELS: Record<string, Charset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  // ISO-8859-1 and ASCII are read as windows-1252, as every browser and the WHATWG Encoding
  // standard do: IIS labels windows-1252 text (a euro sign, curly quotes) as ISO-8859-1.
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  'iso_8859-1': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'x-cp1252': 'windows-1252',
};

const NAMES: Record<Charset, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16LE',
  'utf-16be': 'UTF-16BE',
  'windows-1252': 'windows-1252',
};

/** Bytes 0x80-0x9F of windows-1252; the rest is ISO-8859-1 (byte = code point). */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** How many bytes may be held back to find an XML declaration's encoding before deciding. */
const SNIFF_BYTES = 256;

/** The charset parameter of a Content-Type header, lower-cased, without quotes; '' when absent. */
export function charsetOf(contentType: string | undefined): string {
  // Bounded input: a header is at most a few KB (Node caps headers), and the pattern is linear.
  const m = /;\s*charset\s*=\s*("?)([^";\s]{1,64})\1/i.exec(String(contentType ?? '').slice(0, 1024));
  return m ? m[2].toLowerCase() : '';
}

/**
 * A streaming decoder for one body. `write` returns the text decoded so far (possibly '' while
 * the first bytes are examined); `end` returns the rest. Both may throw a CharsetError.
 */
export class BodyDecoder {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private chosen: Charset | undefined;
  private utf?: TextDecoder;
  /** UTF-16BE: an odd byte waiting for its pair. */
  private carry: Buffer | undefined;
  private readonly label: string;

  constructor(contentType: string | undefined) {
    this.label = charsetOf(contentType);
    if (this.label !== '' && this.label !== 'utf-16' && !(this.label in LABELS)) {
      throw new CharsetError(
        `is in the character set "${this.label.slice(0, 40)}", which the pack cannot read (it reads UTF-8, UTF-16, ISO-8859-1 and windows-1252); ask the Cx administrator to serve UTF-8`,
      );
    }
  }

  /** The charset in use, once the first bytes decided it. */
  get charset(): Charset | undefined {
    return this.chosen;
  }

  write(data: Buffer): string {
    if (this.chosen) return this.decode(data, true);
    this.pending.push(data);
    this.pendingBytes += data.length;
    if (!this.canDecide()) return '';
    return this.decideAndFlush(true);
  }

  end(): string {
    const head = this.chosen ? '' : this.decideAndFlush(false);
    return head + this.decode(Buffer.alloc(0), false);
  }

  private canDecide(): boolean {
    if (this.pendingBytes < 4) return false;
    if (this.label !== '' || this.pendingBytes >= SNIFF_BYTES) return true;
    const first = Buffer.concat(this.pending).subarray(0, SNIFF_BYTES);
    // Without a BOM or a charset, an XML declaration may name the encoding: wait for its end.
    const n = Math.min(5, first.length);
    return !first.subarray(0, n).equals(XML_DECL.subarray(0, n)) || first.includes(DECL_END);
  }

  private decideAndFlush(stream: boolean): string {
    let all = Buffer.concat(this.pending);
    this.pending = [];
    const bom = bomOf(all);
    if (bom) {
      this.chosen = bom.charset;
      all = all.subarray(bom.length);
    } else {
      this.chosen = this.fromLabel(all) ?? signatureOf(all) ?? declaredIn(all) ?? 'utf-8';
    }
    return this.decode(all, stream);
  }

  private fromLabel(first: Buffer): Charset | undefined {
    if (this.label === '') return undefined;
    // "utf-16" without a BOM: the XML signature tells the byte order; big-endian by default (RFC 2781).
    if (this.label === 'utf-16') return signatureOf(first) ?? 'utf-16be';
    return LABELS[this.label];
  }

  private decode(data: Buffer, stream: boolean): string {
    const cs = this.chosen as Charset;
    if (cs === 'windows-1252') return cp1252(data);
    let bytes = data;
    if (cs === 'utf-16be') {
      bytes = this.carry ? Buffer.concat([this.carry, data]) : data;
      const even = bytes.length & ~1;
      this.carry = even < bytes.length ? Buffer.from(bytes.subarray(even)) : undefined;
      bytes = Buffer.from(bytes.subarray(0, even)).swap16();
      if (!stream && this.carry) throw new CharsetError(`is not valid ${NAMES[cs]} (an odd number of bytes)`);
    }
    // Fast path: while no decoder holds a partial character, a chunk that is whole, valid UTF-8 is
    // decoded directly (isUtf8 fails on a character cut at the chunk's end). Creating a fatal
    // TextDecoder costs more than decoding a small answer.
    if (cs === 'utf-8' && !this.utf && isUtf8(bytes)) return bytes.toString('utf8');
    this.utf ??= new TextDecoder(cs === 'utf-8' ? 'utf-8' : 'utf-16le', { fatal: true, ignoreBOM: true });
    try {
      return this.utf.decode(bytes, { stream });
    } catch {
      throw new CharsetError(`is not valid ${NAMES[cs]}${this.label ? ` (labelled charset=${this.label})` : ''}`);
    }
  }
}

const XML_DECL = Buffer.from('<?xml');
const DECL_END = Buffer.from('?>');

function bomOf(b: Buffer): { charset: Charset; length: number } | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return undefined;
}

/** "<?" in UTF-16 without a BOM (XML 1.0 appendix F). */
function signatureOf(b: Buffer): Charset | undefined {
  if (b[0] === 0x3c && b[1] === 0x00 && b[2] === 0x3f && b[3] === 0x00) return 'utf-16le';
  if (b[0] === 0x00 && b[1] === 0x3c && b[2] === 0x00 && b[3] === 0x3f) return 'utf-16be';
  return undefined;
}

/** The encoding an ASCII-compatible XML declaration names, if it is one this decoder reads. */
function declaredIn(b: Buffer): Charset | undefined {
  if (!b.subarray(0, 5).equals(XML_DECL)) return undefined;
  const end = b.indexOf(DECL_END);
  if (end < 0 || end > SNIFF_BYTES) return undefined;
  const m = /\sencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']/.exec(b.subarray(0, end).toString('latin1'));
  if (!m) return undefined;
  const label = m[1].toLowerCase();
  if (label === 'utf-16') return undefined; // without a BOM or signature, the bytes are not UTF-16
  if (!(label in LABELS)) {
    throw new CharsetError(
      `declares the encoding "${label}", which the pack cannot read (it reads UTF-8, UTF-16, ISO-8859-1 and windows-1252); ask the Cx administrator to serve UTF-8`,
    );
  }
  return LABELS[label];
}

function cp1252(b: Buffer): string {
  let out = '';
  let start = 0;
  // Runs of bytes outside 0x80-0x9F decode as latin1 in one go; only that range is looked up.
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c >= 0x80 && c <= 0x9f) {
      if (i > start) out += b.toString('latin1', start, i);
      out += CP1252_HIGH[c - 0x80];
      start = i + 1;
    }
  }
  if (start < b.length) out += b.toString('latin1', start);
  return out;
}
