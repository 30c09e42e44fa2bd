import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { field, loginEnvelope, request } from '../helpers/sim';

// compiled test lives in dist/test/simulator; the bin in dist/simulator
const CLI = path.join(__dirname, '..', '..', 'simulator', 'cli.js');

function start(args: string[]): { child: ChildProcess; ready: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before LISTENING: ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited };
}

describe('simulator: cx-simulator CLI', function () {
  it('prints one LISTENING line, serves SOAP with the given credentials, and stops on SIGTERM', async () => {
    const { child, ready, exited } = start([
      '--port',
      '0',
      '--user',
      'Ann.Other',
      '--password',
      'p@ss w0rd',
      '--token-ttl',
      '60',
      '--quiet',
    ]);
    try {
      const line = await ready;
      const m = /^LISTENING (http:\/\/127\.0\.0\.1:\d+\/cx)\n$/.exec(line);
      assert.ok(m, line);
      const r = await request(`${m[1]}/webservice/wstokenservice`, {
        method: 'POST',
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: '"http://tempuri.org/IWSTokenService/GetUserWSToken"',
        },
        body: loginEnvelope('Ann.Other', 'p@ss w0rd'),
      });
      assert.equal(field(r.text, 'IsValid'), 'true');
      const stats = JSON.parse((await request(`${m[1]}/_sim/stats`)).text);
      assert.equal(stats.logins, 1);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });

  it('stops on SIGINT too', async () => {
    const { child, ready, exited } = start(['--port=0', '--quiet']);
    await ready;
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });

  it('--help prints usage and exits 0; a bad option exits 2', async () => {
    const help = spawn(process.execPath, [CLI, '--help']);
    let out = '';
    help.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    assert.equal(await new Promise((r) => help.once('exit', r)), 0);
    assert.match(out, /Usage: cx-simulator/);
    assert.match(out, /--token-ttl/);
    const bad = spawn(process.execPath, [CLI, '--port', 'abc']);
    bad.stderr.resume();
    assert.equal(await new Promise((r) => bad.once('exit', r)), 2);
  });
});
