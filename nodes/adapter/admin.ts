import type { NodeAPI } from 'node-red';
import type { Request, RequestHandler, Response } from 'express';
import { CxError, KNOWN_SERVICES, LoginRefusals, ServiceModelCache, isCxError } from '../lib';
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
const ENV_REF = /^\$\{\S+\}$/;

interface DialogBody extends CxConfigProps, CxCredentials {
  id?: string;
  service?: string;
  method?: string;
}

/** Everything in a request that is a connection setting rather than the name of a deployed one. */
const SETTINGS = [...CONFIG_FIELD_NAMES, 'tls', 'proxy', 'username', 'password'] as const;

function bringsSettings(body: DialogBody): boolean {
  return SETTINGS.some((k) => body[k] !== undefined);
}

/**
 * Editor helpers of the cx-config dialog and the cx-call dialog (README "Reliability and
 * security"). A request naming only a deployed cx-config uses it as it is, and `cx-config.read`
 * is enough. A request that brings its own settings (a dialog not deployed yet) needs
 * `cx-config.write`, as Test connection always does: it makes Node-RED connect where the browser
 * says. `${NAME}` references are resolved only in what a deployed node stores, never in what the
 * browser sends, so that no editor user can read the Node-RED host's environment.
 */
export function registerAdminEndpoints(
  RED: NodeAPI,
  modelCache: ServiceModelCache,
  loginRefusals: LoginRefusals,
): void {
  // Test connection waits out a refusal met by any connection of the same URL and user, and says until when.
  const common = { modelCache, loginRefusals };
  const read = RED.auth.needsPermission('cx-config.read');
  const write = RED.auth.needsPermission('cx-config.write');
  // Node-RED's own check, so a reader gets Node-RED's own answer (401) for settings of their own.
  const writeForOwnSettings: RequestHandler = (req, res, next) =>
    bringsSettings(bodyOf(req)) ? write(req, res, next) : next();

  RED.httpAdmin.get(`${ROOT}/services`, read, (_req, res) => {
    res.json({ services: KNOWN_SERVICES });
  });

  RED.httpAdmin.post(`${ROOT}/operations`, read, writeForOwnSettings, (req, res) => {
    const body = bodyOf(req);
    answer(
      res,
      withClient(RED, common, body, res, async (c) => ({
        service: body.service,
        operations: await c.operations(text(body.service)),
      })),
    );
  });

  RED.httpAdmin.post(`${ROOT}/template`, read, writeForOwnSettings, (req, res) => {
    const body = bodyOf(req);
    answer(
      res,
      withClient(RED, common, body, res, async (c) => {
        // `template` is msg.payload's skeleton; the rest is shown beside it (README, Messages).
        const t = await c.templates(text(body.service), text(body.method));
        return {
          service: body.service,
          method: body.method,
          template: t.payload,
          soapHeaders: t.soapHeaders,
          derivedTypes: t.derivedTypes,
          answer: t.answer,
        };
      }),
    );
  });

  RED.httpAdmin.post(`${ROOT}/test-connection`, write, (req, res) => {
    const body = bodyOf(req);
    answer(
      res,
      withClient(RED, common, body, res, async (c, shared) => {
        // A shared client logs in afresh (and keeps the new token); a failed login during its
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

/** A value typed in the browser, used as typed: a `${NAME}` in it is refused, not resolved. */
function typed<T>(value: T, what: string): T {
  if (typeof value === 'string' && ENV_REF.test(value.trim()))
    throw new CxError(
      'CX_CONFIG',
      `The ${what} refers to an environment variable, which the editor resolves only for a deployed Cx connection. Deploy the connection, then try again.`,
    );
  return value;
}

async function withClient<T>(
  RED: NodeAPI,
  common: { modelCache: ServiceModelCache; loginRefusals: LoginRefusals },
  body: DialogBody,
  res: Response,
  fn: (c: SharedClient, shared: boolean) => Promise<T>,
): Promise<T> {
  const node = typeof body.id === 'string' && body.id ? RED.nodes.getNode(body.id) : null;
  const deployed = node?.type === 'cx-config' ? (node as CxConfigNode) : null;
  if (!bringsSettings(body)) {
    if (!deployed?.client)
      throw new CxError(
        'CX_CONFIG',
        'This Cx connection is not running in Node-RED (not deployed yet, disabled, or used by no node). Deploy it with a node that uses it, then try again.',
      );
    return fn(deployed.client, true);
  }
  const props: CxConfigProps = {};
  for (const k of CONFIG_FIELD_NAMES) props[k] = typed(body[k], `setting "${k}"`);
  const creds = credentialsOf(RED, body, deployed);
  const opts = { ...optionsFor(props, creds, transportFor(RED, body)), ...common };
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

/**
 * The credentials of a request: typed ones as typed; the stored ones (the editor shows a stored
 * password as __PWRD__, and sends the stored user name back as it was stored) from the deployed
 * node, whose `${NAME}` references the runtime has resolved.
 */
function credentialsOf(RED: NodeAPI, body: DialogBody, deployed: CxConfigNode | null): CxCredentials {
  const raw = body.id ? (RED.nodes.getCredentials(body.id) as CxCredentials | undefined) : undefined;
  const stored = (): CxCredentials => {
    if (deployed?.credentials) return deployed.credentials;
    // Stored on a node that is not running (a disabled flow): resolved as the runtime would.
    const env = (name: string) => RED.util.getSetting(null as never, name);
    return { username: resolveEnvRef(raw?.username, env), password: resolveEnvRef(raw?.password, env) };
  };
  let username: string | undefined;
  if (typeof body.username !== 'string') username = stored().username;
  else if (raw && body.username === raw.username) username = stored().username;
  else username = typed(body.username, 'user name');
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
    password = typed(body.password, 'password');
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
          // Not the error's text: it may quote a setting's value.
          message: 'The request could not be handled.',
        });
    },
  );
}
