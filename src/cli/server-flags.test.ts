// `tutti server` flags that reach the controller manager: HPA timings, the local-path directory, the
// cluster autoscaler (off without --autoscaler-config). Parsed as the command parses them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultDataDir } from './datadir.js';
import { UsageError, parseFlags } from './flags.js';
import { controllerOptionsFromFlags, controllersDisabledBy, FLAGS } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-server-flags-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const opts = (...argv: string[]) => controllerOptionsFromFlags(parseFlags(argv, FLAGS));

describe('tutti server controller flags', () => {
  it('--controllers as kube-controller-manager: * for all, names to enable, -name to disable', () => {
    assert.deepEqual(controllersDisabledBy('*'), []);
    assert.deepEqual(controllersDisabledBy('*,-servicelb'), ['servicelb']);
    const only = controllersDisabledBy('csrsigning,csrapproving');
    assert.ok(!only.includes('csrsigning') && !only.includes('csrapproving'));
    assert.ok(only.includes('deployment') && only.includes('nodelifecycle'));
    assert.throws(() => controllersDisabledBy('nope'), /unknown controller "nope"/);
  });

  it('defaults: no HPA overrides, local-path volumes under the data dir, no cluster autoscaler', () => {
    const o = opts();
    assert.deepEqual(o.hpa, {});
    assert.equal(o.volume?.localPath?.storageDir, join(defaultDataDir(), 'agent', 'storage'));
    assert.equal(opts('--data-dir', '/srv/t').volume?.localPath?.storageDir, '/srv/t/agent/storage');
    assert.equal(o.clusterAutoscaler, undefined);
    assert.equal(o.nodeIpam?.clusterCidr, '10.42.0.0/16');
    assert.equal(o.nodeIpam?.nodeMaskSize, 24);
  });

  it("--node-cidr-mask-size sizes each node's pod CIDR within the cluster CIDR, as upstream checks it", () => {
    assert.deepEqual(opts('--cluster-cidr', '10.128.0.0/9', '--node-cidr-mask-size', '25').nodeIpam, {
      clusterCidr: '10.128.0.0/9',
      nodeMaskSize: 25,
    });
    assert.throws(
      () => opts('--node-cidr-mask-size', '15'),
      /must be an integer from the cluster CIDR's prefix \(16\) to 30, got 15/,
    );
    assert.throws(() => opts('--node-cidr-mask-size', '31'), UsageError);
    assert.throws(
      () => opts('--cluster-cidr', '10.0.0.0/8', '--node-cidr-mask-size', '25'),
      /from the cluster CIDR's prefix \(8\) to 24/,
    );
    assert.throws(() => opts('--node-cidr-mask-size', '24.5'), UsageError);
    assert.throws(() => opts('--cluster-cidr', 'ten'), /flag --cluster-cidr must be an IPv4 CIDR/);
  });

  it('HPA flags take Go durations (or seconds) as upstream kube-controller-manager', () => {
    const o = opts(
      '--horizontal-pod-autoscaler-sync-period=5s',
      '--horizontal-pod-autoscaler-tolerance',
      '0.2',
      '--horizontal-pod-autoscaler-downscale-stabilization=1m30s',
      '--horizontal-pod-autoscaler-cpu-initialization-period=2m',
      '--horizontal-pod-autoscaler-initial-readiness-delay=10',
      '--default-local-storage-path=/srv/volumes',
    );
    assert.deepEqual(o.hpa, {
      syncPeriodMs: 5000,
      tolerance: 0.2,
      downscaleStabilizationWindowMs: 90_000,
      cpuInitializationPeriodMs: 120_000,
      delayOfInitialReadinessStatusMs: 10_000,
    });
    assert.equal(o.volume?.localPath?.storageDir, '/srv/volumes');
    assert.throws(() => opts('--horizontal-pod-autoscaler-sync-period=soon'), UsageError);
    assert.throws(() => opts('--horizontal-pod-autoscaler-sync-period=0s'), UsageError);
    assert.throws(() => opts('--horizontal-pod-autoscaler-tolerance=-1'), UsageError);
  });

  it('--cluster-signing-duration bounds the certificates the CSR signer issues (at least 10 minutes)', () => {
    assert.equal(opts().csrSigning, undefined);
    assert.deepEqual(opts('--cluster-signing-duration=720h').csrSigning, { durationMs: 720 * 3600_000 });
    assert.throws(() => opts('--cluster-signing-duration=5m'), UsageError);
    assert.throws(() => opts('--cluster-signing-duration=long'), UsageError);
  });

  it('--autoscaler-config turns the cluster autoscaler on with the providers of the file', () => {
    const file = join(dir, 'autoscaler.yaml');
    writeFileSync(file, 'providers:\n  sim:\n    type: simulated\n    bootMs: 50\n');
    const o = opts(`--autoscaler-config=${file}`, '--scan-interval=2s', '--expander=priority');
    assert.deepEqual(o.clusterAutoscaler, {
      providers: { sim: { type: 'simulated', bootMs: 50 } },
      scanIntervalMs: 2000,
      expander: 'priority',
    });
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, 'providers: {}\n');
    assert.throws(() => opts(`--autoscaler-config=${empty}`), UsageError);
    assert.throws(() => opts(`--autoscaler-config=${file}`, '--expander=cheapest'), UsageError);
    assert.throws(() => opts('--scan-interval=2s'), UsageError);
  });
});
