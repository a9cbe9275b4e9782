import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { isLoopbackHost, validateServerOptions, WS_LIMIT_DEFAULTS } from '../../server/options.ts';
import { binaryFrame, FRAME_KIND, readBinaryFrame } from '../../server/ws/frames.ts';
import { parseClientMessage } from '../../server/ws/messages.ts';
import { Outbox } from '../../server/ws/outbox.ts';

describe('server options', () => {
  it('binds to loopback by default and needs no token there', () => {
    const o = validateServerOptions({});
    expect(o.host).toBe('127.0.0.1');
    expect(o.token).toBeUndefined();
  });

  it('refuses a public host without a token, naming the fix', () => {
    expect(() => validateServerOptions({ host: '0.0.0.0' })).toThrow(/refusing to listen on 0\.0\.0\.0 without a token.*--token/);
    expect(() => validateServerOptions({ host: '192.168.1.5' })).toThrow(/EARSHOT_TOKEN/);
    expect(validateServerOptions({ host: '0.0.0.0', token: 'secret-token' }).token).toBe('secret-token');
  });

  it('refuses short tokens, bad origins and inconsistent WebSocket limits', () => {
    expect(() => validateServerOptions({ token: 'short' })).toThrow(/at least 8 characters/);
    expect(() => validateServerOptions({ allowOrigins: ['localhost:5173'] })).toThrow(/http:\/\/host:port/);
    expect(() => validateServerOptions({ ws: { skipAboveBytes: 10, closeAboveBytes: 5 } })).toThrow(/skipAboveBytes/);
    expect(() => validateServerOptions({ port: 70000 })).toThrow(/port = 70000/);
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'app.localhost']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.0.1', 'example.com', 'localhost.example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('binary frames', () => {
  it('round-trip: "ESHT", kind, count, 0, then the float32 values', () => {
    const a = new Float32Array([1, -2, 3.5]);
    const b = new Float32Array([0.25]);
    const buf = binaryFrame(FRAME_KIND.embeddings, [a, b]);
    expect(buf.toString('latin1', 0, 4)).toBe('ESHT');
    expect([buf.readUInt32LE(4), buf.readUInt32LE(8), buf.readUInt32LE(12)]).toEqual([1, 4, 0]);
    const back = readBinaryFrame(buf);
    expect(back).toEqual({ kind: 1, samples: new Float32Array([1, -2, 3.5, 0.25]) });
  });

  it('copies a view at any offset of a shared buffer', () => {
    const shared = new Float32Array([9, 9, 1, 2, 9]);
    const buf = binaryFrame(FRAME_KIND.audio, [shared.subarray(2, 4)]);
    expect(readBinaryFrame(buf)).toEqual({ kind: 2, samples: new Float32Array([1, 2]) });
  });

  it('names what is wrong with a bad frame', () => {
    expect(readBinaryFrame(Buffer.from([1, 2, 3]))).toEqual({ problem: expect.stringMatching(/16-byte header/) });
    const lying = binaryFrame(2, [new Float32Array(4)]).subarray(0, 20);
    expect(readBinaryFrame(Buffer.from(lying))).toEqual({ problem: expect.stringMatching(/count says 4 float32 values .* but the frame has 20 bytes/) });
  });
});

describe('client messages', () => {
  it('parses the known types', () => {
    expect(parseClientMessage('{"v":1,"type":"ping","t":5,"id":"a"}')).toEqual({ v: 1, type: 'ping', t: 5, id: 'a' });
    expect(parseClientMessage('{"v":1,"type":"subscribe","streamId":"s"}').type).toBe('subscribe');
  });

  it.each([
    ['{nope', /malformed JSON/],
    ['[1,2]', /JSON object with "v": 1/],
    ['{"type":"ping","t":1}', /"v" is missing; this server speaks protocol version 1/],
    ['{"v":2,"type":"ping","t":1}', /"v" is 2/],
    ['{"v":1,"type":"dance"}', /unknown message type "dance". Known: hello, subscribe/],
    ['{"v":1}', /unknown message type \(missing\)/],
    ['{"v":1,"type":"subscribe"}', /"subscribe" message: streamId is missing/],
    ['{"v":1,"type":"ping","t":{}}', /"ping" message: t = \{\}/],
  ])('refuses %s', (text, message) => {
    expect(() => parseClientMessage(text)).toThrow(message);
  });
});

// A stand-in socket: only what the outbox touches.
class FakeSocket extends EventEmitter {
  readonly OPEN = WebSocket.OPEN;
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent: unknown[] = [];
  closed: [number, string] | undefined;
  terminated = false;
  send(x: unknown) {
    this.sent.push(x);
  }
  close(code: number, reason: string) {
    this.closed = [code, reason];
    this.readyState = WebSocket.CLOSING;
  }
  terminate() {
    this.terminated = true;
  }
}

describe('outbox (slow clients)', () => {
  const limits = { ...WS_LIMIT_DEFAULTS, skipAboveBytes: 100, closeAboveBytes: 1000, closeAfterBehindMs: 50, closeGraceMs: 20 };
  const make = () => {
    const ws = new FakeSocket();
    const counts = { skips: 0, slowCloses: 0 };
    const box = new Outbox(ws as unknown as WebSocket, limits, { onSkip: () => counts.skips++, onSlowClose: () => counts.slowCloses++ });
    return { ws, box, counts };
  };

  it('sends a message and its binary frame together', () => {
    const { ws, box } = make();
    expect(box.send({ text: '{}', binary: Buffer.from([1]) }, true)).toBe(true);
    expect(ws.sent).toEqual(['{}', Buffer.from([1])]);
  });

  it('skips droppable messages while the client is behind, but still sends control messages', () => {
    const { ws, box, counts } = make();
    ws.bufferedAmount = 500;
    expect(box.send({ text: 'result', binary: Buffer.from([1]) }, true)).toBe(false);
    expect(box.send({ text: 'stopped' }, false)).toBe(true);
    expect(ws.sent).toEqual(['stopped']);
    expect([box.skipped, counts.skips]).toEqual([1, 1]);
    ws.bufferedAmount = 0;
    expect(box.send({ text: 'result' }, true)).toBe(true);
  });

  it('closes with 1013 a client that stays behind, then cuts the socket after the grace period', () => {
    vi.useFakeTimers();
    try {
      const { ws, box, counts } = make();
      ws.bufferedAmount = 500;
      box.send({ text: 'a' }, true);
      vi.advanceTimersByTime(50); // behind for exactly closeAfterBehindMs: not yet
      box.send({ text: 'b' }, true);
      expect(ws.closed).toBeUndefined();
      vi.advanceTimersByTime(1);
      box.send({ text: 'c' }, true);
      expect(ws.closed?.[0]).toBe(1013);
      expect(ws.closed?.[1]).toMatch(/too far behind/);
      expect(counts.slowCloses).toBe(1);
      expect(box.send({ text: 'd' }, false)).toBe(false);
      vi.advanceTimersByTime(19);
      expect(ws.terminated).toBe(false);
      vi.advanceTimersByTime(1); // closeGraceMs after the close
      expect(ws.terminated).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('closes at once past closeAboveBytes', () => {
    const { ws, box } = make();
    ws.bufferedAmount = 5000;
    box.send({ text: 'x' }, false);
    expect(ws.closed?.[0]).toBe(1013);
  });
});
