import { createHash } from 'node:crypto';
import type { NodeAPI } from 'node-red';
import { CxError, jsonWithBuffers } from '../lib';
import type { CxClientOptions, ProxyOptions, TlsOptions } from '../lib';

/**
 * The cx-config node's settings, once: the editor's `defaults` in cx-config.html hold the same
 * names and defaults (a test compares them), and the dialogs loop over those defaults rather than
 * naming the fields again. A new setting is one line here and one in cx-config.html.
 */
export const CONFIG_FIELDS = {
  url: { kind: 'text', default: '', option: 'url' },
  timeout: { kind: 'number', default: 30, option: 'timeoutMs', scale: 1000 },
  refreshMargin: { kind: 'number', default: 60, option: 'refreshMarginMs', scale: 1000 },
  maxConcurrent: { kind: 'number', default: 8, option: 'maxConcurrent', scale: 1 },
  maxQueue: { kind: 'number', default: 10000, option: 'maxQueue', scale: 1 },
  maxResponseMB: { kind: 'number', default: 50, option: 'maxResponseBytes', scale: 1024 * 1024 },
  invalidTokenPattern: { kind: 'text', default: '', option: 'invalidTokenPattern' },
  tokenPlacement: { kind: 'text', default: 'auto', option: 'tokenPlacement' },
  tokenName: { kind: 'text', default: 'Token', option: 'tokenName' },
} as const satisfies Record<string, Field>;

type Field =
  | { kind: 'number'; default: number; option: keyof CxClientOptions; scale: number }
  | { kind: 'text'; default: string; option: keyof CxClientOptions };

export type ConfigField = keyof typeof CONFIG_FIELDS;
export const CONFIG_FIELD_NAMES = Object.keys(CONFIG_FIELDS) as ConfigField[];

/** The cx-config node's properties as the editor saves them (numbers may arrive as text). */
export type CxConfigProps = { [K in ConfigField]?: string | number } & {
  name?: string;
  /** Id of a core tls-config node. */
  tls?: string;
  /** Id of a core http proxy node. */
  proxy?: string;
};

export interface CxCredentials {
  username?: string;
  password?: string;
}

/** What the core tls-config node offers. */
export interface TlsConfigNode {
  addTLSOptions(opts: Record<string, unknown>): Record<string, unknown>;
}

/** What the core http proxy node offers. */
export interface ProxyConfigNode {
  url?: string;
  noproxy?: string[];
  credentials?: { username?: string; password?: string };
}

/** TLS and proxy settings, read from the core helper nodes a cx-config names. */
export interface Transport {
  tls?: TlsOptions;
  proxy?: ProxyOptions;
}

/**
 * Empty means "the default"; anything else is passed on as a number (NaN included) so that the
 * client rejects a nonsense value with CX_CONFIG instead of it being silently replaced.
 */
function number(v: unknown, def: number): number {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return def;
  return typeof v === 'number' ? v : Number(v);
}

/** The client's options for a cx-config's properties, credentials and transport. */
export function optionsFor(props: CxConfigProps, creds: CxCredentials, transport: Transport = {}): CxClientOptions {
  const opts: Record<string, unknown> = {
    username: creds.username ?? '',
    password: creds.password ?? '',
  };
  for (const name of CONFIG_FIELD_NAMES) {
    const field: Field = CONFIG_FIELDS[name];
    const v = props[name];
    if (field.kind === 'number') opts[field.option] = number(v, field.default) * field.scale;
    else opts[field.option] = (typeof v === 'string' && v !== '' ? v : field.default) || undefined;
  }
  opts.url ??= '';
  if (transport.tls) opts.tls = transport.tls;
  if (transport.proxy) opts.proxy = transport.proxy;
  return opts as unknown as CxClientOptions;
}

/**
 * The TLS and proxy settings of the helper nodes a cx-config names, for the runtime and the
 * editor's helpers alike. A node named by id but not running (deleted, disabled, not deployed
 * yet) is a CX_CONFIG error: connecting without the CA or client certificate it holds would fail
 * later with a less clear error, or connect in a way that was not chosen.
 */
export function transportFor(RED: NodeAPI, ids: { tls?: unknown; proxy?: unknown }): Transport {
  const out: Transport = {};
  const tls = helperNode<TlsConfigNode>(RED, ids.tls, 'TLS configuration');
  const proxy = helperNode<ProxyConfigNode>(RED, ids.proxy, 'proxy');
  if (tls) out.tls = tlsOptions(tls);
  if (proxy?.url) out.proxy = proxyOptions(proxy);
  return out;
}

function helperNode<T>(RED: NodeAPI, id: unknown, what: string): T | null {
  // `_ADD_` is the editor's "Add new..." entry: nothing chosen.
  if (typeof id !== 'string' || id === '' || id === '_ADD_') return null;
  const n = RED.nodes.getNode(id) as T | null;
  if (!n)
    throw new CxError(
      'CX_CONFIG',
      `The ${what} node chosen for this Cx connection is not deployed (deleted, disabled or not deployed yet). Deploy it, or choose none, then try again.`,
    );
  return n;
}

function tlsOptions(node: TlsConfigNode): TlsOptions {
  const o = node.addTLSOptions({});
  const out: TlsOptions = {};
  if (o.ca !== undefined) out.ca = o.ca as TlsOptions['ca'];
  if (o.cert !== undefined) out.cert = o.cert as TlsOptions['cert'];
  if (o.key !== undefined) out.key = o.key as TlsOptions['key'];
  if (typeof o.passphrase === 'string') out.passphrase = o.passphrase;
  if (typeof o.servername === 'string') out.servername = o.servername;
  if (o.rejectUnauthorized !== undefined) out.rejectUnauthorized = o.rejectUnauthorized !== false;
  return out;
}

function proxyOptions(node: ProxyConfigNode): ProxyOptions {
  return {
    url: node.url as string,
    noProxy: Array.isArray(node.noproxy) ? node.noproxy : undefined,
    username: node.credentials?.username || undefined,
    password: node.credentials?.password || undefined,
  };
}

/**
 * A fingerprint of everything that makes two connections interchangeable. It is kept in memory
 * only; hashing keeps the password out of it.
 */
export function settingsKey(opts: CxClientOptions): string {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- shared objects, not settings
  const { tls, proxy, modelCache, clock, timers, session, loginRefusals, logger, ...rest } = opts;
  return createHash('sha256')
    .update(jsonWithBuffers([rest, tls ?? null, proxy ?? null]))
    .digest('hex');
}

const ENV_REF = /^\$\{(\S+)\}$/;

/**
 * Resolves a whole-value `${NAME}` reference the way the runtime does for deployed nodes, for
 * values typed into the editor that the runtime has not seen yet (the admin endpoints).
 */
export function resolveEnvRef(value: string | undefined, lookup: (name: string) => unknown): string | undefined {
  if (typeof value !== 'string') return value;
  const m = ENV_REF.exec(value);
  if (!m) return value;
  const r = lookup(m[1]);
  return r === undefined || r === null ? value : String(r);
}
