// npm start: the Cx simulator and Node-RED (with this package and the example flows) on loopback.
// Ctrl-C stops both. Ports and the state folder come from environment variables; see HELP.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { allExamples } from './examples';

const ROOT = path.resolve(__dirname, '..', '..');
const MODULE = 'node-red-contrib-civica-cx';
const HOST = '127.0.0.1';
const USER = 'Jim.Walker';
const PASSWORD = 'HappyB!rthday';
const DEMO_CREDENTIAL_SECRET = 'cx-demo-only: public, not a secret';

const HELP = `Environment variables:
  CX_DEMO_PORT   Node-RED editor port (default 1880; 0 picks a free one)
  CX_SIM_PORT    Cx simulator port (default 8089; 0 picks a free one)
  CX_DEMO_DIR    Node-RED user directory (default .demo in the package)
  CX_DEMO_RESET  1: deploy the example flows again, replacing the flows kept from the last run`;

const say = (line: string) => process.stdout.write(`cx-demo: ${line}\n`);

function port(name: string, def: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n > 65535) {
    process.stderr.write(`cx-demo: ${name} must be a port number (0-65535), got '${raw}'.\n${HELP}\n`);
    process.exit(2);
  }
  return n;
}

function free(p: number): Promise<boolean> {
  if (p === 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(p, HOST, () => s.close(() => resolve(true)));
  });
}

/** The user directory: the package linked into node_modules (as an install would) and fresh settings. */
function prepare(dir: string): string {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules, { recursive: true });
  const link = path.join(modules, MODULE);
  let current: string | undefined;
  try {
    current = fs.readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current !== ROOT) {
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(ROOT, link, process.platform === 'win32' ? 'junction' : 'dir');
  }
  const settings = path.join(dir, 'settings.js');
  fs.writeFileSync(
    settings,
    `// Written by the Cx demo (npm start) at every start: change scripts/demo.ts instead.
module.exports = {
    uiHost: ${JSON.stringify(HOST)},
    flowFile: "flows.json",
    flowFilePretty: true,
    // Encrypts the demo's flows_cred.json. A fixed, public value (so Node-RED does not warn about a
    // generated key): a real install sets its own secret (README, Install).
    credentialSecret: ${JSON.stringify(DEMO_CREDENTIAL_SECRET)},
    editorTheme: { projects: { enabled: false }, tours: false },
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false },
    logging: { console: { level: "info", metrics: false, audit: false } }
};
`,
  );
  return settings;
}

/**
 * Echoes a child's output line by line with `[name] ` in front, unless the line has it already
 * (the simulator tags its own log lines). A line split across reads is echoed once it is whole.
 */
function prefixer(name: string, write = (s: string) => process.stdout.write(s)): (text: string) => void {
  const tag = `[${name}] `;
  let partial = '';
  return (text) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) write(line === '' || line.startsWith(tag) ? `${line}\n` : `${tag}${line}\n`);
  };
}

const children: ChildProcess[] = [];
const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

function start(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  // Own process group: Ctrl-C reaches the launcher only, which then stops each child exactly once.
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
    detached: true,
    windowsHide: true,
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let pending = '';
    let done = false;
    const echo = prefixer(name);
    const onData = (d: Buffer) => {
      const text = d.toString();
      echo(text);
      if (done) return;
      pending += text;
      const m = ready.exec(pending);
      if (m) {
        done = true;
        resolve({ child, match: m });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!done) reject(new Error(`${name} stopped before it was ready (${signal ?? `exit code ${code}`})`));
    });
  });
}

let stopping = false;
function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  const left = children.filter(running);
  if (left.length === 0) process.exit(code);
  say('stopping Node-RED and the simulator');
  let waiting = left.length;
  const force = setTimeout(() => left.filter(running).forEach((c) => c.kill('SIGKILL')), 10000);
  for (const c of left) {
    c.once('exit', () => {
      if (--waiting === 0) {
        clearTimeout(force);
        say('stopped');
        process.exit(code);
      }
    });
    c.kill('SIGINT');
  }
}

async function deploy(editor: string): Promise<'deployed' | 'kept'> {
  const current = await fetch(`${editor}flows`, { headers: { 'Node-RED-API-Version': 'v2' } });
  if (!current.ok) throw new Error(`GET /flows answered HTTP ${current.status}`);
  const { flows } = (await current.json()) as { flows: unknown[] };
  if (flows.length > 0 && process.env.CX_DEMO_RESET !== '1') return 'kept';
  const res = await fetch(`${editor}flows`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Node-RED-Deployment-Type': 'full' },
    body: JSON.stringify(allExamples()),
  });
  if (!res.ok) throw new Error(`deploying the example flows failed: HTTP ${res.status} ${await res.text()}`);
  return 'deployed';
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`npm start: Node-RED with ${MODULE}, a Cx simulator and the example flows.\n${HELP}\n`);
    return;
  }
  const editorPort = port('CX_DEMO_PORT', 1880);
  const simPort = port('CX_SIM_PORT', 8089);
  const dir = path.resolve(process.env.CX_DEMO_DIR || path.join(ROOT, '.demo'));
  for (const [p, name] of [
    [editorPort, 'CX_DEMO_PORT'],
    [simPort, 'CX_SIM_PORT'],
  ] as const) {
    if (!(await free(p))) {
      process.stderr.write(
        `cx-demo: port ${p} on ${HOST} is already in use (another Node-RED or demo?). ` +
          `Choose another one, e.g. ${name}=${p + 1} npm start\n`,
      );
      process.exit(1);
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stopAll(0));
  // Last resort if the launcher itself dies: no child is left running.
  process.on('exit', () => children.filter(running).forEach((c) => c.kill('SIGTERM')));

  const settings = prepare(dir);
  const sim = await start(
    'cx-simulator',
    [
      path.join(ROOT, 'dist', 'simulator', 'cli.js'),
      '--port',
      String(simPort),
      '--host',
      HOST,
      '--user',
      USER,
      '--password',
      PASSWORD,
    ],
    process.env,
    /^LISTENING (\S+)/m,
  );
  const simUrl = sim.match[1];
  const red = await start(
    'node-red',
    [require.resolve('node-red/red.js'), '--userDir', dir, '--port', String(editorPort), '--settings', settings],
    { ...process.env, CX_URL: simUrl, CX_USERNAME: USER, CX_PASSWORD: PASSWORD, NODE_RED_ENABLE_PROJECTS: 'false' },
    /Server now running at (http:\/\/\S+?)\/?\s/,
  );
  const editor = `${red.match[1]}/`;
  const flows = await deploy(editor);
  for (const c of children) {
    c.once('exit', (code, signal) => {
      if (!stopping) {
        say(`a child process stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the other`);
        stopAll(1);
      }
    });
  }
  say(`  Node-RED editor: ${editor}`);
  say(`  Cx simulator:    ${simUrl} (user ${USER}; flows get it from CX_URL, CX_USERNAME, CX_PASSWORD)`);
  const shown = path.relative(process.cwd(), dir);
  say(
    `  state:           ${shown && !shown.startsWith('..') ? shown : dir} (${flows === 'deployed' ? 'example flows deployed' : 'your flows from the last run kept; CX_DEMO_RESET=1 deploys the examples again'})`,
  );
  say('  Ctrl-C stops both.');
  // Last, so that whoever waits for it has read everything above.
  say(`ready: editor ${editor} simulator ${simUrl} (pids ${sim.child.pid} ${red.child.pid})`);
}

main().catch((err: unknown) => {
  process.stderr.write(`cx-demo: ${(err as Error)?.message ?? err}\n`);
  stopAll(1);
});
