import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_RATE_DEFAULTS, apiRateFlags, apiRateFromFlags, apiRateHelp } from './api-rate.js';
import { UsageError, parseFlags } from './flags.js';

const serverSpec = apiRateFlags(['controller-manager', 'scheduler', 'agent'], true);

test('server flags carry the component name; defaults when unset', () => {
  const args = parseFlags(['--scheduler-kube-api-qps', '300', '--scheduler-kube-api-burst=600'], serverSpec);
  assert.deepEqual(apiRateFromFlags(args, 'scheduler', true), { qps: 300, burst: 600 });
  assert.deepEqual(apiRateFromFlags(args, 'controller-manager', true), API_RATE_DEFAULTS['controller-manager']);
  const help = apiRateHelp(['scheduler'], true);
  assert.match(
    help,
    /--scheduler-kube-api-qps N +requests\/s of the scheduler's API client \(default 2000; 0: no limit\)/,
  );
  assert.match(help, /--scheduler-kube-api-burst N\s+requests it may send at once \(default 4000\)/);
});

test("the agent's flags are the kubelet's names; 0 is no limit; bad values are usage errors", () => {
  const spec = apiRateFlags(['agent'], false);
  assert.deepEqual(apiRateFromFlags(parseFlags(['--kube-api-qps', '0'], spec), 'agent', false), { qps: 0, burst: 100 });
  assert.throws(() => apiRateFromFlags(parseFlags(['--kube-api-qps', '-1'], spec), 'agent', false), UsageError);
  assert.throws(() => apiRateFromFlags(parseFlags(['--kube-api-burst', '0'], spec), 'agent', false), UsageError);
  assert.throws(() => apiRateFromFlags(parseFlags(['--kube-api-burst', '2.5'], spec), 'agent', false), UsageError);
  assert.throws(() => parseFlags(['--scheduler-kube-api-qps', '1'], spec), UsageError);
});
