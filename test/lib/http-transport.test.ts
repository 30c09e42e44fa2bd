import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { deflateRawSync, deflateSync } from 'node:zlib';
import { CxClient } from '../../nodes/lib';
import { HttpTransport, IDLE_SOCKET_MS, ResponseHandler } from '../../nodes/lib/http-transport';
import { expectCode } from '../helpers/reliability';

/** Collects an answer as text. */
const text = (onChunk?: (data: Buffer) => void): ResponseHandler<{ status: number; body: string }> => {
  let status = 0;
  const parts: Buffer[] = [];
  return {
    head: (s) => (status = s),
    chunk: (d) => {
      parts.push(d);
      onChunk?.(d);
    },
    end: () => ({ status, body: Buffer.concat(parts).toString() }),
  };
};

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: net.Server & { closeAllConnections?: () => void }) =>
  new Promise<void>((r) => {
    server.closeAllConnections?.();
    server.close(() => r());
  });

describe('HTTP transport', function () {
  this.timeout(20000);
  const transports: HttpTransport[] = [];
  const servers: net.Server[] = [];
  const transport = (origin: string, extra: Partial<ConstructorParameters<typeof HttpTransport>[0]> = {}) => {
    const t = new HttpTransport(
      { timeoutMs: 10000, maxResponseBytes: 1 << 20, maxSockets: 4, ...extra },
      new URL(origin),
    );
    transports.push(t);
    return t;
  };
  const serve = async (handler: http.RequestListener) => {
    const s = http.createServer({ keepAliveTimeout: 60000 }, handler);
    servers.push(s);
    return listen(s);
  };
  afterEach(async () => {
    for (const t of transports.splice(0)) t.close();
    for (const s of servers.splice(0)) await close(s);
  });

  it('sends once more on a new socket when a kept-alive socket was closed by the server before any answer', async () => {
    // Each socket answers its first request; a second request on it meets a closed socket, as
    // when IIS drops an idle connection just as the client reuses it.
    let answered = 0;
    let dropped = 0;
    const origin = await serve((req, res) => {
      const socket = req.socket as net.Socket & { served?: boolean };
      if (socket.served) {
        dropped++;
        socket.destroy();
        return;
      }
      socket.served = true;
      req.resume();
      req.on('end', () => {
        answered++;
        res.end(`ok ${answered}`);
      });
    });
    const t = transport(origin);
    const url = new URL(`${origin}/svc`);
    for (let i = 1; i <= 20; i++) {
      const a = await t.send({ method: 'POST', url, body: `<call n="${i}"/>` }, text());
      assert.equal(a.status, 200);
    }
    assert.equal(answered, 20, 'every call was answered once');
    assert.ok(dropped >= 1, 'kept-alive sockets were reused and met closed');
  });

  it('never sends again once a byte of the answer arrived, nor twice on fresh sockets', async () => {
    let requests = 0;
    const origin = await serve((req, res) => {
      requests++;
      req.resume();
      res.writeHead(200, { 'content-type': 'text/xml', 'content-length': '1000' });
      res.write('<partial');
      setImmediate(() => req.socket.destroy());
    });
    const t = transport(origin);
    const e = await expectCode(
      t.send({ method: 'POST', url: new URL(`${origin}/svc`), body: '<x/>' }, text()),
      'CX_NETWORK',
    );
    assert.equal(e.details.sent, true);
    assert.equal(requests, 1);
    // A fresh socket reset before any answer: not a stale keep-alive socket, so not resent.
    let resets = 0;
    const rude = net.createServer((s) => {
      s.on('error', () => undefined);
      resets++;
      s.once('data', () => s.resetAndDestroy());
    });
    servers.push(rude);
    const rudeOrigin = await listen(rude);
    await expectCode(
      transport(rudeOrigin).send({ method: 'POST', url: new URL(`${rudeOrigin}/x`), body: 'a' }, text()),
      'CX_NETWORK',
    );
    assert.equal(resets, 1);
  });

  it('keeps idle sockets for less time than IIS keeps them (15 s, under its 120 s)', async () => {
    const origin = await serve((req, res) => {
      req.resume();
      res.end('ok');
    });
    const t = transport(origin);
    await t.send({ method: 'GET', url: new URL(`${origin}/a`) }, text());
    const agent = (t as unknown as { agent: http.Agent }).agent;
    const idle = Object.values(agent.freeSockets).flat() as net.Socket[];
    assert.equal(idle.length, 1);
    assert.equal(idle[0].timeout, IDLE_SOCKET_MS);
    assert.ok(IDLE_SOCKET_MS < 120000);
  });

  it('reads Content-Encoding: deflate whether zlib-wrapped or raw (as IIS has sent it)', async () => {
    const body = '<a>' + 'é'.repeat(5000) + '</a>';
    let raw = true;
    const origin = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(raw ? deflateRawSync(body) : deflateSync(body));
    });
    const t = transport(origin);
    assert.equal((await t.send({ method: 'GET', url: new URL(`${origin}/r`) }, text())).body, body);
    raw = false;
    assert.equal((await t.send({ method: 'GET', url: new URL(`${origin}/z`) }, text())).body, body);
  });

  it('stops a raw-deflate bomb at the size cap', async () => {
    const bomb = deflateRawSync(Buffer.alloc(16 << 20));
    const origin = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-encoding': 'deflate' });
      res.end(bomb);
    });
    await expectCode(
      transport(origin).send({ method: 'GET', url: new URL(`${origin}/b`) }, text()),
      'CX_BAD_RESPONSE',
      /1 MB limit/,
    );
  });

  it('close() while an answer is being read ends the call with CX_CLOSED, not CX_NETWORK', async () => {
    const origin = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<s:Envelope>'); // and never more
    });
    const t = transport(origin);
    const call = t.send(
      { method: 'POST', url: new URL(`${origin}/svc`), body: '<x/>' },
      text(() => t.close()),
    );
    const e = await expectCode(call, 'CX_CLOSED');
    assert.equal(e.details.sent, true);
  });

  it('says what happened when the answer has more headers than Node accepts', async () => {
    const server = net.createServer((s) => {
      s.on('error', () => undefined); // the client gives up mid-headers
      s.once('data', () => {
        s.write(`HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n`);
        for (let i = 0; i < 80; i++) s.write(`Set-Cookie: c${i}=${'x'.repeat(1000)}\r\n`);
        s.end('Content-Length: 2\r\n\r\nok');
      });
    });
    servers.push(server);
    const origin = await listen(server);
    await expectCode(
      transport(origin).send({ method: 'GET', url: new URL(`${origin}/h`) }, text()),
      'CX_BAD_RESPONSE',
      /more HTTP header data than Node\.js accepts/,
      /proxy or load balancer/,
    );
  });

  it('a header an HTTP request cannot carry is CX_BAD_RESPONSE and nothing is sent', async () => {
    let requests = 0;
    const origin = await serve((req, res) => {
      requests++;
      res.end();
    });
    const e = await expectCode(
      transport(origin).send(
        {
          method: 'POST',
          url: new URL(`${origin}/svc`),
          headers: { soapaction: '"http://x/\r\nX-Evil: 1"' },
          body: '',
        },
        text(),
      ),
      'CX_BAD_RESPONSE',
      /characters HTTP cannot carry/,
    );
    assert.equal(e.details.sent, false);
    assert.equal(requests, 0);
  });

  it('refuses a timeout a timer cannot hold (2^31 ms or more) with CX_CONFIG, and clamps one given directly', async () => {
    assert.throws(
      () => new CxClient({ url: 'http://127.0.0.1:9/cx', username: 'u', password: 'p', timeoutMs: 2 ** 31 }),
      {
        code: 'CX_CONFIG',
        message: /at most 2147483647 ms/,
      },
    );
    const origin = await serve((req, res) => {
      req.resume();
      setImmediate(() => res.end('late but fine'));
    });
    const t = transport(origin, { timeoutMs: 2 ** 40 });
    assert.equal((await t.send({ method: 'GET', url: new URL(`${origin}/t`) }, text())).body, 'late but fine');
  });
});
