// Bridges a client's exec/attach WebSocket (v5 or v4 channel protocol) to the runtime's streaming URL,
// which speaks v4 (containerd 1.6). Messages pass through unchanged; v5's close message (`[255, 0]`,
// stdin finished) has no v4 form and is dropped, so commands that wait for stdin EOF keep waiting.
import WebSocket from 'ws';
import { CLOSE, EXEC_V4 } from './channel.js';

/** Opens the runtime side first, so a failure can still be answered with a plain HTTP error. */
export async function connectRuntimeStream(url: string): Promise<WebSocket> {
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(u, [EXEC_V4]);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      ws.off('error', reject);
      resolve();
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`runtime stream: HTTP ${res.statusCode}`)));
  });
  return ws;
}

export function relayExecStreams(client: WebSocket, runtime: WebSocket): void {
  const closeBoth = (code: number) => {
    const c = code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : 1000;
    if (client.readyState === WebSocket.OPEN) client.close(c);
    if (runtime.readyState === WebSocket.OPEN) runtime.close(c);
  };
  client.on('message', (data: Buffer, isBinary: boolean) => {
    if (data.length > 0 && data[0] === CLOSE) return;
    if (runtime.readyState === WebSocket.OPEN) runtime.send(data, { binary: isBinary });
  });
  runtime.on('message', (data: Buffer, isBinary: boolean) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  runtime.on('close', (code) => closeBoth(code));
  client.on('close', (code) => closeBoth(code));
  runtime.on('error', () => client.terminate());
  client.on('error', () => runtime.terminate());
}
