// A thin promise wrapper over the two CRI gRPC services on a unix socket. Errors become RuntimeError with a
// kind mapped from the gRPC status code so callers never look at gRPC types.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { RuntimeError, type RuntimeErrorKind } from '../runtime.js';

const PROTO_PATH = fileURLToPath(new URL('./api.proto', import.meta.url));

type UnaryCallback = (err: grpc.ServiceError | null, res: unknown) => void;
type UnaryMethod = (req: object, meta: grpc.Metadata, opts: grpc.CallOptions, cb: UnaryCallback) => void;
type ServiceClient = grpc.Client & Record<string, UnaryMethod>;
type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials, opts?: grpc.ClientOptions) => ServiceClient;

let cachedServices: { runtime: ServiceCtor; image: ServiceCtor } | undefined;

function loadServices(): { runtime: ServiceCtor; image: ServiceCtor } {
  if (cachedServices) return cachedServices;
  const def = protoLoader.loadSync(PROTO_PATH, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    runtime: { v1: { RuntimeService: ServiceCtor; ImageService: ServiceCtor } };
  };
  cachedServices = { runtime: pkg.runtime.v1.RuntimeService, image: pkg.runtime.v1.ImageService };
  return cachedServices;
}

function errorKind(code: grpc.status | undefined): RuntimeErrorKind {
  switch (code) {
    case grpc.status.NOT_FOUND:
      return 'notFound';
    case grpc.status.UNAVAILABLE:
      return 'unavailable';
    case grpc.status.DEADLINE_EXCEEDED:
      return 'deadlineExceeded';
    case grpc.status.UNIMPLEMENTED:
      return 'unimplemented';
    default:
      return 'failed';
  }
}

/** `unix:///run/x.sock`, `/run/x.sock` and `unix:/run/x.sock` all name the same socket. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint;
  if (endpoint.startsWith('unix:')) return `unix://${endpoint.slice('unix:'.length)}`;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  return endpoint;
}

export interface CriClientOptions {
  /** Deadline for ordinary calls; image pulls and ExecSync get their own. */
  timeoutMs?: number;
}

export class CriClient {
  private readonly runtime: ServiceClient;
  private readonly image: ServiceClient;
  readonly timeoutMs: number;

  constructor(endpoint: string, opts: CriClientOptions = {}) {
    const services = loadServices();
    const target = grpcTarget(endpoint);
    const creds = grpc.credentials.createInsecure();
    // Both services share one channel: grpc-js pools subchannels by target and options.
    this.runtime = new services.runtime(target, creds, { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
    this.image = new services.image(target, creds, { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
    this.timeoutMs = opts.timeoutMs ?? 120_000;
  }

  /** Calls a RuntimeService method. */
  call<T>(method: string, req: object, timeoutMs = this.timeoutMs): Promise<T> {
    return unary<T>(this.runtime, method, req, timeoutMs);
  }

  /** Calls an ImageService method. */
  callImage<T>(method: string, req: object, timeoutMs = this.timeoutMs): Promise<T> {
    return unary<T>(this.image, method, req, timeoutMs);
  }

  close(): void {
    this.runtime.close();
    this.image.close();
  }
}

function unary<T>(client: ServiceClient, method: string, req: object, timeoutMs: number): Promise<T> {
  const fn = client[method];
  if (typeof fn !== 'function') return Promise.reject(new RuntimeError('unimplemented', method, 'not in api.proto'));
  return new Promise<T>((resolve, reject) => {
    fn.call(client, req, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) reject(new RuntimeError(errorKind(err.code), method, err.details || err.message));
      else resolve(res as T);
    });
  });
}
