// Writing answers onto the wire: normally (Content-Length when small, streamed with backpressure
// when large), or mangled as an injection asks.
import type { ServerResponse } from 'node:http';
import { deflateRawSync } from 'node:zlib';
import { Answer } from './dispatch';
import {
  ActiveInjection,
  DEFAULT_BOMB_BYTES,
  DEFAULT_DRIP_MS,
  DEFAULT_HUGE_BYTES,
  EMPTY_BODY,
  FAULT_NO_STRING,
  HTML_401,
  HTML_503,
  NON_XML,
  OTHER_RESPONSE,
  SOAP12_FAULT,
  TOO_LARGE,
  doctypeAnswer,
  gzipBomb,
  html503Large,
  hugeFault,
  protoAnswer,
  toWindows1252,
} from './injections';
import { CHUNK, collect } from './xml-write';

/** Timers owned by the server, so close() can cancel drips and delays. */
export interface TimerHost {
  setTimer(fn: () => void, ms: number): void;
}

const XML = 'text/xml; charset=utf-8';

function waitWritable(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function sendSimple(
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers: Record<string, string | number> = { ...extra, 'Content-Length': buf.length };
  if (contentType) headers['Content-Type'] = contentType;
  res.writeHead(status, headers);
  res.end(buf);
}

async function streamChunks(res: ServerResponse, first: string, rest: Iterator<string>): Promise<void> {
  if (!res.write(first)) await waitWritable(res);
  for (let r = rest.next(); !r.done; r = rest.next()) {
    if (res.destroyed) return;
    if (!res.write(r.value)) await waitWritable(res);
  }
  res.end();
}

/** A normal answer: buffered with Content-Length when it fits in one chunk, else chunked and streamed. */
export async function sendAnswer(res: ServerResponse, answer: Answer): Promise<void> {
  const it = answer.body[Symbol.iterator]();
  const first = it.next();
  const head = first.done ? '' : first.value;
  const second = first.done ? first : it.next();
  if (second.done) {
    sendSimple(res, answer.status, answer.contentType, head);
    return;
  }
  res.writeHead(answer.status, answer.contentType ? { 'Content-Type': answer.contentType } : {});
  await streamChunks(
    res,
    head,
    (function* () {
      yield second.value;
      yield* { [Symbol.iterator]: () => it };
    })(),
  );
}

/** Apply an injection. `answer` is the real answer for kinds that need one; `host` is the Host for redirects. */
export async function sendInjected(
  res: ServerResponse,
  inj: ActiveInjection,
  op: string,
  answer: Answer | undefined,
  host: string,
  timers: TimerHost,
): Promise<void> {
  const real = (): Buffer => Buffer.from(answer ? collect(answer.body) : '', 'utf8');
  switch (inj.kind) {
    case 'html503':
      return sendSimple(
        res,
        503,
        'text/html; charset=us-ascii',
        HTML_503,
        inj.retryAfter === undefined ? {} : { 'Retry-After': String(Math.floor(inj.retryAfter)) },
      );
    case 'html503-large':
      return sendSimple(res, 503, 'text/html', html503Large());
    case 'non-xml':
      return sendSimple(res, 200, XML, NON_XML);
    case 'redirect': {
      const to = `http://${host}/cx/_sim/redirected`;
      return sendSimple(
        res,
        302,
        'text/html; charset=UTF-8',
        `<head><title>Object moved</title></head><body><h1>Object Moved</h1>This object may be found <a HREF="${to}">here</a>.</body>`,
        { Location: to },
      );
    }
    case 'fault-no-string':
      return sendSimple(res, 500, XML, FAULT_NO_STRING);
    case 'soap12-fault':
      return sendSimple(res, 500, 'application/soap+xml; charset=utf-8', SOAP12_FAULT);
    case 'doctype':
      return sendSimple(res, 200, XML, doctypeAnswer(op || 'Operation'));
    case 'proto':
      return sendSimple(res, answer?.status ?? 200, XML, protoAnswer(real().toString('utf8'), op));
    case 'hang':
      // accept and never answer: the socket stays open until the client gives up or close()
      return;
    case 'gzip-bomb': {
      const bomb = await gzipBomb(inj.bytes ?? DEFAULT_BOMB_BYTES);
      if (res.destroyed) return;
      return sendSimple(res, 200, XML, bomb, { 'Content-Encoding': 'gzip' });
    }
    case 'truncate': {
      // a complete HTTP response whose XML stops half way
      const full = real();
      return sendSimple(res, answer?.status ?? 200, XML, full.subarray(0, Math.max(1, Math.floor(full.length / 2))));
    }
    case 'drop': {
      // promise the whole body, send part of it, then cut the connection
      const full = real();
      res.writeHead(answer?.status ?? 200, { 'Content-Type': XML, 'Content-Length': full.length });
      res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => res.socket?.destroy());
      return;
    }
    case 'drip': {
      const full = real();
      const every = inj.ms ?? DEFAULT_DRIP_MS;
      res.writeHead(answer?.status ?? 200, { 'Content-Type': XML, 'Content-Length': full.length });
      const size = 64;
      let at = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        const part = full.subarray(at, at + size);
        at += size;
        if (at >= full.length) {
          res.end(part);
          return;
        }
        res.write(part);
        timers.setTimer(tick, every);
      };
      tick();
      return;
    }
    case 'huge': {
      // the real answer with whitespace before </s:Envelope> until it is past `bytes`
      const full = real().toString('utf8');
      const cut = full.lastIndexOf('</s:Envelope>');
      const head = cut < 0 ? full : full.slice(0, cut);
      const tail = cut < 0 ? '' : full.slice(cut);
      const target = inj.bytes ?? DEFAULT_HUGE_BYTES;
      const pad = ' '.repeat(CHUNK);
      let remaining = Math.max(0, target - Buffer.byteLength(full)) + 1;
      res.writeHead(answer?.status ?? 200, { 'Content-Type': XML });
      await streamChunks(
        res,
        head,
        (function* () {
          while (remaining > 0) {
            const n = Math.min(remaining, pad.length);
            remaining -= n;
            yield n === pad.length ? pad : pad.slice(0, n);
          }
          yield tail;
        })(),
      );
      return;
    }
    case 'empty-body':
      return sendSimple(res, 200, XML, EMPTY_BODY);
    case 'other-response':
      return sendSimple(res, 200, XML, OTHER_RESPONSE);
    case 'huge-fault':
      return sendSimple(res, 500, XML, hugeFault(inj.bytes));
    case 'windows-1252':
      return sendSimple(
        res,
        answer?.status ?? 200,
        'text/xml; charset=windows-1252',
        toWindows1252(real().toString('utf8')),
      );
    case 'deflate-raw':
      // raw DEFLATE (no zlib header) under "deflate", as IIS has sent it
      return sendSimple(res, answer?.status ?? 200, XML, deflateRawSync(real()), { 'Content-Encoding': 'deflate' });
    case 'ntlm': {
      // two WWW-Authenticate headers, as IIS with Windows authentication sends them
      const body = Buffer.from(HTML_401, 'utf8');
      res.writeHead(401, {
        'Content-Type': 'text/html',
        'Content-Length': body.length,
        'WWW-Authenticate': ['Negotiate', 'NTLM'],
      });
      res.end(body);
      return;
    }
    case 'too-large':
      return sendSimple(res, 413, 'text/plain; charset=utf-8', TOO_LARGE, { Connection: 'close' });
    case 'latency':
      // the delay has already happened; answer normally
      if (answer) return sendAnswer(res, answer);
      return;
  }
}
