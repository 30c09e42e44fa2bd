import type { NodeAPI } from 'node-red';
import type { Request, Response } from 'express';
import { CxError, KNOWN_SERVICES, ServiceModelCache, isCxError } from '../lib';
import { SharedClient } from './shared-client';
import { localTime } from './local-time';
import {
  CONFIG_FIELD_NAMES,
  CxConfigProps,
  CxCredentials,
  optionsFor,
  resolveEnvRef,
  settingsKey,
  transportFor,
} from './settings';
import type { CxConfigNode } from './types';

/** How the editor shows a stored password it does not know. */
const STORED_PASSWORD = '__PWRD__';
const ROOT = '/civica-cx';

interface DialogBody extends CxConfigProps, CxCredentials {
  id?: string;
  service?: string;
  method?: string;
}

/**
 * Editor helpers of the cx-config dialog and the cx-call dialog. They take the dialog's current
 * fields, so they work before a deploy; a deployed config node with the same settings lends its
 * connection (and its WSDL cache), otherwise a temporary one lives for the request.
 */
export function registerAdminEndpoints(RED: NodeAPI, modelCache: ServiceModelCache): void {
  const read = RED.auth.needsPermission('cx-config.read');
  const write = RED.auth.needsPermission('cx-config.write');

  RED.httpAdmin.get(`${ROOT}/services`, read, (_req, res) => {
    res.json({ services: KNOWN_SERVICES });
  });

  RED.httpAdmin.post(`${ROOT}/operations`, read, (req, res) => {
    const body = bodyOf(req);
    answer(
      res,
      withConnection(RED, modelCache, body, res, async (c) => ({
        service: body.service,
        operations: await c.operations(text(body.service)),
      })),
    );
  });

  RED.httpAdmin.post(`${ROOT}/template`, read, (req, res) => {
    const body = bodyOf(req);
    answer(
      res,
      withConnection(RED, modelCache, body, res, async (c) => ({
        service: body.service,
        method: body.method,
        template: await c.template(text(body.service), text(body.method)),
      })),
    );
  });

  RED.httpAdmin.post(`${ROOT}/test-connection`, write, (req, res) => {
    const body = bodyOf(req);
    answer(
      res,
      withConnection(RED, modelCache, body, res, async (c, shared) => {
        // A shared connection logs in afresh (and keeps the new token); a failed login during its
        // cool-down is answered from memory, so that the button cannot lock the Cx account.
        const t = await c.token({ refresh: shared });
        return { ok: true, expiry: t.expiry, validUntil: localTime(t.expiry) ?? null };
      }),
    );
  });
}

function bodyOf(req: Request): DialogBody {
  return req.body && typeof req.body === 'object' ? (req.body as DialogBody) : {};
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

async function withConnection<T>(
  RED: NodeAPI,
  modelCache: ServiceModelCache,
  body: DialogBody,
  res: Response,
  fn: (c: SharedClient, shared: boolean) => Promise<T>,
): Promise<T> {
  const deployed = body.id ? (RED.nodes.getNode(body.id) as CxConfigNode | null) : null;
  const env = (name: string) => RED.util.getSetting(deployed as never, name);
  const props: CxConfigProps = { ...body };
  for (const k of CONFIG_FIELD_NAMES) {
    const v = props[k];
    if (typeof v === 'string') props[k] = resolveEnvRef(v, env);
  }
  const creds = credentialsOf(RED, body, deployed, env);
  const opts = { ...optionsFor(props, creds, transportFor(RED, body)), modelCache };
  if (deployed?.client && deployed.client.key === settingsKey(opts)) return fn(deployed.client, true);
  const temp = new SharedClient(opts);
  // Closed when the request ends, also when the editor gives up early.
  res.on('close', () => temp.close());
  try {
    return await fn(temp, false);
  } finally {
    temp.close();
  }
}

function credentialsOf(
  RED: NodeAPI,
  body: DialogBody,
  deployed: CxConfigNode | null,
  env: (name: string) => unknown,
): CxCredentials {
  const stored = (): CxCredentials => {
    if (deployed?.credentials) return deployed.credentials;
    const c = body.id ? (RED.nodes.getCredentials(body.id) as CxCredentials | undefined) : undefined;
    return { username: resolveEnvRef(c?.username, env), password: resolveEnvRef(c?.password, env) };
  };
  const username = typeof body.username === 'string' ? resolveEnvRef(body.username, env) : stored().username;
  let password: string | undefined;
  if (body.password === STORED_PASSWORD || body.password === undefined) {
    password = stored().password;
    if (body.password === STORED_PASSWORD && !password) {
      throw new CxError(
        'CX_CONFIG',
        'The stored password of this Cx connection is not available here. Type the password again.',
      );
    }
  } else {
    password = resolveEnvRef(body.password, env);
  }
  return { username, password };
}

const STATUS: Partial<Record<CxError['code'], number>> = {
  CX_CONFIG: 400,
  CX_BAD_REQUEST: 400,
  CX_UNKNOWN_SERVICE: 404,
  CX_UNKNOWN_METHOD: 404,
  // Not 401/403: the editor would take those as its own session ending.
  CX_LOGIN_FAILED: 422,
  CX_REFUSED: 422,
  CX_TOKEN_INVALID: 502,
  CX_FAULT: 502,
  CX_HTTP: 502,
  CX_NETWORK: 502,
  CX_BAD_RESPONSE: 502,
  CX_TIMEOUT: 504,
  CX_CLOSED: 503,
};

function answer(res: Response, work: Promise<unknown>): void {
  work.then(
    (body) => {
      if (!res.headersSent) res.json(body);
    },
    (err: unknown) => {
      if (res.headersSent) return;
      if (isCxError(err)) res.status(STATUS[err.code] ?? 500).json({ code: err.code, message: err.message });
      else
        res.status(500).json({
          code: 'CX_INTERNAL',
          message: `The request could not be handled: ${String((err as Error)?.message ?? err).slice(0, 200)}`,
        });
    },
  );
}
