// npm run conformance -- <folder>: runs the client against every operation of every WCF service in a
// folder laid out like the shared corpus (one folder per service: wsdl.xml, xsdN.xsd, wsdlN.wsdl),
// served from 127.0.0.1, with node-soap as an independent judge. One line per service, a total, and
// a non-zero exit on any failure. `--verbose` lists each failing operation; `--only name` runs one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CxClient } from '../nodes/lib';
import { serveCorpusFolder } from './conformance/corpus-server';
import { Judge } from './conformance/judge';
import { runOperation, FailureClass } from './conformance/checks';

interface ServiceReport {
  name: string;
  operations: number;
  ok: number;
  failures: Map<FailureClass, string[]>;
  refused?: string;
}

const SOAP11_BINDING = /xmlns:(\w+)="http:\/\/schemas\.xmlsoap\.org\/wsdl\/soap\/"/g;

/** A WSDL set with no SOAP 1.1 binding at all: the client may refuse it (SOAP 1.2 only). */
function soap12Only(folder: string): boolean {
  for (const f of fs.readdirSync(folder).filter((x) => /\.(xml|wsdl)$/.test(x))) {
    const text = fs.readFileSync(path.join(folder, f), 'utf8');
    for (const m of text.matchAll(SOAP11_BINDING)) if (text.includes(`<${m[1]}:binding `)) return false;
  }
  return true;
}

async function runService(folder: string, verbose: boolean): Promise<ServiceReport> {
  const name = path.basename(folder);
  const serviceName = `S_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const report: ServiceReport = { name, operations: 0, ok: 0, failures: new Map() };
  const fail = (cls: FailureClass, what: string) => {
    const list = report.failures.get(cls) ?? [];
    list.push(what);
    report.failures.set(cls, list);
    if (verbose) process.stdout.write(`  ${name} ${cls}: ${what}\n`);
  };
  const corpus = await serveCorpusFolder(folder, serviceName);
  const client = new CxClient({ url: corpus.base, username: 'judge', password: 'judge', tokenPlacement: 'none' });
  try {
    let clientOps: string[];
    try {
      clientOps = await client.operations(serviceName);
    } catch (e) {
      const err = e as Error & { code?: string };
      if (soap12Only(folder) && err.code === 'CX_BAD_RESPONSE' && /SOAP 1\.1/.test(err.message)) {
        report.refused = `refused clearly: ${err.message}`;
        return report;
      }
      fail('load', `${err.code ?? ''} ${err.message}`);
      return report;
    }
    let judge: Judge;
    try {
      judge = await Judge.start(corpus);
    } catch (e) {
      fail('judge', `node-soap could not read the WSDL: ${(e as Error).message}`);
      return report;
    }
    corpus.onPost((body, headers) => judge.handle(body, headers as Record<string, unknown>));
    const judgeOps = [...judge.operations.keys()].sort();
    report.operations = judgeOps.length;
    for (const op of judgeOps.filter((o) => !clientOps.includes(o)))
      fail('operations', `${op} missing from the client's list`);
    for (const op of clientOps.filter((o) => !judge.operations.has(o)))
      fail('operations', `${op} listed by the client only`);
    for (const op of judgeOps) {
      if (!clientOps.includes(op)) continue;
      const problems = await runOperation(client, serviceName, judge, corpus, op, (o) => judge.needsDerived(o));
      for (const p of problems) fail(p.cls, `${op}: ${p.why}`);
      if (problems.length === 0) report.ok++;
    }
    return report;
  } finally {
    client.close();
    await corpus.close();
  }
}

function summary(counts: Map<FailureClass, number>): string {
  return [...counts].map(([c, n]) => `${c} ${n}`).join(', ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const root = args.find((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1));
  if (!root || !fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    process.stderr.write('usage: npm run conformance -- <folder> [--verbose] [--only <service folder>]\n');
    process.exit(2);
  }
  const folders = fs
    .readdirSync(root)
    .filter((d) => (!only || d === only) && fs.existsSync(path.join(root, d, 'wsdl.xml')))
    .sort();
  let ops = 0;
  let ok = 0;
  let failedServices = 0;
  const classes = new Map<FailureClass, number>();
  for (const f of folders) {
    const r = await runService(path.join(root, f), verbose);
    ops += r.operations;
    ok += r.ok;
    const counts = new Map<FailureClass, number>([...r.failures].map(([c, l]) => [c, l.length]));
    for (const [c, n] of counts) classes.set(c, (classes.get(c) ?? 0) + n);
    if (r.refused) process.stdout.write(`REFUSED ${r.name}: ${r.refused}\n`);
    else if (r.failures.size === 0) process.stdout.write(`ok      ${r.name}: ${r.ok}/${r.operations} operations\n`);
    else {
      failedServices++;
      process.stdout.write(`FAIL    ${r.name}: ${r.ok}/${r.operations} operations pass (${summary(counts)})\n`);
    }
  }
  const failures = [...classes.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(
    `conformance: ${folders.length} services, ${ops} operations, ${ok} pass, ${failedServices} services failing, ${failures} failures${failures ? ` (${summary(classes)})` : ''}\n`,
  );
  process.exitCode = failures ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`conformance: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(2);
});
