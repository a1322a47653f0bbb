import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { parseBitbucketHostPolicy } from '../../src/domain/bitbucket-hosts';
import { buildApp, type BuildAppOptions } from '../../src/server/app';
import { ensureRootAdminKey } from '../../src/server/auth/apiKeys';
import type { BitbucketCredentials, CredentialVerifier } from '../../src/server/credentials';
import { createLogger } from '../../src/server/logging';
import { openDatabase, type Database } from '../../src/server/store/database';
import { startPostgres, type PostgresCluster } from '../helpers/postgres';

/** The two store engines every control-plane suite runs against. */
export const ENGINES = ['pglite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | undefined>;
}

/** A request as it reaches the control plane: its path (and query), headers and raw body. */
export interface RawRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** A credential check the tests steer: it records the credentials of every call and fails with `failure` when set. */
export class RecordingVerifier {
  readonly calls: BitbucketCredentials[] = [];
  failure: Error | null = null;
  readonly verify: CredentialVerifier = async ({ apiHost, username, accessToken }) => {
    this.calls.push({ apiHost, username, accessToken });
    if (this.failure !== null) throw this.failure;
  };
}

/**
 * One control plane on one engine, reset to a fresh store (root space + root-admin key) before each test. Requests go
 * through `app.inject()`; a test that needs a real socket (another process or the emulator calling in) asks for
 * `listen()`.
 */
export class TestControlPlane {
  app!: FastifyInstance;
  db!: Database;
  adminKey = '';
  readonly logLines: string[] = [];
  readonly verifier = new RecordingVerifier();
  readonly publicUrl = 'https://liftgate.example.com';
  readonly encryptionKey = Buffer.alloc(32, 7);
  #cluster: PostgresCluster | null = null;
  #url: Promise<string> | undefined;

  constructor(
    readonly engine: Engine,
    /** Options of the app beyond the ones every test uses (e.g. a smaller state size limit). */
    private readonly appOptions: Partial<BuildAppOptions> = {},
  ) {}

  async start(): Promise<void> {
    if (this.engine === 'postgres') {
      this.#cluster = await startPostgres();
      this.db = await openDatabase({ url: await this.#cluster.createDatabase('liftgate') });
    } else {
      this.db = await openDatabase({ dataDir: 'memory://' });
    }
    const logs = this.logLines;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    this.app = await buildApp({
      db: this.db,
      publicUrl: this.publicUrl,
      encryptionKey: this.encryptionKey,
      verifyCredentials: this.verifier.verify,
      // Tests use https hosts and, through the emulator, loopback ones: loopback is opted into, as an operator would.
      allowedBitbucketHosts: parseBitbucketHostPolicy('*,loopback'),
      logger: createLogger({ level: 'trace', destination: sink }),
      ...this.appOptions,
    });
  }

  /** Listens on a free loopback port (once) and answers its base URL. */
  async listen(): Promise<string> {
    this.#url ??= this.app.listen({ host: '127.0.0.1', port: 0 });
    return this.#url;
  }

  /** Empties the store back to what a fresh start has, and makes a new root-admin key. */
  async reset(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('TRUNCATE api_keys, integrations, stacks, spaces CASCADE');
      await tx.query(`INSERT INTO spaces (id, name, description) VALUES ('root', 'root', 'The root of the space tree.')`);
    });
    this.adminKey = ((await ensureRootAdminKey(this.db)) as { secret: string }).secret;
    this.verifier.calls.length = 0;
    this.verifier.failure = null;
    this.logLines.length = 0;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.db?.close();
    await this.#cluster?.stop();
  }

  /** Calls the API as `key` (default: the root-admin key; null: no Authorization header); a string body is sent as is. */
  async request<T = any>(
    method: string,
    path: string,
    options: { body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const key = options.key === undefined ? this.adminKey : options.key;
    const headers: Record<string, string> = { ...options.headers };
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    return this.inject(method, path, headers, body);
  }

  /** Sends exactly these bytes and headers (a webhook delivery as Bitbucket posts it). */
  send(request: RawRequest, method = 'POST'): Promise<ApiResponse> {
    return this.inject(method, request.path, request.headers, request.body);
  }

  private async inject(method: string, path: string, headers: Record<string, string>, body: string | Buffer | undefined): Promise<ApiResponse> {
    const response = await this.app.inject({ method: method as 'GET', url: path, headers, payload: body });
    const text = response.body;
    let parsed: unknown = text === '' ? undefined : text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a static asset); the text is the body.
    }
    const answerHeaders: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(response.headers)) answerHeaders[name] = value === undefined ? undefined : String(value);
    return { status: response.statusCode, body: parsed, headers: answerHeaders };
  }

  /** Creates an API key with these role bindings (as the root admin) and returns its secret. */
  async createKey(roles: { spaceId: string; role: 'read' | 'write' | 'admin' }[], name = 'test key'): Promise<string> {
    const created = await this.request('POST', '/api/v1/api-keys', { body: { name, roles } });
    if (created.status !== 201) throw new Error(`creating a key failed: ${JSON.stringify(created.body)}`);
    return created.body.secret;
  }

  async createSpace(body: Record<string, unknown>, key?: string): Promise<any> {
    const created = await this.request('POST', '/api/v1/spaces', { body, key });
    if (created.status !== 201) throw new Error(`creating a space failed: ${JSON.stringify(created.body)}`);
    return created.body;
  }

  async createIntegration(body: Record<string, unknown>, key?: string): Promise<any> {
    const created = await this.request('POST', '/api/v1/integrations/bitbucket-datacenter', {
      body: { apiHost: 'https://bitbucket.example.com', username: 'svc-liftgate', accessToken: 'test-token', ...body },
      key,
    });
    if (created.status !== 201) throw new Error(`creating an integration failed: ${JSON.stringify(created.body)}`);
    return created.body;
  }

  async createStack(body: Record<string, unknown>, key?: string): Promise<any> {
    const { vcs, ...rest } = body as { vcs?: Record<string, unknown> };
    const created = await this.request('POST', '/api/v1/stacks', {
      body: { name: 'infra', ...rest, vcs: { projectKey: 'PLAT', repositorySlug: 'infra', branch: 'main', ...vcs } },
      key,
    });
    if (created.status !== 201) throw new Error(`creating a stack failed: ${JSON.stringify(created.body)}`);
    return created.body;
  }
}

/**
 * Declares the same suite once per engine (PGlite and PostgreSQL), with one control plane per engine for the
 * whole file, reset before each test.
 */
export function describeEachEngine(
  title: string,
  suite: (server: TestControlPlane) => void,
  appOptions: Partial<BuildAppOptions> = {},
): void {
  describe.each(ENGINES)(`${title} [%s]`, (engine) => {
    const server = new TestControlPlane(engine, appOptions);
    beforeAll(() => server.start(), 60_000);
    afterAll(() => server.stop(), 30_000);
    beforeEach(() => server.reset());
    suite(server);
  });
}
