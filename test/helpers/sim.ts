// Start/stop a simulator for a test suite, and send raw SOAP over node:http.
import * as http from 'node:http';
import { CxSimulator, SimulatorOptions, startSimulator } from '../../simulator';

export const USER = 'Jim.Walker';
export const PASSWORD = 'HappyB!rthday';
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
export const NS = {
  soap: 'http://schemas.xmlsoap.org/soap/envelope/',
  tem: 'http://tempuri.org/',
  base: 'http://schemas.datacontract.org/2004/07/Civica.Housing.Cx.WebServices.Contracts.DataContracts',
  security:
    'http://schemas.datacontract.org/2004/07/Civica.Housing.Cx.WebServices.Contracts.DataContracts.Modules.Security',
  repairs:
    'http://schemas.datacontract.org/2004/07/Civica.Housing.Cx.WebServices.Contracts.DataContracts.Modules.Repairs',
  assets:
    'http://schemas.datacontract.org/2004/07/Civica.Housing.Cx.WebServices.Contracts.DataContracts.Modules.Assets',
  tenancy:
    'http://schemas.datacontract.org/2004/07/Civica.Housing.Cx.WebServices.Contracts.DataContracts.Modules.Tenancy',
};

/** What a suite does after each test, beside keeping the simulator for the next one. */
export interface SimulatorHooks {
  /** Runs first after each test (node tests: `helper.unload()`, so no flow outlives its test). */
  afterEach?: () => unknown;
  /** Resets the simulator after each test: injections, data and counts as at start. */
  reset?: boolean;
}

/** Registers before/after hooks; read `.sim` inside tests. */
export function useSimulator(opts: SimulatorOptions = {}, hooks: SimulatorHooks = {}): { sim: CxSimulator } {
  const holder = {} as { sim: CxSimulator };
  before(async () => {
    holder.sim = await startSimulator({ port: 0, quiet: true, ...opts });
  });
  if (hooks.afterEach || hooks.reset)
    afterEach(async () => {
      await hooks.afterEach?.();
      if (hooks.reset) holder.sim?.reset();
    });
  after(async () => {
    await holder.sim?.close();
  });
  return holder;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** Any HTTP request; resolves with the whole answer, rejects on a socket error. */
export function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const serviceUrl = (sim: CxSimulator, svc: string): string => `${sim.url}/webservice/${svc.toLowerCase()}`;
export const action = (svc: string, op: string): string => `"http://tempuri.org/I${svc}/${op}"`;

/** POST a SOAP 1.1 envelope with the right SOAPAction unless told otherwise. */
export function soap(
  sim: CxSimulator,
  svc: string,
  op: string,
  envelope: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return request(serviceUrl(sim, svc), {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: action(svc, op), ...headers },
    body: envelope,
  });
}

export const envelope = (body: string, header = ''): string =>
  `<soapenv:Envelope xmlns:soapenv="${NS.soap}" xmlns:tem="${NS.tem}"><soapenv:Header>${header}</soapenv:Header>` +
  `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

export const loginEnvelope = (user = USER, password = PASSWORD): string =>
  envelope(
    `<tem:GetUserWSToken><tem:request xmlns:civ="${NS.security}"><civ:Password>${password}</civ:Password>` +
      `<civ:UserName>${user}</civ:UserName></tem:request></tem:GetUserWSToken>`,
  );

/** Text of the first element with this local name (any prefix), undefined when absent, null when nil. */
export function field(xml: string, name: string): string | null | undefined {
  const m = new RegExp(`<(?:\\w+:)?${name}(\\s[^>]*)?(/>|>([\\s\\S]*?)</(?:\\w+:)?${name}>)`).exec(xml);
  if (!m) return undefined;
  if (m[1]?.includes('i:nil="true"')) return null;
  return m[3] ?? '';
}

export async function login(sim: CxSimulator): Promise<string> {
  const r = await soap(sim, 'WSTokenService', 'GetUserWSToken', loginEnvelope());
  const token = field(r.text, 'Token');
  if (r.status !== 200 || !token) throw new Error(`login failed: ${r.status} ${r.text}`);
  return token;
}

/** A WSRepairContractorService call: token as the inherited WSRequestBase.Token member, first. */
export const repairCall = (op: string, token: string | undefined, members: string): string =>
  envelope(
    `<tem:${op}><tem:request xmlns:b="${NS.base}" xmlns:r="${NS.repairs}">` +
      `${token === undefined ? '' : `<b:Token>${token}</b:Token>`}${members}</tem:request></tem:${op}>`,
  );

export const detailsCall = (token: string | undefined, reference: string, uid = EMPTY_GUID): string =>
  repairCall(
    'GetRepairWorkOrderDetails',
    token,
    `<r:WorkOrderReference>${reference}</r:WorkOrderReference><r:WorkOrderUid>${uid}</r:WorkOrderUid>`,
  );

export const statusCall = (token: string, reference: string, code: string, extra = ''): string =>
  repairCall(
    'UpdateRepairWorksOrderStatus',
    token,
    `${extra}<r:RepairStatusCode>${code}</r:RepairStatusCode><r:WorkOrderReference>${reference}</r:WorkOrderReference>` +
      `<r:WorkOrderUid>${EMPTY_GUID}</r:WorkOrderUid>`,
  );
