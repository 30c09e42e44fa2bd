import type { NodeAPI } from 'node-red';
import { CxHealth, LoginRefusals, ServiceModelCache, TokenHandOver } from './lib';
import { registerAdminEndpoints } from './adapter/admin';
import { SharedClient } from './adapter/shared-client';
import { optionsFor, settingsKey, transportFor } from './adapter/settings';
import type { CxConfigDef, CxConfigNode } from './adapter/types';

export = function (RED: NodeAPI): void {
  // A full redeploy recreates every config node. For this runtime, parsed WSDLs outlive it, and a
  // node recreated with unchanged settings and credentials takes over its predecessor's token
  // (Cx limits concurrent logins per user; a redeploy should not cost a login).
  const modelCache = new ServiceModelCache();
  // A refused login holds for the same URL and user across redeploys and for Test connection: a
  // redeploy with the same wrong password must not log in again at once (Cx can lock the account).
  const loginRefusals = new LoginRefusals();
  const handovers = new Map<string, { key: string; session: TokenHandOver }>();

  function CxConfig(this: CxConfigNode, def: CxConfigDef) {
    RED.nodes.createNode(this, def);
    const prior = handovers.get(this.id);
    handovers.delete(this.id);
    this.client = new SharedClient(() => {
      const options = {
        ...optionsFor(def, this.credentials ?? {}, transportFor(RED, def)),
        modelCache,
        loginRefusals,
        // Expiry and token-placement notices; the client never passes a secret to them.
        logger: { warn: (m: string) => this.warn(m), log: (m: string) => this.log(m) },
      };
      return { ...options, session: prior?.key === settingsKey(options) ? prior.session : undefined };
    });
    if (this.client.error) this.warn(RED._('cx-config.errors.settings', { message: this.client.error.message }));
    const stopWatching = this.client.onHealthChange(healthStatus(this));

    // Calls in flight end with CX_CLOSED and reach their nodes' Catch; nothing is left open.
    this.on('close', (removed: boolean, done: () => void) => {
      const session = removed ? undefined : this.client.handOver();
      if (session) handovers.set(this.id, { key: this.client.key, session });
      stopWatching();
      this.client.close();
      done();
    });
  }

  /**
   * README "Retries, back-off and the queue": while the connection fails fast its status says so,
   * and the log has one line when Cx goes away and one when it is back (not one per call).
   */
  function healthStatus(node: CxConfigNode): (h: CxHealth) => void {
    let down = false;
    return (h) => {
      const seconds = Math.ceil(h.retryInMs / 1000);
      if (h.state === 'open') {
        node.status({ fill: 'red', shape: 'ring', text: RED._('cx-config.status.unreachable', { seconds }) });
        if (!down) node.warn(RED._('cx-config.errors.failingFast', { reason: h.lastFailure ?? '', seconds }));
        down = true;
      } else if (h.state === 'closed') {
        node.status({});
        if (down) node.log(RED._('cx-config.status.reachable'));
        down = false;
      } else {
        node.status({ fill: 'yellow', shape: 'ring', text: RED._('cx-config.status.probing') });
      }
    };
  }

  RED.nodes.registerType('cx-config', CxConfig as never, {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
    },
  });
  registerAdminEndpoints(RED, modelCache, loginRefusals);
};
