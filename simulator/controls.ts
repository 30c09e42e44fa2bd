// The simulator's controls over HTTP under <base>/_sim/, so demos, benchmarks and tests in
// another process can drive it: GET stats, POST reset, reset-stats, expire-tokens, inject,
// clear-injections, list-size.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { INJECTION_KINDS, InjectionKind, InjectionOptions, isInjectionKind } from './injections';
import type { SimulatorStats } from './state';

export interface Controls {
  stats(): SimulatorStats;
  reset(): void;
  resetStats(): void;
  expireTokens(): void;
  inject(kind: InjectionKind, opts?: InjectionOptions): void;
  /** Drops every injection still queued ("Cx is back"). */
  clearInjections(): void;
  setListSize(n: number | null): void;
}

const MAX_CONTROL_BODY = 64 * 1024;

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new Error('body too large'));
        req.resume();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(parts).toString('utf8').trim();
      if (!text) {
        resolve({});
        return;
      }
      try {
        const v: unknown = JSON.parse(text);
        if (v && typeof v === 'object' && !Array.isArray(v)) resolve(v as Record<string, unknown>);
        else reject(new Error('expected a JSON object'));
      } catch {
        reject(new Error('invalid JSON'));
      }
    });
    req.on('error', reject);
  });
}

const optionalNumber = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;

export async function handleControl(
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
  controls: Controls,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (name === 'redirected') {
    // where the `redirect` injection points: a client that follows redirects lands here
    json(res, 200, { redirected: true });
    return;
  }
  if (name === 'stats' && method === 'GET') {
    json(res, 200, controls.stats());
    return;
  }
  if (method !== 'POST') {
    json(res, 405, { error: `use POST for ${name}` });
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = await readJson(req);
  } catch (e) {
    json(res, 400, { error: (e as Error).message });
    return;
  }
  switch (name) {
    case 'reset':
      controls.reset();
      break;
    case 'reset-stats':
      controls.resetStats();
      break;
    case 'expire-tokens':
      controls.expireTokens();
      break;
    case 'inject': {
      if (!isInjectionKind(body.kind)) {
        json(res, 400, { error: `unknown kind; use one of ${INJECTION_KINDS.join(', ')}` });
        return;
      }
      controls.inject(body.kind, {
        count: optionalNumber(body.count),
        ms: optionalNumber(body.ms),
        bytes: optionalNumber(body.bytes),
        retryAfter: optionalNumber(body.retryAfter),
      });
      break;
    }
    case 'clear-injections':
      controls.clearInjections();
      break;
    case 'list-size': {
      const size = body.size === null || body.size === undefined ? null : optionalNumber(body.size);
      if (size === undefined) {
        json(res, 400, { error: 'size must be a non-negative number or null' });
        return;
      }
      controls.setListSize(size === null ? null : Math.floor(size));
      break;
    }
    default:
      json(res, 404, { error: `unknown control ${name}` });
      return;
  }
  json(res, 200, { ok: true });
}
