// Serves one folder of a WCF corpus (wsdl.xml, xsdN.xsd, wsdlN.wsdl) from 127.0.0.1 as WCF serves
// its metadata (`?wsdl`, `?xsd=xsdN`, `?wsdl=wsdlN`), with soap:address and import locations
// rewritten to this loopback address. POSTs go to a handler (the judge).
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface PostHandler {
  (body: string, headers: http.IncomingHttpHeaders): Promise<{ status: number; body: string; contentType?: string }>;
}

export interface CorpusServer {
  /** base URL the client is given, e.g. http://127.0.0.1:PORT/cx */
  base: string;
  /** the service's address, `<base>/webservice/<name>` */
  endpoint: string;
  /** the rewritten text of `?wsdl` */
  wsdlText(): string;
  /** every POST body received, in order */
  posts: string[];
  onPost(handler: PostHandler): void;
  close(): Promise<void>;
}

const MAX_POST = 8 * 1024 * 1024;

/** The file behind a WCF metadata query, or undefined. */
export function fileFor(query: string): string | undefined {
  if (/^wsdl$/i.test(query)) return 'wsdl.xml';
  const m = /^(?:xsd=(xsd\d+)|wsdl=(wsdl\d+))$/i.exec(query);
  if (!m) return undefined;
  return m[1] ? `${m[1]}.xsd` : `${m[2]}.wsdl`;
}

/** Points every WCF-shaped import and every http(s) address at `endpoint`. */
export function rewriteLocations(text: string, endpoint: string): string {
  return text.replace(/\b((?:schemaL|l)ocation)="([^"]*)"/g, (whole, attr: string, value: string) => {
    const piece = /\?((?:xsd=xsd|wsdl=wsdl)\d+)$/i.exec(value);
    if (piece) return `${attr}="${endpoint}?${piece[1]}"`;
    if (/^https?:\/\//i.test(value)) return `${attr}="${endpoint}"`;
    return whole;
  });
}

export async function serveCorpusFolder(folder: string, serviceName: string): Promise<CorpusServer> {
  let handler: PostHandler | undefined;
  const posts: string[] = [];
  let endpoint = '';
  const servicePath = `/cx/webservice/${serviceName.toLowerCase()}`;
  const read = (file: string): string | undefined => {
    const p = path.join(folder, file);
    return fs.existsSync(p) ? rewriteLocations(fs.readFileSync(p, 'utf8'), endpoint) : undefined;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: string, type = 'text/xml; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (url.pathname.toLowerCase() !== servicePath) {
      req.resume();
      send(404, 'not found', 'text/plain');
      return;
    }
    if (req.method === 'GET') {
      const file = fileFor(url.search.slice(1));
      const text = file && read(file);
      if (text === undefined) send(404, 'not found', 'text/plain');
      else send(200, text);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_POST) chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      posts.push(body);
      if (!handler) {
        send(500, 'no judge', 'text/plain');
        return;
      }
      handler(body, req.headers).then(
        (a) => send(a.status, a.body, a.contentType),
        (e: unknown) => send(500, `judge failed: ${String((e as Error)?.message ?? e)}`, 'text/plain'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}/cx`;
  endpoint = `${base}/webservice/${serviceName.toLowerCase()}`;
  return {
    base,
    endpoint,
    wsdlText: () => read('wsdl.xml') ?? '',
    posts,
    onPost: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
