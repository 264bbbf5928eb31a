// The workload and storage controllers in a real `tutti server` (whole control plane) with simulated nodes,
// driven by kubectl: StatefulSets (order, stable names and claims, partitioned rolling update, history and
// undo, scale-down from the top), a CronJob every minute, a ReplicationController, PersistentVolume binding,
// the built-in local-path provisioner with WaitForFirstConsumer, PodDisruptionBudget status and
// ResourceQuota usage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../client/api-client.js';
import type { KubeObject, PersistentVolumeClaim, Pod } from '../core/index.js';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 100);
const ready = (p: Pod) =>
  !p.metadata.deletionTimestamp && !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

describe('workload controllers with simulated nodes', () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  let client: ApiClient;
  const list = async <T extends KubeObject>(path: string, labelSelector?: string) =>
    (await client.list<T>(path, labelSelector ? { labelSelector } : {})).items;
  const pods = (selector: string) => list<Pod>('/api/v1/namespaces/default/pods', selector);
  const get = async <T>(...args: string[]) => JSON.parse(await s.k('get', ...args, '-o', 'json')) as T;
  let cronCreatedAt = 0;

  before(async () => {
    cluster = await startSimCluster(
      { controlPlane: true },
      {
        count: 2,
        capacity: { cpu: '8', memory: '16Gi', pods: '110' },
        podStartMs: 200,
        podDeleteMs: 200,
        runToCompletionMs: 500,
        leaseRenewMs: 1000,
        statusUpdateMs: 1000,
      },
    );
    ({ s, client } = cluster);
    // The CronJob goes first: its minute runs while the other tests do.
    await s.k('create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=* * * * *');
    cronCreatedAt = Date.now();
  });
  after(async () => {
    await cluster?.stop();
  });

  it('creates a StatefulSet’s pods in order, with stable names, identities and claims', async () => {
    await s.k('create', 'service', 'clusterip', 'web', '--clusterip=None', '--tcp=80:80');
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web' },
      spec: {
        serviceName: 'web',
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    };
    await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    // Each pod appears only once its predecessor is ready.
    const seen: string[] = [];
    await until('3 ready web pods', 30_000, async () => {
      const ps = await pods('app=web');
      for (const p of ps) {
        const name = p.metadata.name!;
        if (seen.includes(name)) continue;
        const ord = Number(name.split('-')[1]);
        if (ord > 0) {
          const prev = ps.find((q) => q.metadata.name === `web-${ord - 1}`);
          assert.ok(prev && ready(prev), `${name} appeared before web-${ord - 1} was ready`);
        }
        seen.push(name);
      }
      return ps.filter(ready).length === 3;
    });
    assert.deepEqual(seen, ['web-0', 'web-1', 'web-2']);
    const p1 = await get<Pod>('pod', 'web-1');
    assert.equal(p1.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'web-1');
    assert.equal(p1.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
    assert.equal(p1.spec?.hostname, 'web-1');
    assert.equal(p1.spec?.subdomain, 'web');
    assert.deepEqual(p1.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim, {
      claimName: 'data-web-1',
    });
    const claims = await list<PersistentVolumeClaim>('/api/v1/namespaces/default/persistentvolumeclaims', 'app=web');
    assert.deepEqual(claims.map((c) => c.metadata.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2']);
    const status = await s.kubectl(['rollout', 'status', 'sts/web', '--timeout=30s']);
    assert.equal(status.code, 0, status.stderr);
    const sts = await get<{ status: Record<string, unknown> }>('sts', 'web');
    assert.equal(sts.status.readyReplicas, 3);
    assert.equal(sts.status.currentRevision, sts.status.updateRevision);
  });

  it('rolls a StatefulSet from the highest ordinal down to the partition, keeps history, and undoes', async () => {
    await s.k('patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}');
    await s.k('set', 'image', 'sts/web', 'nginx=nginx:1.26');
    const images = async () => {
      const out: Record<string, string> = {};
      for (const p of await pods('app=web')) out[p.metadata.name!] = p.spec!.containers[0]!.image!;
      return out;
    };
    await until('web-2 updated', 30_000, async () => {
      const ps = (await pods('app=web')).filter(ready);
      return (
        ps.length === 3 && ps.find((p) => p.metadata.name === 'web-2')?.spec?.containers[0]?.image === 'nginx:1.26'
      );
    });
    const partitioned = await s.kubectl(['rollout', 'status', 'sts/web', '--timeout=30s']);
    assert.equal(partitioned.code, 0, partitioned.stderr);
    assert.match(partitioned.stdout, /partitioned roll out complete: 1 new pods have been updated/);
    assert.deepEqual(await images(), { 'web-0': 'nginx:1.25', 'web-1': 'nginx:1.25', 'web-2': 'nginx:1.26' });

    await s.k('patch', 'sts', 'web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}');
    const done = await s.kubectl(['rollout', 'status', 'sts/web', '--timeout=60s']);
    assert.equal(done.code, 0, done.stderr);
    await until('all on nginx:1.26', 30_000, async () =>
      Object.values(await images()).every((i) => i === 'nginx:1.26'),
    );
    const sts = await get<{ status: { currentRevision: string; updateRevision: string; updatedReplicas: number } }>(
      'sts',
      'web',
    );
    assert.equal(sts.status.currentRevision, sts.status.updateRevision);
    assert.match(await s.k('rollout', 'history', 'sts/web'), /^1\s.*\n2\s/m);

    await s.k('rollout', 'undo', 'sts/web');
    const undone = await s.kubectl(['rollout', 'status', 'sts/web', '--timeout=60s']);
    assert.equal(undone.code, 0, undone.stderr);
    await until('all back on nginx:1.25', 30_000, async () => {
      const im = await images();
      return Object.keys(im).length === 3 && Object.values(im).every((i) => i === 'nginx:1.25');
    });
    assert.match(await s.k('rollout', 'history', 'sts/web'), /^2\s.*\n3\s/m, 'revision 1 moved up to 3');
  });

  it('scales a StatefulSet down from the highest ordinal, keeping the claims', async () => {
    const order: string[] = [];
    await s.k('scale', 'sts', 'web', '--replicas=1');
    await until('one web pod left', 30_000, async () => {
      const names = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!);
      for (const n of ['web-2', 'web-1']) if (!names.includes(n) && !order.includes(n)) order.push(n);
      return names.length === 1 && names[0] === 'web-0';
    });
    assert.deepEqual(order, ['web-2', 'web-1']);
    const claims = await list<PersistentVolumeClaim>('/api/v1/namespaces/default/persistentvolumeclaims', 'app=web');
    assert.equal(claims.length, 3, 'whenScaled: Retain keeps every claim');
  });

  it('deletes a StatefulSet’s claims as its retention policy says: on scale-down and with the set', async () => {
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'gone' },
      spec: {
        serviceName: 'gone',
        replicas: 2,
        podManagementPolicy: 'Parallel',
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' },
        selector: { matchLabels: { app: 'gone' } },
        template: { metadata: { labels: { app: 'gone' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
        volumeClaimTemplates: [
          {
            metadata: { name: 'd' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    };
    await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    const claimNames = async () =>
      (await list<PersistentVolumeClaim>('/api/v1/namespaces/default/persistentvolumeclaims', 'app=gone'))
        .filter((c) => !c.metadata.deletionTimestamp)
        .map((c) => c.metadata.name)
        .sort();
    await until('2 ready pods', 30_000, async () => (await pods('app=gone')).filter(ready).length === 2);
    assert.deepEqual(await claimNames(), ['d-gone-0', 'd-gone-1']);
    const owners = (await get<PersistentVolumeClaim>('pvc', 'd-gone-0')).metadata.ownerReferences?.map((r) => r.kind);
    assert.deepEqual(owners, ['StatefulSet']);
    await s.k('scale', 'sts', 'gone', '--replicas=1');
    await until('the scaled-down claim gone', 30_000, async () => (await claimNames()).join() === 'd-gone-0');
    await s.k('delete', 'sts', 'gone');
    await until('the claims gone with the set', 30_000, async () => (await claimNames()).length === 0);
  });

  it('keeps a ReplicationController’s replicas and reports them in status', async () => {
    const rc = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'legacy' },
      spec: {
        replicas: 3,
        selector: { app: 'legacy' },
        template: { metadata: { labels: { app: 'legacy' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
      },
    };
    await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(rc) });
    await until('rc status 3 ready', 30_000, async () => {
      const r = await get<{ status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number } }>(
        'rc',
        'legacy',
      );
      return r.status?.readyReplicas === 3 && r.status.availableReplicas === 3;
    });
    const victim = (await pods('app=legacy'))[0]!.metadata.name!;
    await s.k('delete', 'pod', victim, '--wait=false');
    await until('a replacement', 30_000, async () => {
      const ps = (await pods('app=legacy')).filter(ready);
      return ps.length === 3 && ps.every((p) => p.metadata.name !== victim);
    });
    await s.k('scale', 'rc', 'legacy', '--replicas=1');
    await until('one legacy pod', 30_000, async () => (await pods('app=legacy')).filter(ready).length === 1);
    const owner = (await pods('app=legacy'))[0]!.metadata.ownerReferences?.[0];
    assert.equal(owner?.kind, 'ReplicationController');
  });

  it('binds a claim to the smallest matching volume, and releases it when the claim goes', async () => {
    const volume = (name: string, size: string) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'manual',
        hostPath: { path: `/tmp/${name}` },
      },
    });
    for (const v of [volume('manual-5g', '5Gi'), volume('manual-1g', '1Gi'), volume('manual-100m', '100Mi')]) {
      await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(v) });
    }
    await until('volumes Available', 20_000, async () => {
      const pvs = await list<KubeObject & { status?: { phase?: string } }>('/api/v1/persistentvolumes');
      return pvs.filter((v) => v.metadata.name?.startsWith('manual-') && v.status?.phase === 'Available').length === 3;
    });
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'claim-a' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: '1Gi' } } },
    };
    await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(claim) });
    const bound = await until('claim-a Bound', 20_000, async () => {
      const c = await get<PersistentVolumeClaim>('pvc', 'claim-a');
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    assert.equal(bound.spec?.volumeName, 'manual-1g');
    assert.equal(bound.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(bound.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(bound.status?.capacity, { storage: '1Gi' });
    const pv = await until('manual-1g Bound', 20_000, async () => {
      const v = await get<KubeObject & { spec: { claimRef?: { name?: string } }; status?: { phase?: string } }>(
        'pv',
        'manual-1g',
      );
      return v.status?.phase === 'Bound' ? v : undefined;
    });
    assert.equal(pv.spec.claimRef?.name, 'claim-a');
    assert.match(await s.k('get', 'pvc', 'claim-a'), /claim-a\s+Bound\s+manual-1g\s+1Gi\s+RWO\s+manual/);
    await s.k('delete', 'pvc', 'claim-a');
    await until('manual-1g Released (Retain)', 20_000, async () => {
      const v = await get<{ status?: { phase?: string } }>('pv', 'manual-1g');
      return v.status?.phase === 'Released';
    });
  });

  it('provisions a local-path volume for a WaitForFirstConsumer claim once its pod is scheduled', async () => {
    const cls = await get<KubeObject & { provisioner?: string; volumeBindingMode?: string }>(
      'storageclass',
      'local-path',
    );
    assert.equal(cls.provisioner, 'tutti.io/local-path');
    assert.equal(cls.volumeBindingMode, 'WaitForFirstConsumer');
    assert.equal(cls.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'lp' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'local-path',
        resources: { requests: { storage: '128Mi' } },
      },
    };
    await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(claim) });
    await until('WaitForFirstConsumer event', 20_000, async () =>
      /WaitForFirstConsumer/.test(await s.k('describe', 'pvc', 'lp')),
    );
    assert.equal((await get<PersistentVolumeClaim>('pvc', 'lp')).status?.phase, 'Pending');
    const user = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'lp-user' },
      spec: {
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'd', mountPath: '/data' }] }],
        volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'lp' } }],
      },
    };
    await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(user) });
    const bound = await until('lp Bound', 30_000, async () => {
      const c = await get<PersistentVolumeClaim>('pvc', 'lp');
      return c.status?.phase === 'Bound' ? c : undefined;
    });
    const node = (await get<Pod>('pod', 'lp-user')).spec?.nodeName;
    assert.ok(node);
    assert.equal(bound.metadata.annotations?.['volume.kubernetes.io/selected-node'], node);
    assert.equal(bound.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'], 'tutti.io/local-path');
    assert.equal(bound.spec?.volumeName, `pvc-${bound.metadata.uid}`);
    const pv = await get<
      KubeObject & { spec: Record<string, unknown> & { hostPath?: { path: string }; nodeAffinity?: unknown } }
    >('pv', bound.spec!.volumeName!);
    assert.equal(pv.spec.hostPath?.path, `${s.dataDir}/agent/storage/pvc-${bound.metadata.uid}`);
    assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');
    assert.deepEqual(pv.spec.nodeAffinity, {
      required: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }],
      },
    });
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'tutti.io/local-path');
    await s.k('delete', 'pod', 'lp-user');
    await s.k('delete', 'pvc', 'lp');
    await until('the provisioned volume deleted (reclaim Delete)', 20_000, async () => {
      const r = await s.kubectl(['get', 'pv', bound.spec!.volumeName!]);
      return /NotFound/.test(r.stderr);
    });
  });

  it('keeps a PodDisruptionBudget’s status in step with its pods’ readiness', async () => {
    await s.k('create', 'deployment', 'guarded', '--image=nginx', '--replicas=3');
    await s.k('create', 'poddisruptionbudget', 'guarded-pdb', '--selector=app=guarded', '--min-available=2');
    await s.k('create', 'poddisruptionbudget', 'guarded-pct', '--selector=app=guarded', '--max-unavailable=50%');
    type Pdb = {
      metadata: { generation?: number };
      status?: {
        currentHealthy?: number;
        desiredHealthy?: number;
        expectedPods?: number;
        disruptionsAllowed?: number;
        observedGeneration?: number;
        conditions?: { type: string; status: string; reason: string }[];
      };
    };
    const healthy = await until('3 healthy', 30_000, async () => {
      const b = await get<Pdb>('pdb', 'guarded-pdb');
      return b.status?.currentHealthy === 3 ? b : undefined;
    });
    assert.deepEqual(
      [healthy.status?.desiredHealthy, healthy.status?.expectedPods, healthy.status?.disruptionsAllowed],
      [2, 3, 1],
    );
    // The API server may not track generation for policy/v1 yet: then it is 0 on both sides.
    assert.equal(healthy.status?.observedGeneration, healthy.metadata.generation ?? 0);
    assert.deepEqual(
      healthy.status?.conditions?.map((c) => [c.type, c.status, c.reason]),
      [['DisruptionAllowed', 'True', 'SufficientPods']],
    );
    const pct = await get<Pdb>('pdb', 'guarded-pct');
    assert.deepEqual([pct.status?.expectedPods, pct.status?.desiredHealthy, pct.status?.disruptionsAllowed], [3, 1, 2]);
    // One pod loses readiness (as a failing probe would show it).
    const victim = (await pods('app=guarded'))[0]!;
    const status = {
      ...victim.status,
      conditions: (victim.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False' } : c)),
    };
    await client.updateStatus(`/api/v1/namespaces/default/pods/${victim.metadata.name}`, { ...victim, status });
    const degraded = await until('2 healthy, none allowed', 20_000, async () => {
      const b = await get<Pdb>('pdb', 'guarded-pdb');
      return b.status?.currentHealthy === 2 && b.status.disruptionsAllowed === 0 ? b : undefined;
    });
    assert.deepEqual(
      degraded.status?.conditions?.map((c) => [c.status, c.reason]),
      [['False', 'InsufficientPods']],
    );
    assert.match(await s.k('get', 'pdb', 'guarded-pdb'), /guarded-pdb\s+2\s+N\/A\s+0\s/);
  });

  it('evictions respect PodDisruptionBudgets: 429 at the budget, kubectl drain once it allows', async () => {
    await s.k('create', 'deployment', 'drained', '--image=nginx', '--replicas=2');
    await s.k('create', 'poddisruptionbudget', 'drained-pdb', '--selector=app=drained', '--min-available=2');
    await until('budget observed with 2 healthy', 30_000, async () => {
      const b = await get<{ status?: { currentHealthy?: number; disruptionsAllowed?: number } }>('pdb', 'drained-pdb');
      return b.status?.currentHealthy === 2 && b.status.disruptionsAllowed === 0;
    });
    const [victim] = await pods('app=drained');
    const evict = (dryRun: boolean) =>
      s.request('POST', `/api/v1/namespaces/default/pods/${victim!.metadata.name}/eviction`, {
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name: victim!.metadata.name, namespace: 'default' },
        ...(dryRun ? { deleteOptions: { dryRun: ['All'] } } : {}),
      });
    const refused = await evict(false);
    assert.equal(refused.status, 429, refused.body);
    const body = JSON.parse(refused.body);
    assert.equal(body.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(body.details.causes, [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget drained-pdb needs 2 healthy pods and has 2 currently',
      },
    ]);
    const node = victim!.spec!.nodeName!;
    const blocked = await s.kubectl([
      'drain',
      node,
      '--timeout=3s',
      '--ignore-daemonsets',
      '--pod-selector=app=drained',
    ]);
    assert.notEqual(blocked.code, 0);
    assert.match(blocked.stderr, /Cannot evict pod as it would violate the pod's disruption budget/);
    await s.k('uncordon', node);
    await s.k('patch', 'pdb', 'drained-pdb', '--type=merge', '-p', '{"spec":{"minAvailable":1}}');
    await until('one disruption allowed', 20_000, async () => {
      const b = await get<{ status?: { disruptionsAllowed?: number } }>('pdb', 'drained-pdb');
      return b.status?.disruptionsAllowed === 1;
    });
    assert.equal((await evict(true)).status, 201, 'a dry run is allowed and changes nothing');
    assert.equal(
      (await get<{ status?: { disruptionsAllowed?: number } }>('pdb', 'drained-pdb')).status?.disruptionsAllowed,
      1,
    );
    const drained = await s.kubectl([
      'drain',
      node,
      '--timeout=60s',
      '--ignore-daemonsets',
      '--pod-selector=app=drained',
    ]);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, /evicted/);
    assert.match(drained.stdout, new RegExp(`node/${node} drained`));
    await s.k('uncordon', node);
  });

  it('reports a ResourceQuota’s usage: counts, compute requests and generic object counts', async () => {
    await s.k('create', 'namespace', 'quota-ns');
    const quota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: 'quota-ns' },
      spec: { hard: { pods: '10', 'requests.cpu': '4', 'count/configmaps': '20', 'count/deployments.apps': '5' } },
    };
    await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(quota) });
    await s.k('create', 'configmap', 'one', '--from-literal=a=1', '-n', 'quota-ns');
    await s.k('create', '-n', 'quota-ns', 'deployment', 'busy', '--image=busybox', '--replicas=2');
    await s.k('set', 'resources', '-n', 'quota-ns', 'deployment/busy', '--requests=cpu=250m');
    const configmaps = async () => (await list<KubeObject>('/api/v1/namespaces/quota-ns/configmaps')).length;
    const q = await until('quota used', 30_000, async () => {
      const r = await get<{ status?: { hard?: Record<string, string>; used?: Record<string, string> } }>(
        'quota',
        'q',
        '-n',
        'quota-ns',
      );
      const u = r.status?.used;
      return u?.pods === '2' && u['requests.cpu'] === '500m' && u['count/deployments.apps'] === '1' ? r : undefined;
    });
    assert.deepEqual(q.status?.hard, quota.spec.hard);
    assert.equal(q.status?.used?.['count/configmaps'], String(await configmaps()));
  });

  it('runs a CronJob every minute: a Job within the minute, then status', async () => {
    const job = await until('a job of tick', Math.max(5000, 75_000 - (Date.now() - cronCreatedAt)), async () => {
      const jobs = await list<KubeObject>('/apis/batch/v1/namespaces/default/jobs');
      return jobs.find((j) => /^tick-\d+$/.test(j.metadata.name ?? ''));
    });
    const minutes = Number(job.metadata.name!.split('-')[1]);
    assert.equal(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'] !== undefined, true);
    assert.equal(job.metadata.ownerReferences?.[0]?.kind, 'CronJob');
    const cj = await until('lastScheduleTime', 20_000, async () => {
      const c = await get<{ status?: { lastScheduleTime?: string; lastSuccessfulTime?: string } }>('cronjob', 'tick');
      return c.status?.lastScheduleTime ? c : undefined;
    });
    assert.equal(Date.parse(cj.status!.lastScheduleTime!), minutes * 60_000);
    await until('lastSuccessfulTime', 30_000, async () => {
      const c = await get<{ status?: { lastSuccessfulTime?: string; active?: unknown[] } }>('cronjob', 'tick');
      return !!c.status?.lastSuccessfulTime;
    });
  });
});
