import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { runWithWorkQueueName, setWorkQueueMetricsProvider, WorkQueue } from './workqueue.js';

describe('work queue metrics provider', () => {
  afterEach(() => setWorkQueueMetricsProvider(undefined));

  it('names queues created under runWithWorkQueueName (not after it returned), and counts adds and depth', async () => {
    const depths = new Map<string, () => number>();
    const adds = new Map<string, number>();
    const shut: string[] = [];
    setWorkQueueMetricsProvider({
      queueCreated: (name, depth) => depths.set(name, depth),
      queueShutDown: (name) => shut.push(name),
      added: (name) => adds.set(name, (adds.get(name) ?? 0) + 1),
    });
    const q = runWithWorkQueueName('deployment', () => new WorkQueue<string>());
    const later = await runWithWorkQueueName('late', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return new WorkQueue<string>();
    });
    const unnamed = new WorkQueue<string>();
    assert.equal(q.name, 'deployment');
    assert.equal(later.name, undefined);
    assert.equal(unnamed.name, undefined);
    assert.equal(
      runWithWorkQueueName('outer', () =>
        [runWithWorkQueueName('inner', () => new WorkQueue<string>()).name, new WorkQueue<string>().name].join(),
      ),
      'inner,outer',
    );
    q.add('a');
    q.add('a'); // already queued: not an add
    q.add('b');
    unnamed.add('x');
    assert.equal(adds.get('deployment'), 2);
    assert.equal(depths.get('deployment')?.(), 2);
    const k = await q.get();
    assert.equal(depths.get('deployment')?.(), 1);
    q.done(k!);
    q.shutDown();
    assert.deepEqual(shut, ['deployment']);
    assert.equal(new WorkQueue<string>({ name: 'explicit' }).name, 'explicit');
    assert.ok(depths.has('explicit'));
  });
});
