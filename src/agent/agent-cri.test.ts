// The node agent on a private containerd (root and the Debian packages needed; skips otherwise).
import { privateContainerdUnavailable } from './runtime-choice.js';
import { agentSuite } from './testing/agent-suite.js';

agentSuite({ runtime: 'cri', skip: privateContainerdUnavailable() });
