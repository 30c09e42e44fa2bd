import { createHash } from 'node:crypto';
import { jsonWithBuffers } from '../lib';
import type { CxClientOptions, ProxyOptions, TlsOptions, TokenPlacementSetting } from '../lib';

/** The cx-config node's properties as the editor saves them (numbers may arrive as text). */
export interface CxConfigProps {
  name?: string;
  url?: string;
  timeout?: number | string;
  refreshMargin?: number | string;
  maxConcurrent?: number | string;
  maxResponseMB?: number | string;
  invalidTokenPattern?: string;
  tokenPlacement?: string;
  tokenName?: string;
  tls?: string;
  proxy?: string;
}

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

export const DEFAULTS = {
  timeout: 30,
  refreshMargin: 60,
  maxConcurrent: 8,
  maxResponseMB: 50,
  tokenPlacement: 'auto',
  tokenName: 'Token',
} as const;

/**
 * Empty means "the default"; anything else is passed on as a number (NaN included) so that the
 * client rejects a nonsense value with CX_CONFIG instead of it being silently replaced.
 */
function number(v: number | string | undefined, def: number): number {
  if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) return def;
  return typeof v === 'number' ? v : Number(v);
}

/** Maps the node's properties, credentials and helper nodes onto the client's options. */
export function clientOptions(
  props: CxConfigProps,
  creds: CxCredentials,
  tls?: TlsConfigNode | null,
  proxy?: ProxyConfigNode | null,
): CxClientOptions {
  const opts: CxClientOptions = {
    url: props.url ?? '',
    username: creds.username ?? '',
    password: creds.password ?? '',
    timeoutMs: number(props.timeout, DEFAULTS.timeout) * 1000,
    refreshMarginMs: number(props.refreshMargin, DEFAULTS.refreshMargin) * 1000,
    maxConcurrent: number(props.maxConcurrent, DEFAULTS.maxConcurrent),
    maxResponseBytes: number(props.maxResponseMB, DEFAULTS.maxResponseMB) * 1024 * 1024,
    invalidTokenPattern: props.invalidTokenPattern || undefined,
    tokenPlacement: (props.tokenPlacement || DEFAULTS.tokenPlacement) as TokenPlacementSetting,
    tokenName: props.tokenName || DEFAULTS.tokenName,
  };
  if (tls) opts.tls = tlsOptions(tls);
  if (proxy?.url) opts.proxy = proxyOptions(proxy);
  return opts;
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
  const { tls, proxy, modelCache, clock, session, ...rest } = opts;
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
