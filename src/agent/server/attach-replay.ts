// The first attach to a container created with stdin and stdinOnce (`kubectl run -i`): the client gets what the
// container printed before it attached, then the live streams, with nothing lost and nothing twice. A runtime's
// attach only carries output from the moment it attaches, and a short command (`echo hi`) is often done by then.
//
//   attach to the runtime over SPDY (live output held back) -> T = now -> send the log's records before T
//   -> relay the live streams. When the live streams carried nothing (the container ended around T), the log's
//   records from T on are sent instead. The error channel gets Success at the end, as an attach that ran does.
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { rfc3339Nano } from '../../core/time.js';
import { CLOSE, channelMessage, ERROR, exitStatus, RESIZE, STDERR, STDIN, STDOUT } from '../streaming/channel.js';
import { connectRuntimeSpdy, type RuntimeSpdyExec } from '../streaming/exec-spdy.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import type { LocatedContainer } from './locator.js';
import { type LogReadOptions, streamCriLogs, type TaggedLogText } from './log-reader.js';

export interface ReplayingAttachOptions {
  client: WebSocket;
  container: LocatedContainer;
  streams: { stdin: boolean; stdout: boolean; stderr: boolean };
  tty: boolean;
  runtime: Pick<ContainerRuntime, 'attach' | 'containerStatus'>;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

/** A writable that sends tagged log records to the client on their channel (stdout for everything under a TTY). */
function channelWriter(opts: ReplayingAttachOptions, counter: { bytes: number }): Writable {
  return new Writable({
    objectMode: true,
    write(rec: TaggedLogText, _enc, cb) {
      const ch = opts.tty || rec.stream === 'stdout' ? STDOUT : STDERR;
      const wanted = ch === STDOUT ? opts.streams.stdout : opts.streams.stderr;
      if (!wanted || opts.client.readyState !== WebSocket.OPEN) {
        cb();
        return;
      }
      counter.bytes += rec.text.length;
      opts.client.send(channelMessage(ch, rec.text), { binary: true }, () => cb());
    },
  });
}

async function replayLog(opts: ReplayingAttachOptions, range: Pick<LogReadOptions, 'since' | 'before'>) {
  const counter = { bytes: 0 };
  const out = channelWriter(opts, counter);
  await streamCriLogs(opts.container.logPath, { ...range }, out, { tagged: true });
  await new Promise<void>((resolve) => out.end(resolve));
  return counter.bytes;
}

async function waitStopped(opts: ReplayingAttachOptions, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const st = await opts.runtime.containerStatus(opts.container.id).catch(() => undefined);
    if (!st || st.state !== 'running') return;
    await sleep(50);
  }
}

function finish(client: WebSocket, status: Buffer | undefined): void {
  if (client.readyState !== WebSocket.OPEN) return;
  client.send(channelMessage(ERROR, status ?? Buffer.from(JSON.stringify(exitStatus(0)))), { binary: true }, () =>
    client.close(1000),
  );
}

export async function serveReplayingAttach(opts: ReplayingAttachOptions): Promise<void> {
  const { client, container } = opts;
  // The client may send (stdin, its close, a resize) before the runtime side is connected: keep it for then.
  const early: Buffer[] = [];
  const keepEarly = (d: Buffer) => early.push(d);
  client.on('message', keepEarly);
  let upstream: RuntimeSpdyExec | undefined;
  if (container.running) {
    try {
      const url = await opts.runtime.attach({ containerId: container.id, tty: opts.tty, ...opts.streams });
      upstream = await connectRuntimeSpdy(url, { ...opts.streams, tty: opts.tty });
    } catch (err) {
      // Exited meanwhile: everything it printed is in its log.
      opts.log('attach: runtime attach failed, replaying the log', { container: container.id, error: String(err) });
    }
  }
  if (!upstream) {
    await waitStopped(opts, 2_000);
    await replayLog(opts, {});
    finish(client, undefined);
    return;
  }
  const { streams, socket } = upstream;
  // The split is taken before any input goes through: output that input causes (`cat` echoing what kubectl
  // sent) comes live and must not be in the replayed part as well (it was, when stdin was kept early and the
  // split came after it: a line twice).
  const splitAt = rfc3339Nano(Date.now());
  // Input goes through at once, also while the log is replayed.
  const input = (data: Buffer) => {
    if (data.length === 0) return;
    const channel = data[0]!;
    const body = data.subarray(1);
    if (channel === STDIN) streams.get('stdin')?.write(body);
    else if (channel === RESIZE) streams.get('resize')?.write(body);
    else if (channel === CLOSE && body[0] === STDIN) streams.get('stdin')?.end();
  };
  client.off('message', keepEarly);
  client.on('message', input);
  for (const d of early.splice(0)) input(d);
  // Listeners go on before the replay: streams may end (and the connection close) while it runs.
  let replaying = true;
  const held: Buffer[] = [];
  let live = 0;
  let replayed = 0;
  let status: Buffer | undefined;
  let ended = false;
  let finished = false;
  const done = async () => {
    if (finished || replaying || !ended) return;
    finished = true;
    if (live === 0) {
      // Nothing came live: the container ended around the split, and what it printed after it is in the log.
      await waitStopped(opts, 2_000);
      replayed += await replayLog(opts, { since: new Date(Date.parse(splitAt)) });
    }
    // The log was delivered: a failed runtime attach (it raced the exit) must not make kubectl print it again.
    finish(client, replayed + live > 0 ? undefined : status);
    socket.end();
  };
  const pending = new Set<string>();
  const sendLive = (msg: Buffer) => {
    if (client.readyState === WebSocket.OPEN) client.send(msg, { binary: true });
  };
  for (const [type, channel] of [
    ['stdout', STDOUT],
    ['stderr', STDERR],
    ['error', ERROR],
  ] as const) {
    const s = streams.get(type);
    if (!s) continue;
    pending.add(type);
    s.on('data', (d: Buffer) => {
      if (channel === ERROR) {
        status = status ? Buffer.concat([status, d]) : d;
        return;
      }
      live += d.length;
      const msg = channelMessage(channel, d);
      if (replaying) held.push(msg);
      else sendLive(msg);
    });
    const streamEnded = () => {
      pending.delete(type);
      if (pending.size === 0) {
        ended = true;
        void done();
      }
    };
    s.once('end', streamEnded);
    s.once('close', streamEnded);
  }
  socket.once('close', () =>
    setImmediate(() => {
      ended = true;
      void done();
    }),
  );
  client.on('close', () => {
    finished = true;
    socket.destroy();
  });
  client.on('error', () => socket.destroy());
  replayed = await replayLog(opts, { before: splitAt });
  replaying = false;
  for (const msg of held.splice(0)) sendLive(msg);
  await done();
}
