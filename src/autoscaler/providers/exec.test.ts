// The exec provider against a real script: the calls it makes, the environment the script sees, its
// list output, and failures and timeouts reported with the script's stderr.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeObjectFor } from '../template.js';
import { group } from '../testing/fixtures.js';
import { ExecProvider, labelsFlag, taintsFlag } from './exec.js';

let dir: string;
let script: string;
const signal = () => AbortSignal.timeout(10_000);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-exec-provider-'));
  script = join(dir, 'provider.sh');
  writeFileSync(
    script,
    `#!/bin/sh
# Records each call; MODE picks how it behaves.
echo "$TUTTI_ACTION|$1|$TUTTI_NODE_GROUP|$TUTTI_NODE_NAME|$TUTTI_NODE_LABELS|$TUTTI_NODE_TAINTS|$EXTRA" >> "${dir}/calls"
[ -n "$TUTTI_NODE_TEMPLATE" ] && printf '%s' "$TUTTI_NODE_TEMPLATE" > "${dir}/template.json"
case "$MODE" in
  fail) echo "quota exceeded for $TUTTI_NODE_NAME" >&2; exit 3 ;;
  hang) sleep 30 & wait ;;
esac
if [ "$TUTTI_ACTION" = list ]; then printf '# machines\\ngpu-aaaaa\\n\\ngpu-bbbbb\\n'; fi
exit 0
`,
  );
  chmodSync(script, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const calls = () =>
  readFileSync(join(dir, 'calls'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('|'));

test('create, list and delete run the commands with the node in the environment', async () => {
  const g = group('gpu', {
    template: { labels: { accel: 'gpu' }, taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] },
  });
  const p = new ExecProvider({
    create: [script, 'create-arg'],
    delete: [script, 'delete-arg'],
    list: [script, 'list-arg'],
    env: { EXTRA: 'x' },
  });
  await p.createNode(
    { name: 'gpu-abcde', group: 'gpu', template: g.template, node: nodeObjectFor(g, 'gpu-abcde') },
    signal(),
  );
  assert.deepEqual(await p.listNodes('gpu', signal()), ['gpu-aaaaa', 'gpu-bbbbb']);
  await p.deleteNode('gpu', 'gpu-abcde', signal());
  const labels =
    'kubernetes.io/os=linux,kubernetes.io/arch=amd64,accel=gpu,kubernetes.io/hostname=gpu-abcde,autoscaling.tutti.io/node-group=gpu';
  assert.deepEqual(calls(), [
    ['create', 'create-arg', 'gpu', 'gpu-abcde', labels, 'nvidia.com/gpu=true:NoSchedule', 'x'],
    ['list', 'list-arg', 'gpu', '', '', '', 'x'],
    ['delete', 'delete-arg', 'gpu', 'gpu-abcde', '', '', 'x'],
  ]);
  const template = JSON.parse(readFileSync(join(dir, 'template.json'), 'utf8'));
  assert.deepEqual(template.capacity, { cpu: '4', memory: '8Gi', pods: '110' });
  assert.equal(template.labels['autoscaling.tutti.io/node-group'], 'gpu');
  assert.deepEqual(template.taints, [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }]);
});

test('a failing command rejects with its exit code and stderr', async () => {
  const g = group('gpu');
  const p = new ExecProvider({ create: [script], delete: [script], env: { MODE: 'fail' } });
  await assert.rejects(
    p.createNode({ name: 'gpu-x', group: 'gpu', template: g.template, node: nodeObjectFor(g, 'gpu-x') }, signal()),
    /exec provider create: exit code 3: quota exceeded for gpu-x/,
  );
  assert.deepEqual(await p.listNodes('gpu', signal()), [], 'without a list command: what it made, nothing here');
});

test('a command over its timeout, or aborted, is killed with its children', async () => {
  const g = group('gpu');
  const p = new ExecProvider({ create: [script], delete: [script], env: { MODE: 'hang' }, timeoutMs: 300 });
  const t0 = Date.now();
  await assert.rejects(
    p.createNode({ name: 'gpu-y', group: 'gpu', template: g.template, node: nodeObjectFor(g, 'gpu-y') }, signal()),
    /exec provider create: timed out after 300 ms/,
  );
  assert.ok(Date.now() - t0 < 5000);
  const q = new ExecProvider({ create: [script], delete: [script], env: { MODE: 'hang' } });
  await assert.rejects(
    q.deleteNode('gpu', 'gpu-y', AbortSignal.timeout(200)),
    /timed out \(aborted by the autoscaler\)/,
  );
});

test('kubelet flag forms', () => {
  assert.equal(
    taintsFlag([
      { key: 'a', effect: 'NoSchedule' },
      { key: 'b', value: 'v', effect: 'NoExecute' },
    ]),
    'a:NoSchedule,b=v:NoExecute',
  );
  assert.equal(labelsFlag({ a: '1', 'x/y': 'z' }), 'a=1,x/y=z');
});
