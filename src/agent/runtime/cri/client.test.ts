// CriRuntime against an in-process fake CRI server on a unix socket: checks the proto loads, requests carry
// the right wire fields, and gRPC errors become RuntimeError kinds (with NotFound on removal being success).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { RuntimeError } from '../runtime.js';
import { grpcTarget } from './client.js';
import { CriRuntime } from './cri-runtime.js';

type Handler = (call: { request: Record<string, unknown> }, cb: grpc.sendUnaryData<object>) => void;
type ServiceDef = { service: grpc.ServiceDefinition };

const requests: Record<string, Record<string, unknown>> = {};
const notFound = (cb: grpc.sendUnaryData<object>) =>
  cb({
    code: grpc.status.NOT_FOUND,
    details: 'an error occurred when try to find sandbox: not found',
  } as grpc.ServiceError);

let dir = '';
let server: grpc.Server;
let rt: CriRuntime;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-cri-fake-'));
  const def = protoLoader.loadSync(fileURLToPath(new URL('./api.proto', import.meta.url)), {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    runtime: { v1: { RuntimeService: ServiceDef; ImageService: ServiceDef } };
  };
  const record =
    (name: string, reply: (req: Record<string, unknown>, cb: grpc.sendUnaryData<object>) => void): Handler =>
    (call, cb) => {
      requests[name] = call.request;
      reply(call.request, cb);
    };
  server = new grpc.Server();
  server.addService(pkg.runtime.v1.RuntimeService.service, {
    Version: record('Version', (_r, cb) =>
      cb(null, { version: '0.1.0', runtime_name: 'fake', runtime_version: '9', runtime_api_version: 'v1' }),
    ),
    RunPodSandbox: record('RunPodSandbox', (_r, cb) => cb(null, { pod_sandbox_id: 'sb1' })),
    PodSandboxStatus: record('PodSandboxStatus', (r, cb) =>
      r.pod_sandbox_id === 'sb1'
        ? cb(null, {
            status: { id: 'sb1', state: 'SANDBOX_READY', created_at: '1000000', network: { ip: '10.42.0.9' } },
          })
        : notFound(cb),
    ),
    RemovePodSandbox: record('RemovePodSandbox', (_r, cb) => notFound(cb)),
    StopContainer: record('StopContainer', (_r, cb) => cb(null, {})),
    ContainerStatus: record('ContainerStatus', (_r, cb) =>
      cb({ code: grpc.status.UNAVAILABLE, details: 'runtime down' } as grpc.ServiceError),
    ),
    ExecSync: record('ExecSync', (_r, cb) =>
      cb(null, { stdout: Buffer.from('out'), stderr: Buffer.from('err'), exit_code: 3 }),
    ),
  });
  server.addService(pkg.runtime.v1.ImageService.service, {
    ImageStatus: record('ImageStatus', (_r, cb) => cb(null, { image: null })),
    PullImage: record('PullImage', (_r, cb) => cb(null, { image_ref: 'sha256:feed' })),
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${join(dir, 'cri.sock')}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  rt = new CriRuntime(join(dir, 'cri.sock'), { timeoutMs: 5000 });
});

after(async () => {
  rt?.close();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

test('endpoints in any unix form name the same socket', () => {
  assert.equal(grpcTarget('/run/c.sock'), 'unix:///run/c.sock');
  assert.equal(grpcTarget('unix:/run/c.sock'), 'unix:///run/c.sock');
  assert.equal(grpcTarget('unix:///run/c.sock'), 'unix:///run/c.sock');
});

test('version and sandbox creation decode replies', async () => {
  assert.deepEqual(await rt.version(), { runtimeName: 'fake', runtimeVersion: '9', runtimeApiVersion: 'v1' });
  const sb = await rt.runPodSandbox({
    metadata: { name: 'p', namespace: 'ns', uid: 'u', attempt: 1 },
    labels: { 'tutti.io/pod-uid': 'u' },
  });
  assert.deepEqual(sb, { id: 'sb1', ip: '10.42.0.9' });
  const sent = requests['RunPodSandbox'] as { config: { metadata: unknown; labels: unknown } };
  assert.deepEqual(sent.config.metadata, { name: 'p', uid: 'u', namespace: 'ns', attempt: 1 });
  assert.deepEqual(sent.config.labels, { 'tutti.io/pod-uid': 'u' });
});

test('NotFound is success for removal and a typed error elsewhere', async () => {
  await rt.removePodSandbox('gone');
  await assert.rejects(rt.podSandboxStatus('gone'), (err: unknown) => {
    assert.ok(err instanceof RuntimeError);
    assert.equal(err.kind, 'notFound');
    assert.equal(err.operation, 'PodSandboxStatus');
    return true;
  });
  await assert.rejects(
    rt.containerStatus('c'),
    (err: unknown) => err instanceof RuntimeError && err.kind === 'unavailable',
  );
  await assert.rejects(rt.listImages(), (err: unknown) => err instanceof RuntimeError && err.kind === 'unimplemented');
});

test('stop timeout, exec results, pull auth and missing images', async () => {
  await rt.stopContainer('c1', 30);
  assert.deepEqual(requests['StopContainer'], { container_id: 'c1', timeout: '30' });
  const r = await rt.execSync('c1', ['sh', '-c', 'exit 3'], 5);
  assert.deepEqual([r.stdout.toString(), r.stderr.toString(), r.exitCode], ['out', 'err', 3]);
  assert.deepEqual(await rt.pullImage('localhost:5000/app:1', { username: 'u', password: 'p' }), {
    imageRef: 'sha256:feed',
  });
  const pull = requests['PullImage'] as { auth: { username: string; password: string }; image: { image: string } };
  assert.deepEqual([pull.image.image, pull.auth.username, pull.auth.password], ['localhost:5000/app:1', 'u', 'p']);
  assert.equal(await rt.imageStatus('nope'), undefined);
});
