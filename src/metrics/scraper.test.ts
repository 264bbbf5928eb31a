import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node } from '../core/types.js';
import { renderResourceMetrics } from './resource-metrics.js';
import { Scraper } from './scraper.js';
import { MetricsStore } from './store.js';

const node = (name: string): Node => ({ metadata: { name } });

function text(t: number, cpu: number): string {
  return renderResourceMetrics({
    node: { cpuSeconds: cpu, memoryBytes: 1024, timestampMs: t },
    pods: [
      {
        namespace: 'default',
        name: 'p',
        containers: [{ name: 'c', usage: { cpuSeconds: cpu, memoryBytes: 1024, timestampMs: t } }],
      },
    ],
  });
}

describe('Scraper', () => {
  it('scrapes every node, forgets the ones that fail and the ones deleted', async () => {
    const store = new MetricsStore();
    let nodes = [node('a'), node('b'), node('c')];
    let t = 1_000_000;
    const failing = new Set<string>();
    const scraper = new Scraper({
      store,
      listNodes: () => nodes,
      fetch: async (n) => {
        if (failing.has(n.metadata.name!)) throw new Error('connection refused');
        return text(t, t / 1000);
      },
      now: () => t,
      concurrency: 2,
    });
    assert.deepEqual(await scraper.scrapeOnce(), { nodes: 3, failed: 0, pods: 3, durationMs: 0 });
    t += 15_000;
    await scraper.scrapeOnce();
    assert.equal(store.nodeUsage('b')?.cpuNanocores, 1_000_000_000);
    failing.add('b');
    t += 15_000;
    const r = await scraper.scrapeOnce();
    assert.equal(r.failed, 1);
    assert.equal(store.nodeUsage('b'), undefined, 'a node that could not be scraped has no metrics');
    assert.ok(store.nodeUsage('a'));
    nodes = [node('a')];
    t += 15_000;
    await scraper.scrapeOnce();
    assert.deepEqual(store.size(), { nodes: 1, pods: 1 });
  });

  it('aborts a node that does not answer in time', async () => {
    const store = new MetricsStore();
    const scraper = new Scraper({
      store,
      listNodes: () => [node('slow')],
      timeoutMs: 50,
      fetch: (_n, signal) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))),
    });
    const r = await scraper.scrapeOnce();
    assert.equal(r.failed, 1);
  });

  it('runs on its resolution until stopped', async () => {
    let calls = 0;
    const scraper = new Scraper({
      store: new MetricsStore(),
      listNodes: () => [node('a')],
      resolutionMs: 30,
      fetch: async () => {
        calls++;
        return text(Date.now(), calls);
      },
    });
    scraper.start();
    await new Promise((r) => setTimeout(r, 200));
    await scraper.stop();
    const seen = calls;
    assert.ok(seen >= 3, `scraped ${seen} times`);
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(calls, seen, 'no scrape after stop');
  });
});
