// A tiny authoritative DNS server for tests and the benchmark, standing in for the node's upstream
// resolver on a loopback address (tests never query anything off the machine). Answers A/AAAA/TXT from
// a table; names not in it are NXDOMAIN; `fail` makes it drop every query (an upstream that is down).
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { createServer } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';

export interface TestUpstream {
  address: string;
  port: number;
  /** Queries received, by `name type`. */
  queries: string[];
  records: Map<string, Answer[]>;
  fail: boolean;
  stop(): Promise<void>;
}

function reply(q: DecodedPacket, records: Map<string, Answer[]>): Buffer {
  const question = q.questions![0]!;
  const all = records.get(question.name.toLowerCase()) ?? [];
  const answers = all.filter((a) => a.type === question.type || a.type === 'CNAME');
  const exists = all.length > 0;
  const soa: Answer = {
    type: 'SOA',
    name: 'test.',
    ttl: 30,
    data: { mname: 'ns.test', rname: 'host.test', serial: 1, refresh: 60, retry: 60, expire: 60, minimum: 30 },
  };
  return dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (exists ? 0 : 3),
    questions: [question],
    answers,
    authorities: answers.length === 0 ? [soa] : [],
  });
}

export async function startTestUpstream(
  address: string,
  records: Record<string, Answer[]> = {},
  port = 0,
): Promise<TestUpstream> {
  const table = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v]));
  const udp = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
  const up: TestUpstream = {
    address,
    port: 0,
    queries: [],
    records: table,
    fail: false,
    stop: async () => {},
  };
  const answer = (msg: Buffer): Buffer | undefined => {
    if (up.fail) return undefined;
    try {
      const q = dnsPacket.decode(msg);
      const question = q.questions?.[0];
      if (!question) return undefined;
      up.queries.push(`${question.name} ${question.type}`);
      return reply(q, table);
    } catch {
      return undefined;
    }
  };
  udp.on('message', (msg, rinfo) => {
    const r = answer(msg);
    if (r) udp.send(r, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => udp.bind(port, address, () => resolve()));
  up.port = udp.address().port;
  const sockets = new Set<import('node:net').Socket>();
  const tcp = createServer((conn) => {
    sockets.add(conn);
    conn.on('close', () => sockets.delete(conn));
    conn.on('error', () => conn.destroy());
    let buf = Buffer.alloc(0);
    conn.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= buf.readUInt16BE(0) + 2) {
        const len = buf.readUInt16BE(0);
        const r = answer(buf.subarray(2, len + 2));
        buf = buf.subarray(len + 2);
        if (!r) continue;
        const framed = Buffer.alloc(r.length + 2);
        framed.writeUInt16BE(r.length);
        r.copy(framed, 2);
        conn.write(framed);
      }
    });
  });
  await new Promise<void>((resolve) => tcp.listen(up.port, address, () => resolve()));
  up.stop = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
  };
  return up;
}

/** A loopback address of its own for each test process (127.0.0.0/8 is all on lo). */
export function loopbackAddress(offset = 0): string {
  const n = ((process.pid + offset) % 200) + 20;
  return `127.0.${n}.${(offset % 200) + 2}`;
}
