// Sample values for the conformance judge: request arguments filled in from the client's template,
// answers filled in from node-soap's own description of the output. Every leaf gets a distinct
// value, so a member that is dropped or read into the wrong place shows.

/** A counter shared by one operation's samples. */
export class SampleCounter {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

const INTS = new Set([
  'int',
  'long',
  'short',
  'byte',
  'integer',
  'unsignedInt',
  'unsignedLong',
  'unsignedShort',
  'unsignedByte',
  'nonNegativeInteger',
  'positiveInteger',
]);

/** A value for an XSD type's local name, or undefined when there is no sensible one (anyType, QName). */
export function leafSample(type: string, c: SampleCounter): unknown {
  const n = c.next();
  if (INTS.has(type)) return (n % 100) + 1;
  switch (type) {
    case 'string':
    case 'normalizedString':
    case 'token':
    case 'anyURI':
      return `v${n}`;
    case 'decimal':
      return `${n}.5`;
    case 'double':
    case 'float':
      return n + 0.25;
    case 'boolean':
      return true;
    case 'dateTime':
      return `2026-01-${String((n % 28) + 1).padStart(2, '0')}T03:04:05Z`;
    case 'guid':
      return `00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}`;
    case 'char':
      return 65 + (n % 26);
    case 'base64Binary':
      return Buffer.from([n % 256, 1, 2]).toString('base64');
    case 'duration':
      return `PT${n}H`;
    default:
      return undefined;
  }
}

/**
 * Fills a client template: a leaf label (`string`, `int`, `guid`, `A | B`) becomes a sample, an
 * array keeps its one item, `$type` choices keep the declared (first) type, `{}` (a type that
 * contains itself, cut short) is left out.
 */
export function fillTemplate(t: unknown, c: SampleCounter, depth = 0): unknown {
  if (depth > 12) return undefined;
  if (Array.isArray(t)) {
    const v = fillTemplate(t[0], c, depth + 1);
    return v === undefined ? [] : [v];
  }
  if (t && typeof t === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(t)) {
      if (k === '$type') continue;
      const f = fillTemplate(v, c, depth + 1);
      if (f !== undefined) out[k] = f;
    }
    return Object.keys(t).length > 0 && Object.keys(out).length === 0 && !('$type' in t) ? undefined : out;
  }
  if (typeof t !== 'string') return undefined;
  if (t.includes(' | ')) {
    c.next();
    return t.split(' | ')[0];
  }
  return leafSample(t === 'base64Binary' ? 'base64Binary' : t, c);
}

const DESCRIBE_META = new Set(['targetNSAlias', 'targetNamespace']);

/** A value for one of node-soap's `describe()` entries (`xs:int`, `Kind|xs:string|A,B`, nested objects). */
export function fromDescription(d: unknown, c: SampleCounter, depth = 0): unknown {
  if (depth > 10) return undefined;
  if (typeof d === 'string') {
    const parts = d.split('|');
    if (parts.length === 3 && parts[2]) {
      c.next();
      return parts[2].split(',')[0];
    }
    const type = (parts.length > 1 ? parts[1] : parts[0]).split(':').pop() ?? '';
    return leafSample(type, c);
  }
  if (!d || typeof d !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(d)) {
    if (DESCRIBE_META.has(key)) continue;
    const many = key.endsWith('[]');
    const name = many ? key.slice(0, -2) : key;
    const v = fromDescription(value, c, depth + 1);
    if (v === undefined) continue;
    out[name] = many ? [v] : v;
  }
  return out;
}

/** Every leaf of a value as text (numbers and booleans as JSON would write them). */
export function leaves(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 40 || v === undefined || v === null) return out;
  // node-soap reads dateTimes as Dates; the samples are whole seconds in UTC
  if (v instanceof Date) out.push(Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString().replace('.000Z', 'Z'));
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out, depth + 1));
  else if (typeof v === 'object' && !Buffer.isBuffer(v)) {
    for (const [k, x] of Object.entries(v)) if (k !== 'attributes' && k !== '$type') leaves(x, out, depth + 1);
  } else out.push(String(v));
  return out;
}

/** Every object key of a value (array items included). */
export function keysOf(v: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 40 || !v || typeof v !== 'object') return out;
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out, depth + 1));
  else
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      keysOf(x, out, depth + 1);
    }
  return out;
}

/** The texts in `sent` that `got` lacks (as multisets). */
export function missingLeaves(sent: string[], got: string[]): string[] {
  const pool = new Map<string, number>();
  for (const g of got) pool.set(g, (pool.get(g) ?? 0) + 1);
  const missing: string[] = [];
  for (const s of sent) {
    const n = pool.get(s) ?? 0;
    if (n > 0) pool.set(s, n - 1);
    else missing.push(s);
  }
  return missing;
}

/**
 * Compares an answer the judge wrote (`expected`) with what the client read (`actual`); returns the
 * differences as `path: why`. Arrays written as a collection wrapper (`{ long: [7] }`) match a plain
 * array; a char sent as its code matches the character.
 */
export function compareAnswer(expected: unknown, actual: unknown, path: string, out: string[], depth = 0): string[] {
  if (out.length > 5 || depth > 40) return out;
  if (expected === undefined) return out;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return compareAnswer(expected[0], actual, path, out, depth + 1);
    if (actual.length !== expected.length) out.push(`${path}: ${actual.length} items, expected ${expected.length}`);
    else expected.forEach((e, i) => compareAnswer(e, actual[i], `${path}[${i}]`, out, depth + 1));
    return out;
  }
  if (expected && typeof expected === 'object') {
    const keys = Object.keys(expected);
    if (Array.isArray(actual) && keys.length === 1)
      return compareAnswer((expected as Record<string, unknown>)[keys[0]], actual, path, out, depth + 1);
    if (!actual || typeof actual !== 'object') {
      if (keys.length === 0 && (actual === '' || actual === null)) return out;
      out.push(`${path}: ${actual === undefined ? 'missing' : `read as ${JSON.stringify(actual)?.slice(0, 60)}`}`);
      return out;
    }
    for (const k of keys)
      compareAnswer(
        (expected as Record<string, unknown>)[k],
        (actual as Record<string, unknown>)[k],
        `${path}.${k}`,
        out,
        depth + 1,
      );
    return out;
  }
  if (actual === undefined) {
    out.push(`${path}: missing`);
    return out;
  }
  const same =
    String(expected) === String(actual) ||
    (typeof expected === 'number' && Number(actual) === expected) ||
    (typeof expected === 'number' &&
      typeof actual === 'string' &&
      actual.length === 1 &&
      actual.charCodeAt(0) === expected) ||
    (typeof expected === 'string' && typeof actual === 'number' && Number(expected) === actual);
  if (!same) out.push(`${path}: read ${JSON.stringify(actual)?.slice(0, 60)}, sent ${JSON.stringify(expected)}`);
  return out;
}
