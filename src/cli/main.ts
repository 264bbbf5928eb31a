// The `tutti` command: a thin layer that wires components together (server, agent, kubectl helper). Bad
// input (unknown command or flag, missing or malformed value) is one line on stderr and exit code 2.
import { UsageError } from './flags.js';
import { runServer } from './server.js';

const USAGE = `Usage: tutti <command> [flags]

Commands:
  server     Run the control plane (API server, controllers, scheduler) and, by default, a node agent
  agent      Run a node agent that joins a server (--server URL --token T)
  kubectl    Run kubectl against the local server's admin kubeconfig
  image      Import an image archive into this node's containerd (image import FILE.tar)
  killall    Stop this machine's node for good: pods, containerd, the agent's network and mounts [--data-dir DIR]
  uninstall  killall, then delete the data dir [--data-dir DIR]
  secrets-encrypt  Secrets encryption at rest: status, rotate-keys [--data-dir DIR]

Run 'tutti <command> --help' for the flags of a command.`;

/** The exit code of a usage error, as for Go's flag package and cobra. */
const USAGE_EXIT_CODE = 2;

export async function main(argv: string[]): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  try {
    return await run(cmd, rest);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`tutti ${cmd}: ${err.message}; see 'tutti ${cmd} --help'`);
    return USAGE_EXIT_CODE;
  }
}

async function run(cmd: string | undefined, rest: string[]): Promise<number | undefined> {
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
    case 'secrets-encrypt': {
      const { runSecretsEncrypt } = await import('./encryption.js');
      return runSecretsEncrypt(rest);
    }
    case 'kubectl': {
      const { runKubectl } = await import('./kubectl.js');
      return runKubectl(rest);
    }
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return 0;
    case undefined:
      console.error(USAGE);
      return USAGE_EXIT_CODE;
    default:
      console.error(`tutti: unknown command ${JSON.stringify(cmd)}; see 'tutti --help'`);
      return USAGE_EXIT_CODE;
  }
}
