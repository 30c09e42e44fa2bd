import type { Node, NodeDef } from 'node-red';
import type { SharedClient } from './shared-client';
import type { CxConfigProps, CxCredentials } from './settings';

export interface CxConfigDef extends NodeDef, Omit<CxConfigProps, 'name'> {}

/** A deployed cx-config: the owner of the one client its users share. */
export interface CxConfigNode extends Node<CxCredentials> {
  client: SharedClient;
}
