// The four ways of calling Cx that the benchmark compares, behind one small interface.
import * as http from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import * as soap from 'soap';
import { CxClient } from '../nodes/lib';
import cxCallNode from '../nodes/cx-call';
import cxConfigNode from '../nodes/cx-config';

export const CONTENDERS = ['cx-call', 'client', 'node-soap', 'bare-http'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export const USER = 'Jim.Walker';
export const PASSWORD = 'HappyB!rthday';
const RC = 'WSRepairContractorService';
const CONTRACTOR = 'C001';

export interface ContenderOptions {
  maxConcurrent: number;
  maxResponseBytes: number;
}

export interface Contender {
  /** One `getVATCodes`; rejects unless Cx answered IsValid. */
  small(): Promise<void>;
  /** One `GetContractorWorkOrders`; resolves with the number of records received. */
  list(): Promise<number>;
  close(): Promise<void>;
}

export function openContender(name: ContenderName, url: string, opts: ContenderOptions): Promise<Contender> {
  switch (name) {
    case 'cx-call':
      return openNodeRed(url, opts);
    case 'client':
      return Promise.resolve(openClient(url, opts));
    case 'node-soap':
      return openNodeSoap(url);
    case 'bare-http':
      return Promise.resolve(openBareHttp(url, opts));
  }
}

const count = (list: unknown): number => (Array.isArray(list) ? list.length : list ? 1 : 0);

function expectValid(result: unknown, what: string): Record<string, unknown> {
  const r = result as Record<string, unknown> | undefined;
  if (!r || r.IsValid !== true) throw new Error(`${what}: not a valid answer: ${JSON.stringify(r)?.slice(0, 200)}`);
  return r;
}

// (b) The Cx client of this package, alone.
export function openClient(url: string, opts: ContenderOptions): Contender & { client: CxClient } {
  const client = new CxClient({
    url,
    username: USER,
    password: PASSWORD,
    maxConcurrent: opts.maxConcurrent,
    maxResponseBytes: opts.maxResponseBytes,
  });
  return {
    client,
    async small() {
      expectValid((await client.call(RC, 'getVATCodes', {})).result, 'client');
    },
    async list() {
      const r = expectValid(
        (await client.call(RC, 'GetContractorWorkOrders', { ContractorCode: CONTRACTOR })).result,
        'client',
      );
      return count(r.WorkOrders);
    },
    async close() {
      client.close();
    },
  };
}

// (c) Plain node-soap with its defaults, as the existing Node-RED SOAP packs use it. The
// inherited Token member needs nothing special: soap >= 1.12 writes it first, in its base namespace.
async function openNodeSoap(url: string): Promise<Contender> {
  const tokens = await soap.createClientAsync(`${url}/webservice/wstokenservice?wsdl`);
  const rc = await soap.createClientAsync(`${url}/webservice/wsrepaircontractorservice?wsdl`);
  const [login] = await tokens.GetUserWSTokenAsync({ request: { UserName: USER, Password: PASSWORD } });
  const token = expectValid(login?.GetUserWSTokenResult, 'node-soap login').Token as string;
  return {
    async small() {
      const [r] = await rc.getVATCodesAsync({ request: { Token: token } });
      expectValid(r?.getVATCodesResult, 'node-soap');
    },
    async list() {
      const [r] = await rc.GetContractorWorkOrdersAsync({ request: { Token: token, ContractorCode: CONTRACTOR } });
      const orders = expectValid(r?.GetContractorWorkOrdersResult, 'node-soap').WorkOrders as
        Record<string, unknown> | undefined;
      return count(orders?.WorkOrderSummary);
    },
    async close() {
      /* node-soap keeps nothing open beyond the global agent */
    },
  };
}

// (d) The limit: node:http with a keep-alive agent, a prebuilt envelope and a minimal parse.
const NS_SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS_BASE = 'http://schemas.datacontract.org/2004/07/Civica.Housing.Cx.WebServices.Contracts.DataContracts';
const NS_SECURITY = `${NS_BASE}.Modules.Security`;
const NS_REPAIRS = `${NS_BASE}.Modules.Repairs`;
const envelope = (op: string, members: string, ns: string) =>
  `<s:Envelope xmlns:s="${NS_SOAP}"><s:Body><${op} xmlns="http://tempuri.org/"><request xmlns:b="${NS_BASE}" xmlns:m="${ns}">` +
  `${members}</request></${op}></s:Body></s:Envelope>`;

export function openBareHttp(url: string, opts: ContenderOptions): Contender & { responseBytes: () => number } {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: opts.maxConcurrent + 1,
    noDelay: true,
  } as http.AgentOptions);
  const parser = new XMLParser({
    removeNSPrefix: true,
    ignoreAttributes: true,
    parseTagValue: false,
    isArray: (name) => name === 'WorkOrderSummary',
  });
  let lastBytes = 0;
  const post = (service: string, op: string, body: string): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        `${url}/webservice/${service.toLowerCase()}`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'text/xml; charset=utf-8',
            soapaction: `"http://tempuri.org/I${service}/${op}"`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const parts: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            parts.push(c);
            size += c.length;
          });
          res.on('end', () => {
            lastBytes = size;
            try {
              const doc = parser.parse(Buffer.concat(parts, size).toString('utf8'));
              const answer = doc?.Envelope?.Body?.[`${op}Response`]?.[`${op}Result`];
              if (!answer) throw new Error(`bare-http: no ${op}Result (HTTP ${res.statusCode})`);
              resolve(answer);
            } catch (e) {
              reject(e);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let token: Promise<string> | undefined;
  const login = () =>
    (token ??= post(
      'WSTokenService',
      'GetUserWSToken',
      envelope('GetUserWSToken', `<m:Password>${PASSWORD}</m:Password><m:UserName>${USER}</m:UserName>`, NS_SECURITY),
    ).then((r) => String(r.Token)));
  let vat: string | undefined;
  let list: string | undefined;
  return {
    responseBytes: () => lastBytes,
    async small() {
      vat ??= envelope('getVATCodes', `<b:Token>${await login()}</b:Token>`, NS_REPAIRS);
      if (String((await post(RC, 'getVATCodes', vat)).IsValid) !== 'true') throw new Error('bare-http: not valid');
    },
    async list() {
      list ??= envelope(
        'GetContractorWorkOrders',
        `<b:Token>${await login()}</b:Token><m:ContractorCode>${CONTRACTOR}</m:ContractorCode>`,
        NS_REPAIRS,
      );
      const r = await post(RC, 'GetContractorWorkOrders', list);
      if (String(r.IsValid) !== 'true') throw new Error('bare-http: not valid');
      return count((r.WorkOrders as Record<string, unknown> | undefined)?.WorkOrderSummary);
    },
    async close() {
      agent.destroy();
    },
  };
}

// (a) cx-call inside a real Node-RED runtime (node-red-node-test-helper): messages go in with
// node.receive() and come out at a helper node. The helper wraps every Node method in a sinon spy
// that keeps every call (about a tenth of the CPU of a small call, and memory that grows with each
// message); the bench removes those spies once the flow is loaded, so that what is measured is
// Node-RED and cx-call, not the test instrumentation.
interface HelperNode {
  receive(msg: Record<string, unknown>): void;
  on(event: string, fn: (...args: any[]) => void): void;
  error(err: unknown, msg?: Record<string, unknown>): void;
}
export interface RedHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(nodes: unknown[], flow: Record<string, unknown>[], credentials?: Record<string, unknown>): Promise<void>;
  setFlows(flow: Record<string, unknown>[], type?: string, credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): HelperNode;
  _NodePrototype: Record<string, unknown>;
  _log: Record<string, unknown>;
}

let helperInstance: RedHelper | undefined;
export function redHelper(): RedHelper {
  if (!helperInstance) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module
    helperInstance = require('node-red-node-test-helper') as RedHelper;
    helperInstance.init(require.resolve('node-red'));
  }
  return helperInstance;
}

/** Puts back the Node and log methods that helper.load() wrapped in sinon spies. */
function unspy(helper: RedHelper): void {
  for (const target of [helper._NodePrototype, helper._log]) {
    for (const k of Object.getOwnPropertyNames(target)) {
      const original = (target[k] as { wrappedMethod?: unknown } | undefined)?.wrappedMethod;
      if (typeof original === 'function') target[k] = original;
    }
  }
}

export const CREDENTIALS = { cfg: { username: USER, password: PASSWORD } };

export function benchFlow(url: string, opts: ContenderOptions): Record<string, unknown>[] {
  return [
    { id: 'f1', type: 'tab', label: 'bench' },
    {
      id: 'cfg',
      type: 'cx-config',
      name: 'Cx',
      url,
      timeout: 60,
      maxConcurrent: opts.maxConcurrent,
      maxResponseMB: Math.ceil(opts.maxResponseBytes / 1048576),
    },
    {
      id: 'vat',
      type: 'cx-call',
      z: 'f1',
      cx: 'cfg',
      service: RC,
      method: 'getVATCodes',
      refusalIsError: true,
      wires: [['out']],
    },
    {
      id: 'list',
      type: 'cx-call',
      z: 'f1',
      cx: 'cfg',
      service: RC,
      method: 'GetContractorWorkOrders',
      refusalIsError: true,
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: 'f1', wires: [] },
  ];
}

export async function openNodeRed(
  url: string,
  opts: ContenderOptions,
): Promise<Contender & { redeploy(): Promise<void> }> {
  const helper = redHelper();
  const flow = benchFlow(url, opts);
  const pending = new Map<number, { resolve: (m: Record<string, any>) => void; reject: (e: unknown) => void }>();
  let seq = 0;
  const wire = () => {
    helper.getNode('out').on('input', (msg: Record<string, any>) => {
      const p = pending.get(msg._bench);
      pending.delete(msg._bench);
      p?.resolve(msg);
    });
    for (const id of ['vat', 'list', 'out']) {
      // A node wired to one output keeps its own reference to Node.prototype.send, taken at load.
      const node = helper.getNode(id) as HelperNode & { send?: { wrappedMethod?: unknown } };
      if (typeof node.send?.wrappedMethod === 'function') node.send = node.send.wrappedMethod as never;
    }
    for (const id of ['vat', 'list']) {
      // done(err) ends in node.error(err, msg): catch it on the instance, as a Catch node would.
      const node = helper.getNode(id);
      const error = node.error.bind(node);
      node.error = (err: unknown, msg?: Record<string, any>) => {
        const p = pending.get(msg?._bench);
        if (!p) return error(err, msg);
        pending.delete(msg?._bench);
        p.reject(err);
      };
    }
  };
  await helper.load([cxConfigNode, cxCallNode], flow, CREDENTIALS);
  unspy(helper);
  wire();
  const send = (node: string, payload: unknown) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      helper.getNode(node).receive({ _bench: id, payload });
    });
  return {
    async small() {
      expectValid((await send('vat', {})).payload, 'cx-call');
    },
    async list() {
      return count(expectValid((await send('list', { ContractorCode: CONTRACTOR })).payload, 'cx-call').WorkOrders);
    },
    async redeploy() {
      await helper.setFlows(flow, 'full', CREDENTIALS);
      wire();
    },
    async close() {
      await helper.unload();
    },
  };
}
