// The Cx simulator in its own process (so its CPU is not charged to a contender's event loop),
// driven through its HTTP controls.
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

export interface SimStats {
  logins: number;
  calls: number;
  faults: number;
  maxInFlight: number;
  wsdlRequests: number;
  xsdRequests: number;
}

export class SimProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  /** Starts `cx-simulator --port 0 --quiet` from the build next to this file and waits for LISTENING. */
  static start(): Promise<SimProcess> {
    const cli = path.resolve(__dirname, '..', 'simulator', 'cli.js');
    const child = spawn(process.execPath, [cli, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /LISTENING (\S+)/.exec(out);
        if (m) resolve(new SimProcess(m[1], child));
      });
      child.once('exit', (code) => reject(new Error(`simulator exited (${code}) before listening`)));
      child.once('error', reject);
    });
  }

  async stats(): Promise<SimStats> {
    return (await control(this.url, 'stats', 'GET')) as SimStats;
  }

  resetStats(): Promise<unknown> {
    return control(this.url, 'reset-stats');
  }
  expireTokens(): Promise<unknown> {
    return control(this.url, 'expire-tokens');
  }
  listSize(size: number | null): Promise<unknown> {
    return control(this.url, 'list-size', 'POST', { size });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** One control request to a simulator at `url` (usable from any process). */
export async function control(url: string, name: string, method = 'POST', body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}/_sim/${name}`, {
    method,
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? (method === 'POST' ? '{}' : undefined) : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`_sim/${name}: HTTP ${res.status}`);
  return res.json();
}
