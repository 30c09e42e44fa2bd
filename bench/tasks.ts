// The measurements. Each runs inside one (usually fresh) process against a simulator at `url`,
// and returns plain JSON so that a parent can collect it from a child process.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as soap from 'soap';
import { CxClient } from '../nodes/lib';
import { ContenderName, ContenderOptions, PASSWORD, USER, openClient, openContender, openNodeRed } from './contenders';
import { control } from './sim';

export const OPTIONS: ContenderOptions = { maxConcurrent: 16, maxResponseBytes: 256 * 1024 * 1024 };

export type Task =
  | { kind: 'small'; contender: ContenderName; url: string; calls: number; concurrency: number; warmup: number }
  | { kind: 'large'; contender: ContenderName; url: string; records: number }
  | { kind: 'cold'; contender: 'client' | 'node-soap'; url: string }
  | { kind: 'redeploy'; url: string; redeploys: number }
  | { kind: 'storm'; url: string; calls: number; runs: number };

export interface SmallResult {
  sequential: number;
  concurrent: number;
  maxInFlight: number;
}
export interface LargeResult {
  records: number;
  totalMs: number;
  baselineRssMB: number;
  peakRssMB: number;
  deltaRssMB: number;
  maxStallMs: number;
  responseMB?: number;
}
export interface ColdResult {
  firstCallMs: number;
  wsdlRequests: number;
  xsdRequests: number;
  logins: number;
}
export interface RedeployResult {
  firstCallMs: number;
  afterRedeployMs: number[];
  wsdlRequestsFirst: number;
  wsdlRequestsAfter: number;
  xsdRequestsAfter: number;
  loginsAfter: number;
}
export interface StormResult {
  runs: { ms: number; logins: number; retried: number; answered: number }[];
}

const MB = 1024 * 1024;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** Runs `total` calls with `concurrency` workers, each starting its next call when one ends; calls/s. */
export async function callsPerSecond(fn: () => Promise<void>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      await fn();
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return total / ((performance.now() - t0) / 1000);
}

/** Small calls, one at a time and `concurrency` at a time, after a warm-up of both kinds. */
export async function smallCalls(t: Extract<Task, { kind: 'small' }>): Promise<SmallResult> {
  const c = await openContender(t.contender, t.url, { ...OPTIONS, maxConcurrent: t.concurrency });
  try {
    await callsPerSecond(() => c.small(), t.warmup, 1);
    await callsPerSecond(() => c.small(), t.warmup, t.concurrency);
    const sequential = await callsPerSecond(() => c.small(), t.calls, 1);
    await control(t.url, 'reset-stats');
    const concurrent = await callsPerSecond(() => c.small(), t.calls, t.concurrency);
    const stats = (await control(t.url, 'stats', 'GET')) as { maxInFlight: number };
    return { sequential: round(sequential, 0), concurrent: round(concurrent, 0), maxInFlight: stats.maxInFlight };
  } finally {
    await c.close();
  }
}

/**
 * One large list, after a warm-up call (WSDL, login) and a GC if exposed: wall time, peak RSS of
 * the process (resourceUsage().maxRSS) and its rise over the RSS just before the call, and the
 * longest event-loop delay while the call was in flight. The simulator's list size must be set.
 */
export async function largeResult(t: Extract<Task, { kind: 'large' }>): Promise<LargeResult> {
  const c = await openContender(t.contender, t.url, OPTIONS);
  try {
    await c.small();
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage().rss;
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t0 = performance.now();
    const records = await c.list();
    const totalMs = performance.now() - t0;
    // The histogram records a stall only when its timer fires after it: let it fire once more,
    // or a block that ends by resolving the call (the final parse) would go unseen.
    await new Promise((r) => setTimeout(r, 30));
    h.disable();
    const peak = Math.max(process.resourceUsage().maxRSS * 1024, process.memoryUsage().rss);
    if (records !== t.records) throw new Error(`${t.contender}: ${records} records, expected ${t.records}`);
    const bytes = (c as { responseBytes?: () => number }).responseBytes?.();
    return {
      records,
      totalMs: round(totalMs, 0),
      baselineRssMB: round(baseline / MB, 0),
      peakRssMB: round(peak / MB, 0),
      deltaRssMB: round((peak - baseline) / MB, 0),
      maxStallMs: round(h.max / 1e6, 0),
      ...(bytes ? { responseMB: round(bytes / MB, 1) } : {}),
    };
  } finally {
    await c.close();
  }
}

/** The first call of a service in a fresh process: WSDL and XSDs fetched and parsed, login, call. */
export async function coldStart(t: Extract<Task, { kind: 'cold' }>): Promise<ColdResult> {
  await control(t.url, 'reset-stats');
  const t0 = performance.now();
  if (t.contender === 'client') {
    const c = openClient(t.url, OPTIONS);
    await c.small();
    await c.close();
  } else {
    // What a node-soap user writes: a client per WSDL, log in, call.
    const tokens = await soap.createClientAsync(`${t.url}/webservice/wstokenservice?wsdl`);
    const rc = await soap.createClientAsync(`${t.url}/webservice/wsrepaircontractorservice?wsdl`);
    const [login] = await tokens.GetUserWSTokenAsync({ request: { UserName: USER, Password: PASSWORD } });
    const [r] = await rc.getVATCodesAsync({ request: { Token: login.GetUserWSTokenResult.Token } });
    if (r?.getVATCodesResult?.IsValid !== true) throw new Error('node-soap cold start: not valid');
  }
  const firstCallMs = performance.now() - t0;
  const s = (await control(t.url, 'stats', 'GET')) as { wsdlRequests: number; xsdRequests: number; logins: number };
  return {
    firstCallMs: round(firstCallMs),
    wsdlRequests: s.wsdlRequests,
    xsdRequests: s.xsdRequests,
    logins: s.logins,
  };
}

/** Node-RED: the first call after loading a flow, then after each full redeploy of the same flow. */
export async function redeploy(t: Extract<Task, { kind: 'redeploy' }>): Promise<RedeployResult> {
  const stats = async () =>
    (await control(t.url, 'stats', 'GET')) as { wsdlRequests: number; xsdRequests: number; logins: number };
  await control(t.url, 'reset-stats');
  let t0 = performance.now();
  const red = await openNodeRed(t.url, OPTIONS);
  try {
    await red.small();
    const firstCallMs = performance.now() - t0;
    const first = await stats();
    const afterRedeployMs: number[] = [];
    for (let i = 0; i < t.redeploys; i++) {
      t0 = performance.now();
      await red.redeploy();
      await red.small();
      afterRedeployMs.push(round(performance.now() - t0));
    }
    const after = await stats();
    return {
      firstCallMs: round(firstCallMs),
      afterRedeployMs,
      wsdlRequestsFirst: first.wsdlRequests,
      wsdlRequestsAfter: after.wsdlRequests - first.wsdlRequests,
      xsdRequestsAfter: after.xsdRequests - first.xsdRequests,
      loginsAfter: after.logins - first.logins,
    };
  } finally {
    await red.close();
  }
}

/** `calls` concurrent calls through one client right after the simulator forgot every token. */
export async function tokenStorm(t: Extract<Task, { kind: 'storm' }>): Promise<StormResult> {
  const client = new CxClient({ url: t.url, username: USER, password: PASSWORD, maxConcurrent: OPTIONS.maxConcurrent });
  const runs: StormResult['runs'] = [];
  try {
    await client.call('WSRepairContractorService', 'getVATCodes', {});
    for (let r = 0; r < t.runs; r++) {
      await control(t.url, 'expire-tokens');
      await control(t.url, 'reset-stats');
      const t0 = performance.now();
      const results = await Promise.all(
        Array.from({ length: t.calls }, () => client.call('WSRepairContractorService', 'getVATCodes', {})),
      );
      const ms = performance.now() - t0;
      const s = (await control(t.url, 'stats', 'GET')) as { logins: number };
      runs.push({
        ms: round(ms, 0),
        logins: s.logins,
        retried: results.filter((x) => x.retried).length,
        answered: results.length,
      });
    }
    return { runs };
  } finally {
    client.close();
  }
}

export function runTask(t: Task): Promise<unknown> {
  switch (t.kind) {
    case 'small':
      return smallCalls(t);
    case 'large':
      return largeResult(t);
    case 'cold':
      return coldStart(t);
    case 'redeploy':
      return redeploy(t);
    case 'storm':
      return tokenStorm(t);
  }
}
