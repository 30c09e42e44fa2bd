import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatResults, summarise } from '../../bench/report';
import { inChild, runBench, writeResults } from '../../bench/run';
import type { ColdResult } from '../../bench/tasks';

/** The benchmark harness with tiny counts, so that a broken bench is noticed. Structure only, never speed. */
describe('bench harness (smoke)', function () {
  this.timeout(30000);

  it('runs every measurement for every contender and formats the table', async () => {
    const r = await runBench({
      runs: 1,
      smallCalls: 20,
      warmup: 5,
      concurrency: 4,
      sizes: [200],
      redeploys: 1,
      stormCalls: 20,
      inProcess: true,
    });
    for (const c of ['cx-call', 'client', 'node-soap', 'bare-http'] as const) {
      const s = r.small[c]?.[0];
      assert.ok(s && s.sequential > 0 && s.concurrent > 0, c);
      const l = r.large[200]?.[c]?.[0];
      assert.ok(l, c);
      assert.equal(l.records, 200);
      for (const k of ['totalMs', 'peakRssMB', 'maxStallMs'] as const) assert.equal(typeof l[k], 'number', `${c} ${k}`);
    }
    assert.equal(r.cold.client?.[0].logins, 1);
    assert.equal(r.cold['node-soap']?.[0].logins, 1);
    assert.equal(r.redeploy[0].afterRedeployMs.length, 1);
    assert.equal(typeof r.redeploy[0].wsdlRequestsAfter, 'number');
    assert.equal(r.storm.runs[0].answered, 20);
    assert.equal(r.storm.runs[0].logins, 1);

    const { checks } = summarise(r);
    assert.ok(checks.length >= 10);
    const text = formatResults(r);
    assert.match(text, /\| measurement \| cx-call \| client \| node-soap \| bare-http \|/);
    for (const row of ['one at a time', '4 at a time', '200 records', 'cold start', 'full redeploy', 'token storm'])
      assert.ok(text.includes(row), row);
    assert.match(text, /cores/);
  });

  it('runs a measurement in a fresh child process', async () => {
    // a cold start needs a simulator; the smallest one is the in-process one from the simulator module
    const { startSimulator } = await import('../../simulator');
    const sim = await startSimulator({ port: 0, quiet: true });
    try {
      const r = await inChild<ColdResult>({ kind: 'cold', contender: 'client', url: sim.url });
      assert.ok(r.firstCallMs > 0);
      assert.equal(r.logins, 1);
    } finally {
      await sim.close();
    }
  });

  it('keeps the hand-written notes of results.md when it writes new figures', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-bench-'));
    const file = path.join(dir, 'results.md');
    try {
      writeResults(file, '# first');
      fs.appendFileSync(file, 'why it is slow\n');
      writeResults(file, '# second');
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.startsWith('# second'));
      assert.ok(text.includes('why it is slow'));
      assert.ok(!text.includes('# first'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
