// The simulator behind a front server that a test steers: each SOAP POST goes to `front.onPost`
// (by default passed through unchanged), every GET (WSDLs, schemas) to the simulator. For tests
// of what a client does when Cx's answers go wrong in ways the simulator does not inject.
import type * as http from 'node:http';
import { CxClient, CxClientOptions } from '../../nodes/lib';
import { CxSimulator, SimulatorOptions, startSimulator } from '../../simulator';
import { HostileServer, forward, startHostile } from './hostile-server';

export type PostHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface SimFront {
  sim: CxSimulator;
  front: HostileServer;
  /** How the front answers the next SOAP POSTs; reset to `passThrough` before each test. */
  onPost: PostHandler;
  passThrough: PostHandler;
  /** A client of the front, closed after the test. */
  client(options: Partial<CxClientOptions> & Pick<CxClientOptions, 'username' | 'password'>): CxClient;
}

/** A SOAP 1.1 fault as WCF writes it. */
export const soapFault = (code: string, text: string, detail = ''): string =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode xmlns:a="http://schemas.microsoft.com/ws/2005/05/addressing/none">${code}</faultcode><faultstring xml:lang="en-GB">${text}</faultstring><detail>${detail}</detail></s:Fault></s:Body></s:Envelope>`;

/** The whole body of a request. */
export function bodyOf(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
  });
}

export const isLogin = (req: http.IncomingMessage): boolean =>
  String(req.headers.soapaction ?? '').includes('GetUserWSToken');

/** Registers before/after hooks for a simulator and its front; read the fields inside tests. */
export function useSimFront(simOptions: SimulatorOptions): SimFront {
  const clients: CxClient[] = [];
  const h = {
    passThrough: (req, res) => forward(h.sim.url.replace(/\/cx$/, ''), req, res),
    client: (options) => {
      const c = new CxClient({ url: `${h.front.origin}/cx`, ...options });
      clients.push(c);
      return c;
    },
  } as SimFront;
  before(async () => {
    h.sim = await startSimulator({ port: 0, quiet: true, ...simOptions });
    h.front = await startHostile((req, res) => (req.method === 'POST' ? h.onPost(req, res) : h.passThrough(req, res)));
  });
  beforeEach(() => {
    h.front.requests.length = 0;
    h.onPost = h.passThrough;
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    h.sim.reset();
  });
  after(async () => {
    await h.front.close();
    await h.sim.close();
  });
  return h;
}
