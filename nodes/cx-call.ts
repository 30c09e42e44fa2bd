import type { Node, NodeAPI, NodeDef } from 'node-red';
import { CxError, RetrySettings, isCxError, retryPolicy } from './lib';
import { CxMessage, handleInput, missingConfigError } from './adapter/pipeline';
import type { CxConfigNode } from './adapter/types';

interface CxCallDef extends NodeDef {
  cx?: string;
  service?: string;
  method?: string;
  refusalsAsData?: boolean | string;
  /** The property's name before 0.2 (inverted); flows saved with it keep their behaviour. */
  refusalIsError?: boolean | string;
  payload?: string;
  payloadType?: string;
  /** README "Retries, back-off and the queue": attempts in all (1: none), total time (s), safe to repeat. */
  retryAttempts?: number | string;
  retryMaxTotal?: number | string;
  safeToRepeat?: boolean | string;
}

type CallMessage = CxMessage & { service?: unknown; method?: unknown; soapHeaders?: unknown };

const ARG_TYPES = ['msg', 'json', 'jsonata', 'flow', 'global', 'env'];

/** Node-RED may hand a checkbox over as a boolean or as its text. */
function flag(v: unknown): boolean | undefined {
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  return undefined;
}

/** README "cx-call": refusals are errors unless the node says otherwise (old name: refusalIsError). */
function refusalsAsData(def: CxCallDef): boolean {
  const legacy = flag(def.refusalIsError);
  if (legacy !== undefined) return !legacy;
  return flag(def.refusalsAsData) === true;
}

/** The node's retry setting; empty fields take the defaults. @throws CxError CX_CONFIG */
function retrySettings(def: CxCallDef): RetrySettings {
  const num = (v: unknown): number | undefined =>
    v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? undefined : Number(v);
  const total = num(def.retryMaxTotal);
  const settings: RetrySettings = {
    attempts: num(def.retryAttempts),
    maxTotalMs: total === undefined ? undefined : total * 1000,
    safeToRepeat: flag(def.safeToRepeat) === true,
  };
  retryPolicy(settings);
  return settings;
}

export = function (RED: NodeAPI): void {
  function CxCall(this: Node, def: CxCallDef) {
    RED.nodes.createNode(this, def);
    const config = def.cx ? (RED.nodes.getNode(def.cx) as CxConfigNode | null) : null;
    const client = config?.client;
    const asData = refusalsAsData(def);
    const argType = def.payloadType || 'msg';
    const argValue = def.payloadType ? (def.payload ?? '') : 'payload';
    let setupError: CxError | undefined = client ? client.error : missingConfigError();
    let retry: RetrySettings = {};
    try {
      retry = retrySettings(def);
    } catch (err) {
      setupError ??= isCxError(err) ? err : new CxError('CX_CONFIG', String(err));
    }
    if (!setupError && !ARG_TYPES.includes(argType)) {
      setupError = new CxError(
        'CX_CONFIG',
        'The request type of this cx call node is not supported; use msg, json, jsonata, flow, global or env.',
      );
    }
    let jsonata: ReturnType<typeof RED.util.prepareJSONataExpression> | undefined;
    if (!setupError && argType === 'jsonata') {
      try {
        jsonata = RED.util.prepareJSONataExpression(argValue, this);
      } catch (err) {
        setupError = new CxError('CX_CONFIG', `The request expression is not valid JSONata: ${(err as Error).message}`);
      }
    }

    const args = (msg: CallMessage): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const cb = (err: Error | null, value: unknown) =>
          err ? reject(new CxError('CX_BAD_REQUEST', `The request could not be read: ${err.message}`)) : resolve(value);
        if (jsonata) RED.util.evaluateJSONataExpression(jsonata, msg, cb);
        else RED.util.evaluateNodeProperty(argValue, argType, this, msg, cb);
      });

    handleInput(RED, this, {
      type: 'cx-call',
      setupError,
      health: config ?? undefined,
      describe: (msg: CallMessage) => ({
        service: (def.service || '').trim() || (typeof msg.service === 'string' ? msg.service.trim() : ''),
        method: (def.method || '').trim() || (typeof msg.method === 'string' ? msg.method.trim() : ''),
      }),
      run: (msg, { service, method }, status) =>
        args(msg).then((a) =>
          client!.call(service as string, method as string, a, {
            refusalsAsData: asData,
            // SOAP header parts the operation declares (README, Messages)
            soapHeaders: msg.soapHeaders as Record<string, unknown> | undefined,
            retry,
            // Throttled like every status: thousands of messages retrying at once are one update.
            onRetry: (n) =>
              status({
                fill: 'yellow',
                shape: 'ring',
                text: RED._('cx-call.status.retrying', {
                  attempt: n.attempt,
                  attempts: n.attempts,
                  seconds: Math.ceil(n.delayMs / 1000),
                }),
              }),
          }),
        ),
      deliver: (msg, r, { service, method }) => {
        msg.payload = r.result;
        msg.cx = {
          service,
          method,
          durationMs: r.durationMs,
          retried: r.retried,
          attempts: r.attempts,
          ...(r.headers ? { soapHeaders: r.headers } : {}),
        };
      },
      okStatus: () => ({ fill: 'green', shape: 'dot', text: RED._('cx-call.status.ok') }),
    });
  }

  RED.nodes.registerType('cx-call', CxCall as never);
};
