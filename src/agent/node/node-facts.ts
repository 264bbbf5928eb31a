// Measures the machine for the Node object: CPU, memory, disk, OS and kernel, and simple pressure signals.
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { cpus, freemem, hostname, networkInterfaces, release, totalmem } from 'node:os';
import { goArch, type NodeFacts } from './node-object.js';

export function firstIPv4(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function osImage(): string {
  if (!existsSync('/etc/os-release')) return process.platform;
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
  return m?.[1] ?? process.platform;
}

export function measureNode(
  name: string,
  hostIP: string,
  dataDir: string,
  runtime: { version: string; ready: boolean; message?: string },
  agentPort?: number,
): NodeFacts {
  let disk = { total: 0, free: 0 };
  try {
    const s = statfsSync(dataDir);
    disk = { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
  } catch {
    // No data dir yet: report no storage rather than fail registration.
  }
  return {
    name,
    hostIP,
    hostname: hostname(),
    cpuCores: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: disk.total,
    kernelVersion: release(),
    osImage: osImage(),
    architecture: goArch(process.arch),
    operatingSystem: process.platform,
    containerRuntimeVersion: runtime.version,
    ready: runtime.ready,
    notReadyMessage: runtime.message,
    // Thresholds as the kubelet's default hard evictions: memory.available<100Mi, nodefs.available<10%.
    memoryPressure: freemem() < 100 * 1024 * 1024,
    diskPressure: disk.total > 0 && disk.free / disk.total < 0.1,
    pidPressure: false,
    agentPort,
  };
}
