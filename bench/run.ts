// `npm run bench`: every contender in one run, against one simulator in its own process; each
// measurement in a fresh child process; medians; a table on stdout and in bench/results.md.
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CONTENDERS } from './contenders';
import { BenchResults, formatResults, machine } from './report';
import { SimProcess } from './sim';
import type { ColdResult, LargeResult, RedeployResult, SmallResult, StormResult, Task } from './tasks';
import { runTask } from './tasks';

export interface BenchConfig {
  /** Repetitions of each measurement; the median is reported. */
  runs: number;
  /** Repetitions of the small-call measurements (cheap, and the noisiest on a shared machine). */
  smallRuns?: number;
  smallCalls: number;
  warmup: number;
  concurrency: number;
  sizes: number[];
  redeploys: number;
  stormCalls: number;
  /** Run tasks in this process instead of a fresh child each (for the smoke test). */
  inProcess?: boolean;
  log?: (line: string) => void;
}

export const FULL: BenchConfig = {
  runs: 3,
  smallRuns: 5,
  smallCalls: 2000,
  warmup: 300,
  concurrency: 16,
  sizes: [10000, 50000],
  redeploys: 3,
  stormCalls: 1000,
};

const WORKER = path.join(__dirname, 'worker.js');

/** Runs a task in a fresh Node process (with --expose-gc) and returns what it sends back. */
export function inChild<T>(task: Task): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(task)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let done = false;
    child.on('message', (m: { result?: T; error?: string }) => {
      done = true;
      if (m.error) reject(new Error(`${task.kind} ${'contender' in task ? task.contender : ''}: ${m.error}`));
      else resolve(m.result as T);
    });
    child.on('exit', (code) => {
      if (!done) reject(new Error(`worker for ${task.kind} exited (${code}) without a result`));
    });
  });
}

export async function runBench(cfg: BenchConfig): Promise<BenchResults> {
  const log = cfg.log ?? (() => undefined);
  const exec = <T>(task: Task): Promise<T> => (cfg.inProcess ? (runTask(task) as Promise<T>) : inChild<T>(task));
  const started = Date.now();
  const sim = await SimProcess.start();
  const url = sim.url;
  const results: BenchResults = {
    machine: machine(),
    config: { ...cfg, log: undefined },
    small: {},
    large: {},
    cold: {},
    redeploy: [],
    storm: { runs: [] },
    seconds: 0,
  };
  try {
    // The simulator's own JIT needs a few thousand calls to settle; measured before that, the
    // first contender of the first round would meet a slower server than the rest.
    if (!cfg.inProcess)
      await exec<SmallResult>({
        kind: 'small',
        contender: 'bare-http',
        url,
        calls: cfg.smallCalls * 2,
        concurrency: cfg.concurrency,
        warmup: cfg.warmup,
      });
    // Rounds interleave the contenders, so drift (thermal, other load) does not favour one.
    for (let r = 0; r < (cfg.smallRuns ?? cfg.runs); r++) {
      for (const c of CONTENDERS) {
        const res = await exec<SmallResult>({
          kind: 'small',
          contender: c,
          url,
          calls: cfg.smallCalls,
          concurrency: cfg.concurrency,
          warmup: cfg.warmup,
        });
        (results.small[c] ??= []).push(res);
        log(
          `small   ${c.padEnd(9)} round ${r + 1}: ${res.sequential} calls/s sequential, ${res.concurrent} calls/s ${cfg.concurrency} at a time`,
        );
      }
    }
    for (const size of cfg.sizes) {
      await sim.listSize(size);
      for (let r = 0; r < cfg.runs; r++) {
        for (const c of CONTENDERS) {
          const res = await exec<LargeResult>({ kind: 'large', contender: c, url, records: size });
          ((results.large[size] ??= {})[c] ??= []).push(res);
          log(
            `large   ${c.padEnd(9)} ${size} round ${r + 1}: ${res.totalMs} ms, peak RSS ${res.peakRssMB} MB (+${res.deltaRssMB}), longest stall ${res.maxStallMs} ms`,
          );
        }
      }
    }
    await sim.listSize(null);
    for (let r = 0; r < cfg.runs; r++) {
      for (const c of ['client', 'node-soap'] as const) {
        const res = await exec<ColdResult>({ kind: 'cold', contender: c, url });
        (results.cold[c] ??= []).push(res);
        log(
          `cold    ${c.padEnd(9)} round ${r + 1}: first call ${res.firstCallMs} ms (${res.wsdlRequests} WSDL, ${res.xsdRequests} XSD, ${res.logins} login)`,
        );
      }
    }
    for (let r = 0; r < cfg.runs; r++) {
      const res = await exec<RedeployResult>({ kind: 'redeploy', url, redeploys: cfg.redeploys });
      results.redeploy.push(res);
      log(
        `redeploy round ${r + 1}: first call ${res.firstCallMs} ms, after redeploy ${res.afterRedeployMs.join(', ')} ms, WSDL downloads after ${res.wsdlRequestsAfter}, logins after ${res.loginsAfter}`,
      );
    }
    results.storm = await exec<StormResult>({ kind: 'storm', url, calls: cfg.stormCalls, runs: cfg.runs });
    for (const s of results.storm.runs)
      log(`storm   ${s.answered} calls: ${s.ms} ms, ${s.logins} login(s), ${s.retried} retried`);
  } finally {
    await sim.stop();
  }
  results.seconds = Math.round((Date.now() - started) / 1000);
  return results;
}

/** Writes the generated part of results.md, keeping hand-written notes below the NOTES marker. */
export function writeResults(file: string, text: string): void {
  const MARK = '<!-- notes: everything below is written by hand and kept by npm run bench -->';
  let notes = '';
  if (fs.existsSync(file)) {
    const old = fs.readFileSync(file, 'utf8');
    const i = old.indexOf(MARK);
    if (i >= 0) notes = old.slice(i + MARK.length);
  }
  fs.writeFileSync(file, `${text}\n${MARK}${notes || '\n'}`);
}

if (require.main === module) {
  runBench({ ...FULL, log: (l) => process.stderr.write(`${l}\n`) }).then(
    (results) => {
      const text = formatResults(results);
      process.stdout.write(`${text}\n`);
      writeResults(path.resolve(__dirname, '..', '..', 'bench', 'results.md'), text);
      fs.writeFileSync(
        path.resolve(__dirname, '..', '..', 'bench', 'results.json'),
        `${JSON.stringify(results, null, 2)}\n`,
      );
    },
    (err: unknown) => {
      process.stderr.write(`bench failed: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
