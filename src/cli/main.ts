// The `tutti` command: a thin layer that wires components together (server, agent, kubectl helper).
import { runServer } from './server.js';

const USAGE = `Usage: tutti <command> [flags]

Commands:
  server     Run the control plane (API server, controllers, scheduler) and, by default, a node agent
  agent      Run a node agent that joins a server (--server URL --token T)
  kubectl    Run kubectl against the local server's admin kubeconfig
  image      Import an image archive into this node's containerd (image import FILE.tar)
  killall    Stop this machine's node for good: pods, containerd, the agent's network and mounts [--data-dir DIR]
  uninstall  killall, then delete the data dir [--data-dir DIR]

Run 'tutti <command> --help' for the flags of a command.`;

export async function main(argv: string[]): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'server':
      return runServer(rest);
    case 'agent': {
      const { runAgent } = await import('./agent.js');
      return runAgent(rest);
    }
    case 'image': {
      const { runImage } = await import('./image.js');
      return runImage(rest);
    }
    case 'killall': {
      const { runKillall } = await import('./killall.js');
      return runKillall(rest);
    }
    case 'uninstall': {
      const { runUninstall } = await import('./killall.js');
      return runUninstall(rest);
    }
    case 'kubectl': {
      const { runKubectl } = await import('./kubectl.js');
      return runKubectl(rest);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return cmd === undefined ? 1 : 0;
    default:
      console.error(`unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
      return 1;
  }
}
