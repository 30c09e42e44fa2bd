#!/usr/bin/env node
// cx-simulator: a WCF-faithful Civica Cx stand-in for demos, tests and benchmarks.
// Prints exactly one line, "LISTENING <url>", on stdout when ready.
import { SimulatorOptions, startSimulator } from './server';

const HELP = `Usage: cx-simulator [options]

A Civica Cx web services simulator (WCF SOAP 1.1) for demos, tests and benchmarks.

Options:
  --port <n>         port to listen on (default 8089; 0 picks a free port)
  --host <addr>      address to bind (default 127.0.0.1, loopback only)
  --user <name>      API user name (default Jim.Walker)
  --password <pw>    API user password (default HappyB!rthday)
  --token-ttl <s>    token lifetime in seconds (default 600)
  --quiet            no per-call log lines on stderr
  --help             show this help

When ready it prints "LISTENING http://<host>:<port>/cx" on stdout.
Controls: GET <url>/_sim/stats; POST <url>/_sim/reset, reset-stats, expire-tokens,
inject {"kind","count","ms","bytes"}, list-size {"size"}.
`;

function parseArgs(argv: string[]): SimulatorOptions | 'help' {
  const opts: SimulatorOptions = { port: 8089 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const number = (): number => {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new Error(`${flag} must be a whole number, got '${v}'`);
      return n;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--port':
        opts.port = number();
        break;
      case '--host':
        opts.host = value();
        break;
      case '--user':
        opts.user = value();
        break;
      case '--password':
        opts.password = value();
        break;
      case '--token-ttl':
        opts.tokenTtlSeconds = number();
        break;
      case '--quiet':
        opts.quiet = true;
        break;
      default:
        throw new Error(`unknown option ${arg} (see --help)`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  let opts: SimulatorOptions | 'help';
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`cx-simulator: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts === 'help') {
    process.stdout.write(HELP);
    return;
  }
  // Signal handlers go in before LISTENING is printed: a parent may signal as soon as it reads it.
  let stop: () => void = () => {
    stopRequested = true;
  };
  let stopRequested = false;
  process.once('SIGINT', () => stop());
  process.once('SIGTERM', () => stop());
  const sim = await startSimulator(opts);
  stop = () => {
    sim.close().then(
      () => {
        process.exitCode = 0;
      },
      () => {
        process.exitCode = 1;
      },
    );
  };
  if (stopRequested) {
    stop();
    return;
  }
  process.stdout.write(`LISTENING ${sim.url}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`cx-simulator: ${(e as Error)?.message ?? String(e)}\n`);
  process.exitCode = 1;
});
