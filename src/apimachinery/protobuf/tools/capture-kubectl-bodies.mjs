// Re-captures testdata/: runs real kubectl against a throwaway HTTPS server that records each POST body
// (<name>.bin) and saves kubectl's own `--dry-run=client -o json` of the same command (<name>.json).
//   node src/apimachinery/protobuf/tools/capture-kubectl-bodies.mjs   (needs kubectl and openssl on PATH)
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const testdata = fileURLToPath(new URL('../testdata/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tutti-capture-'));
const run = promisify(execFile);

const openssl = (...args) => execFileSync('openssl', args, { cwd: work, stdio: 'ignore' });
openssl(
  'req',
  '-x509',
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:P-256',
  '-nodes',
  '-keyout',
  'server.key',
  '-out',
  'server.crt',
  '-days',
  '1',
  '-subj',
  '/CN=localhost',
);
openssl(
  'req',
  '-x509',
  '-newkey',
  'rsa:2048',
  '-nodes',
  '-keyout',
  'tls.key',
  '-out',
  'tls.crt',
  '-days',
  '1',
  '-subj',
  '/CN=web',
);

// Commands sending protobuf bodies; job-from-cronjob and autoscale first GET the canned objects below.
const commands = {
  deployment: ['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=80'],
  'deployment-multi': [
    'create',
    'deployment',
    'multi',
    '--image=nginx:1.27',
    '--image=redis',
    '--replicas=0',
    '-n',
    'team',
  ],
  namespace: ['create', 'namespace', 'dev'],
  configmap: ['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two'],
  'secret-generic': ['create', 'secret', 'generic', 'sec', '--from-literal=user=admin', '--from-literal=pass=s3cr3t'],
  'secret-tls': ['create', 'secret', 'tls', 'tlssec', '--cert=tls.crt', '--key=tls.key'],
  'secret-docker': [
    'create',
    'secret',
    'docker-registry',
    'reg',
    '--docker-server=reg.example.com',
    '--docker-username=u',
    '--docker-password=p',
    '--docker-email=e@x.io',
  ],
  'service-clusterip': ['create', 'service', 'clusterip', 'svc', '--tcp=80:8080', '--tcp=443'],
  'service-nodeport': ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080'],
  'service-headless': ['create', 'service', 'clusterip', 'headless', '--clusterip=None'],
  job: ['create', 'job', 'pi', '--image=perl', '--', 'perl', '-e', 'print 1'],
  cronjob: ['create', 'cronjob', 'nightly', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'],
  'job-from-cronjob': ['create', 'job', 'manual', '--from=cronjob/nightly'],
  autoscale: ['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'],
  serviceaccount: ['create', 'serviceaccount', 'robot'],
  quota: ['create', 'quota', 'q', '--hard=cpu=1,memory=1G,pods=2'],
  role: ['create', 'role', 'reader', '--verb=get,list', '--resource=pods'],
  clusterrolebinding: ['create', 'clusterrolebinding', 'crb', '--clusterrole=view', '--user=alice'],
  pdb: ['create', 'pdb', 'pdb1', '--selector=app=web', '--min-available=1'],
  priorityclass: ['create', 'priorityclass', 'high', '--value=1000', '--description=important'],
  ingress: ['create', 'ingress', 'ing', '--rule=foo.com/bar=svc1:8080,tls=my-cert'],
};

const resources = {
  v1: [
    ['namespaces', 'Namespace', false],
    ['configmaps', 'ConfigMap', true],
    ['secrets', 'Secret', true],
    ['services', 'Service', true],
    ['serviceaccounts', 'ServiceAccount', true],
    ['resourcequotas', 'ResourceQuota', true],
    ['pods', 'Pod', true],
  ],
  'apps/v1': [
    ['deployments', 'Deployment', true],
    ['deployments/scale', 'Scale', true],
  ],
  'batch/v1': [
    ['jobs', 'Job', true],
    ['cronjobs', 'CronJob', true],
  ],
  'autoscaling/v2': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true]],
  'autoscaling/v1': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true]],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true],
    ['clusterroles', 'ClusterRole', false],
    ['rolebindings', 'RoleBinding', true],
    ['clusterrolebindings', 'ClusterRoleBinding', false],
  ],
  'policy/v1': [['poddisruptionbudgets', 'PodDisruptionBudget', true]],
  'scheduling.k8s.io/v1': [['priorityclasses', 'PriorityClass', false]],
  'networking.k8s.io/v1': [['ingresses', 'Ingress', true]],
};
const canned = {
  deployments: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
    },
  },
  cronjobs: {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly', namespace: 'default', uid: 'u2' },
    spec: {
      schedule: '0 0 * * *',
      jobTemplate: {
        metadata: {},
        spec: {
          backoffLimit: 2,
          template: {
            metadata: {},
            spec: {
              containers: [
                {
                  name: 'c',
                  image: 'busybox',
                  command: ['sh', '-c', 'date'],
                  resources: { limits: { cpu: '500m', memory: '64Mi' } },
                  ports: [{ containerPort: 8080, protocol: 'TCP' }],
                  env: [{ name: 'A', value: '1' }],
                },
              ],
              restartPolicy: 'OnFailure',
            },
          },
        },
      },
    },
  },
};

let lastBody;
const server = createServer(
  { key: readFileSync(join(work, 'server.key')), cert: readFileSync(join(work, 'server.crt')) },
  (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url, 'https://x').pathname;
      const send = (code, obj) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const gv = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/|$)/.exec(path);
      const groupVersion = gv?.[1] ?? gv?.[2];
      if (path === '/version')
        return send(200, { major: '1', minor: '32', gitVersion: 'v1.32.4', platform: 'linux/amd64' });
      if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
      if (path === '/apis') {
        const groups = new Map();
        for (const key of Object.keys(resources).filter((k) => k.includes('/'))) {
          const [name, version] = key.split('/');
          groups.set(name, [...(groups.get(name) ?? []), { groupVersion: key, version }]);
        }
        return send(200, {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: [...groups].map(([name, versions]) => ({ name, versions, preferredVersion: versions[0] })),
        });
      }
      if (groupVersion && resources[groupVersion] && path.replace(/^\/apis?\//, '') === groupVersion) {
        const list = resources[groupVersion].map(([name, kind, namespaced]) => ({
          name,
          singularName: '',
          namespaced,
          kind,
          verbs: ['create', 'get', 'list'],
        }));
        return send(200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: list });
      }
      const resource = Object.keys(canned).find((r) => path.includes(`/${r}/`));
      if (req.method === 'GET' && resource) return send(200, canned[resource]);
      if (req.method === 'POST') {
        lastBody = Buffer.concat(chunks);
        // kubectl decodes the reply into its typed client, so the kind must be right.
        const plural = path.split('/').at(-1);
        const kind = resources[groupVersion]?.find(([name]) => name === plural)?.[1];
        return send(201, { apiVersion: groupVersion, kind, metadata: { name: 'x' } });
      }
      send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 });
    });
  },
);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = ['--server', `https://127.0.0.1:${server.address().port}`, '--insecure-skip-tls-verify', '--token', 'x'];
const kubectl = (args) => run('kubectl', [...base, '--cache-dir', join(work, 'cache'), ...args], { cwd: work });
try {
  for (const [name, args] of Object.entries(commands)) {
    lastBody = undefined;
    await kubectl(args);
    if (!lastBody) throw new Error(`${name}: no POST recorded`);
    writeFileSync(join(testdata, `${name}.bin`), lastBody);
    const dash = args.indexOf('--');
    const dryArgs = [
      ...(dash < 0 ? args : args.slice(0, dash)),
      '--dry-run=client',
      '-o',
      'json',
      ...(dash < 0 ? [] : args.slice(dash)),
    ];
    writeFileSync(join(testdata, `${name}.json`), (await kubectl(dryArgs)).stdout);
    console.log(name, lastBody.length, 'bytes');
  }
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
