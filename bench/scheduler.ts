// Pure scheduling throughput: decisions/s for filling N nodes with M pods (schedulePod + assume
// into the cache + incremental snapshot, no I/O). Run: node dist/bench/scheduler.js

import { SchedulerCache } from '../src/scheduler/cache/scheduler-cache.js';
import { FakeClock } from '../src/scheduler/clock.js';
import { defaultProfile } from '../src/scheduler/default-profile.js';
import { schedulePod } from '../src/scheduler/framework/schedule-pod.js';
import { Snapshot } from '../src/scheduler/framework/snapshot.js';
import { makeNode, makePod, seededRandom } from '../src/scheduler/framework/testing.js';

function run(nodeCount: number, podCount: number): void {
  const cache = new SchedulerCache({ clock: new FakeClock() });
  for (let i = 0; i < nodeCount; i++) {
    cache.addNode(makeNode(`node-${i}`, { cpu: '16', memory: '64Gi', labels: { zone: `zone-${i % 3}` } }));
  }
  const pods = Array.from({ length: podCount }, (_, i) =>
    makePod(`pod-${i}`, { cpu: '100m', memory: '128Mi', owner: `rs-${i % 50}`, labels: { app: `app-${i % 50}` } }),
  );
  const profile = defaultProfile({ random: seededRandom(42) });
  const snapshot = new Snapshot();
  let failed = 0;
  const t0 = process.hrtime.bigint();
  for (const pod of pods) {
    cache.updateSnapshot(snapshot);
    const r = schedulePod(pod, snapshot, profile);
    if ('node' in r) cache.assume(pod, r.node);
    else failed++;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(
    `scheduler: ${nodeCount} nodes, ${podCount} pods: ${(podCount / (ms / 1000)).toFixed(0)} decisions/s ` +
      `(${ms.toFixed(0)} ms total, ${((ms * 1000) / podCount).toFixed(0)} µs/pod, ${failed} unschedulable)`,
  );
}

run(1000, 10_000);
run(5000, 30_000);
