import { BodyDecoder, CharsetError } from './charset';
import { CxError, snippetOf } from './errors';
import { HttpTransport } from './http-transport';
import { ServiceModel, WSDL_NS, buildServiceModel } from './service-model';
import { XSD_NS } from './schema';
import { XNode, childrenOf, parseXmlDocument } from './xml-dom';

/** A WCF service has a handful of documents; more than this is a loop or a hostile server. */
const MAX_DOCUMENTS = 64;

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

  const fetchDoc = async (url: URL, what: string, first: boolean): Promise<XNode> => {
    const text = await transport.send({ method: 'GET', url }, textHandler(service, what, first));
    return parseXmlDocument(text, what);
  };

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
  return buildServiceModel(service, wsdlDocs, schemaDocs);
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

function textHandler(service: string, what: string, first: boolean) {
  const chunks: Buffer[] = [];
  let status = 0;
  let contentType = '';
  return {
    head(s: number, headers: Record<string, string | string[] | undefined>) {
      status = s;
      contentType = String(headers['content-type'] ?? '');
    },
    chunk(data: Buffer) {
      chunks.push(data);
    },
    end(): string {
      const body = Buffer.concat(chunks);
      let text: string;
      try {
        const decoder = new BodyDecoder(contentType);
        text = decoder.write(body) + decoder.end();
      } catch (err) {
        if (!(err instanceof CharsetError) || status !== 200) text = body.subarray(0, 4096).toString('latin1');
        else throw new CxError('CX_BAD_RESPONSE', `The ${what} ${err.why}.`, { service, status });
      }
      if (status === 404 && first) {
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
          snippet: snippetOf(text),
        });
      }
      if (/html/i.test(contentType) || !/^\s*</.test(text)) {
        throw new CxError(
          'CX_BAD_RESPONSE',
          `The ${what} is not XML (${contentType || 'no content type'}). Check the base URL.`,
          { service, snippet: snippetOf(text) },
        );
      }
      return text;
    },
  };
}
