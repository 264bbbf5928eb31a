// The WebSocket channel port-forward protocol (`portforward.k8s.io`, used by @kubernetes/client-node):
// the ports are fixed by `?ports=`; for the i-th port channel 2i carries data and 2i+1 errors, and the server
// opens each channel with the port as two little-endian bytes.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { channelMessage, parseChannelMessage, portPrefix } from './channel.js';
import type { PortDialer } from './portforward-spdy.js';

/** Bridges one WebSocket to one connection per requested port; closes the socket when all are done. */
export function servePortForwardChannels(ws: WebSocket, ports: number[], dial: PortDialer): void {
  const targets: (Duplex | undefined)[] = [];
  const early: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const done = () => {
    open--;
    if (open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };
  ports.forEach((port, i) => {
    ws.send(channelMessage(2 * i, portPrefix(port)));
    ws.send(channelMessage(2 * i + 1, portPrefix(port)));
    dial(port).then(
      (target) => {
        targets[i] = target;
        for (const b of early[i]!) target.write(b);
        early[i] = [];
        target.on('data', (chunk: Buffer) => {
          if (ws.readyState === ws.OPEN) ws.send(channelMessage(2 * i, chunk));
        });
        target.on('error', (err) => {
          if (ws.readyState === ws.OPEN) ws.send(channelMessage(2 * i + 1, err.message));
        });
        target.on('close', done);
      },
      (err: Error) => {
        if (ws.readyState === ws.OPEN)
          ws.send(channelMessage(2 * i + 1, `error forwarding port ${port}: ${err.message}`));
        done();
      },
    );
  });
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const msg = parseChannelMessage(isBinary ? raw : Buffer.from(raw));
    if (!msg || msg.channel % 2 !== 0) return;
    const i = msg.channel / 2;
    if (i >= ports.length || msg.data.length === 0) return;
    const t = targets[i];
    if (t) t.write(msg.data);
    else early[i]?.push(Buffer.from(msg.data));
  });
  ws.on('close', () => {
    for (const t of targets) t?.destroy();
  });
}

/** Ports from `?ports=80,8080` (also repeated `ports=`); undefined when any is invalid. */
export function parsePorts(values: string[]): number[] | undefined {
  const ports = values.flatMap((v) => v.split(',')).filter((p) => p.trim() !== '');
  const nums = ports.map((p) => Number(p.trim()));
  if (nums.length === 0 || nums.some((n) => !Number.isInteger(n) || n <= 0 || n > 65535)) return undefined;
  return nums;
}
