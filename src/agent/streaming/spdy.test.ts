import assert from 'node:assert/strict';
import { Duplex, PassThrough } from 'node:stream';
import { test } from 'node:test';
import { channelMessage, EXEC_V4, EXEC_V5, exitStatus, parseChannelMessage, pickProtocol } from './channel.js';
import { servePortForwardSpdy } from './portforward-spdy.js';
import { encodeData, encodePing, encodeRstStream, SpdyFrameParser } from './spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor } from './spdy-headers.js';
import { SpdySession } from './spdy-session.js';

test('frames survive any split of the byte stream', () => {
  const bytes = Buffer.concat([encodeData(3, Buffer.from('hello'), true), encodePing(7), encodeRstStream(5, 5)]);
  const p = new SpdyFrameParser();
  const frames = [...bytes].flatMap((b) => p.push(Buffer.from([b])));
  assert.deepEqual(
    frames.map((f) => f.type),
    ['data', 'ping', 'rstStream'],
  );
  const d = frames[0]!;
  assert.ok(d.type === 'data' && d.streamId === 3 && d.flags === 1 && d.data.toString() === 'hello');
});

test('header blocks round-trip across one connection-wide zlib context', () => {
  const c = new HeaderCompressor();
  const d = new HeaderDecompressor();
  for (const port of ['80', '8080']) {
    const h = new Map([
      ['streamtype', ['data']],
      ['port', [port]],
    ]);
    assert.deepEqual(d.decompress(c.compress(h)), h);
  }
});

test('port-forward pairs data and error streams by requestID and bridges data', async () => {
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const written: Buffer[] = [];
  const fromPod = new PassThrough();
  const target = new Duplex({
    write(chunk: Buffer, _e, cb) {
      written.push(chunk);
      cb();
    },
    read() {},
  });
  fromPod.on('data', (b: Buffer) => target.push(b));
  fromPod.on('end', () => target.push(null));
  const dialed: number[] = [];
  const server = servePortForwardSpdy({ write: (b) => toClient.push(b), close: () => undefined }, async (port) => {
    dialed.push(port);
    return target;
  });
  const client = new SpdySession({ write: (b) => toServer.push(b), close: () => undefined }, { role: 'client' });
  const pump = () => {
    while (toServer.length || toClient.length) {
      for (const b of toServer.splice(0)) server.receive(b);
      for (const b of toClient.splice(0)) client.receive(b);
    }
  };
  const errP = client.openStream(
    new Map([
      ['streamtype', ['error']],
      ['port', ['80']],
      ['requestid', ['0']],
    ]),
  );
  const dataP = client.openStream(
    new Map([
      ['streamtype', ['data']],
      ['port', ['80']],
      ['requestid', ['0']],
    ]),
  );
  pump();
  const [err, data] = await Promise.all([errP, dataP]);
  data.write('ping');
  pump();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(dialed, [80]);
  assert.equal(Buffer.concat(written).toString(), 'ping');
  let got = '';
  data.on('data', (b: Buffer) => {
    got += b.toString();
  });
  fromPod.end('pong');
  await new Promise((r) => setImmediate(r));
  pump();
  await new Promise((r) => setImmediate(r));
  assert.equal(got, 'pong');
  assert.ok(err.readableEnded || (await new Promise((r) => err.once('end', () => r(true)).resume())));
});

test('channel protocol helpers', () => {
  assert.equal(pickProtocol([EXEC_V4, EXEC_V5], [EXEC_V5, EXEC_V4]), EXEC_V5);
  assert.deepEqual(parseChannelMessage(channelMessage(1, 'x')), { channel: 1, data: Buffer.from('x') });
  assert.deepEqual(exitStatus(3).details, { causes: [{ reason: 'ExitCode', message: '3' }] });
  assert.equal(exitStatus(0).status, 'Success');
});
