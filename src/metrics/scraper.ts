// The scraper: every `resolutionMs` (metrics-server's --metric-resolution, default 15 s) it fetches every
// node's /metrics/resource, decodes it and stores it; nodes that failed are forgotten until they answer
// again, and deleted nodes are dropped. Fetching is injected: `agentResourceMetricsFetch` dials the agents,
// tests and simulated nodes pass their own.
import type { Node } from '../core/types.js';
import { decodeResourceMetrics } from './resource-metrics.js';
import type { MetricsStore } from './store.js';

/** Returns the node's /metrics/resource text; rejects on failure. Must honour the abort signal. */
export type NodeMetricsFetch = (node: Node, signal: AbortSignal) => Promise<string>;

export type ScraperLog = (message: string, fields: Record<string, unknown>) => void;

export interface ScraperOptions {
  store: MetricsStore;
  /** The nodes to scrape (e.g. a Node informer's list). */
  listNodes(): readonly Node[] | Promise<readonly Node[]>;
  fetch: NodeMetricsFetch;
  /** Scrape period; default 15 s. */
  resolutionMs?: number;
  /** Per-node deadline; default min(10 s, 90% of the resolution). */
  timeoutMs?: number;
  /** Nodes fetched at once; default 64. */
  concurrency?: number;
  now?: () => number;
  log?: ScraperLog;
  /** After each pass (Prometheus counters, benchmarks). */
  onScrape?(report: ScrapeReport): void;
}

export interface ScrapeReport {
  nodes: number;
  failed: number;
  pods: number;
  durationMs: number;
}

export const DEFAULT_METRIC_RESOLUTION_MS = 15_000;

export class Scraper {
  private readonly resolutionMs: number;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly opts: ScraperOptions) {
    this.resolutionMs = opts.resolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS;
    this.timeoutMs = opts.timeoutMs ?? Math.min(10_000, Math.floor(this.resolutionMs * 0.9));
    this.concurrency = Math.max(1, opts.concurrency ?? 64);
    this.now = opts.now ?? Date.now;
  }

  /** Scrapes now and then every resolution, one pass at a time. */
  start(): void {
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      const started = this.now();
      this.running = this.scrapeOnce()
        .catch((err: unknown) => this.opts.log?.('metrics scrape failed', { error: String(err) }))
        .finally(() => {
          if (this.stopped) return;
          const wait = Math.max(0, this.resolutionMs - (this.now() - started));
          this.timer = setTimeout(tick, wait);
          this.timer.unref?.();
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const a of this.inFlight) a.abort();
    await this.running;
  }

  /** One pass over every node. */
  async scrapeOnce(): Promise<ScrapeReport> {
    const started = this.now();
    const nodes = await this.opts.listNodes();
    this.opts.store.retainNodes(nodes.map((n) => n.metadata.name ?? ''));
    let failed = 0;
    let pods = 0;
    let next = 0;
    const worker = async () => {
      while (next < nodes.length && !this.stopped) {
        const node = nodes[next++]!;
        const name = node.metadata.name ?? '';
        const abort = new AbortController();
        this.inFlight.add(abort);
        const timer = setTimeout(() => abort.abort(new Error(`timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
        try {
          const text = await this.opts.fetch(node, abort.signal);
          const snapshot = decodeResourceMetrics(text, this.now());
          this.opts.store.storeNode(name, snapshot);
          pods += snapshot.pods.length;
        } catch (err) {
          failed++;
          this.opts.store.dropNode(name);
          this.opts.log?.('failed to scrape node', { node: name, error: String(err) });
        } finally {
          clearTimeout(timer);
          this.inFlight.delete(abort);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, nodes.length) }, worker));
    const report = { nodes: nodes.length, failed, pods, durationMs: this.now() - started };
    this.opts.onScrape?.(report);
    return report;
  }
}
