import type { NodeAPI, NodeStatus } from 'node-red';
import { LoginRefusals, ServiceModelCache, TokenHandOver } from './lib';
import { registerAdminEndpoints } from './adapter/admin';
import { HealthStatus } from './adapter/health-status';
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
    // README "Retries, back-off and the queue": "Cx unreachable, next try in N s", counting down.
    // Shown on this node and on every cx-call and cx-token using it (the editor does not draw a
    // config node's status): the latest one goes to a node that starts watching mid-outage.
    const watchers = new Set<(status: NodeStatus | undefined) => void>();
    let outage: NodeStatus | undefined;
    const shown = {
      status: (st: NodeStatus) => {
        this.status(st);
        outage = st.text ? st : undefined;
        for (const w of watchers) w(outage);
      },
      warn: (m: string) => this.warn(m),
      log: (m: string) => this.log(m),
    };
    this.watchHealth = (fn) => {
      watchers.add(fn);
      if (outage) fn(outage);
      return () => watchers.delete(fn);
    };
    const health = new HealthStatus(shown, (key, subs) => RED._(key, subs));
    const stopWatching = this.client.onHealthChange((h) => health.update(h));

    // Calls in flight end with CX_CLOSED and reach their nodes' Catch; nothing is left open.
    this.on('close', (removed: boolean, done: () => void) => {
      const session = removed ? undefined : this.client.handOver();
      if (session) handovers.set(this.id, { key: this.client.key, session });
      stopWatching();
      health.close();
      watchers.clear();
      this.client.close();
      done();
    });
  }

  RED.nodes.registerType('cx-config', CxConfig as never, {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
    },
  });
  registerAdminEndpoints(RED, modelCache, loginRefusals);
};
