// Probe workers for one pod (the kubelet's prober manager): one loop per (container run, probe kind), each
// honouring initialDelaySeconds, periodSeconds, timeoutSeconds and the success/failure thresholds. Liveness
// and readiness wait until the startup probe has succeeded. A changed result calls onChange so the pod worker
// re-syncs (kill on liveness/startup failure, Ready on readiness).
import type { ContainerRuntime } from '../runtime/index.js';
import type { Container, Probe } from '../../core/types.js';
import { runHandler } from './probe-run.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ProbedContainer {
  id: string;
  spec: Container;
  host: string;
}

export interface ProbeManagerOptions {
  runtime: ContainerRuntime;
  onChange(): void;
  /** Unhealthy events: `Liveness probe failed: ...`. */
  onFailure(containerName: string, kind: ProbeKind, output: string): void;
}

interface Loop {
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

const LABEL: Record<ProbeKind, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

export class ProbeManager {
  /** Readiness by container id (absent until the first result: not ready). */
  readonly readiness = new Map<string, boolean>();
  /** Startup by container id (present only for containers with a startup probe). */
  readonly started = new Map<string, boolean>();
  /** Containers a probe condemned: id -> message for the Killing event. */
  readonly unhealthy = new Map<string, string>();
  private readonly loops = new Map<string, Loop[]>();

  constructor(private readonly opts: ProbeManagerOptions) {}

  /** Starts loops for new running containers and stops those of containers that are gone. */
  sync(running: ProbedContainer[]): void {
    const ids = new Set(running.map((r) => r.id));
    for (const [id, loops] of this.loops) {
      if (ids.has(id)) continue;
      for (const l of loops) this.cancel(l);
      this.loops.delete(id);
      this.readiness.delete(id);
      this.started.delete(id);
      this.unhealthy.delete(id);
    }
    for (const c of running) {
      if (this.loops.has(c.id)) continue;
      const loops: Loop[] = [];
      if (c.spec.startupProbe) {
        this.started.set(c.id, false);
        loops.push(this.loop(c, 'startup', c.spec.startupProbe));
      }
      if (c.spec.livenessProbe) loops.push(this.loop(c, 'liveness', c.spec.livenessProbe));
      if (c.spec.readinessProbe) loops.push(this.loop(c, 'readiness', c.spec.readinessProbe));
      this.loops.set(c.id, loops);
    }
  }

  stop(): void {
    this.sync([]);
  }

  private cancel(l: Loop): void {
    l.stopped = true;
    if (l.timer) clearTimeout(l.timer);
  }

  private loop(c: ProbedContainer, kind: ProbeKind, probe: Probe): Loop {
    const loop: Loop = { timer: undefined, stopped: false };
    const period = (probe.periodSeconds ?? 10) * 1000;
    const timeout = probe.timeoutSeconds ?? 1;
    const successThreshold = kind === 'readiness' ? (probe.successThreshold ?? 1) : 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    let successes = 0;
    let failures = 0;
    const tick = async () => {
      if (loop.stopped) return;
      // Liveness and readiness are held back until the startup probe succeeded.
      if (kind !== 'startup' && this.started.get(c.id) === false) {
        loop.timer = setTimeout(tick, period);
        return;
      }
      const r = await runHandler(
        probe,
        { runtime: this.opts.runtime, containerId: c.id, container: c.spec, host: c.host },
        timeout,
      );
      if (loop.stopped) return;
      if (r.ok) {
        failures = 0;
        successes++;
        if (successes >= successThreshold) this.record(c.id, kind, true);
      } else {
        successes = 0;
        failures++;
        this.opts.onFailure(c.spec.name, kind, `${LABEL[kind]} probe failed: ${r.output}`);
        if (failures >= failureThreshold) this.record(c.id, kind, false, `${c.spec.name} failed ${kind} probe`);
      }
      // A startup probe stops once it succeeded; a condemned container gets no more probes.
      if ((kind === 'startup' && this.started.get(c.id)) || this.unhealthy.has(c.id)) return;
      loop.timer = setTimeout(tick, period);
    };
    loop.timer = setTimeout(tick, (probe.initialDelaySeconds ?? 0) * 1000);
    return loop;
  }

  private record(id: string, kind: ProbeKind, ok: boolean, message = ''): void {
    let changed = false;
    if (kind === 'readiness') {
      changed = this.readiness.get(id) !== ok;
      this.readiness.set(id, ok);
    } else if (kind === 'startup') {
      changed = this.started.get(id) !== ok;
      if (ok) this.started.set(id, true);
      else if (!this.unhealthy.has(id)) {
        this.unhealthy.set(id, `Container ${message}, will be restarted`);
        changed = true;
      }
    } else if (!ok && !this.unhealthy.has(id)) {
      this.unhealthy.set(id, `Container ${message}, will be restarted`);
      changed = true;
    }
    if (changed) this.opts.onChange();
  }
}
