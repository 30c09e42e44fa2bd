import assert from 'node:assert/strict';
import { BodyDecoder, CharsetError, charsetOf } from '../../nodes/lib/charset';

const TEXT = '<a>Café – “quoted” € 😀</a>';

/** Decodes `bytes` fed in pieces of `step` bytes, as a socket would deliver them. */
function decode(bytes: Buffer, contentType?: string, step = 1): { text: string; charset: string | undefined } {
  const d = new BodyDecoder(contentType);
  let text = '';
  for (let i = 0; i < bytes.length; i += step) text += d.write(bytes.subarray(i, i + step));
  text += d.end();
  return { text, charset: d.charset };
}

const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
const CP1252_TEXT = '<a>Café – “quoted” €</a>';
/** The same text in windows-1252 bytes (0x96 en dash, 0x93/0x94 quotes, 0x80 euro). */
const cp1252Bytes = Buffer.concat([
  Buffer.from('<a>Caf\xe9 ', 'latin1'),
  Buffer.from([0x96, 0x20, 0x93]),
  Buffer.from('quoted'),
  Buffer.from([0x94, 0x20, 0x80]),
  Buffer.from('</a>'),
]);

describe('charset decoder', () => {
  it('reads UTF-8 by default, with or without a BOM, split anywhere', () => {
    for (const step of [1, 2, 3, 1000]) {
      assert.deepEqual(decode(Buffer.from(TEXT), undefined, step), { text: TEXT, charset: 'utf-8' });
      assert.equal(
        decode(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)]), 'text/xml', step).text,
        TEXT,
      );
    }
  });

  it('reads UTF-16LE and UTF-16BE by BOM, by charset and by the XML signature, split at odd bytes', () => {
    const le = Buffer.from(TEXT, 'utf16le');
    const be = utf16be(TEXT);
    for (const step of [1, 3, 1000]) {
      assert.deepEqual(decode(Buffer.concat([Buffer.from([0xff, 0xfe]), le]), 'text/xml', step), {
        text: TEXT,
        charset: 'utf-16le',
      });
      assert.deepEqual(decode(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), undefined, step), {
        text: TEXT,
        charset: 'utf-16be',
      });
      assert.equal(decode(le, 'text/xml; charset=utf-16le', step).text, TEXT);
      assert.equal(decode(be, 'text/xml; charset="UTF-16BE"', step).text, TEXT);
      // "utf-16" with no BOM: the byte order of "<?" decides.
      const decl = '<?xml version="1.0" encoding="utf-16"?>';
      assert.equal(decode(Buffer.from(decl + TEXT, 'utf16le'), 'text/xml; charset=utf-16', step).text, decl + TEXT);
      assert.equal(decode(Buffer.from(decl + TEXT, 'utf16le'), undefined, step).text, decl + TEXT);
      assert.equal(decode(utf16be(decl + TEXT), undefined, step).text, decl + TEXT);
    }
  });

  it('reads ISO-8859-1 and windows-1252 (by charset or XML declaration) as browsers do', () => {
    for (const label of ['ISO-8859-1', 'windows-1252', 'latin1', 'us-ascii']) {
      assert.deepEqual(decode(cp1252Bytes, `text/xml; charset=${label}`, 2), {
        text: CP1252_TEXT,
        charset: 'windows-1252',
      });
    }
    const decl = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>');
    assert.equal(decode(Buffer.concat([decl, cp1252Bytes]), 'text/xml', 5).text, decl.toString() + CP1252_TEXT);
  });

  it('never yields replacement characters: invalid bytes and unknown charsets are refused, saying so', () => {
    const bad = (fn: () => unknown, why: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof CharsetError && why.test(e.why));
    bad(() => decode(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c]), 'text/xml; charset=utf-8'), /not valid UTF-8/);
    bad(() => decode(Buffer.from([0x3c, 0x61, 0xc3]), 'text/xml'), /not valid UTF-8/); // cut inside a character
    bad(() => decode(Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x41, 0x00]), 'text/xml'), /not valid UTF-16LE/); // lone surrogate
    bad(() => decode(Buffer.from([0xfe, 0xff, 0x00, 0x3c, 0x00]), 'text/xml'), /not valid UTF-16BE/);
    bad(() => new BodyDecoder('text/xml; charset=shift_jis'), /"shift_jis", which the pack cannot read.*UTF-8/);
    bad(() => decode(Buffer.from('<?xml version="1.0" encoding="EBCDIC-US"?><a/>'), 'text/xml'), /"ebcdic-us"/);
  });

  it('reads the charset parameter, quoted or not, in any case', () => {
    assert.equal(charsetOf('text/xml; charset=UTF-8'), 'utf-8');
    assert.equal(charsetOf('text/xml;charset="utf-16"; foo=bar'), 'utf-16');
    assert.equal(charsetOf('text/xml'), '');
    assert.equal(charsetOf(undefined), '');
    assert.equal(charsetOf(`text/xml; ${' '.repeat(100000)}charset=utf-8`), '', 'only the first KB is looked at');
  });
});
