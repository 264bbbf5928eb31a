// Audit logging through the real `tutti server` with an upstream-format policy: levels per rule (None,
// Metadata, Request, RequestResponse), omitted stages, the events' fields, a forbidden request, impersonation,
// the Audit-Id header, size rotation, and a bad policy file refused at start.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { auditLevelOf, validateAuditPolicy } from '../apiserver/audit/index.js';
import { startTestServer, type TestServer } from './harness.js';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  - level: None
    nonResourceURLs: ["/api*", "/version"]
  - level: RequestResponse
    resources: [{group: "", resources: ["configmaps"]}]
  - level: Request
    verbs: ["create", "update", "patch"]
    resources: [{group: "", resources: ["secrets"]}]
  - level: None
    resources: [{group: "", resources: ["secrets"]}]
  - level: Metadata
`;

interface AuditEvent {
  level: string;
  stage: string;
  verb: string;
  auditID: string;
  requestURI: string;
  user: { username: string; groups: string[] };
  impersonatedUser?: { username: string };
  objectRef?: { resource: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus: { code: number; reason?: string; message?: string };
  requestObject?: { data?: Record<string, string> };
  responseObject?: { metadata?: { name?: string } };
  annotations: Record<string, string>;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

describe('audit log', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-audit-'));
  const log = join(dir, 'audit.log');
  let s: TestServer;
  before(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    s = await startTestServer({
      args: [
        '--audit-policy-file',
        join(dir, 'policy.yaml'),
        '--audit-log-path',
        log,
        '--audit-log-maxsize',
        '0.05',
        '--audit-log-maxbackup',
        '2',
      ],
    });
  });
  after(async () => {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const events = (): AuditEvent[] =>
    [log, `${log}.1`, `${log}.2`]
      .flatMap((f) => {
        try {
          return readFileSync(f, 'utf8').trim().split('\n');
        } catch {
          return [];
        }
      })
      .filter((l) => l)
      .map((l) => JSON.parse(l));

  it('records each request at the level of its first matching rule', async () => {
    const cm = await s.request('POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'audited' },
      data: { k: 'v' },
    });
    assert.equal(cm.status, 201);
    const auditId = cm.headers['audit-id'] as string;
    assert.match(auditId, /^[0-9a-f-]{36}$/);
    await s.request('POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 'pw' }, data: { p: 'eA==' } });
    await s.request('GET', '/api/v1/namespaces/default/secrets/pw');
    await s.request('GET', '/api/v1/namespaces/default/pods');
    await s.request('GET', '/api/v1/namespaces/default/pods', undefined, { 'Impersonate-User': 'mallory' });
    await s.request('GET', '/version');
    await new Promise((r) => setTimeout(r, 200));
    const all = events();
    assert.ok(
      all.every((e) => e.stage === 'ResponseComplete'),
      'RequestReceived is omitted',
    );
    const create = all.find((e) => e.auditID === auditId)!;
    assert.equal(create.level, 'RequestResponse');
    assert.equal(create.verb, 'create');
    assert.deepEqual(create.objectRef, { resource: 'configmaps', namespace: 'default' });
    assert.equal(create.user.username, 'system:admin');
    assert.ok(create.user.groups.includes('system:masters'));
    assert.equal(create.responseStatus.code, 201);
    assert.deepEqual(create.requestObject?.data, { k: 'v' });
    assert.equal(create.responseObject?.metadata?.name, 'audited');
    assert.equal(create.annotations['authorization.k8s.io/decision'], 'allow');
    assert.ok(Date.parse(create.stageTimestamp) >= Date.parse(create.requestReceivedTimestamp));

    const secretCreate = all.find((e) => e.objectRef?.resource === 'secrets' && e.verb === 'create')!;
    assert.equal(secretCreate.level, 'Request');
    assert.equal(secretCreate.requestObject?.data?.p, 'eA==');
    assert.equal(secretCreate.responseObject, undefined, 'Request level has no response object');
    assert.ok(!all.some((e) => e.objectRef?.resource === 'secrets' && e.verb === 'get'), 'secret reads are None');
    assert.ok(!all.some((e) => e.requestURI === '/version'), 'non-resource None rule');

    const list = all.find((e) => e.verb === 'list' && e.user.username === 'system:admin' && !e.impersonatedUser)!;
    assert.equal(list.level, 'Metadata');
    assert.equal(list.requestObject, undefined);
    const denied = all.find((e) => e.impersonatedUser?.username === 'mallory')!;
    assert.equal(denied.user.username, 'system:admin', 'the real user, and the one impersonated');
    assert.equal(denied.responseStatus.code, 403);
    assert.equal(denied.responseStatus.reason, 'Forbidden');
    assert.match(denied.responseStatus.message!, /User "mallory" cannot list resource "pods"/);
    assert.equal(denied.annotations['authorization.k8s.io/decision'], 'forbid');
  });

  it('rotates the log at its size and keeps maxbackup files', async () => {
    for (let i = 0; i < 60; i++)
      await s.request('POST', '/api/v1/namespaces/default/configmaps', {
        metadata: { name: `bulk-${i}` },
        data: { pad: 'x'.repeat(400) },
      });
    // the last event is written when the server has sent its response: give it a moment
    await new Promise((r) => setTimeout(r, 300));
    const files = readdirSync(dir).filter((f) => f.startsWith('audit.log'));
    assert.deepEqual(files.sort(), ['audit.log', 'audit.log.1', 'audit.log.2']);
    for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 0.05 * 1024 * 1024 + 8192);
    assert.ok(events().some((e) => e.objectRef?.name === 'bulk-59' || e.responseObject?.metadata?.name === 'bulk-59'));
  });

  it('matches rules as upstream and refuses a bad policy', async () => {
    const p = validateAuditPolicy({
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      rules: [
        { level: 'None', users: ['system:kube-proxy'], verbs: ['watch'] },
        { level: 'Request', resources: [{ group: 'apps', resources: ['deployments/scale'] }] },
        { level: 'Metadata', namespaces: ['kube-system'] },
      ],
    });
    const a = {
      user: 'u',
      groups: [],
      verb: 'get',
      resourceRequest: true,
      apiGroup: 'apps',
      resource: 'deployments',
      subresource: 'scale',
      namespace: 'x',
      name: 'd',
      path: '',
    };
    assert.equal(auditLevelOf(p, a).level, 'Request');
    assert.equal(auditLevelOf(p, { ...a, subresource: '' }).level, 'None');
    assert.equal(auditLevelOf(p, { ...a, subresource: '', namespace: 'kube-system' }).level, 'Metadata');
    assert.equal(auditLevelOf(p, { ...a, user: 'system:kube-proxy', verb: 'watch' }).level, 'None');
    assert.throws(
      () => validateAuditPolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Loud' }] }),
      /rules\[0\]\.level/,
    );
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]\n');
    await assert.rejects(
      startTestServer({ args: ['--audit-policy-file', join(dir, 'bad.yaml'), '--audit-log-path', join(dir, 'x.log')] }),
      /rules\[0\]\.level: must be one of/,
    );
  });
});
