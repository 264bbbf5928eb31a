// The cluster DNS server: UDP and TCP on one address and port, answering from informers on Services,
// EndpointSlices, Pods and Namespaces (so names keep resolving from the informers' copy while the API
// server is away) and forwarding every other name to the node's resolvers.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP, type Server as TcpServer, type Socket as TcpSocket, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { ApiClient } from '../../client/api-client.js';
import { Informer } from '../../client/informer.js';
import { resources } from '../../core/resources.js';
import type { EndpointSlice, KubeObject, Namespace, Pod, Service } from '../../core/types.js';
import { ReplyCache } from './cache.js';
import { Forwarder, parseUpstream, type Upstream } from './forwarder.js';
import { DnsHandler } from './handler.js';
import { RecordStore } from './store.js';
import { readUpstreams } from './upstreams.js';
import { ClusterZone, type PodMode } from './zone.js';

export interface ClusterDnsOptions {
  /** Source of the records; without one the store is fed by the caller (`records` in the result). */
  client?: ApiClient;
  /** Listen address. Default 0.0.0.0. */
  address?: string;
  /** UDP and TCP port. Default 53; 0 picks a free one. */
  port?: number;
  zone?: string;
  ttl?: number;
  pods?: PodMode;
  /** `ip[:port]` upstream resolvers; default the nameservers of `resolvConf`. */
  upstreams?: string[];
  /** Default /etc/resolv.conf. */
  resolvConf?: string;
  cacheSize?: number;
  upstreamTimeoutMs?: number;
  /** Wait this long for the informers' first list before serving (CoreDNS waits 5 s). Default 5000. */
  syncTimeoutMs?: number;
  /** Idle TCP connections close after this. Default 10 s (CoreDNS). */
  tcpIdleTimeoutMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export interface ClusterDns {
  address: string;
  port: number;
  store: RecordStore;
  zone: ClusterZone;
  forwarder: Forwarder;
  /** True once every informer has listed. */
  synced(): boolean;
  stop(): Promise<void>;
}

const MAX_TCP_CONNECTIONS = 1000;

function localAddresses(listen: string): string[] {
  if (listen !== '0.0.0.0' && listen !== '::') return [listen];
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') out.push(a.address);
  }
  return out;
}

function bindUdp(socket: UdpSocket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function listenTcp(server: TcpServer, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function informerFor<T extends KubeObject>(
  client: ApiClient,
  resource: (typeof resources)[keyof typeof resources],
  set: (o: T) => void,
  remove: (o: T) => void,
  log: ClusterDnsOptions['log'],
): Informer<T> {
  const inf = new Informer<T>({ client, resource, log: (m, f) => log?.(m, f) });
  inf.addEventHandler({ onAdd: set, onUpdate: (_o, n) => set(n), onDelete: remove });
  return inf;
}

/** Serves a length-prefixed stream of queries on one TCP connection (RFC 7766), pipelined. */
function serveTcpConnection(conn: TcpSocket, handler: DnsHandler, idleMs: number): void {
  let buffered: Buffer = Buffer.alloc(0);
  conn.setTimeout(idleMs, () => conn.destroy());
  conn.on('error', () => conn.destroy());
  conn.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const len = buffered.readUInt16BE(0);
      if (buffered.length < len + 2) break;
      const message = Buffer.from(buffered.subarray(2, len + 2));
      buffered = buffered.subarray(len + 2);
      void Promise.resolve(handler.handle(message, 'tcp')).then((reply) => {
        if (!reply || conn.destroyed) return;
        const framed = Buffer.alloc(reply.length + 2);
        framed.writeUInt16BE(reply.length, 0);
        reply.copy(framed, 2);
        conn.write(framed);
      });
    }
  });
}

export async function startClusterDns(opts: ClusterDnsOptions = {}): Promise<ClusterDns> {
  const address = opts.address ?? '0.0.0.0';
  const log = opts.log;
  const store = new RecordStore();
  const zone = new ClusterZone(store, {
    zone: opts.zone,
    ttl: opts.ttl,
    pods: opts.pods,
    nameservers: localAddresses(address),
  });
  const upstreams: Upstream[] = opts.upstreams
    ? opts.upstreams.map((u) => parseUpstream(u))
    : readUpstreams(opts.resolvConf ?? '/etc/resolv.conf');
  const forwarder = new Forwarder({
    upstreams,
    timeoutMs: opts.upstreamTimeoutMs,
    cache: new ReplyCache({ maxEntries: opts.cacheSize }),
  });
  const handler = new DnsHandler(zone, store, forwarder);

  // Replies go to the address a query came from, always an IP: no resolver step (dns.lookup defers even an
  // IP literal's answer to the next tick, once per reply).
  const udp = createSocket({
    type: isIP(address) === 6 ? 'udp6' : 'udp4',
    lookup: (host, _family, callback) => callback(null, host, isIP(host)),
  });
  udp.on('error', (err) => log?.('dns: udp socket error', { error: String(err) }));
  udp.on('message', (msg, rinfo) => {
    const reply = handler.handle(msg, 'udp');
    if (reply instanceof Promise) {
      void reply.then((r) => {
        if (r) udp.send(r, rinfo.port, rinfo.address);
      });
    } else if (reply) {
      udp.send(reply, rinfo.port, rinfo.address);
    }
  });
  const connections = new Set<TcpSocket>();
  const tcp = createServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    serveTcpConnection(conn, handler, opts.tcpIdleTimeoutMs ?? 10_000);
  });
  tcp.maxConnections = MAX_TCP_CONNECTIONS;

  await bindUdp(udp, opts.port ?? 53, address);
  const port = udp.address().port;
  try {
    await listenTcp(tcp, port, address);
  } catch (err) {
    udp.close();
    throw err;
  }

  const informers: { start(): void; stop(): void; hasSynced(): boolean; waitForSync(): Promise<boolean> }[] = [];
  if (opts.client) {
    const c = opts.client;
    informers.push(
      informerFor<Service>(
        c,
        resources.services,
        (o) => store.setService(o),
        (o) => store.deleteService(o),
        log,
      ),
      informerFor<EndpointSlice>(
        c,
        resources.endpointslices,
        (o) => store.setEndpointSlice(o),
        (o) => store.deleteEndpointSlice(o),
        log,
      ),
      informerFor<Pod>(
        c,
        resources.pods,
        (o) => store.setPod(o),
        (o) => store.deletePod(o),
        log,
      ),
      informerFor<Namespace>(
        c,
        resources.namespaces,
        (o) => store.setNamespace(o),
        (o) => store.deleteNamespace(o),
        log,
      ),
    );
    for (const inf of informers) inf.start();
    const all = Promise.all(informers.map((i) => i.waitForSync())).then(() => {
      zone.synced = informers.every((i) => i.hasSynced());
    });
    await Promise.race([all, new Promise((r) => setTimeout(r, opts.syncTimeoutMs ?? 5000).unref())]);
    if (!zone.synced) log?.('dns: starting with unsynced informers', {});
  } else {
    zone.synced = true;
  }

  return {
    address,
    port,
    store,
    zone,
    forwarder,
    synced: () => zone.synced,
    async stop() {
      for (const inf of informers) inf.stop();
      forwarder.close();
      for (const c of connections) c.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}
