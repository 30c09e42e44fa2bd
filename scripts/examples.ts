import * as fs from 'node:fs';
import * as path from 'node:path';

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The package's examples folder, which Node-RED lists under Import > Examples (read from dist/scripts). */
export const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

/** Every example flow, by file name without `.json`, in menu order. */
export function readExamples(dir = EXAMPLES_DIR): { name: string; nodes: FlowNode[] }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.slice(0, -'.json'.length),
      nodes: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as FlowNode[],
    }));
}

/** All examples as one deployable flow: the connection they share appears once. */
export function allExamples(dir = EXAMPLES_DIR): FlowNode[] {
  const seen = new Set<string>();
  const out: FlowNode[] = [];
  for (const ex of readExamples(dir)) {
    for (const n of ex.nodes) {
      if (seen.has(n.id)) continue;
      seen.add(n.id);
      out.push(n);
    }
  }
  return out;
}
