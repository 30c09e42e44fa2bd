import assert from 'node:assert/strict';
import { MODULE, NodeRedProcess, startNodeRed } from '../helpers/node-red-process';

/**
 * The package as a user installs it: a real Node-RED finds it in its user directory and serves
 * the editor's HTML, help, message catalogues and icons from next to the registered .js files.
 */
describe('the package in a real Node-RED (palette, help, icons, locales)', function () {
  this.timeout(30000);
  let red: NodeRedProcess;
  let base = '';

  before(async () => {
    red = await startNodeRed('palette');
    base = red.base;
  });

  after(() => red?.stop());

  const get = async (p: string, accept = 'application/json') => {
    const res = await fetch(`${base}/${p}`, { headers: { accept } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it('registers the three node types without errors', async () => {
    const list = JSON.parse((await get('nodes')).text) as {
      module: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }[];
    const ours = list.filter((n) => n.module === MODULE);
    assert.deepEqual(ours.flatMap((n) => n.types).sort(), ['cx-call', 'cx-config', 'cx-token']);
    for (const n of ours) assert.ok(n.enabled && !n.err, JSON.stringify(n));
  });

  it("serves each node's editor definition and help", async () => {
    for (const type of ['cx-config', 'cx-token', 'cx-call']) {
      const html = (await get(`nodes/${MODULE}/${type}`, 'text/html')).text;
      assert.match(html, new RegExp(`data-template-name="${type}"`));
      assert.match(html, new RegExp(`data-help-name="${type}"`));
    }
    const call = (await get(`nodes/${MODULE}/cx-call`, 'text/html')).text;
    assert.match(call, /<h3>Inputs<\/h3>/);
    assert.match(call, /CX_REFUSED/);
    assert.match(call, /category: "Civica Cx"/);
  });

  it('serves the icons and message catalogues', async () => {
    const icons = JSON.parse((await get('icons')).text) as Record<string, string[]>;
    assert.deepEqual([...(icons[MODULE] ?? [])].sort(), ['cx-call.svg', 'cx-token.svg']);
    const svg = await get(`icons/${MODULE}/cx-call.svg`, 'image/svg+xml');
    assert.equal(svg.status, 200);
    assert.match(svg.text, /<svg/);
    for (const type of ['cx-config', 'cx-token', 'cx-call']) {
      const cat = JSON.parse((await get(`locales/${MODULE}/${type}?lng=en-US`)).text);
      assert.ok(cat[type]?.label && cat[type]?.status, `${type} catalogue: ${JSON.stringify(cat).slice(0, 200)}`);
    }
  });
});
