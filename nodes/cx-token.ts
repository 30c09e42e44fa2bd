import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { asCxError, errorInfo, localTime, missingConfigError } from './adapter/connection';
import type { CxConfigNode } from './adapter/types';

interface CxTokenDef extends NodeDef {
  cx?: string;
}

export = function (RED: NodeAPI): void {
  function CxToken(this: Node, def: CxTokenDef) {
    RED.nodes.createNode(this, def);
    const config = def.cx ? (RED.nodes.getNode(def.cx) as CxConfigNode | null) : null;
    const connection = config?.connection;
    const showConfigError = () =>
      this.status({ fill: 'red', shape: 'ring', text: RED._('cx-token.status.error', { code: 'CX_CONFIG' }) });
    if (!connection || connection.error) showConfigError();

    this.on('input', (msg: NodeMessageInFlow & { refresh?: unknown }, send, done) => {
      if (!connection) {
        showConfigError();
        const e = missingConfigError();
        (msg as Record<string, unknown>).cx = errorInfo(e);
        done(e);
        return;
      }
      connection.token({ refresh: msg.refresh === true }).then(
        (t) => {
          const until = localTime(t.expiry);
          this.status(
            until
              ? { fill: 'green', shape: 'dot', text: RED._('cx-token.status.valid-until', { time: until }) }
              : { fill: 'green', shape: 'dot', text: RED._('cx-token.status.valid') },
          );
          msg.payload = { token: t.token, expiry: t.expiry };
          send(msg);
          done();
        },
        (err: unknown) => {
          const e = asCxError(err);
          this.status({ fill: 'red', shape: 'ring', text: RED._('cx-token.status.error', { code: e.code }) });
          (msg as Record<string, unknown>).cx = errorInfo(e);
          done(e);
        },
      );
    });
  }

  RED.nodes.registerType('cx-token', CxToken as never);
};
