import type { Node, NodeAPI, NodeDef } from 'node-red';
import { CxMessage, handleInput, missingConfigError } from './adapter/pipeline';
import { localTime } from './adapter/local-time';
import type { CxConfigNode } from './adapter/types';

interface CxTokenDef extends NodeDef {
  cx?: string;
}

export = function (RED: NodeAPI): void {
  function CxToken(this: Node, def: CxTokenDef) {
    RED.nodes.createNode(this, def);
    const config = def.cx ? (RED.nodes.getNode(def.cx) as CxConfigNode | null) : null;
    const client = config?.client;

    handleInput(RED, this, {
      type: 'cx-token',
      setupError: client ? client.error : missingConfigError(),
      health: config ?? undefined,
      run: (msg: CxMessage & { refresh?: unknown }) => client!.token({ refresh: msg.refresh === true }),
      deliver: (msg, t) => {
        msg.payload = { token: t.token, expiry: t.expiry };
      },
      okStatus: (t) => {
        const until = localTime(t.expiry);
        return until
          ? { fill: 'green', shape: 'dot', text: RED._('cx-token.status.validUntil', { time: until }) }
          : { fill: 'green', shape: 'dot', text: RED._('cx-token.status.valid') };
      },
      // "valid until" must not stay green past that time: the next request logs in again.
      staleStatus: (t) => {
        const expiry = t.expiry ? Date.parse(t.expiry) : NaN;
        if (Number.isNaN(expiry)) return undefined;
        const time = localTime(t.expiry) ?? '';
        return {
          at: expiry,
          status: { fill: 'yellow', shape: 'ring', text: RED._('cx-token.status.expired', { time }) },
        };
      },
    });
  }

  RED.nodes.registerType('cx-token', CxToken as never);
};
