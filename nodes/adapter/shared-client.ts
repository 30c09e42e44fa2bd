import {
  CallOptions,
  CallResult,
  CxClient,
  CxHealth,
  CxClientOptions,
  CxError,
  TokenInfo,
  TokenHandOver,
  OperationTemplates,
  isCxError,
} from '../lib';
import { settingsKey } from './settings';

/**
 * The one CxClient a cx-config node shares with its cx-call and cx-token nodes, or the reason it
 * could not be made. A settings error is kept and handed to every message instead of being thrown
 * at deploy time.
 */
export class SharedClient {
  readonly key: string;
  readonly error?: CxError;
  private readonly client?: CxClient;

  /** `options` is a function so that an error while reading the settings is kept like the client's own. */
  constructor(options: CxClientOptions | (() => CxClientOptions)) {
    let key = '';
    try {
      const opts = typeof options === 'function' ? options() : options;
      key = settingsKey(opts);
      this.client = new CxClient(opts);
    } catch (err) {
      this.error = isCxError(err)
        ? err
        : new CxError(
            'CX_CONFIG',
            `The Cx connection settings cannot be used: ${String((err as Error)?.message ?? err)}`,
          );
    }
    this.key = key;
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

  templates(service: string, method: string): Promise<OperationTemplates> {
    return this.use((c) => c.templates(service, method));
  }

  /** Calls `fn` when Cx's reachability changes (README "Retries, back-off and the queue"). */
  onHealthChange(fn: (health: CxHealth) => void): () => void {
    return this.client ? this.client.onHealthChange(fn) : () => {};
  }

  /** Calls holding a slot, waiting for one, and waiting to try again (none without a client). */
  load(): { inFlight: number; queued: number; retrying: number } {
    return this.client ? this.client.load() : { inFlight: 0, queued: 0, retrying: 0 };
  }

  /** The fresh token, if any, for the client that replaces this one (see CxClient.handOver). */
  handOver(): TokenHandOver | undefined {
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
