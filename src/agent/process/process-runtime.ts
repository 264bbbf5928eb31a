// A ContainerRuntime for machines without root or containerd: each container's command runs as a host
// process under a detached shim (shim.ts), with its env, args, working dir and a CRI-format log. There is
// NO isolation: no namespaces, cgroups, mounts or images; every pod shares the host network (IP 127.0.0.1).
// State lives in files under root, so a restarted agent adopts running containers as with containerd.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type ContainerConfig,
  type ContainerFilter,
  type ContainerRuntime,
  type ContainerState,
  type ContainerStats,
  type ContainerStatus,
  type ContainerSummary,
  type ExecResult,
  type ImageInfo,
  type RuntimeCondition,
  RuntimeError,
  type RuntimeVersion,
  type SandboxConfig,
  type SandboxFilter,
  type SandboxStats,
  type SandboxStatus,
  type SandboxSummary,
} from '../runtime/index.js';
import type { ShimSpec } from './shim.js';

export const PROCESS_RUNTIME_NAME = 'tutti-process';
const BUSYBOX_IMAGE = /(^|\/)busybox(:[\w.-]+)?(@sha256:[0-9a-f]+)?$/;

interface SandboxRecord {
  id: string;
  config: SandboxConfig;
  state: 'ready' | 'notready';
  createdAt: number;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  config: ContainerConfig;
  createdAt: number;
  logPath: string;
}

interface Started {
  pid: number;
  shimPid: number;
  startedAt: number;
}

interface Exited {
  exitCode: number;
  finishedAt: number;
  reason?: string;
  message?: string;
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value));
  renameSync(`${path}.tmp`, path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function matches(labels: Record<string, string>, selector?: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

export interface ProcessRuntimeOptions {
  /** State, logs of containers without a sandbox log dir, and the busybox applet links. */
  root: string;
  /** Images treated as present (besides busybox ones, which run host busybox applets). */
  images?: string[];
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export class ProcessRuntime implements ContainerRuntime {
  private readonly sandboxDir: string;
  private readonly containerDir: string;
  private readonly appletDir: string;
  private readonly shimPath = fileURLToPath(new URL('./shim.js', import.meta.url));

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.sandboxDir = join(opts.root, 'sandboxes');
    this.containerDir = join(opts.root, 'containers');
    this.appletDir = join(opts.root, 'busybox-bin');
    mkdirSync(this.sandboxDir, { recursive: true });
    mkdirSync(this.containerDir, { recursive: true });
    if (!existsSync(this.appletDir) && existsSync('/bin/busybox')) {
      mkdirSync(this.appletDir, { recursive: true });
      try {
        execFileSync('/bin/busybox', ['--install', '-s', this.appletDir], { stdio: 'ignore' });
      } catch {
        // Without applet links busybox images still run commands found on the host PATH.
      }
    }
    (opts.log ?? console.warn)(
      'process runtime: containers run as plain host processes with NO isolation (no namespaces, cgroups, images or mounts)',
      { root: opts.root },
    );
  }

  async version(): Promise<RuntimeVersion> {
    return { runtimeName: PROCESS_RUNTIME_NAME, runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async status(): Promise<RuntimeCondition[]> {
    return [
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: true, reason: '', message: '' },
    ];
  }

  async runPodSandbox(config: SandboxConfig): Promise<{ id: string; ip: string }> {
    const id = randomBytes(16).toString('hex');
    if (config.logDirectory) mkdirSync(config.logDirectory, { recursive: true });
    writeJson(join(this.sandboxDir, `${id}.json`), {
      id,
      config,
      state: 'ready',
      createdAt: Date.now(),
    } satisfies SandboxRecord);
    return { id, ip: '127.0.0.1' };
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sb = this.sandbox(id);
    if (!sb) return;
    await Promise.all(
      this.containers()
        .filter((c) => c.sandboxId === id)
        .map((c) => this.stopContainer(c.id, 0)),
    );
    writeJson(join(this.sandboxDir, `${id}.json`), { ...sb, state: 'notready' });
  }

  async removePodSandbox(id: string): Promise<void> {
    if (!this.sandbox(id)) return;
    await this.stopPodSandbox(id);
    for (const c of this.containers().filter((x) => x.sandboxId === id)) await this.removeContainer(c.id);
    rmSync(join(this.sandboxDir, `${id}.json`), { force: true });
  }

  async podSandboxStatus(id: string): Promise<SandboxStatus> {
    const sb = this.sandbox(id);
    if (!sb) throw new RuntimeError('notFound', 'PodSandboxStatus', `sandbox ${id} not found`);
    return { ...this.summary(sb), ip: sb.state === 'ready' ? '127.0.0.1' : '', additionalIps: [] };
  }

  async listPodSandboxes(filter: SandboxFilter = {}): Promise<SandboxSummary[]> {
    return this.sandboxes()
      .filter((s) => (!filter.id || s.id === filter.id) && (!filter.state || s.state === filter.state))
      .filter((s) => matches(s.config.labels ?? {}, filter.labelSelector))
      .map((s) => this.summary(s));
  }

  async pullImage(image: string): Promise<{ imageRef: string }> {
    if (!this.knownImage(image)) {
      throw new RuntimeError(
        'failed',
        'PullImage',
        `rpc error: image "${image}" not found (the process runtime only runs busybox images)`,
      );
    }
    return { imageRef: this.imageRef(image) };
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    if (!this.knownImage(image)) return undefined;
    return { id: this.imageRef(image), repoTags: [image], repoDigests: [], sizeBytes: 0 };
  }

  async listImages(): Promise<ImageInfo[]> {
    return [];
  }

  async removeImage(): Promise<void> {}

  async createContainer(sandboxId: string, config: ContainerConfig, sandbox: SandboxConfig): Promise<string> {
    if (!this.sandbox(sandboxId))
      throw new RuntimeError('notFound', 'CreateContainer', `sandbox ${sandboxId} not found`);
    const id = randomBytes(16).toString('hex');
    const dir = join(this.containerDir, id);
    mkdirSync(dir, { recursive: true });
    const logDir = sandbox.logDirectory ?? join(this.opts.root, 'logs');
    const logPath = config.logPath
      ? isAbsolute(config.logPath)
        ? config.logPath
        : join(logDir, config.logPath)
      : join(dir, 'log');
    writeJson(join(dir, 'container.json'), {
      id,
      sandboxId,
      config,
      createdAt: Date.now(),
      logPath,
    } satisfies ContainerRecord);
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const rec = this.container(id);
    if (!rec) throw new RuntimeError('notFound', 'StartContainer', `container ${id} not found`);
    const dir = join(this.containerDir, id);
    const argv = [...(rec.config.command ?? []), ...(rec.config.args ?? [])];
    if (argv.length === 0) argv.push('sh');
    const cwd = rec.config.workingDir && existsSync(rec.config.workingDir) ? rec.config.workingDir : dir;
    const spec: ShimSpec = { argv, env: this.envOf(rec), cwd, logPath: rec.logPath };
    writeJson(join(dir, 'spec.json'), spec);
    const shim = spawn(process.execPath, [this.shimPath, dir], { detached: true, stdio: 'ignore' });
    shim.unref();
    for (let i = 0; i < 200; i++) {
      if (existsSync(join(dir, 'started.json')) || existsSync(join(dir, 'exit.json'))) return;
      await sleep(10);
    }
    throw new RuntimeError('failed', 'StartContainer', `container ${id} did not start`);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const dir = join(this.containerDir, id);
    const started = readJson<Started>(join(dir, 'started.json'));
    if (!started || existsSync(join(dir, 'exit.json'))) return;
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-started.pid, sig);
      } catch {
        try {
          process.kill(started.pid, sig);
        } catch {
          // already gone
        }
      }
    };
    signal('SIGTERM');
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (Date.now() < deadline && !existsSync(join(dir, 'exit.json'))) await sleep(20);
    if (!existsSync(join(dir, 'exit.json'))) signal('SIGKILL');
    for (let i = 0; i < 250 && !existsSync(join(dir, 'exit.json')); i++) {
      if (!alive(started.shimPid)) {
        writeJson(join(dir, 'exit.json'), { exitCode: 137, finishedAt: Date.now() } satisfies Exited);
        break;
      }
      await sleep(20);
    }
  }

  async removeContainer(id: string): Promise<void> {
    if (!this.container(id)) return;
    await this.stopContainer(id, 0);
    rmSync(join(this.containerDir, id), { recursive: true, force: true });
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const rec = this.container(id);
    if (!rec) throw new RuntimeError('notFound', 'ContainerStatus', `container ${id} not found`);
    const { state, started, exited } = this.stateOf(id);
    return {
      id,
      name: rec.config.name,
      attempt: rec.config.attempt,
      state,
      createdAt: new Date(rec.createdAt),
      startedAt: started ? new Date(started.startedAt) : undefined,
      finishedAt: exited ? new Date(exited.finishedAt) : undefined,
      exitCode: exited?.exitCode ?? 0,
      reason: exited ? (exited.reason ?? (exited.exitCode === 0 ? 'Completed' : 'Error')) : '',
      message: exited?.message ?? '',
      image: rec.config.image,
      imageRef: this.imageRef(rec.config.image),
      logPath: rec.logPath,
      labels: rec.config.labels ?? {},
      annotations: rec.config.annotations ?? {},
    };
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerSummary[]> {
    const out: ContainerSummary[] = [];
    for (const rec of this.containers()) {
      if (filter.id && rec.id !== filter.id) continue;
      if (filter.sandboxId && rec.sandboxId !== filter.sandboxId) continue;
      if (!matches(rec.config.labels ?? {}, filter.labelSelector)) continue;
      const { state } = this.stateOf(rec.id);
      if (filter.state && state !== filter.state) continue;
      out.push({
        id: rec.id,
        sandboxId: rec.sandboxId,
        name: rec.config.name,
        attempt: rec.config.attempt,
        image: rec.config.image,
        imageRef: this.imageRef(rec.config.image),
        state,
        createdAt: new Date(rec.createdAt),
        labels: rec.config.labels ?? {},
        annotations: rec.config.annotations ?? {},
      });
    }
    return out;
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
    const rec = this.container(id);
    if (!rec) throw new RuntimeError('notFound', 'ExecSync', `container ${id} not found`);
    if (cmd.length === 0) throw new RuntimeError('failed', 'ExecSync', 'empty command');
    const spec = readJson<ShimSpec>(join(this.containerDir, id, 'spec.json'));
    return new Promise((resolve) => {
      execFile(
        cmd[0]!,
        cmd.slice(1),
        {
          env: this.envOf(rec),
          cwd: spec?.cwd,
          timeout: timeoutSeconds * 1000 || undefined,
          encoding: 'buffer',
          maxBuffer: 16 << 20,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 126) : 0;
          resolve({ stdout, stderr, exitCode: code });
        },
      );
    });
  }

  async exec(): Promise<string> {
    throw new RuntimeError('unimplemented', 'Exec', 'the process runtime has no streaming server');
  }

  async attach(): Promise<string> {
    throw new RuntimeError('unimplemented', 'Attach', 'the process runtime has no streaming server');
  }

  async portForward(): Promise<string> {
    throw new RuntimeError('unimplemented', 'PortForward', 'the process runtime has no streaming server');
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const rec = this.container(id);
    if (!rec) throw new RuntimeError('notFound', 'ContainerStats', `container ${id} not found`);
    return { id, name: rec.config.name };
  }

  async listContainerStats(filter: { sandboxId?: string } = {}): Promise<ContainerStats[]> {
    return this.containers()
      .filter((c) => !filter.sandboxId || c.sandboxId === filter.sandboxId)
      .map((c) => ({ id: c.id, name: c.config.name }));
  }

  async podSandboxStats(id: string): Promise<SandboxStats> {
    return { id, containers: await this.listContainerStats({ sandboxId: id }) };
  }

  close(): void {}

  private knownImage(image: string): boolean {
    return BUSYBOX_IMAGE.test(image) || image.includes('tutti/pause') || (this.opts.images ?? []).includes(image);
  }

  private imageRef(image: string): string {
    return `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`;
  }

  private envOf(rec: ContainerRecord): Record<string, string> {
    const hostPath = process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
    const path =
      BUSYBOX_IMAGE.test(rec.config.image) && existsSync(this.appletDir) ? `${this.appletDir}:${hostPath}` : hostPath;
    const sb = this.sandbox(rec.sandboxId);
    return { PATH: path, HOME: '/root', HOSTNAME: sb?.config.hostname ?? '', ...(rec.config.env ?? {}) };
  }

  private stateOf(id: string): { state: ContainerState; started?: Started; exited?: Exited } {
    const dir = join(this.containerDir, id);
    const exited = readJson<Exited>(join(dir, 'exit.json'));
    const started = readJson<Started>(join(dir, 'started.json'));
    if (exited) return { state: 'exited', started, exited };
    if (!started) return { state: 'created' };
    if (alive(started.shimPid)) return { state: 'running', started };
    // The shim died without recording an exit (machine reboot, kill -9): the container is gone.
    const lost: Exited = {
      exitCode: 255,
      finishedAt: Date.now(),
      reason: 'Unknown',
      message: 'shim exited without a status',
    };
    writeJson(join(dir, 'exit.json'), lost);
    return { state: 'exited', started, exited: lost };
  }

  private sandbox(id: string): SandboxRecord | undefined {
    return readJson<SandboxRecord>(join(this.sandboxDir, `${id}.json`));
  }

  private sandboxes(): SandboxRecord[] {
    return readdirSync(this.sandboxDir)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => readJson<SandboxRecord>(join(this.sandboxDir, f)) ?? []);
  }

  private container(id: string): ContainerRecord | undefined {
    return readJson<ContainerRecord>(join(this.containerDir, id, 'container.json'));
  }

  private containers(): ContainerRecord[] {
    return readdirSync(this.containerDir).flatMap(
      (d) => readJson<ContainerRecord>(join(this.containerDir, d, 'container.json')) ?? [],
    );
  }

  private summary(s: SandboxRecord): SandboxSummary {
    return {
      id: s.id,
      metadata: s.config.metadata,
      state: s.state,
      createdAt: new Date(s.createdAt),
      labels: s.config.labels ?? {},
      annotations: s.config.annotations ?? {},
    };
  }
}
