// The Kubernetes WebSocket channel protocol (remotecommand v4/v5 and portforward): every binary message
// starts with a channel byte. v5 adds channel 255, `[255, n]` meaning "no more data on channel n".

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const ERROR = 3;
export const RESIZE = 4;
export const CLOSE = 255;

export const EXEC_V5 = 'v5.channel.k8s.io';
export const EXEC_V4 = 'v4.channel.k8s.io';
/** Channel protocol port-forward (the JS client): channel 2i data, 2i+1 error for the i-th port. */
export const PORTFORWARD_CHANNELS = 'portforward.k8s.io';
/** kubectl ≥ 1.30: SPDY/3.1 frames carried as the bytes of binary WebSocket messages. */
export const PORTFORWARD_SPDY_TUNNEL = 'SPDY/3.1+portforward.k8s.io';

export const EXEC_PROTOCOLS = [EXEC_V5, EXEC_V4] as const;
export const PORTFORWARD_PROTOCOLS = [PORTFORWARD_SPDY_TUNNEL, PORTFORWARD_CHANNELS] as const;

/** The first protocol in our preference order that the client offered. */
export function pickProtocol(offered: Iterable<string>, supported: readonly string[]): string | undefined {
  const set = new Set(offered);
  return supported.find((p) => set.has(p));
}

export function channelMessage(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

export interface ChannelMessage {
  channel: number;
  data: Buffer;
}

export function parseChannelMessage(msg: Buffer): ChannelMessage | undefined {
  if (msg.length === 0) return undefined;
  return { channel: msg[0]!, data: msg.subarray(1) };
}

/** The JSON Status a remotecommand server sends on the error channel when the command ends. */
export function exitStatus(exitCode: number, message?: string): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: message ?? `command terminated with non-zero exit code: exit status ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** A Failure status for errors that are not an exit code (e.g. the container is gone). */
export function failureStatus(message: string): Record<string, unknown> {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}

/** Terminal size from a resize message (`{"Width":80,"Height":24}`). */
export function parseResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString()) as { Width?: unknown; Height?: unknown };
    if (typeof v.Width === 'number' && typeof v.Height === 'number') return { width: v.Width, height: v.Height };
  } catch {
    // not JSON
  }
  return undefined;
}

/** The little-endian port prefix that opens each port-forward channel. */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}
