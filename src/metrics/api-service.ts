// metrics.k8s.io as the API server serves it: the MetricsStore, the Scraper that fills it every
// resolution, and the group's answers (serveMetrics) over the pods and nodes that exist. The object is the
// shape of the API server's `extraApis` entry (name, groupDocument, handle); the command layer builds it
// with informers and the agents' fetch, and starts/stops it with the server.
import { METRICS_GROUP } from '../core/metrics-api.js';
import type { Node } from '../core/types.js';
import { type NodeMetricsFetch, type ScrapeReport, Scraper, type ScraperLog } from './scraper.js';
import {
  type MetricsObjects,
  type MetricsRequest,
  type MetricsResponse,
  metricsApiGroup,
  serveMetrics,
} from './serve.js';
import { MetricsStore } from './store.js';

export interface MetricsApiServiceOptions {
  /** The nodes to scrape and to answer for. */
  nodes(): readonly Node[];
  /**
   * Pods of a namespace, or of all (their labels select PodMetrics); the selector and name narrow what
   * is asked for (what comes back is matched again).
   */
  pods: MetricsObjects['pods'];
  fetch: NodeMetricsFetch;
  /** --metric-resolution; default 15 s. */
  resolutionMs?: number;
  log?: ScraperLog;
  /** After each scrape pass (Prometheus counters, benchmarks). */
  onScrape?(report: ScrapeReport): void;
}

export class MetricsApiService {
  readonly name = METRICS_GROUP;
  readonly store = new MetricsStore();
  readonly scraper: Scraper;
  private readonly objects: MetricsObjects;

  constructor(opts: MetricsApiServiceOptions) {
    this.scraper = new Scraper({
      store: this.store,
      listNodes: () => opts.nodes(),
      fetch: opts.fetch,
      ...(opts.onScrape ? { onScrape: opts.onScrape } : {}),
      ...(opts.resolutionMs !== undefined ? { resolutionMs: opts.resolutionMs } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.objects = { pods: opts.pods, nodes: () => opts.nodes() };
  }

  groupDocument(): unknown {
    return metricsApiGroup();
  }

  handle(req: MetricsRequest): Promise<MetricsResponse> {
    return serveMetrics(this.store, req, this.objects);
  }

  /** One pass now (tests, benchmarks); `start` runs them every resolution. */
  scrapeOnce(): Promise<ScrapeReport> {
    return this.scraper.scrapeOnce();
  }

  start(): void {
    this.scraper.start();
  }

  stop(): Promise<void> {
    return this.scraper.stop();
  }
}
