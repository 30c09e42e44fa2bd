// A small HTTP server on 127.0.0.1 that answers however a test tells it to: a misbehaving Cx, a
// proxy in front of the simulator, or a bystander that must never be contacted (SSRF, redirects).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
}

export interface HostileServer {
  /** e.g. http://127.0.0.1:PORT */
  origin: string;
  port: number;
  /** Every request received, in order. */
  requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Starts a server; the default handler answers 404 (a bystander that records who called it). */
export async function startHostile(handler: Handler = (_req, res) => res.writeHead(404).end()): Promise<HostileServer> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Passes a request through to `target` (an origin such as the simulator's) unchanged. */
export function forward(
  target: string,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  rewrite?: (body: string) => string,
): void {
  const up = http.request(
    `${target}${req.url}`,
    { method: req.method, headers: req.headers, agent: false },
    (answer) => {
      if (!rewrite) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const parts: Buffer[] = [];
      answer.on('data', (c: Buffer) => parts.push(c));
      answer.on('end', () => {
        const body = rewrite(Buffer.concat(parts).toString('utf8'));
        const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(body);
      });
    },
  );
  up.on('error', () => res.destroy());
  // A caller that gives up (a timeout) ends the upstream call too, as a real proxy would.
  res.on('close', () => up.destroy());
  req.pipe(up);
}

/** Answers with a fixed status, content type and body. */
export function reply(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/** A minimal WSDL 1.1 document whose types import a schema from `location`. */
export function wsdlImportingSchema(location: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<wsdl:definitions name="X" targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><wsdl:types><xsd:schema targetNamespace="http://tempuri.org/Imports">' +
    `<xsd:import schemaLocation="${location}" namespace="http://tempuri.org/"/></xsd:schema></wsdl:types></wsdl:definitions>`
  );
}

/** A minimal WSDL 1.1 document that imports another WSDL from `location`. */
export function wsdlImportingWsdl(location: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<wsdl:definitions name="X" targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">' +
    `<wsdl:import namespace="http://tempuri.org/" location="${location}"/></wsdl:definitions>`
  );
}
