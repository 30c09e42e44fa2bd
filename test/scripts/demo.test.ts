import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Demo, alive, runLauncher, startDemo } from '../helpers/demo';

const MODULE = 'node-red-contrib-civica-cx';

/** Asks again (one HTTP round trip each time) until the answer fits, up to a deadline. */
async function eventually<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(v)}`);
  }
}

/** Resolves once the demo's output matches `re` (checked as each chunk arrives), or fails after 10 s. */
function printed(demo: Demo, re: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!re.test(demo.output())) return;
      clearTimeout(timer);
      demo.child.stdout?.off('data', check);
      resolve();
    };
    const timer = setTimeout(() => {
      demo.child.stdout?.off('data', check);
      reject(new Error(`Timed out waiting for ${re} in the demo's output:\n${demo.output().slice(-2000)}`));
    }, 10000);
    demo.child.stdout?.on('data', check);
    check();
  });
}

/** `npm start` without npm: the launcher starts the simulator and a real Node-RED with the examples. */
describe('the demo (npm start)', function () {
  this.timeout(30000);
  let dir = '';
  let demo: Demo | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-demo-'));
  });
  afterEach(async () => {
    await demo?.stop();
    demo = undefined;
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const json = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    assert.equal(res.status, 200, `${url}: ${res.status}`);
    return res.json() as Promise<any>;
  };

  it('serves the editor with the pack, its examples listed and deployed; a click on an inject reaches the simulator; SIGINT stops both children', async () => {
    demo = await startDemo(dir);
    const page = await fetch(demo.editor);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Node-RED/);

    const nodes = (await json(`${demo.editor}nodes`, { headers: { accept: 'application/json' } })) as {
      module: string;
      types: string[];
    }[];
    assert.deepEqual(
      nodes
        .filter((n) => n.module === MODULE)
        .flatMap((n) => n.types)
        .sort(),
      ['cx-call', 'cx-config', 'cx-token'],
    );

    // Import > Examples lists the flow files (and nothing else of the examples folder).
    assert.deepEqual(await json(`${demo.editor}library/examples/flows/${MODULE}/`), [
      { fn: '01 Get a token' },
      { fn: '02 Read VAT codes' },
      { fn: '03 Weekday work-order pickup' },
      { fn: '04 Update a work order status' },
      { fn: '05 Handle errors by code' },
    ]);

    const flows = (await json(`${demo.editor}flows`)) as Record<string, any>[];
    assert.deepEqual(
      flows.filter((n) => n.type === 'tab').map((n) => n.label),
      ['Cx 1: get a token', 'Cx 2: VAT codes', 'Cx 3: 09:00 pickup', 'Cx 4: status update', 'Cx 5: errors by code'],
    );
    const configs = flows.filter((n) => n.type === 'cx-config');
    assert.equal(configs.length, 1, 'the examples share one connection');
    assert.equal(configs[0].url, '${CX_URL}');

    // The URL and the credentials come from environment variables that only the runtime resolves.
    const stats = () => json(`${demo?.simulator}/_sim/stats`);
    assert.equal((await stats()).logins, 0);
    assert.equal((await fetch(`${demo.editor}inject/cx-ex2-inject`, { method: 'POST' })).status, 200);
    const seen = await eventually(stats, (st) => st.byOperation?.getVATCodes === 1, 'the VAT codes call');
    assert.equal(seen.logins, 1);
    assert.equal(seen.faults, 0);
    // Each child's lines carry its name once (the simulator tags its own lines).
    await printed(demo, /^\[cx-simulator\] WSRepairContractorService getVATCodes 200 /m);
    assert.doesNotMatch(demo.output(), /\[cx-simulator\] \[cx-simulator\]/);
    assert.match(demo.output(), /^\[node-red\] .*Server now running/m);
    // The demo's settings set a credentialSecret: no warning about a system-generated key.
    assert.doesNotMatch(demo.output(), /system-generated key|credentialSecret/);

    const { pids } = demo;
    assert.ok(pids.every(alive));
    assert.equal(await demo.stop(), 0);
    demo = undefined;
    assert.ok(!pids.some(alive), 'simulator and Node-RED have exited');
  });

  it('a second start keeps the flows of the first and works the same (CX_DEMO_RESET=1 deploys the examples again)', async () => {
    demo = await startDemo(dir);
    assert.match(demo.output(), /your flows from the last run kept/);
    const flows = (await json(`${demo.editor}flows`)) as Record<string, any>[];
    assert.equal(flows.filter((n) => n.type === 'cx-config').length, 1);
    assert.equal(await demo.stop(), 0);
    demo = await startDemo(dir, { CX_DEMO_RESET: '1' });
    assert.match(demo.output(), /example flows deployed/);
    assert.equal(await demo.stop(), 0);
    demo = undefined;
  });

  it('says clearly when the editor port is taken, and starts nothing', async () => {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
    );
    try {
      const run = runLauncher({ CX_DEMO_DIR: dir, CX_DEMO_PORT: String(port) });
      assert.equal(await run.exited, 1);
      assert.match(
        run.output(),
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*CX_DEMO_PORT=${port + 1} npm start`),
      );
      assert.doesNotMatch(run.output(), /LISTENING|Server now running/);
    } finally {
      server.close();
    }
  });
});
