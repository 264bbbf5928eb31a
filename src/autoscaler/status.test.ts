import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { emptyCounts, type GroupObservation, renderStatus, StatusClock, statusObject } from './status.js';

const group = (o: Partial<GroupObservation> = {}): GroupObservation => ({
  name: 'general',
  health: 'Healthy',
  nodeCounts: emptyCounts(),
  target: 3,
  minSize: 1,
  maxSize: 10,
  scaleUp: 'NoActivity',
  scaleDownCandidates: 0,
  ...o,
});

test("upstream's status shape, with transition times that move only on change", () => {
  const clock = new StatusClock();
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  statusObject({ autoscalerStatus: 'Running', groups: [group()] }, clock, t0);
  const s = parse(
    renderStatus(
      statusObject(
        {
          autoscalerStatus: 'Running',
          groups: [
            group({ scaleUp: 'Backoff', backoff: { errorCode: 'timeout', errorMessage: 'node x did not register' } }),
          ],
        },
        clock,
        t0 + 10_000,
      ),
    ),
  );
  assert.equal(s.autoscalerStatus, 'Running');
  assert.equal(s.time, '2025-01-01T00:00:10Z');
  const g = s.nodeGroups[0];
  assert.equal(g.name, 'general');
  assert.equal(g.health.status, 'Healthy');
  assert.equal(g.health.cloudProviderTarget, 3);
  assert.deepEqual([g.health.minSize, g.health.maxSize], [1, 10]);
  assert.equal(g.health.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(g.scaleUp.status, 'Backoff');
  assert.equal(g.scaleUp.lastTransitionTime, '2025-01-01T00:00:10Z');
  assert.deepEqual(g.scaleUp.backoffInfo, { errorCode: 'timeout', errorMessage: 'node x did not register' });
  assert.equal(g.scaleDown.status, 'NoCandidates');
  assert.equal(s.clusterWide.health.status, 'Healthy');
  assert.equal(s.clusterWide.scaleUp.status, 'NoActivity');
  assert.deepEqual(Object.keys(g.health.nodeCounts), ['registered', 'longUnregistered', 'unregistered']);
});
