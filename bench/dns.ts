// Benchmark: DNS queries/s and latency with 100 concurrent clients on cached names, Tutti's cluster DNS
// against dnsmasq on the same machine in the same run, both on loopback:
//   - cluster names: 1,000 Service names (Tutti: its record store; dnsmasq: a hosts file);
//   - forwarded names: 1,000 outside names from a test upstream, already in each server's cache.
// The load comes from a separate process (so the generator and the server each have a core), spreading
// 100 outstanding queries over 10 UDP sockets; its own CPU use is printed to show it is not the limit.
// The server's own CPU time per answered query is printed too: unlike queries/s and latency it does not
// depend on what else the (shared) machine is running.
// Each phase runs twice: at max load (every client asks again as soon as it is answered: queries/s) and
// paced at the target's 25,000 queries/s (each client on its own schedule: the latency at that load).
// Run: npm run build && node dist/bench/dns.js   (DNS_BENCH_SECONDS=4 per phase, DNS_BENCH_ROUNDS=3)
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dnsPacket from 'dns-packet';
import { startClusterDns } from '../src/network/dns/server.js';
import { clusterIpService, namespace } from '../src/network/dns/testing/fixtures.js';
import { startTestUpstream } from '../src/network/dns/testing/upstream.js';

const NAMES = 1000;
const CONCURRENCY = 100;
const SOCKETS = 10;
const SECONDS = Number(process.env.DNS_BENCH_SECONDS ?? 4);
/** Rounds of the four phases, interleaved so that both servers see the same machine load. */
const ROUNDS = Number(process.env.DNS_BENCH_ROUNDS ?? 3);
/** The paced phases' offered load: the target's rate. At max load the latency is mostly the queue that a
 * closed loop of 100 clients builds on 2 shared cores (Little's law: 100 / queries/s on average). */
const PACED_RATE = 25_000;
const TUTTI = '127.0.77.2';
const DNSMASQ = '127.0.77.3';
const UPSTREAM = '127.0.77.4';

interface GeneratorJob {
  host: string;
  port: number;
  names: string[];
  seconds: number;
  /** Paced load: this many queries/s in all, each client sending on its own schedule (unset: as fast as answers come). */
  rate?: number;
}

interface GeneratorResult {
  answered: number;
  timeouts: number;
  errors: number;
  seconds: number;
  /** Latency histogram in 10 µs buckets. */
  histogram: number[];
  cpuSeconds: number;
}

const BUCKET_US = 10;

// ---- the load generator (child process) ----
async function generate(job: GeneratorJob): Promise<GeneratorResult> {
  const templates = job.names.map((name) =>
    dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A' }] }),
  );
  const histogram: number[] = new Array(100_000).fill(0);
  let answered = 0;
  let errors = 0;
  let timeouts = 0;
  let measuring = false;
  let running = true;
  const perSocket = CONCURRENCY / SOCKETS;
  const sockets = await Promise.all(
    Array.from({ length: SOCKETS }, async () => {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      return s;
    }),
  );
  let next = 0;
  const sentAt = new Float64Array(65536);
  const outstanding = new Uint8Array(65536);
  // Paced: client `id` sends its next query at due[id] (every CONCURRENCY / rate seconds), or when its
  // answer comes if that is later; latency counts from the actual send, as dnsperf -Q measures it.
  const interval = job.rate ? (CONCURRENCY / job.rate) * 1000 : 0;
  const due = new Float64Array(CONCURRENCY + 1);
  const sendOne = (s: ReturnType<typeof createSocket>, slot: number): void => {
    if (!running) return;
    const q = templates[next++ % templates.length]!;
    const id = slot;
    q.writeUInt16BE(id, 0);
    sentAt[id] = performance.now();
    outstanding[id] = 1;
    s.send(q, job.port, job.host);
  };
  sockets.forEach((s, si) => {
    s.on('message', (msg) => {
      const id = msg.readUInt16BE(0);
      if (!outstanding[id]) return;
      outstanding[id] = 0;
      if (measuring) {
        const us = (performance.now() - sentAt[id]!) * 1000;
        histogram[Math.min(histogram.length - 1, Math.floor(us / BUCKET_US))]!++;
        if ((msg.readUInt16BE(2) & 0xf) !== 0 || msg.readUInt16BE(6) === 0) errors++;
        answered++;
      }
      if (interval === 0) sendOne(s, id);
      else if (performance.now() >= due[id]!) paceOne(id);
    });
    for (let i = 0; i < perSocket; i++) {
      const id = si * perSocket + i + 1;
      if (interval === 0) sendOne(s, id);
      else due[id] = performance.now() + Math.random() * interval;
    }
  });
  const socketOf = (id: number) => sockets[Math.floor((id - 1) / perSocket)]!;
  function paceOne(id: number): void {
    const now = performance.now();
    // A client that fell behind (a slow answer) sends now and keeps its rate from here, without a burst.
    due[id] = Math.max(due[id]! + interval, now);
    sendOne(socketOf(id), id);
  }
  const pacer =
    interval === 0
      ? undefined
      : setInterval(() => {
          const now = performance.now();
          for (let id = 1; id <= CONCURRENCY; id++) if (!outstanding[id] && due[id]! <= now) paceOne(id);
        }, 1);
  // Lost queries are re-sent after 1 s so the concurrency stays at 100.
  const watchdog = setInterval(() => {
    const now = performance.now();
    for (let id = 1; id <= CONCURRENCY; id++) {
      if (outstanding[id] && now - sentAt[id]! > 1000) {
        if (measuring) timeouts++;
        sendOne(socketOf(id), id);
      }
    }
  }, 200);
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, job.seconds * 1000));
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  running = false;
  clearInterval(watchdog);
  if (pacer) clearInterval(pacer);
  for (const s of sockets) s.close();
  return { answered, timeouts, errors, seconds, histogram, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

// ---- the coordinator ----
function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function percentile(h: number[], total: number, p: number): number {
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= total * p) return ((i + 1) * BUCKET_US) / 1000;
  }
  return Number.NaN;
}

function runGenerator(job: GeneratorJob): Promise<GeneratorResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--generator'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as GeneratorResult));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`generator exited with ${code}`));
    });
    child.send(job);
  });
}

interface Row {
  server: string;
  names: string;
  /** 'max' (each client asks again as soon as it is answered) or the paced rate. */
  load: string;
  qps: number;
  p50: number;
  p99: number;
  /** Server CPU per answered query, µs. */
  cpuUs: number;
  r: GeneratorResult;
}

function row(server: string, names: string, load: string, r: GeneratorResult, serverCpuSeconds: number): Row {
  const total = r.histogram.reduce((a, b) => a + b, 0);
  return {
    server,
    names,
    load,
    qps: r.answered / r.seconds,
    p50: percentile(r.histogram, total, 0.5),
    p99: percentile(r.histogram, total, 0.99),
    cpuUs: (serverCpuSeconds / Math.max(1, r.answered)) * 1e6,
    r,
  };
}

/** CPU seconds (user + system) a process has used, from /proc. */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function median(rows: Row[], by: (r: Row) => number): Row {
  const sorted = [...rows].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor(sorted.length / 2)]!;
}

function print(rows: Row[]): void {
  console.log(
    `${'server'.padEnd(10)}${'names'.padEnd(12)}${'load'.padEnd(10)}${'queries/s'.padStart(11)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'server CPU/query'.padStart(18)}${'errors'.padStart(8)}${'lost'.padStart(6)}${'generator CPU'.padStart(15)}`,
  );
  for (const x of rows) {
    console.log(
      `${x.server.padEnd(10)}${x.names.padEnd(12)}${x.load.padEnd(10)}${Math.round(x.qps).toLocaleString('en-US').padStart(11)}${x.p50.toFixed(2).padStart(9)}${x.p99.toFixed(2).padStart(9)}${`${x.cpuUs.toFixed(1)} µs`.padStart(18)}${String(x.r.errors).padStart(8)}${String(x.r.timeouts).padStart(6)}${`${Math.round((x.r.cpuSeconds / x.r.seconds) * 100)}%`.padStart(15)}`,
    );
  }
}

async function waitForAnswer(host: string, port: number, name: string): Promise<void> {
  const s = createSocket('udp4');
  try {
    for (let i = 0; i < 100; i++) {
      const got = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 100);
        s.once('message', () => {
          clearTimeout(t);
          resolve(true);
        });
        s.send(dnsPacket.encode({ type: 'query', id: 1, questions: [{ name, type: 'A' }] }), port, host);
      });
      if (got) return;
    }
    throw new Error(`${host}:${port} does not answer`);
  } finally {
    s.close();
  }
}

/** Asks every name once so that each server has it in its cache. */
async function warm(host: string, port: number, names: string[]): Promise<void> {
  const s = createSocket('udp4');
  let pending = names.length;
  await new Promise<void>((resolve) => {
    s.on('message', () => {
      if (--pending === 0) resolve();
    });
    names.forEach((name, i) => {
      const q = dnsPacket.encode({
        type: 'query',
        id: i,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name, type: 'A' }],
      });
      s.send(q, port, host);
    });
    setTimeout(resolve, 5000);
  });
  s.close();
}

async function main(): Promise<void> {
  const clusterNames = Array.from({ length: NAMES }, (_, i) => `svc-${i}.bench.svc.cluster.local`);
  const outsideNames = Array.from({ length: NAMES }, (_, i) => `host-${i}.example.test`);
  const ipOf = (i: number) => `10.${43 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
  const upstream = await startTestUpstream(
    UPSTREAM,
    Object.fromEntries(
      outsideNames.map((n, i) => [n, [{ type: 'A' as const, name: n, ttl: 3600, data: `192.0.${i >> 8}.${i & 255}` }]]),
    ),
  );
  const dns = await startClusterDns({ address: TUTTI, port: 0, upstreams: [`${UPSTREAM}:${upstream.port}`] });
  dns.store.setNamespace(namespace('bench'));
  for (let i = 0; i < NAMES; i++)
    dns.store.setService(clusterIpService('bench', `svc-${i}`, ipOf(i), [{ name: 'http', port: 80 }]));

  const dir = mkdtempSync(join(tmpdir(), 'tutti-dns-bench-'));
  const hosts = join(dir, 'hosts');
  writeFileSync(hosts, clusterNames.map((n, i) => `${ipOf(i)} ${n}`).join('\n'));
  const dnsmasqPort = dns.port + 1;
  let dnsmasq: ChildProcess | undefined;
  try {
    dnsmasq = spawn(
      '/usr/sbin/dnsmasq',
      [
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        '--no-resolv',
        '--no-hosts',
        `--addn-hosts=${hosts}`,
        `--server=${UPSTREAM}#${upstream.port}`,
        `--listen-address=${DNSMASQ}`,
        '--bind-interfaces',
        `--port=${dnsmasqPort}`,
        '--cache-size=10000',
        '--pid-file=',
        '--user=root',
        '--log-facility=-',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await waitForAnswer(DNSMASQ, dnsmasqPort, clusterNames[0]!);
    await warm(DNSMASQ, dnsmasqPort, outsideNames);
    await warm(TUTTI, dns.port, outsideNames);

    const rows: Row[] = [];
    const dnsmasqPid = dnsmasq.pid!;
    const phases: [string, string, string, number, string[], () => number][] = [
      ['dnsmasq', 'cluster', DNSMASQ, dnsmasqPort, clusterNames, () => processCpuSeconds(dnsmasqPid)],
      ['tutti', 'cluster', TUTTI, dns.port, clusterNames, ownCpuSeconds],
      ['dnsmasq', 'forwarded', DNSMASQ, dnsmasqPort, outsideNames, () => processCpuSeconds(dnsmasqPid)],
      ['tutti', 'forwarded', TUTTI, dns.port, outsideNames, ownCpuSeconds],
    ];
    console.log(
      `${CONCURRENCY} concurrent clients over ${SOCKETS} UDP sockets, ${ROUNDS} rounds of ${SECONDS} s per phase, loopback, ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`,
    );
    const paced = PACED_RATE.toLocaleString('en-US');
    for (let round = 0; round < ROUNDS; round++) {
      for (const rate of [undefined, PACED_RATE]) {
        for (const [server, kind, host, port, names, cpu] of phases) {
          const before = cpu();
          const r = await runGenerator({ host, port, names, seconds: SECONDS, rate });
          // The generator's warm-up second is in the server's CPU time too: count its queries as well.
          const load = rate ? `${paced}/s` : 'max';
          rows.push(row(server, kind, load, r, ((cpu() - before) * r.seconds) / (r.seconds + 1)));
        }
      }
    }
    print(rows);
    console.log('median of the rounds (by queries/s at max load, by p99 when paced):');
    const medians = ['max', `${paced}/s`].flatMap((load) =>
      ['cluster', 'forwarded'].flatMap((kind) =>
        ['dnsmasq', 'tutti'].map((server) =>
          median(
            rows.filter((x) => x.server === server && x.names === kind && x.load === load),
            load === 'max' ? (x) => x.qps : (x) => x.p99,
          ),
        ),
      ),
    );
    print(medians);
    const pick = (server: string, kind: string, load: string) =>
      medians.find((x) => x.server === server && x.names === kind && x.load === load)!;
    for (const kind of ['cluster', 'forwarded']) {
      const t = pick('tutti', kind, 'max');
      const d = pick('dnsmasq', kind, 'max');
      const tp = pick('tutti', kind, `${paced}/s`);
      const dp = pick('dnsmasq', kind, `${paced}/s`);
      console.log(
        `${kind.padEnd(10)} tutti/dnsmasq: ${(t.qps / d.qps).toFixed(2)} (queries/s), CPU/query ${(t.cpuUs / d.cpuUs).toFixed(2)}; ` +
          `p99 at max load ${t.p99.toFixed(2)} vs ${d.p99.toFixed(2)} ms, at ${paced}/s ${tp.p99.toFixed(2)} vs ${dp.p99.toFixed(2)} ms; ` +
          `target ≥ 25,000 qps and p99 < 5 ms at 25,000 qps: ${t.qps >= 25_000 && tp.qps >= 0.98 * PACED_RATE && tp.p99 < 5 ? 'met' : 'MISSED'}`,
      );
    }
  } finally {
    dnsmasq?.kill('SIGTERM');
    await dns.stop();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--generator')) {
  process.once('message', (job) => {
    void generate(job as GeneratorJob).then((r) => {
      process.send!(r, () => process.exit(0));
    });
  });
} else {
  await main();
}
