import type { Node, NodeDef } from 'node-red';
import type { CxConnection } from './connection';
import type { CxConfigProps, CxCredentials } from './settings';

export interface CxConfigDef extends NodeDef, Omit<CxConfigProps, 'name'> {}

/** A deployed cx-config: the owner of the one connection its users share. */
export interface CxConfigNode extends Node<CxCredentials> {
  connection: CxConnection;
}
