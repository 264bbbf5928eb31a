// Benchmark: decoding a watch stream of 10,000 events and a LIST of 10,000 objects, with Tutti's
// ApiClient and with @kubernetes/client-node 1.1.2, both against the fake API server over loopback.
// Run: node <dist>/bench/client.js   (prints one line per measurement; medians of several runs)

import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import type { KubeObject } from '../src/core/types.js';
import { ApiClient } from '../src/client/api-client.js';
import { FakeApiServer } from '../src/client/testing/fake-server.js';
import { WatchLineDecoder } from '../src/client/watch-decoder.js';

const N = 10_000;
const RUNS = 5;
const NAMESPACE = 'bench';
const podsPath = `/api/v1/namespaces/${NAMESPACE}/pods`;

function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-${i}`,
      namespace: NAMESPACE,
      labels: { app: 'web', 'pod-template-hash': '5d8f7c9b6' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b6', uid: 'rs-uid', controller: true },
      ],
    },
    spec: {
      nodeName: `node-${i % 50}`,
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
    },
    status: { phase: 'Running', podIP: `10.42.${i >> 8}.${i & 255}`, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

async function median(fn: () => Promise<void>): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function print(what: string, ms: number): void {
  console.log(
    `${what.padEnd(46)} ${ms.toFixed(1).padStart(8)} ms   ${Math.round((N / ms) * 1000).toLocaleString('en-US')} objects/s`,
  );
}

async function main(): Promise<void> {
  const server = await FakeApiServer.start({ historyLimit: N * 2, record: false });
  const fromRV = server.currentResourceVersion();
  for (let i = 0; i < N; i++) server.put('', 'pods', pod(i));

  const tutti = new ApiClient({ server: server.url });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
  const core = kc.makeApiClient(CoreV1Api);
  const jsWatch = new Watch(kc);

  print(
    'LIST 10k pods: tutti ApiClient',
    await median(async () => {
      const l = await tutti.list(podsPath);
      if (l.items.length !== N) throw new Error(`tutti list: ${l.items.length}`);
    }),
  );
  print(
    'LIST 10k pods: client-node listNamespacedPod',
    await median(async () => {
      const l = await core.listNamespacedPod({ namespace: NAMESPACE });
      if (l.items.length !== N) throw new Error(`client-node list: ${l.items.length}`);
    }),
  );

  // The watch replays the 10k ADDED events from history; time until the last one is decoded.
  print(
    'WATCH 10k events: tutti ApiClient',
    await median(
      () =>
        new Promise<void>((resolve, reject) => {
          let n = 0;
          const h = tutti.watch(
            podsPath,
            { resourceVersion: fromRV },
            () => {
              if (++n === N) {
                h.stop();
                resolve();
              }
            },
            (err) => (err ? reject(err) : undefined),
          );
        }),
    ),
  );
  print(
    'WATCH 10k events: client-node Watch',
    await median(
      () =>
        new Promise<void>((resolve, reject) => {
          let n = 0;
          let ctl: AbortController | undefined;
          let finished = false;
          jsWatch
            .watch(
              podsPath,
              { resourceVersion: fromRV },
              () => {
                if (++n === N) {
                  finished = true;
                  ctl?.abort();
                  resolve();
                }
              },
              (err: unknown) => {
                if (!finished && err) reject(err);
              },
            )
            .then((c) => {
              ctl = c;
              if (finished) c.abort();
            }, reject);
        }),
    ),
  );

  // Decoding alone, without sockets: the same 10k lines through the line decoder.
  const text = Array.from({ length: N }, (_, i) => JSON.stringify({ type: 'ADDED', object: pod(i) })).join('\n') + '\n';
  print(
    'decode 10k watch lines in memory (64 KiB chunks)',
    await median(async () => {
      let n = 0;
      const d = new WatchLineDecoder(() => n++);
      for (let i = 0; i < text.length; i += 65536) d.write(text.slice(i, i + 65536));
      d.end();
      if (n !== N) throw new Error('decoder count');
    }),
  );

  tutti.close();
  await server.stop();
}

await main();
