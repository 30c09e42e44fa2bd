import { strict as assert } from 'node:assert';
import * as sax from 'sax';
import { MAX_XML_TAG_CHARS, XmlSyntaxError, XmlTokenizer } from '../../nodes/lib/xml-tokenizer';

// sax (strict) is the judge: whatever the tokenizer accepts, sax must accept too, with the same
// elements, attributes and text. The tokenizer may refuse more (sax lets some errors pass).

type Ev = string;

/** Events as comparable strings: consecutive text joined, text outside the root left out. */
function normalise(events: Ev[]): Ev[] {
  const out: Ev[] = [];
  for (const e of events) {
    if (e.startsWith('T') && out.length && out[out.length - 1].startsWith('T')) out[out.length - 1] += e.slice(1);
    else out.push(e);
  }
  return out.filter((e) => e !== 'T');
}

function attrText(attrs: Record<string, string> | undefined): string {
  if (!attrs) return '';
  return Object.keys(attrs)
    .sort()
    .map((k) => ` ${k}=${JSON.stringify(attrs[k])}`)
    .join('');
}

function viaTokenizer(chunks: string[]): Ev[] {
  const ev: Ev[] = [];
  const t = new XmlTokenizer({
    openTag: (name, attrs) => ev.push(`<${name}${attrText(attrs)}>`),
    text: (s) => ev.push(`T${s}`),
    closeTag: (name) => ev.push(`</${name}>`),
    doctype: () => undefined,
  });
  for (const c of chunks) t.write(c);
  t.close();
  return normalise(ev);
}

function viaSax(doc: string): Ev[] {
  const ev: Ev[] = [];
  let depth = 0;
  const p = sax.parser(true, { trim: false, normalize: false, xmlns: false, position: false } as sax.SAXOptions);
  p.onopentag = (tag) => {
    depth++;
    ev.push(`<${tag.name}${attrText(tag.attributes as Record<string, string>)}>`);
  };
  p.ontext = (s) => {
    if (depth > 0) ev.push(`T${s}`);
  };
  p.oncdata = p.ontext;
  p.onclosetag = (name) => {
    depth--;
    ev.push(`</${name}>`);
  };
  p.ondoctype = () => {
    throw new Error('doctype');
  };
  p.write(doc);
  p.close();
  return normalise(ev);
}

function tokenizerError(chunks: string[]): XmlSyntaxError | undefined {
  try {
    viaTokenizer(chunks);
    return undefined;
  } catch (err) {
    if (err instanceof XmlSyntaxError) return err;
    throw err;
  }
}

const ENV = (body: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;

const VALID = [
  ENV(
    '<GetResponse xmlns="http://tempuri.org/"><GetResult xmlns:a="urn:a" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><a:Name i:nil="true"/><a:Rate>20.00</a:Rate><a:Items><a:Item>x</a:Item><a:Item>y &amp; z</a:Item></a:Items></GetResult></GetResponse>',
  ),
  `<?xml version="1.0" encoding="utf-8"?>\r\n${ENV('<R a=\'1\' b = "2"\t c="&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#x1F600;">t&#10;x</R>')}\n`,
  `<!-- lead --><?pi data?>${ENV('<R><![CDATA[<not a tag> & ]] ]>]]>tail<!-- in --><?p q?></R>')}<!-- after -->  `,
  `\uFEFF${ENV('<R>\u00e9\u4e2d\ud83d\ude00 \t\r\n</R>')}`,
  ENV('<R><a/><b></b><c >x</c ><d\n/></R>'),
  ENV(`<R>${'<I>v</I>'.repeat(200)}</R>`),
  '<root/>',
  ENV('<é:R xmlns:é="urn:e" _x.y-z="1" x:y="2"/>'),
];

const INVALID = [
  ['', 'no root: the caller says "empty"'],
  ['<a>', 'unclosed'],
  ['<a></b>', 'mismatched'],
  ['<a/><b/>', 'two roots'],
  ['text<a/>', 'text before the root'],
  ['<a/>text', 'text after the root'],
  ['<a b=1/>', 'unquoted'],
  ['<a b="1"c="2"/>', 'no space between attributes'],
  ['<a b/>', 'attribute without value'],
  ['<a b="<"/>', '< in a value'],
  ['<a>&unknown;</a>', 'undefined entity'],
  ['<a>&#xZZ;</a>', 'bad character reference'],
  ['<a>&#1;</a>', 'forbidden character reference'],
  ['<a>& b</a>', 'bare ampersand'],
  ['<a>\u0001</a>', 'control character'],
  ['<1a/>', 'bad name'],
  ['<a><!DOCTYPE x></a>', 'doctype'],
  ['<a><!ELEMENT x></a>', 'unknown markup'],
  ['<a></a', 'cut inside a close tag'],
  ['<a><![CDATA[x</a>', 'cut inside CDATA'],
  ['<a>x &am', 'cut inside a reference'],
  ['<a><!-- x </a>', 'cut inside a comment'],
  ['<![CDATA[x]]><a/>', 'CDATA outside the root'],
  ['<a b="1" b="2"/>', 'an attribute twice'],
  ['<a>&nbsp;</a>', 'an HTML entity, undefined in XML'],
] as const;

/** Every way of cutting `doc` in two, and a few in many pieces. */
function splits(doc: string): string[][] {
  const out: string[][] = [[doc]];
  for (let i = 1; i < doc.length; i++) out.push([doc.slice(0, i), doc.slice(i)]);
  for (const size of [1, 2, 3, 7]) {
    const parts: string[] = [];
    for (let i = 0; i < doc.length; i += size) parts.push(doc.slice(i, i + size));
    out.push(parts);
  }
  return out;
}

/** A small deterministic generator, so that a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('xml-tokenizer: strict, streaming, judged by sax', () => {
  it('reads well-formed documents exactly as sax does, however they are cut into chunks', () => {
    for (const doc of VALID) {
      const want = viaSax(doc);
      assert.ok(want.length > 1, 'the judge read the sample');
      for (const chunks of splits(doc)) assert.deepEqual(viaTokenizer(chunks), want, JSON.stringify(chunks));
    }
  });

  it('refuses documents that are not well-formed, whole or cut anywhere', () => {
    for (const [doc, what] of INVALID) {
      if (doc === '') continue;
      for (const chunks of splits(doc)) assert.ok(tokenizerError(chunks), `${what}: ${JSON.stringify(chunks)}`);
    }
  });

  it('accepts nothing sax refuses and never reads other data than sax (4,000 mutated documents)', () => {
    const rnd = prng(20261201);
    const alphabet = ['<', '>', '&', ';', '"', "'", '/', '=', '!', '?', '[', ']', '-', ' ', 'a', ':', '#', 'x', '\n'];
    let accepted = 0;
    for (let n = 0; n < 4000; n++) {
      let doc = VALID[Math.floor(rnd() * VALID.length)];
      const edits = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * doc.length);
        const op = rnd();
        const ch = alphabet[Math.floor(rnd() * alphabet.length)];
        doc =
          op < 0.4
            ? doc.slice(0, at) + doc.slice(at + 1)
            : op < 0.8
              ? doc.slice(0, at) + ch + doc.slice(at)
              : doc.slice(0, at) + ch + doc.slice(at + 1);
      }
      const cut = Math.floor(rnd() * doc.length);
      let mine: Ev[] | undefined;
      try {
        mine = viaTokenizer([doc.slice(0, cut), doc.slice(cut)]);
      } catch (err) {
        assert.ok(err instanceof XmlSyntaxError, String(err));
      }
      if (mine === undefined) continue;
      accepted++;
      // An empty document has no root: the reader refuses it itself.
      if (mine.length === 0) continue;
      let judge: Ev[];
      try {
        judge = viaSax(doc);
      } catch (err) {
        assert.fail(`accepted what sax refuses (${String(err).split('\n')[0]}): ${JSON.stringify(doc)}`);
      }
      assert.deepEqual(mine, judge, JSON.stringify(doc));
    }
    assert.ok(accepted > 200, `enough mutants stay well-formed to compare (${accepted})`);
  });

  it('bounds names, attribute values, comments and tags, complete or still arriving', () => {
    const limit = (chunks: string[], re: RegExp) => {
      const err = tokenizerError(chunks);
      assert.ok(err, 'refused');
      assert.equal(err.kind, 'limit');
      assert.match(err.message, re);
    };
    const long = 'n'.repeat(1025);
    limit([`<${long}/>`], /name longer than 1024/);
    limit([`<${long}`], /name longer than 1024/);
    limit([`<a ${long}="1"/>`], /name longer than 1024/);
    limit([`<a b="${'v'.repeat(16 * 1024 + 1)}"/>`], /attribute value longer than 16 KB/);
    limit([`<a b="${'v'.repeat(16 * 1024 + 1)}`], /attribute value longer than 16 KB/);
    limit([`<a><!--${'c'.repeat(64 * 1024 + 1)}`], /comment or declaration longer than 64 KB/);
    limit([`<a><?p ${'c'.repeat(64 * 1024 + 1)}`], /comment or declaration longer than 64 KB/);
    const attrs = Array.from({ length: 40 }, (_, i) => ` a${i}="${'v'.repeat(8000)}"`).join('');
    const pieces: string[] = [];
    const tag = `<a${attrs}/>`;
    for (let i = 0; i < tag.length; i += 16 * 1024) pieces.push(tag.slice(i, i + 16 * 1024));
    assert.ok(tag.length > MAX_XML_TAG_CHARS);
    limit(pieces, /tag longer than 64 KB/);
  });

  it('passes large text and CDATA through in pieces, without holding them', () => {
    const texts: string[] = [];
    const t = new XmlTokenizer({
      openTag: () => undefined,
      text: (s) => texts.push(s),
      closeTag: () => undefined,
      doctype: () => undefined,
    });
    t.write('<a>');
    for (let i = 0; i < 100; i++) t.write('x'.repeat(10000));
    t.write('<![CDATA[');
    for (let i = 0; i < 100; i++) t.write('y'.repeat(10000));
    t.write(']]></a>');
    t.close();
    assert.ok(texts.length >= 200, `text delivered as it arrived (${texts.length} pieces)`);
    assert.equal(texts.join(''), 'x'.repeat(1e6) + 'y'.repeat(1e6));
  });

  it('asks the caller about a DOCTYPE, and refuses it when the caller does not throw', () => {
    let asked = 0;
    const t = new XmlTokenizer({
      openTag: () => undefined,
      text: () => undefined,
      closeTag: () => undefined,
      doctype: () => void asked++,
    });
    assert.throws(() => t.write('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'), /DOCTYPE/);
    assert.equal(asked, 1);
  });
});
