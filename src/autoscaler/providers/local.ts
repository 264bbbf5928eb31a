// The local provider: each new node is a real `tutti agent` on this machine, in a network namespace of
// its own (joined to a fabric bridge in the root namespace, no default route), with its own data dir and
// therefore its own containerd and pod bridge, joined to the server with the node token. The agent runs
// under `nsenter --net=` (not `ip netns exec`, which remounts /sys and hides the cgroup mount), detached,
// so nodes outlive a restart of the controller manager; each node's state is a file under dataRoot.
// Removal deletes the node's pods and lets the agent tear them down, stops the agent (and its containerd),
// kills anything left in the namespace or below it, unmounts and removes the data dir, and deletes the
// namespace (its veth pair goes with it). The pod network of the networking work is used once the agent
// sets it up; until then each node's pods live on its own bridge inside its namespace.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiClient, isAlreadyExists, resourcePath } from '../../client/index.js';
import { resources } from '../../core/resources.js';
import type { Pod } from '../../core/types.js';
import {
  addNodeNamespace,
  deleteNodeNamespace,
  descendants,
  ensureBridge,
  ip,
  isAlive,
  killAll,
  linkExists,
  mountsUnder,
  pidsInNamespace,
  subnetPlan,
  unmount,
} from './netns.js';
import { abortable, type NewNode, type NodeProvider } from './provider.js';

export interface LocalProviderOptions {
  client: ApiClient;
  /** Join token of the server (`<server data dir>/node-token`). */
  token: string;
  /** Where each node's state, agent data dir and log go (`<dataRoot>/<node>/`). */
  dataRoot: string;
  /** Subnet of the fabric: the bridge gets .1 (the server must listen there), nodes .2 and up. */
  subnet: string;
  /** Fabric bridge in the root namespace (made if missing). */
  bridge: string;
  /** API server port on the bridge's address (default 6443); or give `server` in full. */
  serverPort?: number;
  /**
   * The API server's URL for the agents. Default `https://<bridge address>:<serverPort>` (the server's
   * certificate must name that address: `--advertise-address`). Another IPv4 address of this machine,
   * such as the advertise address, is reached through a host route via the bridge.
   */
  server?: string;
  /** Prefix of the namespaces' names (default `tutti-`). */
  netnsPrefix?: string;
  /** The `tutti` command (default: this Node.js running this build's bin/tutti.js). */
  tuttiCommand?: string[];
  /** Extra flags for `tutti agent`. */
  agentArgs?: string[];
  /** How long the agent gets to remove the node's pods at deletion (default 30 s). */
  podTeardownMs?: number;
}

interface NodeState {
  name: string;
  group: string;
  netns: string;
  vethHost: string;
  address: string;
  index: number;
  pid?: number;
}

const STATE_FILE = 'node.json';
const FABRIC_FILE = 'fabric.json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function defaultTuttiCommand(): string[] {
  return [process.execPath, new URL('../../../../bin/tutti.js', import.meta.url).pathname];
}

export class LocalProvider implements NodeProvider {
  readonly kind = 'local';
  private readonly plan;
  private readonly server: string;

  constructor(private readonly opts: LocalProviderOptions) {
    this.plan = subnetPlan(opts.subnet);
    this.server = opts.server ?? `https://${this.plan.gateway}:${opts.serverPort ?? 6443}`;
    mkdirSync(opts.dataRoot, { recursive: true, mode: 0o700 });
  }

  /** The namespace a node runs in (tests reach its pods from there). */
  netnsOf(name: string): string {
    return `${this.opts.netnsPrefix ?? 'tutti-'}${name}`;
  }

  async createNode(n: NewNode, signal: AbortSignal): Promise<void> {
    const dir = join(this.opts.dataRoot, n.name);
    if (existsSync(join(dir, STATE_FILE))) throw new Error(`local node ${n.name} exists already`);
    const state: NodeState = {
      name: n.name,
      group: n.group,
      netns: this.netnsOf(n.name),
      vethHost: `ta${createHash('sha1').update(n.name).digest('hex').slice(0, 8)}`,
      index: this.freeIndex(),
      address: '',
    };
    state.address = this.plan.host(state.index);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.save(state);
    if (await ensureBridge(this.opts.bridge, this.plan.gateway, this.plan.prefix)) {
      writeFileSync(join(this.opts.dataRoot, FABRIC_FILE), JSON.stringify({ bridge: this.opts.bridge }));
    }
    // A server reached at another of this machine's addresses (one its certificate names) gets a host
    // route through the bridge; there is still no default route.
    const host = new URL(this.server).hostname;
    const routesVia =
      host !== this.plan.gateway && /^\d+\.\d+\.\d+\.\d+$/.test(host)
        ? { gateway: this.plan.gateway, hosts: [host] }
        : undefined;
    await addNodeNamespace({ ...state, bridge: this.opts.bridge, prefix: this.plan.prefix, routesVia });
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    // Registered first with the template's labels and taints; the agent takes the Node over as it is.
    try {
      await abortable(this.opts.client.create(resourcePath(resources.nodes), n.node), signal);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const [cmd, ...args] = this.opts.tuttiCommand ?? defaultTuttiCommand();
    const log = openSync(join(dir, 'agent.log'), 'a');
    try {
      const child = spawn(
        'nsenter',
        [
          `--net=/run/netns/${state.netns}`,
          '--',
          cmd!,
          ...args,
          'agent',
          '--server',
          this.server,
          '--token',
          this.opts.token,
          '--node-name',
          n.name,
          '--data-dir',
          join(dir, 'data'),
          '--node-ip',
          state.address,
          '--agent-port',
          '10250',
          ...(this.opts.agentArgs ?? []),
        ],
        { detached: true, stdio: ['ignore', log, log] },
      );
      child.unref();
      state.pid = child.pid;
      this.save(state);
    } finally {
      closeSync(log);
    }
  }

  async deleteNode(_group: string, name: string, signal: AbortSignal): Promise<void> {
    const dir = join(this.opts.dataRoot, name);
    const state = this.load(name) ?? {
      name,
      group: '',
      netns: this.netnsOf(name),
      vethHost: `ta${createHash('sha1').update(name).digest('hex').slice(0, 8)}`,
      index: -1,
      address: '',
    };
    if (state.pid && isAlive(state.pid)) {
      await this.removePods(name, signal);
      await this.stopAgent(state.pid);
    }
    // Whatever still runs in the namespace (containerd, shims) and below it (containers).
    for (let i = 0; i < 50; i++) {
      const inside = await pidsInNamespace(state.netns);
      const all = [...inside, ...descendants(inside)];
      if (state.pid && isAlive(state.pid)) all.push(state.pid);
      if (all.length === 0) break;
      killAll(all, 'SIGKILL');
      await sleep(100);
    }
    for (const m of mountsUnder(dir)) await unmount(m);
    rmSync(dir, { recursive: true, force: true });
    await deleteNodeNamespace(state.netns, state.vethHost);
    await this.removeFabricIfUnused();
  }

  async listNodes(group: string): Promise<string[]> {
    return this.states()
      .filter((s) => s.group === group)
      .map((s) => s.name);
  }

  /**
   * Deletes the node's pods and waits until they are gone from the API: the agent deletes a pod for good
   * only after it removed its containers, sandbox, network and cgroups (a grace of 0 would skip that).
   */
  private async removePods(name: string, signal: AbortSignal): Promise<void> {
    const path = resourcePath(resources.pods);
    const onNode = async () =>
      (await this.opts.client.list<Pod>(path, { fieldSelector: `spec.nodeName=${name}` })).items;
    try {
      for (const p of await onNode()) {
        await this.opts.client
          .delete(resourcePath(resources.pods, { namespace: p.metadata.namespace, name: p.metadata.name }), {
            gracePeriodSeconds: 1,
          })
          .catch(() => {});
      }
      const deadline = Date.now() + (this.opts.podTeardownMs ?? 30_000);
      while (Date.now() < deadline && !signal.aborted) {
        if ((await onNode()).length === 0) return;
        await sleep(200);
      }
    } catch {
      // The API may be gone (server stopping): the process clean-up below still runs.
    }
  }

  /** SIGTERM to the agent's process group (it and its containerd), SIGKILL after 10 s. */
  private async stopAgent(pid: number): Promise<void> {
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        // gone
      }
    };
    group('SIGTERM');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    group('SIGKILL');
  }

  private async removeFabricIfUnused(): Promise<void> {
    const fabric = join(this.opts.dataRoot, FABRIC_FILE);
    if (this.states().length > 0 || !existsSync(fabric)) return;
    if (await linkExists(this.opts.bridge)) await ip('link', 'del', this.opts.bridge);
    rmSync(fabric, { force: true });
  }

  private freeIndex(): number {
    const used = new Set(this.states().map((s) => s.index));
    for (let i = 0; i < this.plan.size; i++) if (!used.has(i)) return i;
    throw new Error(`subnet ${this.opts.subnet} is full`);
  }

  private states(): NodeState[] {
    if (!existsSync(this.opts.dataRoot)) return [];
    return readdirSync(this.opts.dataRoot)
      .map((d) => this.load(d))
      .filter((s): s is NodeState => s !== undefined);
  }

  private load(name: string): NodeState | undefined {
    try {
      return JSON.parse(readFileSync(join(this.opts.dataRoot, name, STATE_FILE), 'utf8')) as NodeState;
    } catch {
      return undefined;
    }
  }

  private save(s: NodeState): void {
    writeFileSync(join(this.opts.dataRoot, s.name, STATE_FILE), JSON.stringify(s));
  }
}
