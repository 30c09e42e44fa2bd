import type { NodeAPI } from 'node-red';
import { ServiceModelCache, TokenSession } from './lib';
import { registerAdminEndpoints } from './adapter/admin';
import { CxConnection } from './adapter/connection';
import { ProxyConfigNode, TlsConfigNode, clientOptions, settingsKey } from './adapter/settings';
import type { CxConfigDef, CxConfigNode } from './adapter/types';

export = function (RED: NodeAPI): void {
  // A full redeploy recreates every config node. For this runtime, parsed WSDLs outlive it, and a
  // node recreated with unchanged settings and credentials takes over its predecessor's token
  // (Cx limits concurrent logins per user; a redeploy should not cost a login).
  const modelCache = new ServiceModelCache();
  const handovers = new Map<string, { key: string; session: TokenSession }>();

  function CxConfig(this: CxConfigNode, def: CxConfigDef) {
    RED.nodes.createNode(this, def);
    const tls = def.tls ? (RED.nodes.getNode(def.tls) as unknown as TlsConfigNode | null) : null;
    const proxy = def.proxy ? (RED.nodes.getNode(def.proxy) as unknown as ProxyConfigNode | null) : null;
    const options = { ...clientOptions(def, this.credentials ?? {}, tls, proxy), modelCache };
    const prior = handovers.get(this.id);
    handovers.delete(this.id);
    this.connection = new CxConnection({
      ...options,
      session: prior?.key === settingsKey(options) ? prior.session : undefined,
    });
    if (this.connection.error)
      this.warn(RED._('cx-config.errors.settings', { message: this.connection.error.message }));

    // Calls in flight end with CX_CLOSED and reach their nodes' Catch; nothing is left open.
    this.on('close', (removed: boolean, done: () => void) => {
      const session = removed ? undefined : this.connection.handOver();
      if (session) handovers.set(this.id, { key: this.connection.key, session });
      this.connection.close();
      done();
    });
  }

  RED.nodes.registerType('cx-config', CxConfig as never, {
    credentials: {
      username: { type: 'text' },
      password: { type: 'password' },
    },
  });
  registerAdminEndpoints(RED, modelCache);
};
