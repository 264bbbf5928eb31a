// Seeded hostile requests for the API server (issue 8): one generator per family of the fuzzing run
// (malformed JSON, YAML and protobuf; deep nesting; invalid UTF-8; wrong types; bogus selectors, paging and
// watch parameters; garbage patches; odd paths, methods and headers). Pure: the same seed gives the same
// requests. A create that names its object records the name, so a runner can check that no object exists
// that a refused request would have made.

export interface FuzzRequest {
  family: string;
  method: string;
  /** Raw path and query, sent as is (never normalised). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The namespace/name this request would create, when it is a create. */
  creates?: { list: string; name: string };
}

/** xorshift32: small, fast and deterministic; quality is plenty for picking cases. */
export function fuzzRandom(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, n: number) => Math.floor(r() * n);

export const FUZZ_NAMESPACE = 'fuzz';
const NS = `/api/v1/namespaces/${FUZZ_NAMESPACE}`;
const LISTS = {
  configmaps: `${NS}/configmaps`,
  pods: `${NS}/pods`,
  services: `${NS}/services`,
  deployments: `/apis/apps/v1/namespaces/${FUZZ_NAMESPACE}/deployments`,
  secrets: `${NS}/secrets`,
};
/** Objects the runner creates first, so that gets, patches and deletes have targets. */
export const FUZZ_SEEDS: Array<{ list: string; body: unknown }> = [
  { list: LISTS.configmaps, body: { metadata: { name: 'seed' }, data: { a: '1' } } },
  {
    list: LISTS.deployments,
    body: {
      metadata: { name: 'seed' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'seed' } },
        template: { metadata: { labels: { app: 'seed' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
      },
    },
  },
];

const WEIRD_VALUES: readonly unknown[] = [
  '3',
  1.5,
  true,
  {},
  [1],
  [null],
  null,
  1e308,
  -1,
  2 ** 31,
  -(2 ** 63),
  '',
  'x'.repeat(300),
  { a: { b: [] } },
  [[[]]],
  '\u0000',
  '2026-13-45T99:99:99Z',
  '1.5.5Gi',
];

function deployment(name: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'c', image: 'busybox', resources: { limits: { cpu: '100m' } }, ports: [{ containerPort: 80 }] },
          ],
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
      },
    },
  };
}

function pod(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [{ name: 'c', image: 'busybox', env: [{ name: 'A', value: 'b' }] }],
      tolerations: [{ key: 'k', operator: 'Exists' }],
      activeDeadlineSeconds: 30,
    },
  };
}

function configMap(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { a: 'b' } }, data: { k: 'v' } };
}

function service(name: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80, targetPort: 8080 }] } };
}

/** Every dotted path to a value in `obj`. */
function leafPaths(obj: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  if (obj === null || typeof obj !== 'object') {
    out.push(prefix);
    return out;
  }
  out.push(prefix);
  for (const [k, v] of Object.entries(obj)) leafPaths(v, [...prefix, k], out);
  return out;
}

function setPath(obj: unknown, path: string[], value: unknown): void {
  let o = obj as Record<string, unknown>;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    // An earlier mutation may have replaced a parent with a scalar.
    if (next === null || typeof next !== 'object') return;
    o = next as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = value;
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const JSON_CT = { 'Content-Type': 'application/json' };

const KINDS: Array<[keyof typeof LISTS, (n: string) => Record<string, unknown>]> = [
  ['deployments', deployment],
  ['pods', pod],
  ['configmaps', configMap],
  ['services', service],
];

function wrongTypes(r: Rng, i: number): FuzzRequest {
  const [list, make] = pick(r, KINDS);
  const name = `wt-${i}`;
  const obj = make(name);
  const paths = leafPaths(obj).filter(
    (p) => p.length > 0 && !(p.length === 2 && p[0] === 'metadata' && p[1] === 'name'),
  );
  for (let n = 0; n < 1 + int(r, 2); n++) setPath(obj, pick(r, paths), pick(r, WEIRD_VALUES));
  return {
    family: 'wrong-types',
    method: 'POST',
    path: LISTS[list],
    headers: JSON_CT,
    body: json(obj),
    creates: { list: LISTS[list], name },
  };
}

function malformedJson(r: Rng, i: number): FuzzRequest {
  const name = `mj-${i}`;
  const text = JSON.stringify(configMap(name));
  const variants = [
    text.slice(0, int(r, text.length)),
    `${text}}`,
    text.replace(':', ''),
    '{"metadata":',
    '',
    'null',
    '[]',
    '"str"',
    '1e999',
    '{"a":1,"a":2}',
    text.replace('"v"', '"\\ud800"'),
    `{"metadata":{"name":"${name}"},"data":{"k":"v"}} trailing`,
  ];
  return {
    family: 'malformed-json',
    method: 'POST',
    path: LISTS.configmaps,
    headers: JSON_CT,
    body: Buffer.from(pick(r, variants)),
    creates: { list: LISTS.configmaps, name },
  };
}

function yamlBodies(r: Rng, i: number): FuzzRequest {
  const name = `y-${i}`;
  const depth = pick(r, [300, 1000, 2000, 5000]);
  const variants = [
    `${'['.repeat(depth)}${']'.repeat(depth)}`,
    `${'{a: '.repeat(Math.min(depth, 1500))}1${'}'.repeat(Math.min(depth, 1500))}`,
    `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n`,
    `metadata:\n  name: ${name}\ndata:\n  k: [unclosed\n`,
    `metadata:\n  name: ${name}\ndata: !!binary AAAA\n`,
    `metadata:\n  name: ${name}\n  labels: 7\n`,
    `---\nmetadata: {name: ${name}}\n---\nmetadata: {name: ${name}-b}\n`,
    `metadata:\n\tname: ${name}\n`,
    `${'- '.repeat(300)}x\n`,
  ];
  const apply = r() < 0.4;
  return {
    family: 'yaml',
    method: apply ? 'PATCH' : 'POST',
    path: apply ? `${LISTS.configmaps}/${name}?fieldManager=fuzz` : LISTS.configmaps,
    headers: { 'Content-Type': apply ? 'application/apply-patch+yaml' : 'application/yaml' },
    body: Buffer.from(pick(r, variants)),
    creates: { list: LISTS.configmaps, name },
  };
}

function protobuf(r: Rng, i: number): FuzzRequest {
  const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
  const junk = Buffer.alloc(int(r, 200));
  for (let k = 0; k < junk.length; k++) junk[k] = int(r, 256);
  const variants = [
    junk,
    Buffer.concat([magic, junk]),
    Buffer.concat([magic, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])]),
    Buffer.concat([
      magic,
      Buffer.from([0x0a, 0x08, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x02, 0x43, 0x4d, 0x12, 0x03, 0x0a, 0x01]),
    ]),
    magic,
  ];
  return {
    family: 'protobuf',
    method: 'POST',
    path: LISTS.configmaps,
    headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
    body: pick(r, variants),
    creates: { list: LISTS.configmaps, name: `pb-${i}` },
  };
}

export interface FuzzOptions {
  /** Adds the million-level JSON bodies of the original run (seconds each to parse: long runs only). */
  millionDeep?: boolean;
}

function deepJson(r: Rng, i: number, o: FuzzOptions): FuzzRequest {
  const name = `dj-${i}`;
  const depth = pick(r, o.millionDeep ? [257, 1000, 10_000, 100_000, 1_000_000] : [257, 1000, 10_000, 100_000]);
  const open = pick(r, ['[', '{"a":']);
  const close = open === '[' ? ']' : '}';
  const inner = open === '[' ? '' : '1';
  const n = open === '[' ? depth : Math.min(depth, 500_000);
  const deep = `${open.repeat(n)}${inner}${close.repeat(n)}`;
  const where = int(r, 4);
  if (where === 0) {
    return {
      family: 'deep-json',
      method: 'POST',
      path: LISTS.configmaps,
      headers: JSON_CT,
      body: Buffer.from(`{"metadata":{"name":"${name}"},"data":${deep}}`),
      creates: { list: LISTS.configmaps, name },
    };
  }
  const type = pick(r, [
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/json-patch+json',
  ]);
  const body =
    type === 'application/json-patch+json' ? `[{"op":"add","path":"/data","value":${deep}}]` : `{"data":${deep}}`;
  return {
    family: 'deep-json',
    method: 'PATCH',
    path: `${LISTS.configmaps}/seed`,
    headers: { 'Content-Type': type },
    body: Buffer.from(body),
  };
}

function invalidUtf8(r: Rng, i: number): FuzzRequest {
  const name = `u-${i}`;
  const bad = pick(r, [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0x28], [0xed, 0xa0, 0x80]]);
  const [a, b] = [`{"metadata":{"name":"${name}"},"data":{"k":"`, '"}}'];
  const type = pick(r, ['application/json', 'application/yaml']);
  return {
    family: 'invalid-utf8',
    method: 'POST',
    path: LISTS.configmaps,
    headers: { 'Content-Type': type },
    body: Buffer.concat([Buffer.from(a), Buffer.from(bad), Buffer.from(b)]),
    creates: { list: LISTS.configmaps, name },
  };
}

const SELECTORS = [
  'a=b',
  'a in (b,c)',
  '!!!',
  'a=',
  '=b',
  'a notin',
  'x'.repeat(5000),
  'a,b,c,,',
  'metadata.name=seed',
  'spec.nodeName=',
  'bogus.field=1',
  'a%zz',
  '(',
  'a==b==c',
  'a!=b,c in (d',
];

function selectors(r: Rng): FuzzRequest {
  const list = pick(r, Object.values(LISTS));
  const key = pick(r, ['labelSelector', 'fieldSelector']);
  return {
    family: 'selectors',
    method: 'GET',
    path: `${list}?${key}=${encodeURIComponent(pick(r, SELECTORS))}`,
    headers: {},
  };
}

function paging(r: Rng): FuzzRequest {
  const list = pick(r, [...Object.values(LISTS), '/api/v1/services', '/api/v1/secrets']);
  const forged = (t: unknown) => Buffer.from(JSON.stringify(t)).toString('base64url');
  const cont = pick(r, [
    forged({ rv: 0, start: '/registry/' }),
    forged({ v: 'meta.k8s.io/v1', rv: 1, start: '../../' }),
    forged({ v: 'meta.k8s.io/v1', rv: 1e15, start: 'a' }),
    forged({ v: 'meta.k8s.io/v1', rv: 1, start: 'a' }),
    forged([]),
    '%%%',
    'AAAA',
    '',
  ]);
  const limit = pick(r, ['1', '1.5', '-1', '0', 'abc', '1e3', '99999999999999999999', '']);
  const q = r() < 0.5 ? `limit=${limit}` : `limit=${limit}&continue=${cont}`;
  return { family: 'paging', method: 'GET', path: `${list}?${q}`, headers: {} };
}

function watches(r: Rng): FuzzRequest {
  const list = pick(r, Object.values(LISTS));
  const rv = pick(r, ['', '0', '1', 'abc', '-1', '99999999999', '1.5', '%ff']);
  const extra = pick(r, [
    '',
    '&allowWatchBookmarks=true',
    '&timeoutSeconds=abc',
    '&timeoutSeconds=-5',
    '&sendInitialEvents=true',
  ]);
  const watch = pick(r, ['watch=true', 'watch=1', 'watch=yes']);
  return {
    family: 'watch',
    method: 'GET',
    path: `${list}?${watch}&timeoutSeconds=1&resourceVersion=${rv}${extra}`,
    headers: {},
  };
}

function patches(r: Rng, i: number): FuzzRequest {
  const type = pick(r, [
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/json-patch+json',
    'application/apply-patch+yaml',
    'application/bogus-patch',
  ]);
  const target = pick(r, [
    `${LISTS.configmaps}/seed`,
    `${LISTS.deployments}/seed`,
    `${LISTS.deployments}/seed/scale`,
    `${LISTS.deployments}/seed/status`,
    `${LISTS.configmaps}/missing-${i}`,
  ]);
  const docs = [
    '',
    'garbage',
    '[]',
    '{}',
    'null',
    '[{"op":"remove","path":"/metadata"}]',
    '[{"op":"replace","path":"/spec/replicas","value":"7"}]',
    '[{"op":"add","path":"/a/b/c/d","value":1}]',
    '[{"op":"move","from":"/spec","path":"/spec/template"}]',
    '[{"op":"test","path":"/","value":1}]',
    '[{"op":"copy","from":"/metadata","path":"/data/x"}]',
    '{"spec":{"replicas":[1]}}',
    '{"spec":{"replicas":1e308}}',
    '{"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}}',
    '{"$patch":"replace"}',
    '{"metadata":{"name":"other"}}',
    '{"metadata":{"namespace":"kube-system"}}',
    '{"spec":{"template":{"spec":{"tolerations":-1}}}}',
    '{"data":{"k":5}}',
    '{"$setElementOrder/containers":[{"name":1}]}',
  ];
  return {
    family: 'patches',
    method: 'PATCH',
    path: type === 'application/apply-patch+yaml' ? `${target}?fieldManager=fuzz` : target,
    headers: { 'Content-Type': type },
    body: Buffer.from(pick(r, docs)),
  };
}

function oddPaths(r: Rng, i: number): FuzzRequest {
  const paths = [
    `${NS}/pods/..`,
    `${NS}/pods/%2e%2e`,
    `${NS}/configmaps/.`,
    `${NS}/configmaps/`,
    `${NS}/configmaps//`,
    '/api/v1/secrets/kube-system%2Fhidden',
    `${NS}/configmaps/%E0%A4%A`,
    `${NS}/configmaps/%ff`,
    `${NS}/configmaps/%`,
    '/api/v1/namespaces/%2e%2e/pods',
    '/apis/apps',
    '/apis/apps/v1/../../api/v1/secrets',
    '/api/v1/namespaces/fuzz/pods/x/status/extra/more',
    '/api/v1/namespaces/fuzz/configmaps/seed/bogus',
    '/api//v1/pods',
    '/apis//v1/pods',
    `/api/v1/namespaces/fuzz/configmaps/${'a'.repeat(300)}`,
    '/api/v1/nodes/x/proxy',
    '/openapi/v3/apis/bogus/v1',
    '/../../etc/passwd',
    '/api/v1/namespaces/fuzz/pods/x/log?follow=true',
    '*',
  ];
  const method = pick(r, ['GET', 'DELETE', 'PUT', 'POST', 'PATCH']);
  const body = method === 'GET' || method === 'DELETE' ? undefined : json(configMap(`op-${i}`));
  return { family: 'odd-paths', method, path: pick(r, paths), headers: body ? JSON_CT : {}, body };
}

function methods(r: Rng): FuzzRequest {
  const method = pick(r, ['OPTIONS', 'TRACE', 'CONNECT', 'PROPFIND', 'HEAD', 'PURGE', 'LINK', 'M-SEARCH']);
  const path = pick(r, ['/api', '/apis/apps', LISTS.configmaps, `${LISTS.configmaps}/seed`, '/version', '/healthz']);
  return { family: 'methods', method, path: method === 'CONNECT' ? '127.0.0.1:1' : path, headers: {} };
}

function headers(r: Rng, i: number): FuzzRequest {
  const name = `h-${i}`;
  const variants: Record<string, string>[] = [
    { 'Content-Type': 'text/plain' },
    { 'Content-Type': 'application/json; charset=latin1' },
    { 'Content-Type': 'application/xml' },
    { 'Content-Type': '' },
    { 'Content-Type': 'multipart/form-data; boundary=x' },
    { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    { Accept: 'application/vnd.kubernetes.protobuf' },
    { Accept: 'text/html' },
    { 'Content-Encoding': 'gzip', 'Content-Type': 'application/json' },
    { 'X-Long': 'x'.repeat(8000), 'Content-Type': 'application/json' },
    { 'Content-Type': 'application/yaml', 'Transfer-Encoding': 'chunked' },
  ];
  return {
    family: 'headers',
    method: 'POST',
    path: LISTS.configmaps,
    headers: pick(r, variants),
    body: json(configMap(name)),
    creates: { list: LISTS.configmaps, name },
  };
}

function valid(r: Rng, i: number): FuzzRequest {
  const [list, make] = pick(r, KINDS);
  const name = `ok-${i}`;
  return {
    family: 'valid',
    method: 'POST',
    path: LISTS[list],
    headers: JSON_CT,
    body: json(make(name)),
    creates: { list: LISTS[list], name },
  };
}

const FAMILIES: Array<(r: Rng, i: number, o: FuzzOptions) => FuzzRequest> = [
  wrongTypes,
  wrongTypes,
  malformedJson,
  yamlBodies,
  protobuf,
  deepJson,
  invalidUtf8,
  selectors,
  paging,
  watches,
  patches,
  patches,
  oddPaths,
  methods,
  headers,
  valid,
];

/** The i-th request of a run: deterministic in (seed, i). */
export function fuzzRequest(seed: number, i: number, o: FuzzOptions = {}): FuzzRequest {
  const r = fuzzRandom(seed * 1_000_003 + i * 7919 + 1);
  r();
  return pick(r, FAMILIES)(r, i, o);
}

/** Raw HTTP/1.1 request bytes that node's client refuses to send: bad lines, headers, pipelines. */
export function rawFuzzRequest(seed: number, i: number, token: string): { family: string; bytes: Buffer } {
  const r = fuzzRandom(seed * 7_000_003 + i * 104_729 + 3);
  r();
  const auth = `Host: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n`;
  const ok = `GET /api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps/seed HTTP/1.1\r\n${auth}\r\n`;
  const variants = [
    'GET /healthz\r\n',
    'GET / HTTP/1.2\r\nHost: x\r\n\r\n',
    'GET / HTTP/2.0\r\nHost: x\r\n\r\n',
    `GET / HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n`,
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(17_000)}\r\n\r\n`,
    `GET /${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `${ok}${ok}BROKEN\u0001 / HTTP/1.1\r\n\r\n`,
    `${ok}POST /api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps HTTP/1.1\r\n${auth}Connection: close\r\nContent-Length: 5\r\n\r\n{"a":`,
    '\u0016\u0003\u0001garbage\r\n\r\n',
    `POST /api/v1/namespaces/${FUZZ_NAMESPACE}/configmaps HTTP/1.1\r\n${auth}Transfer-Encoding: chunked\r\n\r\nzz\r\n`,
  ];
  return { family: 'raw-http', bytes: Buffer.from(pick(r, variants), 'latin1') };
}
