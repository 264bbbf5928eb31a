// A DNS client for tests: one question over UDP or TCP with dns-packet, and a raw-bytes sender.
import { createSocket } from 'node:dgram';
import { isIP, Socket } from 'node:net';
import dnsPacket, { type DecodedPacket, type RecordType } from 'dns-packet';

export interface QueryOptions {
  /** Advertise EDNS0 with this UDP payload size. */
  edns?: number;
  timeoutMs?: number;
}

function encodeQuestion(name: string, type: RecordType, opts: QueryOptions): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id: Math.floor(Math.random() * 65536),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
    additionals: opts.edns
      ? [
          {
            type: 'OPT',
            name: '.',
            udpPayloadSize: opts.edns,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ]
      : [],
  });
}

/** Sends raw bytes over UDP and resolves with the raw reply, or undefined after the timeout. */
export function sendUdp(host: string, port: number, msg: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  const s = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.on('error', () => {});
    s.send(msg, port, host);
  });
}

export async function queryUdp(
  host: string,
  port: number,
  name: string,
  type: RecordType,
  opts: QueryOptions = {},
): Promise<DecodedPacket & { rcode?: string; size: number }> {
  const reply = await sendUdp(host, port, encodeQuestion(name, type, opts), opts.timeoutMs);
  if (!reply) throw new Error(`no UDP reply for ${name} ${type}`);
  return Object.assign(dnsPacket.decode(reply), { size: reply.length });
}

/** Sends framed messages over one TCP connection and collects as many framed replies. */
export function sendTcp(host: string, port: number, messages: Buffer[], timeoutMs = 3000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const conn = new Socket();
    const replies: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`TCP: ${replies.length}/${messages.length} replies in ${timeoutMs} ms`));
    }, timeoutMs);
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= buf.readUInt16BE(0) + 2) {
        replies.push(buf.subarray(2, buf.readUInt16BE(0) + 2));
        buf = buf.subarray(buf.readUInt16BE(0) + 2);
      }
      if (replies.length === messages.length) {
        clearTimeout(timer);
        conn.destroy();
        resolve(replies);
      }
    });
    conn.connect(port, host, () => {
      for (const m of messages) {
        const framed = Buffer.alloc(m.length + 2);
        framed.writeUInt16BE(m.length);
        m.copy(framed, 2);
        conn.write(framed);
      }
    });
  });
}

export async function queryTcp(
  host: string,
  port: number,
  name: string,
  type: RecordType,
  opts: QueryOptions = {},
): Promise<DecodedPacket & { rcode?: string; size: number }> {
  const [reply] = await sendTcp(host, port, [encodeQuestion(name, type, opts)], opts.timeoutMs);
  return Object.assign(dnsPacket.decode(reply!), { size: reply!.length });
}
