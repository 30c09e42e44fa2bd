import type { NodeAPI } from 'node-red';
import { ServiceModelCache } from './lib';
import { registerAdminEndpoints } from './adapter/admin';
import { CxConnection } from './adapter/connection';
import { ProxyConfigNode, TlsConfigNode, clientOptions } from './adapter/settings';
import type { CxConfigDef, CxConfigNode } from './adapter/types';

export = function (RED: NodeAPI): void {
  // Parsed WSDLs outlive a full redeploy (which recreates every config node) for this runtime.
  const modelCache = new ServiceModelCache();

  function CxConfig(this: CxConfigNode, def: CxConfigDef) {
    RED.nodes.createNode(this, def);
    const tls = def.tls ? (RED.nodes.getNode(def.tls) as unknown as TlsConfigNode | null) : null;
    const proxy = def.proxy ? (RED.nodes.getNode(def.proxy) as unknown as ProxyConfigNode | null) : null;
    this.connection = new CxConnection({ ...clientOptions(def, this.credentials ?? {}, tls, proxy), modelCache });
    if (this.connection.error) this.warn(RED._('cx-config.errors.settings', { message: this.connection.error.message }));

    // Calls in flight end with CX_CLOSED and reach their nodes' Catch; nothing is left open.
    this.on('close', (_removed: boolean, done: () => void) => {
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
