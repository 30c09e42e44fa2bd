// The checks for one operation: the template builds, the envelope the client sends is decoded by the
// judge into what was sent (header parts included, a derived type with xsi:type), and every part of
// the judge's answer is read back.
import type { CxClient } from '../../nodes/lib';
import type { CorpusServer } from './corpus-server';
import type { Judge } from './judge';
import { SampleCounter, compareAnswer, fillTemplate, keysOf, leaves, missingLeaves } from './samples';

export type FailureClass = 'load' | 'judge' | 'operations' | 'template' | 'request' | 'headers' | 'derived' | 'answer';

export interface Problem {
  cls: FailureClass;
  why: string;
}

/** The client's optional surfaces for header parts, looked up so that the script runs against any version. */
interface HeaderAware {
  headersTemplate?(service: string, method: string): Promise<Record<string, unknown>>;
  templates?(service: string, method: string): Promise<{ derivedTypes: Record<string, Record<string, unknown>> }>;
}

const short = (e: unknown): string => {
  const err = e as Error & { code?: string };
  return `${err.code ?? 'error'} ${String(err.message ?? e).slice(0, 200)}`;
};

/**
 * The first `$type` in a template with more than one choice: picks the second choice in `filled`,
 * filled from that type's own skeleton (`derivedTypes`, by path) so that its extra members are sent too.
 */
function chooseDerived(
  template: unknown,
  filled: unknown,
  derivedTypes: Record<string, Record<string, unknown>>,
  counter: SampleCounter,
  where = 'msg.payload',
  depth = 0,
): string | undefined {
  if (depth > 12 || !template || typeof template !== 'object' || !filled || typeof filled !== 'object')
    return undefined;
  if (Array.isArray(template))
    return chooseDerived(template[0], (filled as unknown[])[0], derivedTypes, counter, `${where}[0]`, depth + 1);
  const t = template as Record<string, unknown>;
  const f = filled as Record<string, unknown>;
  if (typeof t.$type === 'string') {
    const choices = t.$type.split(' | ');
    if (choices.length > 1) {
      const own = derivedTypes[where]?.[choices[1]];
      const members = own && fillTemplate(own, counter);
      if (members && typeof members === 'object') {
        for (const k of Object.keys(f)) delete f[k];
        Object.assign(f, members);
      }
      f.$type = choices[1];
      return choices[1];
    }
  }
  for (const k of Object.keys(t)) {
    const r = chooseDerived(t[k], f[k], derivedTypes, counter, `${where}.${k}`, depth + 1);
    if (r) return r;
  }
  return undefined;
}

export async function runOperation(
  client: CxClient,
  service: string,
  judge: Judge,
  corpus: CorpusServer,
  op: string,
  needsDerived: (op: string) => boolean,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  const jop = judge.operations.get(op);
  let template: Record<string, unknown>;
  try {
    template = await client.template(service, op);
  } catch (e) {
    return [{ cls: 'template', why: short(e) }];
  }
  const counter = new SampleCounter();
  const args = (fillTemplate(template, counter) ?? {}) as Record<string, unknown>;
  let derivedTypes: Record<string, Record<string, unknown>> = {};
  const aware = client as unknown as HeaderAware;
  if (aware.templates) {
    try {
      derivedTypes = (await aware.templates(service, op)).derivedTypes;
    } catch (e) {
      return [{ cls: 'template', why: `templates: ${short(e)}` }];
    }
  }
  const derived = chooseDerived(template, args, derivedTypes, counter);
  if (!derived && needsDerived(op))
    problems.push({ cls: 'derived', why: 'a member takes derived types, and the template offers no $type choice' });

  let soapHeaders: Record<string, unknown> | undefined;
  if (jop?.headerElements.length) {
    if (!aware.headersTemplate)
      problems.push({ cls: 'headers', why: `header parts ${jop.headerElements.join(', ')} cannot be given` });
    else {
      try {
        const ht = await aware.headersTemplate(service, op);
        soapHeaders = (fillTemplate(ht, counter) ?? {}) as Record<string, unknown>;
        const missing = jop.headerElements.filter((h) => !(h in ht));
        if (missing.length) problems.push({ cls: 'headers', why: `the header template lacks ${missing.join(', ')}` });
      } catch (e) {
        problems.push({ cls: 'headers', why: `header template: ${short(e)}` });
      }
    }
  }

  const before = corpus.posts.length;
  let result: unknown;
  try {
    const options = soapHeaders ? { soapHeaders } : {};
    result = (await client.call(service, op, args, options as never)).result;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (corpus.posts.length === before) problems.push({ cls: 'request', why: `not sent: ${short(e)}` });
    else if (!judge.last) problems.push({ cls: 'request', why: `the judge could not decode it: ${short(e)}` });
    else if (code === 'CX_FAULT') problems.push({ cls: 'judge', why: `node-soap failed to answer: ${short(e)}` });
    else problems.push({ cls: 'answer', why: short(e) });
    return problems;
  }
  const envelope = corpus.posts[corpus.posts.length - 1] ?? '';
  const got = judge.last;
  if (!got) return [...problems, { cls: 'request', why: 'the judge never saw the request' }];

  const missing = missingLeaves(leaves(args), leaves(got.args));
  if (missing.length)
    problems.push({ cls: 'request', why: `values sent but not decoded: ${missing.slice(0, 5).join(', ')}` });
  const decodedKeys = keysOf(got.args);
  const lostKeys = [...keysOf(args)].filter((k) => k !== '$type' && !decodedKeys.has(k) && !/^\d+$/.test(k));
  if (lostKeys.length)
    problems.push({ cls: 'request', why: `members not decoded: ${lostKeys.slice(0, 5).join(', ')}` });

  if (soapHeaders && jop) {
    const headerKeys = keysOf(got.headers);
    const absent = jop.headerElements.filter((h) => !headerKeys.has(h));
    const lost = missingLeaves(leaves(soapHeaders), leaves(got.headers));
    if (absent.length || lost.length)
      problems.push({ cls: 'headers', why: `not received: ${[...absent, ...lost].slice(0, 5).join(', ')}` });
  }
  if (derived && !new RegExp(`\\btype="[^"]*:${derived}"`).test(envelope))
    problems.push({ cls: 'derived', why: `${derived} chosen but no xsi:type written` });

  if (jop && !jop.oneWay) {
    const expected = judge.answer as Record<string, unknown> | undefined;
    const keys = expected ? Object.keys(expected) : [];
    const single = keys.length === 1 && keys[0] === `${op}Result`;
    const diffs = compareAnswer(single ? expected?.[keys[0]] : expected, result, 'result', []);
    if (diffs.length) problems.push({ cls: 'answer', why: diffs.slice(0, 3).join('; ') });
  }
  return problems;
}
