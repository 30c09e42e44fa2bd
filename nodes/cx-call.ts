import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { CxError } from './lib';
import { asCxError, errorInfo, missingConfigError } from './adapter/connection';
import type { CxConfigNode } from './adapter/types';

interface CxCallDef extends NodeDef {
  cx?: string;
  service?: string;
  method?: string;
  refusalIsError?: boolean | string;
  payload?: string;
  payloadType?: string;
}

type CallMessage = NodeMessageInFlow & { service?: unknown; method?: unknown; cx?: unknown };

const ARG_TYPES = ['msg', 'json', 'jsonata', 'flow', 'global', 'env'];

export = function (RED: NodeAPI): void {
  function CxCall(this: Node, def: CxCallDef) {
    RED.nodes.createNode(this, def);
    const config = def.cx ? (RED.nodes.getNode(def.cx) as CxConfigNode | null) : null;
    const connection = config?.connection;
    const refusalsAsData = def.refusalIsError === false || def.refusalIsError === 'false';
    const argType = def.payloadType || 'msg';
    const argValue = def.payloadType ? (def.payload ?? '') : 'payload';
    let setupError: CxError | undefined = connection ? connection.error : missingConfigError();
    if (!setupError && !ARG_TYPES.includes(argType)) {
      setupError = new CxError(
        'CX_CONFIG',
        `The request type "${argType}" is not supported; use msg, json, jsonata, flow, global or env.`,
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

    let inFlight = 0;
    const show = (last?: CxError) => {
      if (inFlight > 0)
        this.status({ fill: 'blue', shape: 'ring', text: RED._('cx-call.status.calling', { count: inFlight }) });
      else if (last)
        this.status({ fill: 'red', shape: 'ring', text: RED._('cx-call.status.error', { code: last.code }) });
      else this.status({ fill: 'green', shape: 'dot', text: RED._('cx-call.status.ok') });
    };
    const showSetupError = () =>
      setupError &&
      this.status({ fill: 'red', shape: 'ring', text: RED._('cx-call.status.error', { code: setupError.code }) });
    showSetupError();

    const args = (msg: CallMessage): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const cb = (err: Error | null, value: unknown) =>
          err ? reject(new CxError('CX_BAD_REQUEST', `The request could not be read: ${err.message}`)) : resolve(value);
        if (jsonata) RED.util.evaluateJSONataExpression(jsonata, msg, cb);
        else RED.util.evaluateNodeProperty(argValue, argType, this, msg, cb);
      });

    this.on('input', (msg: CallMessage, send, done) => {
      if (setupError) {
        showSetupError();
        msg.cx = errorInfo(setupError);
        done(setupError);
        return;
      }
      const service = (def.service || '').trim() || (typeof msg.service === 'string' ? msg.service.trim() : '');
      const method = (def.method || '').trim() || (typeof msg.method === 'string' ? msg.method.trim() : '');
      inFlight++;
      show();
      args(msg)
        .then((a) => (connection as NonNullable<typeof connection>).call(service, method, a, { refusalsAsData }))
        .then(
          (r) => {
            inFlight--;
            show();
            msg.payload = r.result;
            msg.cx = { service, method, durationMs: r.durationMs, retried: r.retried };
            send(msg);
            done();
          },
          (err: unknown) => {
            const e = asCxError(err);
            inFlight--;
            show(e);
            msg.cx = { service, method, ...errorInfo(e) };
            done(e);
          },
        );
    });
  }

  RED.nodes.registerType('cx-call', CxCall as never);
};
