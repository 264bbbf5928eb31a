// ContainerRuntime over any CRI v1 runtime (containerd, CRI-O) reached on a unix socket.
import type {
  ContainerConfig,
  ContainerFilter,
  ContainerRuntime,
  ContainerStats,
  ContainerStatus,
  ContainerSummary,
  ExecResult,
  ImageAuth,
  ImageInfo,
  RuntimeCondition,
  RuntimeVersion,
  SandboxConfig,
  SandboxFilter,
  SandboxStats,
  SandboxStatus,
  SandboxSummary,
  StreamRequest,
} from '../runtime.js';
import { isNotFound } from '../runtime.js';
import { CriClient, type CriClientOptions } from './client.js';
import {
  authToWire,
  CONTAINER_STATE_TO_WIRE,
  containerConfigToWire,
  containerFromWire,
  containerStatsFromWire,
  containerStatusFromWire,
  imageFromWire,
  SANDBOX_STATE_TO_WIRE,
  sandboxConfigToWire,
  sandboxFromWire,
  sandboxStatsFromWire,
  sandboxStatusFromWire,
} from './convert.js';
import type {
  WireContainer,
  WireContainerStats,
  WireContainerStatus,
  WireImage,
  WirePodSandbox,
  WirePodSandboxStats,
  WirePodSandboxStatus,
} from './wire.js';

/** Extra time a gRPC call gets beyond the runtime-side timeout it carries (stop, exec). */
const CALL_SLACK_MS = 10_000;
const PULL_TIMEOUT_MS = 10 * 60_000;

export class CriRuntime implements ContainerRuntime {
  private readonly client: CriClient;

  constructor(
    readonly endpoint: string,
    opts: CriClientOptions = {},
  ) {
    this.client = new CriClient(endpoint, opts);
  }

  async version(): Promise<RuntimeVersion> {
    const r = await this.client.call<{ runtime_name: string; runtime_version: string; runtime_api_version: string }>(
      'Version',
      { version: 'v1' },
    );
    return { runtimeName: r.runtime_name, runtimeVersion: r.runtime_version, runtimeApiVersion: r.runtime_api_version };
  }

  async status(): Promise<RuntimeCondition[]> {
    const r = await this.client.call<{ status: { conditions: RuntimeCondition[] } | null }>('Status', {});
    return (r.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
    }));
  }

  async runPodSandbox(config: SandboxConfig): Promise<{ id: string; ip: string }> {
    const r = await this.client.call<{ pod_sandbox_id: string }>('RunPodSandbox', {
      config: sandboxConfigToWire(config),
      runtime_handler: config.runtimeHandler ?? '',
    });
    const status = await this.podSandboxStatus(r.pod_sandbox_id);
    return { id: r.pod_sandbox_id, ip: status.ip };
  }

  async stopPodSandbox(id: string): Promise<void> {
    await ignoreNotFound(this.client.call('StopPodSandbox', { pod_sandbox_id: id }));
  }

  async removePodSandbox(id: string): Promise<void> {
    await ignoreNotFound(this.client.call('RemovePodSandbox', { pod_sandbox_id: id }));
  }

  async podSandboxStatus(id: string): Promise<SandboxStatus> {
    const r = await this.client.call<{ status: WirePodSandboxStatus }>('PodSandboxStatus', { pod_sandbox_id: id });
    return sandboxStatusFromWire(r.status);
  }

  async listPodSandboxes(filter: SandboxFilter = {}): Promise<SandboxSummary[]> {
    const r = await this.client.call<{ items: WirePodSandbox[] }>('ListPodSandbox', {
      filter: {
        id: filter.id ?? '',
        state: filter.state ? { state: SANDBOX_STATE_TO_WIRE[filter.state] } : undefined,
        label_selector: filter.labelSelector ?? {},
      },
    });
    return r.items.map(sandboxFromWire);
  }

  async pullImage(image: string, auth?: ImageAuth): Promise<{ imageRef: string }> {
    const r = await this.client.callImage<{ image_ref: string }>(
      'PullImage',
      { image: { image }, auth: auth ? authToWire(auth) : undefined },
      PULL_TIMEOUT_MS,
    );
    return { imageRef: r.image_ref };
  }

  async imageStatus(image: string): Promise<ImageInfo | undefined> {
    const r = await this.client.callImage<{ image: WireImage | null }>('ImageStatus', { image: { image } });
    return r.image ? imageFromWire(r.image) : undefined;
  }

  async listImages(): Promise<ImageInfo[]> {
    const r = await this.client.callImage<{ images: WireImage[] }>('ListImages', {});
    return r.images.map(imageFromWire);
  }

  async removeImage(image: string): Promise<void> {
    await ignoreNotFound(this.client.callImage('RemoveImage', { image: { image } }));
  }

  async createContainer(sandboxId: string, config: ContainerConfig, sandbox: SandboxConfig): Promise<string> {
    const r = await this.client.call<{ container_id: string }>('CreateContainer', {
      pod_sandbox_id: sandboxId,
      config: containerConfigToWire(config, sandbox),
      sandbox_config: sandboxConfigToWire(sandbox),
    });
    return r.container_id;
  }

  async startContainer(id: string): Promise<void> {
    await this.client.call('StartContainer', { container_id: id });
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const timeout = Math.max(0, Math.floor(timeoutSeconds));
    await ignoreNotFound(
      this.client.call('StopContainer', { container_id: id, timeout: String(timeout) }, timeout * 1000 + CALL_SLACK_MS),
    );
  }

  async removeContainer(id: string): Promise<void> {
    await ignoreNotFound(this.client.call('RemoveContainer', { container_id: id }));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const r = await this.client.call<{ status: WireContainerStatus }>('ContainerStatus', { container_id: id });
    return containerStatusFromWire(r.status);
  }

  async reopenContainerLog(id: string): Promise<void> {
    await this.client.call('ReopenContainerLog', { container_id: id });
  }

  async listContainers(filter: ContainerFilter = {}): Promise<ContainerSummary[]> {
    const r = await this.client.call<{ containers: WireContainer[] }>('ListContainers', {
      filter: {
        id: filter.id ?? '',
        pod_sandbox_id: filter.sandboxId ?? '',
        state: filter.state ? { state: CONTAINER_STATE_TO_WIRE[filter.state] } : undefined,
        label_selector: filter.labelSelector ?? {},
      },
    });
    return r.containers.map(containerFromWire);
  }

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecResult> {
    const timeout = Math.max(0, Math.floor(timeoutSeconds));
    const r = await this.client.call<{ stdout: Buffer; stderr: Buffer; exit_code: number }>(
      'ExecSync',
      { container_id: id, cmd, timeout: String(timeout) },
      timeout > 0 ? timeout * 1000 + CALL_SLACK_MS : this.client.timeoutMs,
    );
    return { stdout: Buffer.from(r.stdout), stderr: Buffer.from(r.stderr), exitCode: r.exit_code };
  }

  async exec(req: StreamRequest & { cmd: string[] }): Promise<string> {
    const r = await this.client.call<{ url: string }>('Exec', {
      container_id: req.containerId,
      cmd: req.cmd,
      tty: req.tty ?? false,
      stdin: req.stdin ?? false,
      stdout: req.stdout ?? true,
      stderr: req.stderr ?? !req.tty,
    });
    return r.url;
  }

  async attach(req: StreamRequest): Promise<string> {
    const r = await this.client.call<{ url: string }>('Attach', {
      container_id: req.containerId,
      tty: req.tty ?? false,
      stdin: req.stdin ?? false,
      stdout: req.stdout ?? true,
      stderr: req.stderr ?? !req.tty,
    });
    return r.url;
  }

  async portForward(sandboxId: string, ports: number[]): Promise<string> {
    const r = await this.client.call<{ url: string }>('PortForward', { pod_sandbox_id: sandboxId, port: ports });
    return r.url;
  }

  async containerStats(id: string): Promise<ContainerStats> {
    const r = await this.client.call<{ stats: WireContainerStats }>('ContainerStats', { container_id: id });
    return containerStatsFromWire(r.stats);
  }

  async listContainerStats(filter: { sandboxId?: string } = {}): Promise<ContainerStats[]> {
    const r = await this.client.call<{ stats: WireContainerStats[] }>('ListContainerStats', {
      filter: { pod_sandbox_id: filter.sandboxId ?? '' },
    });
    return r.stats.map(containerStatsFromWire);
  }

  async podSandboxStats(id: string): Promise<SandboxStats> {
    const r = await this.client.call<{ stats: WirePodSandboxStats }>('PodSandboxStats', { pod_sandbox_id: id });
    return sandboxStatsFromWire(r.stats);
  }

  close(): void {
    this.client.close();
  }
}

async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
