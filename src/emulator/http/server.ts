import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { EmulatorActions } from '../actions';
import { BitbucketApiError, errors } from '../errors';
import { ANONYMOUS, type EmulatorModel, type Principal } from '../model';
import type { FaultInjector, FaultSettings, RateLimiter, RateLimitSettings } from '../traffic';
import { BITBUCKET_WEBHOOK_EVENTS } from '../../domain/webhook-events';
import { registerAccessTokenApi } from './access-tokens';
import { registerBuildStatusApi, registerLegacyBuildStatusApi } from './build-status-api';
import { registerContentApi } from './content-api';
import { registerEmulatorApi } from './emulator-api';
import { sendJson } from './helpers';
import { registerPullRequestApi } from './pull-request-api';
import { registerRestApi } from './rest-api';

/** Everything the HTTP layer reads from the running emulator. */
export interface ServerContext {
  model: EmulatorModel;
  actions: EmulatorActions;
  baseUrl: () => string;
  deliveryTimeoutMs: () => number;
  rateLimiter: () => RateLimiter | null;
  faultInjector: () => FaultInjector | null;
  setFaults(settings: FaultSettings | null): void;
  setRateLimit(settings: RateLimitSettings | null): void;
}

/** Request bodies larger than this are refused (Bitbucket's REST bodies are small). */
const BODY_LIMIT_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when fault injection chose to fail this request after it was handled. */
    faultAfterHandling: boolean;
  }
}

/** Resolves the Authorization header; a header that names no valid credentials is a 401, as in Bitbucket. */
function authenticate(model: EmulatorModel, header: string | undefined): Principal {
  if (header === undefined || header.trim() === '') return ANONYMOUS;
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  let principal: Principal | null = null;
  if (scheme?.toLowerCase() === 'bearer' && value !== '') {
    principal = model.permissions.principalForBearer(value);
  } else if (scheme?.toLowerCase() === 'basic' && value !== '') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) principal = model.permissions.principalForBasic(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
  if (principal === null) throw errors.badCredentials();
  return principal;
}

/** Bitbucket's XSRF protection: state-changing requests with a form-like or missing content type need `X-Atlassian-Token: no-check`. */
function failsXsrfCheck(request: FastifyRequest): boolean {
  if (request.method !== 'POST' && request.method !== 'PUT') return false;
  if (String(request.headers['x-atlassian-token'] ?? '').toLowerCase() === 'no-check') return false;
  const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === '' || type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data' || type === 'text/plain';
}

function waitForDisconnect(request: FastifyRequest): Promise<void> {
  return new Promise((resolve) => {
    if (request.raw.socket.destroyed) resolve();
    else request.raw.socket.once('close', () => resolve());
  });
}

export function buildEmulatorServer(context: ServerContext): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Hanging requests (fault injection) must not keep close() waiting.
    forceCloseConnections: true,
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Errors Fastify raises before routing (a URL with broken percent-encoding) get Bitbucket's body too.
    frameworkErrors: (error, _request, reply) => {
      sendJson(reply, 400, errors.badRequest(`The request could not be read: ${error.message}`).toBody());
    },
  });
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('faultAfterHandling', false);

  // Every body is parsed here so that malformed JSON answers Bitbucket's 400 instead of Fastify's error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    if (body.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch (error) {
      done(errors.badRequest(`The request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-AREQUESTID', `@${randomBytes(6).toString('hex').toUpperCase()}x${Date.now() % 100000}x0`);
    const path = request.url;
    const isRest = path.startsWith('/rest/');
    if (!isRest && !path.startsWith('/_emulator/')) {
      request.principal = ANONYMOUS;
      return;
    }
    request.principal = authenticate(context.model, request.headers.authorization);
    if (request.principal.user !== null) reply.header('X-AUSERNAME', request.principal.user.name);
    if (!isRest) return;

    // Like Bitbucket's, the limit applies to authenticated requests (Basic or Bearer) only.
    const limiter = context.rateLimiter();
    if (limiter !== null && request.principal !== ANONYMOUS) {
      const key = request.principal.token?.id ?? request.principal.user?.slug ?? 'admin';
      const waitSeconds = limiter.take(key);
      if (waitSeconds > 0) {
        reply.header('Retry-After', String(waitSeconds));
        throw new BitbucketApiError(
          429,
          `You have been rate limited: too many requests. Try again in ${waitSeconds} seconds.`,
          'com.atlassian.bitbucket.throttle.RateLimitedException',
        );
      }
    }

    const faults = context.faultInjector();
    const phase = faults?.decide() ?? null;
    if (phase === 'before' && faults !== null) {
      if (faults.settings.hang) {
        await waitForDisconnect(request);
        reply.hijack();
        return reply;
      }
      throw injectedFault(faults.settings.status);
    }
    request.faultAfterHandling = phase === 'after';

    if (failsXsrfCheck(request)) {
      return reply.code(403).type('text/html;charset=UTF-8').send('XSRF check failed');
    }
    return undefined;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.faultAfterHandling) return payload;
    const settings = context.faultInjector()?.settings;
    if (settings === undefined) return payload;
    if (settings.hang) {
      await waitForDisconnect(request);
      return payload;
    }
    reply.code(settings.status).type('application/json;charset=UTF-8');
    return JSON.stringify(injectedFault(settings.status).toBody());
  });

  app.setErrorHandler((error: FastifyError | BitbucketApiError, _request, reply: FastifyReply) => {
    if (error instanceof BitbucketApiError) return sendJson(reply, error.status, error.toBody());
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return sendJson(reply, status, new BitbucketApiError(status, error.message, null).toBody());
    }
    return sendJson(reply, 500, errors.internal('An unexpected error occurred in the emulator.').toBody());
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendJson(reply, 404, errors.unknownPath(request.url.split('?')[0]!).toBody()),
  );

  app.get('/status', async (_request, reply) => sendJson(reply, 200, { state: 'RUNNING' }));
  app.get('/rest/capabilities', async (_request, reply) =>
    sendJson(reply, 200, {
      application: 'stash',
      buildDate: '1729500000000',
      capabilities: { webhooks: `${context.baseUrl()}/rest/webhooks/latest/capabilities` },
    }),
  );
  app.get('/rest/webhooks/latest/capabilities', async (_request, reply) =>
    sendJson(reply, 200, { 'application-webhooks': [...BITBUCKET_WEBHOOK_EVENTS] }),
  );

  // Bitbucket serves the same API under `latest` and the version number.
  for (const version of ['latest', '1.0']) {
    app.register(
      async (scope) => {
        registerRestApi(scope, context);
        registerContentApi(scope, context);
        registerPullRequestApi(scope, context);
        registerBuildStatusApi(scope, context.model);
      },
      { prefix: `/rest/api/${version}` },
    );
    app.register(async (scope) => registerLegacyBuildStatusApi(scope, context.model), { prefix: `/rest/build-status/${version}` });
    app.register(async (scope) => registerAccessTokenApi(scope, context), { prefix: `/rest/access-tokens/${version}` });
  }
  app.register(
    async (scope) =>
      registerEmulatorApi(scope, {
        model: context.model,
        actions: context.actions,
        baseUrl: context.baseUrl,
        setFaults: context.setFaults,
        faults: () => context.faultInjector()?.settings ?? null,
        setRateLimit: context.setRateLimit,
        rateLimit: () => context.rateLimiter()?.settings ?? null,
      }),
    { prefix: '/_emulator' },
  );
  return app;
}

function injectedFault(status: number): BitbucketApiError {
  return new BitbucketApiError(status, `Injected fault: the emulator answers ${status} for this request.`, null);
}
