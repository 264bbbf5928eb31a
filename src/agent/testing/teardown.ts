// Teardown shared by the suites that run a real agent: nothing of a test may stay on the host.
import { execFileSync } from 'node:child_process';
import type { ApiClient } from '../../client/index.js';
import { pollUntil } from '../../e2e/harness.js';
import type { RunningAgent } from '../agent.js';
import { removeCgroup } from '../pods/cgroups.js';
import type { Pod } from '../../core/types.js';

/** Deletes the namespace's pods, waits for the agent to drop them, removes any sandbox left, stops the agent. */
export async function drainAndStopAgent(agent: RunningAgent, client: ApiClient, namespace: string): Promise<void> {
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  const pods = await client.list<Pod>(podsPath);
  for (const p of pods.items)
    await client.delete(`${podsPath}/${p.metadata.name}`, { gracePeriodSeconds: 0 }).catch(() => {});
  await pollUntil('agent to drop every pod', async () => agent.pods.podUids().length === 0, 60_000).catch(() => {});
  for (const s of await agent.runtime.listPodSandboxes()) {
    await agent.runtime.stopPodSandbox(s.id);
    await agent.runtime.removePodSandbox(s.id);
  }
  await agent.stop();
}

/** Deletes a test's pod bridge (if it was created) and its pod cgroup root. */
export function removeAgentHostState(bridgeName: string, cgroupRoot: string): void {
  try {
    execFileSync('ip', ['link', 'del', bridgeName], { stdio: 'ignore' });
  } catch {
    // not created
  }
  removeCgroup(`/${cgroupRoot}`);
}
