// `tutti agent`: joins a node to a server. The node agent itself is being built (issue: node agent).
export async function runAgent(_argv: string[]): Promise<number> {
  console.error('tutti agent: the node agent is not available in this build yet');
  return 1;
}
