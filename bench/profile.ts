// Where the time goes: runs one measurement in a child with --cpu-prof and prints the self time
// by function and by package/file. Usage (after a build):
//   node dist/bench/profile.js small client      (or: small cx-call, large client 10000, ...)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SimProcess } from './sim';
import type { Task } from './tasks';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per file group, in ms, from a .cpuprofile. */
export function summariseProfile(
  p: Profile,
  top = 25,
): { byFunction: [string, number][]; byFile: [string, number][]; totalMs: number } {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let totalMs = 0;
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    totalMs += ms;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const short = url.includes('node_modules/')
      ? url.slice(url.lastIndexOf('node_modules/') + 13)
      : url.includes('/dist/')
        ? url.slice(url.indexOf('/dist/') + 6)
        : url;
    const key =
      `${n.callFrame.functionName || '(anonymous)'} ${short ? `${short}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
    fn.set(key, (fn.get(key) ?? 0) + ms);
    const group = url.includes('node_modules/')
      ? `npm:${short.split('/')[0].startsWith('@') ? short.split('/').slice(0, 2).join('/') : short.split('/')[0]}`
      : url.includes('/dist/')
        ? short
        : url.startsWith('node:')
          ? 'node internals'
          : n.callFrame.functionName || '(vm)';
    file.set(group, (file.get(group) ?? 0) + ms);
  }
  const sort = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => [k, Math.round(v)] as [string, number]);
  return { byFunction: sort(fn), byFile: sort(file), totalMs: Math.round(totalMs) };
}

async function main(): Promise<void> {
  const [kind = 'small', contender = 'client', size = '10000'] = process.argv.slice(2);
  const sim = await SimProcess.start();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cx-prof-'));
  try {
    let task: Task;
    if (kind === 'large') {
      await sim.listSize(Number(size));
      task = { kind: 'large', contender: contender as never, url: sim.url, records: Number(size) };
    } else {
      task = { kind: 'small', contender: contender as never, url: sim.url, calls: 3000, concurrency: 16, warmup: 300 };
    }
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--cpu-prof', '--cpu-prof-dir', dir, path.join(__dirname, 'worker.js'), JSON.stringify(task)],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      child.on('message', (m) => process.stdout.write(`${JSON.stringify(m)}\n`));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))));
    });
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    const s = summariseProfile(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Profile);
    process.stdout.write(`total sampled ${s.totalMs} ms\n\nself time by file or package (ms):\n`);
    for (const [k, v] of s.byFile) process.stdout.write(`${String(v).padStart(7)}  ${k}\n`);
    process.stdout.write('\nself time by function (ms):\n');
    for (const [k, v] of s.byFunction) process.stdout.write(`${String(v).padStart(7)}  ${k}\n`);
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
