import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { readExamples } from '../../scripts/examples';
import { Demo, startDemo } from '../helpers/demo';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(__dirname, '..', '..', '..', 'test-artifacts');
const DETAILS = 'cx-ex3-details';

declare const RED: any;
declare const $: any;

/**
 * The editor as a user meets it: the demo's Node-RED in headless Chromium. The cx call dialog
 * reads the method list from the WSDL and fills the request template; the connection dialog's
 * "Test connection" logs in. Screenshots go to test-artifacts/.
 */
describe('the editor dialogs in a real browser (Chromium, demo runtime)', function () {
  this.timeout(60000);
  let dir = '';
  let demo: Demo | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: this test needs Debian's chromium (apt-get install -y chromium; .ci/run installs it).`,
      );
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-editor-'));
    demo = await startDemo(dir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(demo.editor);
    await page.waitForFunction(
      (id) => typeof RED !== 'undefined' && RED.nodes?.node(id) && $('#red-ui-workspace-chart').length > 0,
      DETAILS,
    );
    assert.deepEqual(errors, []);
  });

  after(async () => {
    await browser?.close();
    await demo?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The whole editor, and the open edit tray alone (as used in the README). */
  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
    const tray = page.locator('.red-ui-tray').last();
    const box = await tray.boundingBox();
    assert.ok(box);
    const bottom = await tray.evaluate((t) =>
      Math.max(
        ...Array.from(t.querySelectorAll('.form-row'))
          .filter((e) => (e as HTMLElement).offsetParent !== null)
          .map((e) => e.getBoundingClientRect().bottom),
      ),
    );
    await page.screenshot({
      path: path.join(ARTIFACTS, `${name}-tray.png`),
      clip: { x: box.x, y: box.y, width: box.width, height: bottom - box.y + 12 },
    });
  };
  const options = (list: string) =>
    page.$$eval(`#${list} option`, (os) => os.map((o) => (o as HTMLOptionElement).value));

  it('every example tab: no two nodes overlap, and every wire runs forward or down to a new row', async () => {
    const problems: string[] = [];
    for (const { name, nodes } of readExamples()) {
      const tab = nodes.find((n) => n.type === 'tab')?.id;
      const onTab = nodes.filter((n) => n.z === tab);
      await page.evaluate((t) => RED.workspaces.show(t), tab);
      // The editor draws a tab on a later animation frame: wait until its nodes are there (a node
      // still missing after the wait is reported below, not thrown here).
      await page
        .waitForFunction(
          (ids: string[]) =>
            ids.every((id) => document.querySelector(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`)),
          onTab.map((n) => n.id),
          { timeout: 10000 },
        )
        .catch(() => undefined);
      // The boxes as drawn: the node with its ports and any label beside it (whatever its label says).
      const boxes = await page.evaluate(
        (ids: string[]) =>
          ids.map((id) => {
            const g = document.querySelector(`#red-ui-workspace-chart g.red-ui-flow-node-group[id="${id}"]`);
            const r = g?.getBoundingClientRect();
            return r ? { id, left: r.left, right: r.right, top: r.top, bottom: r.bottom } : { id };
          }),
        onTab.map((n) => n.id),
      );
      const box = new Map(boxes.map((b) => [b.id, b]));
      const label = (id: string) => {
        const n = onTab.find((x) => x.id === id);
        return `${n?.type} "${n?.name || id}"`;
      };
      for (const b of boxes) if (b.left === undefined) problems.push(`${name}: ${label(b.id)} is not drawn`);
      const drawn = boxes.filter((b): b is Required<typeof b> => b.left !== undefined);
      for (let i = 0; i < drawn.length; i++)
        for (let j = i + 1; j < drawn.length; j++) {
          const [a, b] = [drawn[i], drawn[j]];
          if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
            problems.push(`${name}: ${label(a.id)} overlaps ${label(b.id)}`);
        }
      // A wire that runs back left under its own nodes is hard to follow: back only to a lower row.
      for (const n of onTab)
        for (const target of ((n.wires as string[][] | undefined) ?? []).flat()) {
          const [from, to] = [box.get(n.id), box.get(target)];
          if (from?.right === undefined || to?.left === undefined) continue;
          if (from.right > to.left && to.top < from.bottom)
            problems.push(`${name}: the wire ${label(n.id)} -> ${label(target)} runs back on the same row`);
        }
    }
    assert.deepEqual(problems, []);
  });

  it('cx call: double-click opens the dialog; the method list comes from the WSDL; "Request template" fills the request', async () => {
    await page.evaluate(() => RED.workspaces.show('cx-ex3-tab'));
    await page.dblclick(`g.red-ui-flow-node-group[id="${DETAILS}"] .red-ui-flow-node`);
    const service = page.locator('#node-input-service');
    await service.waitFor({ state: 'visible' });
    assert.equal(await service.inputValue(), 'WSRepairContractorService');

    await page.waitForFunction(() => $('#node-input-cx-services option').length > 0);
    assert.ok((await options('node-input-cx-services')).includes('WSAssetService'));

    // Another service, then back: each time the list is read from that service's WSDL.
    await service.fill('WSAssetService');
    await service.dispatchEvent('change');
    await page.waitForFunction(() =>
      $('#node-input-cx-methods option')
        .toArray()
        .some((o: HTMLOptionElement) => /Asset/.test(o.value)),
    );
    assert.ok(!(await options('node-input-cx-methods')).includes('GetRepairWorkOrderDetails'));
    await service.fill('WSRepairContractorService');
    await service.dispatchEvent('change');
    await page.waitForFunction(() =>
      $('#node-input-cx-methods option')
        .toArray()
        .some((o: HTMLOptionElement) => o.value === 'GetRepairWorkOrderDetails'),
    );
    const methods = await options('node-input-cx-methods');
    for (const m of [
      'GetContractorWorkOrders',
      'GetRepairWorkOrderDetails',
      'UpdateRepairWorksOrderStatus',
      'getVATCodes',
    ])
      assert.ok(methods.includes(m), m);
    assert.match(await page.locator('#node-input-cx-info').innerText(), new RegExp(`^${methods.length} methods$`));

    await page.locator('#node-input-method').fill('GetRepairWorkOrderDetails');
    await page.click('#node-input-cx-template');
    await page.waitForFunction(() => $('#node-input-payload').typedInput('type') === 'json');
    const template = await page.evaluate(() => $('#node-input-payload').typedInput('value') as string);
    assert.match(template, /WorkOrderReference/);
    assert.match(template, /WorkOrderUid/);
    assert.doesNotMatch(template, /Token/, "the token is the pack's business");
    // Beside the request: the answer's shape (README, Messages).
    await page.waitForFunction(() => $('#node-input-cx-template-more .cx-template-answer').length > 0);
    assert.match(await page.locator('#node-input-cx-template-more').innerText(), /msg\.payload will be/);
    await shot('cx-call-dialog');

    // A method with SOAP header parts and a multi-part answer, then one whose member takes derived types.
    await service.fill('WSShapesService');
    await service.dispatchEvent('change');
    await page.locator('#node-input-method').fill('GetQuote');
    await page.click('#node-input-cx-template');
    await page.waitForFunction(() => $('#node-input-cx-template-more .cx-template-headers').length > 0);
    const pre = (cls: string) =>
      page.evaluate((c) => JSON.parse($(`#node-input-cx-template-more .${c}`).first().text()), cls);
    assert.deepEqual(await pre('cx-template-headers'), {
      Account: 'string',
      Trace: { Caller: 'string', Depth: 'int' },
    });
    assert.deepEqual(await pre('cx-template-answer'), { Price: 'decimal', Currency: 'string' });
    assert.deepEqual(await pre('cx-template-answer-headers'), { RequestId: 'string' });
    const more = await page.locator('#node-input-cx-template-more').innerText();
    assert.match(more, /msg\.soapHeaders/);
    assert.match(more, /every part by name/);
    assert.match(more, /msg\.cx\.soapHeaders/);
    await shot('cx-call-dialog-headers');
    await page.locator('#node-input-method').fill('DescribeShape');
    await page.click('#node-input-cx-template');
    await page.waitForFunction(() => $('#node-input-cx-template-more .cx-template-derived').length > 0);
    assert.deepEqual((await pre('cx-template-derived')).Circle, { $type: 'Circle', Name: 'string', Radius: 'decimal' });
    assert.equal(await page.locator('#node-input-cx-template-more .cx-template-headers').count(), 0);
    assert.match(await page.locator('#node-input-cx-template-more').innerText(), /msg\.payload\.shape may be any/);
  });

  it('cx-config: "Test connection" logs in with the env-var URL and credentials and says OK', async () => {
    // The pencil next to Connection, in the open cx call dialog.
    await page.click('#node-input-btn-cx-edit');
    const url = page.locator('#node-config-input-url');
    await url.waitFor({ state: 'visible' });
    assert.equal(await url.inputValue(), '${CX_URL}');
    await page.click('#node-config-cx-test');
    const result = page.locator(
      '#node-config-cx-test-result.cx-config-ok, #node-config-cx-test-result.cx-config-failed',
    );
    await result.waitFor();
    assert.match(await result.innerText(), /^OK, token valid until \d\d:\d\d$/);
    await shot('cx-config-dialog');
    // Leave without changing anything.
    await page.click('#node-config-dialog-cancel');
    await page.click('#node-dialog-cancel');
    await page.waitForFunction(() => !RED.nodes.dirty());
  });

  it('cx call: the Retry hint shows for query-like method names, not for writes; Safe to repeat is explained', async () => {
    await page.evaluate(() => RED.workspaces.show('cx-ex3-tab'));
    await page.dblclick(`g.red-ui-flow-node-group[id="${DETAILS}"] .red-ui-flow-node`);
    const method = page.locator('#node-input-method');
    await method.waitFor({ state: 'visible' });
    // README "Retries, back-off and the queue": the editor suggests retries for names that read as queries.
    const hint = page.locator('#node-input-cx-retry-suggest');
    assert.equal(await method.inputValue(), 'GetRepairWorkOrderDetails');
    await hint.waitFor({ state: 'visible' });
    assert.match(await hint.innerText(), /reads as a query/);
    const shown: Record<string, boolean> = {};
    for (const [name, query] of [
      ['UpdateRepairWorksOrderStatus', false],
      ['getVATCodes', true],
      ['CreateWorkOrder', false],
      ['FindTenancies', true],
      ['', false],
      ['SearchAssets', true],
      ['SetRepairStatus', false],
      ['ListContractors', true],
      ['DeleteTask', false],
      ['GetContractorWorkOrders', true],
      ['Getaway', false],
      ['Listener', false],
    ] as const) {
      await method.fill(name);
      await hint.waitFor({ state: query ? 'visible' : 'hidden' });
      shown[name] = await hint.isVisible();
    }
    assert.deepEqual(shown, {
      UpdateRepairWorksOrderStatus: false,
      getVATCodes: true,
      CreateWorkOrder: false,
      FindTenancies: true,
      '': false,
      SearchAssets: true,
      SetRepairStatus: false,
      ListContractors: true,
      DeleteTask: false,
      GetContractorWorkOrders: true,
      Getaway: false,
      Listener: false,
    });
    // The tick is explained beside it, and why it matters: the pack cannot know what changes data.
    const safe = page.locator('#node-input-safeToRepeat');
    assert.equal(await safe.isVisible(), true);
    assert.match(
      await page.locator('label[for="node-input-safeToRepeat"]').innerText(),
      /^Safe to repeat: this method changes nothing \(or repeating it is harmless\)$/,
    );
    const note = page.locator('.form-tips', { has: hint });
    assert.match(await note.innerText(), /cannot know which Cx methods change data/);
    assert.match(await note.innerText(), /only requests that never reached Cx are sent again/);
    await shot('cx-call-retry');
    await page.click('#node-dialog-cancel');
    await page.waitForFunction(() => !RED.nodes.dirty());
  });

  it('help at 1366x768: nothing in the sidebar is wider than the sidebar (long examples are blocks)', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    for (const type of ['cx-call', 'cx-config', 'cx-token']) {
      const wide = await page.evaluate(async (t) => {
        RED.sidebar.help.show(t);
        await new Promise((r) => setTimeout(r, 300));
        const box = $('.red-ui-help:visible').last()[0] as HTMLElement;
        const right = box.getBoundingClientRect().right;
        const over = Array.from(box.querySelectorAll('*'))
          .filter((e) => e.getBoundingClientRect().right > right + 1)
          .map((e) => `${e.tagName}: ${(e.textContent ?? '').slice(0, 60)}`);
        return { text: box.textContent ?? '', over };
      }, type);
      assert.ok(wide.text.length > 200, `the help of ${type} is shown`);
      assert.deepEqual(wide.over, [], `${type}: cut at the sidebar's edge`);
    }
  });

  it('a new cx call: unnamed it is labelled with its method; with no connection yet, the select offers to add one', async () => {
    const seen = await page.evaluate(async () => {
      // As on a first start: no Cx connection exists yet.
      const configs: string[] = [];
      RED.nodes.eachConfig((c: { type: string; id: string }) => {
        if (c.type === 'cx-config') configs.push(c.id);
      });
      configs.forEach((id) => RED.nodes.remove(id));
      RED.view.importNodes([
        { id: 'cx-new-call', type: 'cx-call', x: 300, y: 300, z: RED.workspaces.active(), wires: [[]] },
      ]);
      const node = RED.nodes.node('cx-new-call');
      const blank = RED.utils.getNodeLabel(node);
      node.service = 'WSRepairContractorService';
      node.method = 'getVATCodes';
      const labelled = RED.utils.getNodeLabel(node);
      node.service = '';
      node.method = '';
      RED.editor.edit(node);
      await new Promise((r) => setTimeout(r, 500));
      return {
        blank,
        labelled,
        selected: $('#node-input-cx option:selected').text(),
        options: $('#node-input-cx option').length,
        pencilDisabled: $('#node-input-btn-cx-edit').hasClass('disabled'),
        plus: $('#node-input-btn-cx-add').length,
      };
    });
    assert.equal(seen.blank, 'cx call');
    assert.equal(seen.labelled, 'getVATCodes', 'the method alone; the service is in the Info sidebar');
    // What README "A first flow in five steps" step 2 describes (Node-RED 4.1).
    assert.equal(seen.selected, 'Add new cx-config...');
    assert.equal(seen.options, 1);
    assert.equal(seen.pencilDisabled, true);
    assert.equal(seen.plus, 1);
    await page.click('#node-dialog-cancel');
  });
});
