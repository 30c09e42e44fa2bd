import {
  CallOptions,
  CallResult,
  CxClient,
  CxClientOptions,
  CxError,
  TokenInfo,
  TokenSession,
  isCxError,
} from '../lib';
import { settingsKey } from './settings';

/**
 * The one CxClient of a cx-config node, or the reason it could not be made. A settings error is
 * kept and handed to every message instead of being thrown at deploy time.
 */
export class CxConnection {
  readonly key: string;
  readonly error?: CxError;
  private readonly client?: CxClient;

  constructor(options: CxClientOptions) {
    this.key = settingsKey(options);
    try {
      this.client = new CxClient(options);
    } catch (err) {
      this.error = isCxError(err)
        ? err
        : new CxError(
            'CX_CONFIG',
            `The Cx connection settings cannot be used: ${String((err as Error)?.message ?? err)}`,
          );
    }
  }

  call(service: string, method: string, args: unknown, options?: CallOptions): Promise<CallResult> {
    return this.use((c) => c.call(service, method, args, options));
  }

  token(options?: { refresh?: boolean }): Promise<TokenInfo> {
    return this.use((c) => c.token(options));
  }

  operations(service: string): Promise<string[]> {
    return this.use((c) => c.operations(service));
  }

  template(service: string, method: string): Promise<Record<string, unknown>> {
    return this.use((c) => c.template(service, method));
  }

  /** The fresh token, if any, for the connection that replaces this one (see CxClient.handOver). */
  handOver(): TokenSession | undefined {
    return this.client?.handOver();
  }

  close(): void {
    this.client?.close();
  }

  private use<T>(fn: (c: CxClient) => Promise<T>): Promise<T> {
    if (!this.client) return Promise.reject(this.error);
    try {
      return fn(this.client);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}

/** The error every message gets when a node has no usable cx-config. */
export function missingConfigError(): CxError {
  return new CxError(
    'CX_CONFIG',
    'No Cx connection is set, or it was deleted. Open the node and choose a Cx connection (cx-config), then deploy.',
  );
}

/** Anything thrown that is not a CxError (a bug, an evaluation error) still gets a code. */
export function asCxError(err: unknown, code: 'CX_BAD_REQUEST' | 'CX_CONFIG' = 'CX_BAD_REQUEST'): CxError {
  if (isCxError(err)) return err;
  return new CxError(code, String((err as Error)?.message ?? err));
}

/**
 * What a Catch node should see besides msg.error: Node-RED copies only the error's message and
 * code (4.1+) onto msg.error, so the code and the safe details (Cx's InvalidReason, the refused
 * answer, fault fields, HTTP status) travel on msg.cx, which works on Node-RED 3 too.
 */
export function errorInfo(e: CxError): Record<string, unknown> {
  return { ...e.details, code: e.code };
}

/** Local HH:MM of an ISO expiry, in the Node-RED host's time zone. */
export function localTime(iso: string | null): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return undefined;
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
