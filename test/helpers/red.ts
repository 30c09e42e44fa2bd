import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import cxCallNode from '../../nodes/cx-call';
import cxConfigNode from '../../nodes/cx-config';
import cxTokenNode from '../../nodes/cx-token';
import type { CxSimulator, SimulatorOptions } from '../../simulator';
import { useSimulator } from './sim';

/** The parts of node-red-node-test-helper these tests use (it ships no type declarations). */
export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  load(nodes: unknown[], flow: FlowNode[], credentials?: Record<string, unknown>): Promise<void>;
  setFlows(flow: FlowNode[], type?: string, credentials?: Record<string, unknown>): Promise<void>;
  unload(): Promise<void>;
  getNode(id: string): TestNode;
  /** supertest against the admin app. */
  request(): any;
  log(): { args: unknown[][] };
}

export interface TestNode extends EventEmitter {
  id: string;
  receive(msg: Record<string, unknown>): void;
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };
export type Msg = Record<string, any>;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module
export const helper: TestHelper = require('node-red-node-test-helper');
helper.init(require.resolve('node-red'));

/** The compiled nodes (dist/test/helpers -> dist/nodes), as Node-RED loads them. */
export const cxNodes: unknown[] = [cxConfigNode, cxTokenNode, cxCallNode];

export const USER = 'Jim.Walker';
export const PASSWORD = 'HappyB!rthday';
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
export const RC = 'WSRepairContractorService';

/**
 * The simulator for a suite of node tests: started before it (with USER and PASSWORD), each test's
 * flows unloaded and the simulator reset after it, closed at the end. Read `.sim` inside tests.
 */
export function useFlowSimulator(opts: SimulatorOptions = {}): { sim: CxSimulator } {
  return useSimulator({ user: USER, password: PASSWORD, ...opts }, { afterEach: () => helper.unload(), reset: true });
}

/** A cx-config node and its credentials entry. */
export function cxConfig(id: string, url: string, props: Record<string, unknown> = {}): FlowNode {
  return { id, type: 'cx-config', name: 'Cx', url, timeout: 30, ...props };
}

/** Records everything a node emits: messages it receives (for helper/catch nodes) and statuses. */
export class Recorder {
  readonly messages: Msg[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(node: TestNode) {
    node.on('input', (msg: Msg) => {
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (this.messages.length >= w.n) w.resolve();
        return this.messages.length < w.n;
      });
    });
  }

  /** Resolves once `n` messages in all have arrived. */
  count(n: number): Promise<Msg[]> {
    if (this.messages.length >= n) return Promise.resolve(this.messages);
    return new Promise((resolve) => this.waiters.push({ n, resolve: () => resolve(this.messages) }));
  }

  async next(): Promise<Msg> {
    const all = await this.count(this.messages.length + 1);
    return all[all.length - 1];
  }
}

/** Every status text a node shows, as the helper reports it. */
export function statuses(node: TestNode): unknown[] {
  const seen: unknown[] = [];
  node.on('call:status', (call: { args: unknown[] }) => seen.push(call.args[0]));
  return seen;
}

/**
 * Resolves once the latest status a node showed is `expected`. Statuses are throttled (at most one
 * per 200 ms, the latest always shown), so the last one may come a moment after the message.
 */
export async function showsStatus(seen: unknown[], expected: unknown): Promise<void> {
  const same = () => JSON.stringify(seen[seen.length - 1]) === JSON.stringify(expected);
  await until(same, `the status ${JSON.stringify(expected)} (shown: ${JSON.stringify(seen)})`);
  assert.deepEqual(seen[seen.length - 1], expected);
}

/** A few turns of the event loop: lets already-queued deliveries land. Not a timed wait. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Polls a condition once per event-loop turn, up to a deadline (for counts that change as sockets close). */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
