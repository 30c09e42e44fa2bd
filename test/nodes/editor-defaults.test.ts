import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { CONFIG_FIELDS, optionsFor } from '../../nodes/adapter/settings';
import { resolveOptions } from '../../nodes/lib/client-options';

/** dist/test/nodes -> dist/nodes, where the build puts the editor files beside the nodes. */
const NODES = path.resolve(__dirname, '../../nodes');

/** Runs an editor file's registration scripts against a stub RED and returns the definitions. */
function editorDefinitions(file: string): Record<string, Record<string, any>> {
  const html = readFileSync(path.join(NODES, file), 'utf8');
  const defs: Record<string, Record<string, any>> = {};
  const validator = () => () => true;
  const RED = {
    nodes: { registerType: (type: string, def: Record<string, any>) => (defs[type] = def) },
    validators: { number: validator, regex: validator, typedInput: validator },
  };
  for (const [, code] of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) {
    vm.runInNewContext(code, { RED, $: () => ({}) });
  }
  return defs;
}

describe('editor definitions agree with the runtime', () => {
  it("cx-config's editor defaults are the runtime's settings, with the same defaults", () => {
    const { defaults } = editorDefinitions('cx-config.html')['cx-config'];
    const editorFields = Object.keys(defaults).filter((k) => !['name', 'tls', 'proxy'].includes(k));
    assert.deepEqual(editorFields, Object.keys(CONFIG_FIELDS));
    for (const [name, field] of Object.entries(CONFIG_FIELDS))
      assert.equal(defaults[name].value, field.default, `default of ${name}`);
    // A node saved with the editor's defaults gets the same options as one saved with empty fields.
    const saved = Object.fromEntries(editorFields.map((k) => [k, defaults[k].value]));
    assert.deepEqual(
      optionsFor({ ...saved, url: 'https://cx.example' }, {}),
      optionsFor({ url: 'https://cx.example' }, {}),
    );
  });

  it("the settings' defaults are the client's own", () => {
    const given = { url: 'https://cx.example', username: 'u', password: 'p' };
    const viaNode = resolveOptions(optionsFor({ url: given.url }, given)).opts as Record<string, unknown>;
    const clientOwn = resolveOptions(given).opts as Record<string, unknown>;
    for (const [name, field] of Object.entries(CONFIG_FIELDS))
      assert.deepEqual(viaNode[field.option], clientOwn[field.option], `default of ${name}`);
  });

  it('the dialog refuses a timeout, maximum concurrent calls or size cap of zero or less', () => {
    const { defaults } = editorDefinitions('cx-config.html')['cx-config'];
    const valid = (name: string, v: unknown) => defaults[name].validate.call({}, v, {}) === true;
    for (const name of ['timeout', 'maxConcurrent', 'maxResponseMB']) {
      for (const bad of ['0', 0, '-1', -5, 'abc', '1e400']) assert.equal(valid(name, bad), false, `${name} = ${bad}`);
      assert.equal(valid(name, '3'), true, `${name} = 3`);
    }
    assert.equal(valid('timeout', ''), false, 'the timeout is required');
    assert.equal(valid('maxConcurrent', ''), true, 'empty: the default');
    assert.equal(valid('maxConcurrent', '2.5'), false, 'calls are whole');
    assert.equal(valid('maxResponseMB', '0.5'), true);
  });

  it('every message key the nodes use is in the catalogue, and every key in it is used', () => {
    const sources = readdirSync(NODES)
      .filter((f) => /^cx-.*\.(js|html)$/.test(f))
      .concat(readdirSync(path.join(NODES, 'adapter')).map((f) => path.join('adapter', f)))
      .map((f) => readFileSync(path.join(NODES, f), 'utf8'))
      .join('\n');
    const used = new Set(
      [...sources.matchAll(/["'\]](cx-(?:call|token|config)\.(?:label|status|errors|placeholder)\.[\w.]+)["']/g)].map(
        (m) => m[1],
      ),
    );
    // The input pipeline builds these two from the node type (nodes/adapter/pipeline.ts).
    for (const type of ['cx-call', 'cx-token']) for (const k of ['calling', 'error']) used.add(`${type}.status.${k}`);
    const defined = new Set<string>();
    const walk = (prefix: string, o: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(o))
        if (typeof v === 'object' && v) walk(`${prefix}${k}.`, v as Record<string, unknown>);
        else defined.add(`${prefix}${k}`);
    };
    for (const f of readdirSync(path.join(NODES, 'locales', 'en-US')).filter((f) => f.endsWith('.json')))
      walk('', JSON.parse(readFileSync(path.join(NODES, 'locales', 'en-US', f), 'utf8')));
    assert.deepEqual([...used].filter((k) => !defined.has(k)).sort(), [], 'used but not defined');
    assert.deepEqual([...defined].filter((k) => !used.has(k)).sort(), [], 'defined but not used');
    for (const k of defined) assert.match(k.split('.').pop() as string, /^[a-z][A-Za-z]*$/, `camelCase key ${k}`);
  });
});
