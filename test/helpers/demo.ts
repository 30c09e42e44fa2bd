import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

/** The demo launcher (`npm start`) as a child process, on free ports, with its state in `dir`. */
export interface Demo {
  editor: string;
  simulator: string;
  /** simulator and Node-RED */
  pids: number[];
  child: ChildProcess;
  output(): string;
  /** SIGINT, as Ctrl-C; resolves with the launcher's exit code. */
  stop(): Promise<number | null>;
}

export const LAUNCHER = path.resolve(__dirname, '..', '..', 'scripts', 'demo.js');
const READY = /cx-demo: ready: editor (\S+) simulator (\S+) \(pids (\d+) (\d+)\)/;

export function runLauncher(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, [LAUNCHER], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CX_DEMO_PORT: '0', CX_SIM_PORT: '0', ...env },
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function startDemo(dir: string, env: Record<string, string> = {}): Promise<Demo> {
  const run = runLauncher({ CX_DEMO_DIR: dir, ...env });
  const m = await new Promise<RegExpExecArray>((resolve, reject) => {
    const check = () => {
      const found = READY.exec(run.output());
      if (found) resolve(found);
    };
    run.child.stdout?.on('data', check);
    run.exited.then((code) =>
      reject(new Error(`the demo stopped before it was ready (exit code ${code}):\n${run.output()}`)),
    );
  });
  return {
    editor: m[1],
    simulator: m[2],
    pids: [Number(m[3]), Number(m[4])],
    child: run.child,
    output: run.output,
    async stop() {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGINT');
      return run.exited;
    },
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
