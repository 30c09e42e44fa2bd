import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const MODULE = 'node-red-contrib-civica-cx';

/** A real Node-RED in a child process, with this package in its user directory as a user has it. */
export interface NodeRedProcess {
  /** e.g. `http://127.0.0.1:43123` (no trailing slash). */
  base: string;
  userDir: string;
  /** Everything Node-RED has printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Another runtime than the dev dependency's (the version test, scripts/version-test.ts). */
export interface NodeRedRuntime {
  /** The Node.js binary (default: the one running this process). */
  node?: string;
  /** Node-RED's `red.js` (default: from `redModule`). */
  redJs?: string;
  /** A user directory with the package already installed; kept on stop (default: a temporary one with the package linked). */
  userDir?: string;
  /** Extra environment variables for Node-RED. */
  env?: Record<string, string>;
}

/**
 * Starts Node-RED (`red.js` from the dev dependencies: `node-red` 4.1, or `node-red-3` for 3.1,
 * or the given runtime) on 127.0.0.1 and a free port with the given settings (merged over test
 * defaults), and resolves once it serves.
 */
export async function startNodeRed(
  name: string,
  settings: Record<string, unknown> = {},
  redModule = 'node-red',
  runtime: NodeRedRuntime = {},
): Promise<NodeRedProcess> {
  const ownDir = runtime.userDir === undefined;
  const userDir = runtime.userDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `cx-${name}-`));
  if (ownDir) {
    fs.mkdirSync(path.join(userDir, 'node_modules'));
    // dist/test/helpers -> the package root, linked as an installed module.
    fs.symlinkSync(path.resolve(__dirname, '..', '..', '..'), path.join(userDir, 'node_modules', MODULE), 'dir');
  }
  const all = {
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: 'test-only',
    diagnostics: { enabled: false },
    logging: { console: { level: 'info' } },
    ...settings,
  };
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(all)};\n`);
  const red: ChildProcess = spawn(
    runtime.node ?? process.execPath,
    [
      runtime.redJs ?? require.resolve(`${redModule}/red.js`),
      '--userDir',
      userDir,
      '--port',
      '0',
      '--settings',
      path.join(userDir, 'settings.js'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false', ...runtime.env } },
  );
  let log = '';
  const stop = async () => {
    if (red.exitCode === null && red.signalCode === null) {
      const exited = new Promise((r) => red.once('exit', r));
      red.kill('SIGINT');
      await exited;
    }
    if (ownDir) fs.rmSync(userDir, { recursive: true, force: true });
  };
  try {
    const base = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer) => {
        log += d.toString();
        const m = /Server now running at (http:\/\/\S+?)\/?\s/.exec(log);
        if (m) resolve(m[1]);
      };
      red.stdout?.on('data', onData);
      red.stderr?.on('data', onData);
      red.on('exit', (code) => reject(new Error(`Node-RED exited (${code}):\n${log}`)));
    });
    return { base, userDir, log: () => log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
