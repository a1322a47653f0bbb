import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type FastifyPluginAsyncZod,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { DEFAULT_BITBUCKET_HOSTS, parseBitbucketHostPolicy, type BitbucketHostPolicy } from '../domain/bitbucket-hosts';
import type { AgentRoute } from '../clients/agent-route';
import { AgentGateway } from './agents/gateway';
import { sealSecretsAtRest } from './bootstrap';
import { consoleRoutes, loadConsoleAssets } from './console';
import type { WorkerWork } from '../domain/run-work';
import { ServerContext, type RoutePlugin } from './context';
import { verifyWithBitbucket } from './bitbucketVerification';
import type { CredentialVerifier } from './credentials';
import { DomainError } from './errors';
import { apiKeyRoutes } from './routes/apiKeys';
import { deliveryRoutes } from './routes/deliveries';
import { integrationRepositoryRoutes } from './routes/repositories';
import { healthRoutes } from './routes/health';
import { integrationRoutes } from './routes/integrations';
import { environmentRoutes } from './routes/environment';
import { runRoutes } from './routes/runs';
import { spaceRoutes } from './routes/spaces';
import { moduleRoutes } from './routes/modules';
import { registryRoutes } from './routes/registry';
import { stackRoutes } from './routes/stacks';
import { vcsAgentPoolRoutes } from './routes/vcsAgentPools';
import { SecretBox } from './secrets';
import { DEFAULT_MAX_STATE_BYTES, stateRoutes } from './state/routes';
import type { Database } from './store/database';
import { webhookReceiverRoutes } from './webhooks/receiver';
import { DEFAULT_DELIVERY_RETENTION_SECONDS, keepDeliveriesFor } from './webhooks/retention';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The VCS agents connected to this replica: give it as `agents` to a BitbucketClient whose baseUrl is an
     * integration's private://<pool> apiHost, and every call of that client goes through them.
     */
    vcsAgents: AgentRoute;
  }
}

export interface ControlPlaneOptions {
  db: Database;
  /**
   * Base of webhook URLs, e.g. https://liftgate.example.com (a trailing slash is ignored); a function when it is
   * only known after listening (an ephemeral port).
   */
  publicUrl: string | (() => string);
  /** 32-byte key for the access tokens at rest (see secrets.ts loadEncryptionKey). */
  encryptionKey: Buffer;
  /** How credentials are checked on create/change; defaults to asking Bitbucket (verifyWithBitbucket). */
  verifyCredentials?: CredentialVerifier;
  /**
   * The Bitbucket hosts credential checks may call (`--allowed-bitbucket-hosts`); by default any https host, and
   * hosts on this machine only when the policy says `loopback`.
   */
  allowedBitbucketHosts?: BitbucketHostPolicy;
  /** How long the delivery log keeps an entry (`--delivery-retention`); 30 days by default. */
  deliveryRetentionSeconds?: number;
  /** The built web console (lib/console) to serve at `/`; omitted: API only. */
  consoleDir?: string;
  /** How often connected VCS agents are pinged (a silent one is dropped a ping later). @default 20000 */
  agentPingIntervalMs?: number;
  /** The largest Terraform state a write may carry (`--max-state-bytes`); 32 MiB by default. */
  maxStateBytes?: number;
  /**
   * Called when runs were queued or confirmed (`runs`), so this process's idle workers look at once (they also poll),
   * and when a run that already ended owes a pull request its comment (`feedback`), so they post it at once.
   */
  runsQueued?: (work: WorkerWork) => void;
}

/**
 * Every group of routes, registered in order with `{ context }`. Each is its own encapsulated plugin, so a group
 * may add what only it needs (the webhook receiver its raw-body content-type parser).
 */
const routePlugins: RoutePlugin[] = [
  healthRoutes,
  spaceRoutes,
  apiKeyRoutes,
  integrationRoutes,
  stackRoutes,
  moduleRoutes,
  registryRoutes,
  environmentRoutes,
  runRoutes,
  deliveryRoutes,
  integrationRepositoryRoutes,
  vcsAgentPoolRoutes,
  webhookReceiverRoutes,
];

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
};

/**
 * The control plane as a Fastify plugin: zod validation and serialization, the OpenAPI document, one error
 * handler, and every route. It is registered without encapsulation (like fastify-plugin does) so its error and
 * not-found handlers apply to the whole instance it is registered on.
 */
export const controlPlane: FastifyPluginAsyncZod<ControlPlaneOptions> = async (app, options) => {
  const secrets = new SecretBox(options.encryptionKey);
  await sealSecretsAtRest(options.db, secrets);
  const agents = new AgentGateway(options.db, app.log, { pingIntervalMs: options.agentPingIntervalMs });
  agents.attach(app.server);
  app.addHook('preClose', async () => agents.close());
  app.decorate('vcsAgents', agents);
  const context = new ServerContext(
    options.db,
    options.publicUrl,
    secrets,
    options.verifyCredentials ?? verifyWithBitbucket,
    options.allowedBitbucketHosts ?? parseBitbucketHostPolicy(DEFAULT_BITBUCKET_HOSTS),
    agents,
  );
  app.addHook('onClose', async () => context.reads.close());
  if (options.runsQueued !== undefined) context.onRunsQueued(options.runsQueued);
  keepDeliveriesFor(app, options.db, options.deliveryRetentionSeconds ?? DEFAULT_DELIVERY_RETENTION_SECONDS);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Fastify's own JSON parser (with its prototype-poisoning guards), except that an empty body is no body:
  // clients and curl habitually send Content-Type: application/json on DELETE and bodiless POSTs.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    return parseJson(request, text, done);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const issues = error.validation.map((issue) => ({
        path: [where, ...issue.instancePath.split('/').filter((part) => part !== '')].join('.'),
        message: issue.message ?? 'invalid',
      }));
      return reply.code(400).send({
        error: { code: 'bad_request', message: issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '), details: { issues } },
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: STATUS_CODES[status] ?? 'bad_request', message: error.message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal server error' } });
  });

  // Routes whose only security requirement is bearerAuth authenticate before anything else, so a call without a
  // valid key is a 401 even when its body or parameters are also wrong. Routes that also take Basic (the state
  // server) authenticate in their own plugin.
  app.addHook('onRequest', async (request) => {
    const security = (request.routeOptions.schema as { security?: Record<string, unknown>[] } | undefined)?.security;
    if (security !== undefined && security.length > 0 && security.every((requirement) => 'bearerAuth' in requirement)) {
      await context.authenticate(request);
    }
  });

  // Every answer names its request (see buildApp). API answers carry webhook secrets and other details no cache should
  // keep, and are JSON a browser must not sniff into something else. A route that sets its own Cache-Control (static
  // assets) keeps it.
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } }),
  );

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Liftgate control plane',
        description:
          "Spaces, Bitbucket Data Center integrations, stacks, runs, stacks' environment variables and Terraform state, API keys, and the " +
          'signed webhook receiver.',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A Liftgate API key' },
          basicAuth: {
            type: 'http',
            scheme: 'basic',
            description: "Terraform's http backend: any username, and an API key or a run's one-off state credentials as the password",
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.get('/api/v1/openapi.json', { schema: { summary: 'This OpenAPI document (no authentication)', tags: ['meta'] } }, async () =>
    app.swagger(),
  );

  for (const routes of routePlugins) await app.register(routes, { context });
  await app.register(stateRoutes, { context, maxStateBytes: options.maxStateBytes ?? DEFAULT_MAX_STATE_BYTES });

  if (options.consoleDir !== undefined) {
    const assets = loadConsoleAssets(options.consoleDir);
    if (assets === null) app.log.warn({ consoleDir: options.consoleDir }, 'the web console is not built (run npm run build); serving the API only');
    else await app.register(consoleRoutes, { assets });
  }
};
(controlPlane as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

/** How long the server waits for a client before it closes the connection (all in milliseconds). */
export interface ServerTimeouts {
  /** To receive a request's headers. */
  headersMs: number;
  /** To receive a whole request, body included (a webhook body trickling in byte by byte is cut here). */
  requestMs: number;
  /**
   * A connection with no traffic in either direction, also a kept-alive one between requests. Longer than the idle
   * timeout of common load balancers (60 s), as Fastify's keep-alive default is, so they close first.
   */
  idleMs: number;
}

export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000, idleMs: 72_000 };

export interface BuildAppOptions extends ControlPlaneOptions {
  /** A pino logger (see logging.ts createLogger); omitted: no logging. */
  logger?: FastifyBaseLogger;
  /** Defaults: DEFAULT_SERVER_TIMEOUTS. */
  timeouts?: Partial<ServerTimeouts>;
  /** Serve HTTPS with this certificate (chain) and key, PEM (`liftgate serve --tls-cert/--tls-key`); omitted: HTTP. */
  tls?: { cert: Buffer; key: Buffer };
}

/** A Fastify instance serving the control plane; call `listen` on it, or `inject` in tests. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const timeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...options.timeouts };
  const serverLimits = {
    headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
    connectionsCheckingInterval: Math.max(100, Math.min(1000, timeouts.headersMs / 4)),
  };
  const app = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    // Fastify leaves Node's request and connection timeouts off: a client sending a body one byte at a time would
    // hold its connection forever. Node checks the request and header limits every connectionsCheckingInterval.
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
    keepAliveTimeout: timeouts.idleMs,
    // Terraform only talks to a module registry over HTTPS (SPEC §10); the same limits apply to both servers.
    ...(options.tls === undefined ? { http: serverLimits } : { https: { ...serverLimits, ...options.tls } }),
    // Every request gets an id of the control plane's own, sent back as X-Request-Id and logged as requestId, so a
    // caller's report (a provider diagnostic, a failed curl) leads to the log line. An incoming X-Request-Id is not
    // taken: on the webhook receiver it is Bitbucket's delivery id, which anyone can send.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // 1 MiB, the webhook receiver's limit (SPEC §1); API bodies are far smaller.
    bodyLimit: 1024 * 1024,
    // Requests Fastify refuses before routing (a malformed URL escape) get the API's error shape too.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      void reply.code(error.statusCode ?? 400).send({ error: { code: 'bad_request', message: error.message } });
    },
  }).withTypeProvider<ZodTypeProvider>();
  await app.register(controlPlane, options);
  await app.ready();
  return app;
}
