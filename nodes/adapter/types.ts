import type { Node, NodeDef, NodeStatus } from 'node-red';
import type { SharedClient } from './shared-client';
import type { CxConfigProps, CxCredentials } from './settings';

export interface CxConfigDef extends NodeDef, Omit<CxConfigProps, 'name'> {}

/** A deployed cx-config: the owner of the one client its users share. */
export interface CxConfigNode extends Node<CxCredentials> {
  client: SharedClient;
  /**
   * Hears the connection's outage status (*Cx unreachable, next try in N s*, then the probe), or
   * undefined once Cx answers: the editor never draws a config node's status, so the nodes that
   * use it show it. Returns the function that stops it.
   */
  watchHealth(fn: (status: NodeStatus | undefined) => void): () => void;
}
