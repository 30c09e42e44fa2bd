import { BodyDecoder, CharsetError } from './charset';
import { CxError, snippetOf } from './errors';
import { HttpTransport, ResponseHandler } from './http-transport';
import { decodeForSnippet } from './response-reader';
import { ServiceModel, WSDL_NS, buildServiceModelInSlices } from './service-model';
import { XSD_NS } from './schema';
import { XNode, XmlDomBuilder, childrenOf } from './xml-dom';

/** A WCF service has a handful of documents; more than this is a loop or a hostile server. */
const MAX_DOCUMENTS = 64;

/**
 * The most WSDL and schema bytes read for one service, all documents together (each one is also
 * under the connection's answer size cap). Cx's largest services have well under 1 MB of
 * metadata; the tree costs about ten times the text in memory.
 */
export const MAX_METADATA_BYTES = 8 * 1024 * 1024;

/** How much of a body that is not a WSDL is kept for the error's snippet. */
const SNIPPET_BYTES = 4096;

/**
 * Fetches a service's `?wsdl` and everything it imports, pinned to the configured base URL.
 *
 * WCF behind a proxy or TLS offload advertises its internal host in `schemaLocation`
 * (README "Reliability and security"), so the WCF-shaped locations (`...?xsd=xsd0`, `...?wsdl=wsdl0`) are rewritten onto
 * the service's configured URL. Any other absolute location must be on the configured origin;
 * imports from other hosts are refused (SSRF). The multi-file `?wsdl` is used, never
 * `?singleWsdl` (node-soap namespace trap; and it is the shape WCF serves by default).
 */
export async function loadServiceModel(
  transport: Pick<HttpTransport, 'send'>,
  service: string,
  serviceUrl: URL,
): Promise<ServiceModel> {
  const wsdlDocs: XNode[] = [];
  const schemaDocs: XNode[] = [];
  const seen = new Set<string>();

  const budget = { left: MAX_METADATA_BYTES };
  const fetchDoc = (url: URL, what: string, first: boolean): Promise<XNode> =>
    transport.send({ method: 'GET', url }, new DocumentReader(service, what, first, budget));

  const visit = async (url: URL, kind: 'wsdl' | 'xsd', first = false): Promise<void> => {
    if (seen.has(url.href)) return;
    if (seen.size >= MAX_DOCUMENTS)
      throw new CxError(
        'CX_BAD_RESPONSE',
        `The WSDL of ${service} imports more than ${MAX_DOCUMENTS} documents; refused.`,
      );
    seen.add(url.href);
    const doc = await fetchDoc(url, first ? `WSDL of ${service}` : `document ${url.search} of ${service}`, first);
    if (kind === 'wsdl') {
      if (doc.ns !== WSDL_NS || doc.local !== 'definitions') {
        throw new CxError(
          'CX_BAD_RESPONSE',
          `${url.pathname}${url.search} is not a WSDL document (root <${doc.local}>). Check the base URL and the service name.`,
          { service },
        );
      }
      wsdlDocs.push(doc);
      for (const imp of childrenOf(doc, WSDL_NS, 'import')) {
        if (imp.attrs.location) await visit(pinLocation(imp.attrs.location, url, serviceUrl, service), 'wsdl');
      }
      for (const types of childrenOf(doc, WSDL_NS, 'types')) {
        for (const schema of childrenOf(types, XSD_NS, 'schema')) await visitSchema(schema, url);
      }
    } else {
      if (doc.ns !== XSD_NS || doc.local !== 'schema') {
        throw new CxError('CX_BAD_RESPONSE', `${url.search || url.pathname} of ${service} is not an XML schema.`, {
          service,
        });
      }
      await visitSchema(doc, url);
    }
  };

  const visitSchema = async (schema: XNode, from: URL): Promise<void> => {
    schemaDocs.push(schema);
    for (const ref of [...childrenOf(schema, XSD_NS, 'import'), ...childrenOf(schema, XSD_NS, 'include')]) {
      if (ref.attrs.schemaLocation)
        await visit(pinLocation(ref.attrs.schemaLocation, from, serviceUrl, service), 'xsd');
    }
  };

  const wsdlUrl = new URL(serviceUrl.href);
  wsdlUrl.search = '?wsdl';
  await visit(wsdlUrl, 'wsdl', true);
  return buildServiceModelInSlices(service, wsdlDocs, schemaDocs);
}

export function pinLocation(location: string, from: URL, serviceUrl: URL, service: string): URL {
  let resolved: URL;
  try {
    resolved = new URL(location, from);
  } catch {
    throw new CxError('CX_BAD_RESPONSE', `The WSDL of ${service} imports an invalid location.`, { service });
  }
  // WCF's own import locations: same service, a query naming the piece.
  const wcfPiece = /^\?(xsd=xsd\d+|wsdl=wsdl\d+)$/i.exec(resolved.search);
  if (wcfPiece && resolved.pathname.toLowerCase().endsWith(serviceUrl.pathname.split('/').pop() ?? '\0')) {
    const pinned = new URL(serviceUrl.href);
    pinned.search = `?${wcfPiece[1]}`;
    return pinned;
  }
  if (resolved.origin !== serviceUrl.origin) {
    throw new CxError(
      'CX_BAD_RESPONSE',
      `The WSDL of ${service} imports a document from another host (${resolved.host}); refused. Only documents from the configured base URL are loaded.`,
      { service },
    );
  }
  return resolved;
}

/**
 * Reads one metadata document as it arrives: decoded by its charset, parsed slice by slice into a
 * tree (never one long synchronous parse), counted against the service's metadata budget. Only
 * the first few KB of a body that is not XML are kept, for the error's snippet.
 */
class DocumentReader implements ResponseHandler<XNode> {
  private status = 0;
  private contentType = '';
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private decoder?: BodyDecoder;
  private readonly dom: XmlDomBuilder;
  private sawContent = false;
  private notXml = false;

  constructor(
    private readonly service: string,
    private readonly what: string,
    private readonly first: boolean,
    private readonly budget: { left: number },
  ) {
    this.dom = new XmlDomBuilder(what);
  }

  head(s: number, headers: Record<string, string | string[] | undefined>): void {
    this.status = s;
    this.contentType = String(headers['content-type'] ?? '').slice(0, 1024);
    if (s === 200 && !/html/i.test(this.contentType))
      this.decoder = this.decoding(() => new BodyDecoder(this.contentType));
  }

  chunk(data: Buffer): void {
    if (this.headBytes < SNIPPET_BYTES) {
      this.headChunks.push(data.subarray(0, SNIPPET_BYTES - this.headBytes));
      this.headBytes += Math.min(data.length, SNIPPET_BYTES - this.headBytes);
    }
    this.budget.left -= data.length;
    if (this.budget.left < 0) {
      throw new CxError(
        'CX_BAD_RESPONSE',
        `The WSDL and schemas of ${this.service} are larger than ${MAX_METADATA_BYTES / 1048576} MB in total; refused. A WCF service's metadata is far smaller: check the base URL and the service name.`,
        { service: this.service },
      );
    }
    const decoder = this.decoder;
    if (!decoder || this.notXml) return;
    const text = this.decoding(() => decoder.write(data));
    if (!this.sawContent && text.trim() !== '') {
      this.sawContent = true;
      if (!/^\s*</.test(text.slice(0, 64))) {
        this.notXml = true;
        return;
      }
    }
    if (text) this.dom.write(text);
  }

  end(): XNode {
    const { service, what, status } = this;
    if (status === 404 && this.first) {
      throw new CxError(
        'CX_UNKNOWN_SERVICE',
        `Cx has no service ${service} at this base URL (HTTP 404 for its WSDL). Check the service name's spelling and the base URL.`,
        { service, status },
      );
    }
    if (status >= 300 && status < 400) {
      throw new CxError(
        'CX_HTTP',
        `Fetching the ${what} was redirected (HTTP ${status}); redirects are not followed. Check the base URL (http/https, path).`,
        { service, status },
      );
    }
    if (status !== 200) {
      throw new CxError('CX_HTTP', `Fetching the ${what} failed with HTTP ${status}. Check the base URL.`, {
        service,
        status,
        snippet: this.snippet(),
      });
    }
    const decoder = this.decoder;
    if (decoder && !this.notXml) {
      const rest = this.decoding(() => decoder.end());
      if (!this.sawContent && rest.trim() !== '' && !/^\s*</.test(rest.slice(0, 64))) this.notXml = true;
      else if (rest) this.dom.write(rest);
    }
    if (!decoder || this.notXml || (!this.sawContent && this.headBytes === 0)) {
      throw new CxError(
        'CX_BAD_RESPONSE',
        `The ${what} is not XML (${this.contentType || 'no content type'}). Check the base URL.`,
        { service, snippet: this.snippet() },
      );
    }
    return this.dom.end();
  }

  private decoding<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      if (err instanceof CharsetError) {
        throw new CxError('CX_BAD_RESPONSE', `The ${this.what} ${err.why}.`, {
          service: this.service,
          status: this.status,
        });
      }
      throw err;
    }
  }

  private snippet(): string {
    return snippetOf(decodeForSnippet(Buffer.concat(this.headChunks), this.contentType));
  }
}
