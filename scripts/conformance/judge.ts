// The independent judge: node-soap, reading the same WSDL the client reads (over HTTP from the
// corpus server). It lists the operations, decodes each envelope the client sends and answers from
// sample values built from its own description of the output.
import * as soap from 'soap';
import type { CorpusServer } from './corpus-server';
import { SampleCounter, fromDescription } from './samples';

export interface Received {
  operation: string;
  args: unknown;
  headers: unknown;
}

export interface JudgeOperation {
  name: string;
  input: unknown;
  output: unknown;
  /** local names of the input message's SOAP header elements */
  headerElements: string[];
  oneWay: boolean;
}

const local = (q: string | undefined): string => (q ?? '').split(':').pop() ?? '';

export class Judge {
  readonly operations = new Map<string, JudgeOperation>();
  /** what node-soap decoded from the last request */
  last?: Received;
  /** the answer the judge wrote for the last request, as sample data */
  answer?: unknown;
  private constructor(private readonly server: any) {}

  static async start(corpus: CorpusServer): Promise<Judge> {
    const holder: { judge?: Judge } = {};
    const services = new Proxy(
      {},
      {
        // node-soap asks services[service][port][operation]; every one is the same recorder
        get: () =>
          new Proxy(
            {},
            {
              get: () =>
                new Proxy(
                  {},
                  {
                    get: (_t, op: string) => (args: unknown, _cb: unknown, headers: unknown) =>
                      holder.judge?.receive(op, args, headers),
                  },
                ),
            },
          ),
      },
    );
    const server: any = await new Promise((resolve, reject) => {
      soap.listen(
        null as any,
        {
          path: new URL(corpus.endpoint).pathname,
          services,
          xml: corpus.wsdlText(),
          uri: `${corpus.endpoint}?wsdl`,
          callback: (err: unknown, s: unknown) => (err ? reject(err) : resolve(s)),
        } as any,
      );
    });
    const judge = new Judge(server);
    holder.judge = judge;
    judge.readOperations();
    return judge;
  }

  private readOperations(): void {
    const wsdl = this.server.wsdl;
    const described = wsdl.describeServices();
    for (const svc of Object.values<any>(described)) {
      for (const port of Object.values<any>(svc)) {
        for (const [name, d] of Object.entries<any>(port)) {
          if (!this.operations.has(name))
            this.operations.set(name, {
              name,
              input: d.input,
              output: d.output,
              headerElements: [],
              oneWay: !d.output,
            });
        }
      }
    }
    for (const binding of Object.values<any>(wsdl.definitions.bindings)) {
      for (const [name, m] of Object.entries<any>(binding.methods ?? {})) {
        const op = this.operations.get(name);
        if (!op) continue;
        for (const child of m.inputSoap?.children ?? []) {
          if (child.name !== 'header') continue;
          const message = wsdl.definitions.messages[local(child.$message)];
          const part = message?.parts?.[child.$part];
          const element = local(part?.$element ?? message?.element?.$name ?? child.$part);
          if (element && !op.headerElements.includes(element)) op.headerElements.push(element);
        }
      }
    }
  }

  /**
   * Whether the operation's input reaches a complex type that another type extends (KnownType
   * polymorphism: a derived value can be sent there with xsi:type). Read from node-soap's own
   * schema objects, by local name.
   */
  needsDerived(op: string): boolean {
    const defs = this.server.wsdl.definitions;
    const schemas = Object.values<any>(defs.schemas ?? {});
    if (!this.bases) {
      this.bases = new Set<string>();
      for (const schema of schemas)
        for (const t of Object.values<any>(schema.complexTypes ?? {})) {
          const content = (t.children ?? []).find((c: any) => c.name === 'complexContent');
          const ext = content?.children?.find((c: any) => c.name === 'extension');
          if (ext?.$base) this.bases.add(local(ext.$base));
        }
    }
    const bases = this.bases;
    const find = (kind: 'complexTypes' | 'elements', name: string): any => {
      for (const s of schemas) if (s[kind]?.[name]) return s[kind][name];
      return undefined;
    };
    const seen = new Set<string>();
    let found = false;
    const walk = (node: any, depth: number): void => {
      if (found || !node || depth > 200) return;
      for (const attr of ['$type', '$base']) {
        const name = local(node[attr]);
        if (!name || seen.has(name)) continue;
        seen.add(name);
        if (attr === '$type' && bases.has(name)) {
          found = true;
          return;
        }
        walk(find('complexTypes', name), depth + 1);
      }
      if (node.$ref) walk(find('elements', local(node.$ref)), depth + 1);
      for (const c of node.children ?? []) walk(c, depth + 1);
    };
    for (const binding of Object.values<any>(defs.bindings)) {
      const input = binding.methods?.[op]?.input;
      if (!input) continue;
      walk(find('elements', local(input.$lookupType) || input.$name), 0);
    }
    return found;
  }
  private bases?: Set<string>;

  private receive(op: string, args: unknown, headers: unknown): unknown {
    this.last = { operation: op, args, headers };
    const d = this.operations.get(op);
    this.answer = d?.output ? fromDescription(d.output, new SampleCounter()) : undefined;
    return this.answer;
  }

  async handle(body: string, headers: Record<string, unknown>): Promise<{ status: number; body: string }> {
    this.last = undefined;
    this.answer = undefined;
    const r = await this.server.processRequest(body, { headers, url: this.server.path });
    return { status: r.statusCode, body: r.body };
  }
}
