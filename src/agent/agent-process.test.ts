// The node agent on the process runtime: the same suite minus the isolation checks.
import { agentSuite } from './testing/agent-suite.js';

agentSuite({ runtime: 'process', skip: process.platform === 'linux' ? undefined : 'needs Linux' });
