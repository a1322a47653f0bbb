import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorActions } from '../actions';
import type { EmulatorModel } from '../model';
import { GLOBAL_PERMISSIONS, PROJECT_PERMISSIONS, REPOSITORY_PERMISSIONS } from '../permissions';
import { accessTokenJson, userJson, webhookJson } from '../representations';
import { parseFaultSettings, parseRateLimitSettings, type FaultSettings, type RateLimitSettings } from '../traffic';
import { parseBody, sendJson } from './helpers';

/** What the `/_emulator/` endpoints need from the running emulator. */
export interface EmulatorApiContext {
  model: EmulatorModel;
  actions: EmulatorActions;
  baseUrl: () => string;
  setFaults(settings: FaultSettings | null): void;
  faults(): FaultSettings | null;
  setRateLimit(settings: RateLimitSettings | null): void;
  rateLimit(): RateLimitSettings | null;
}

// The emulator's own endpoints refuse fields they do not know (400 naming them): a misspelt field would otherwise be
// ignored, and a call that answers 200 having done nothing is the worst answer a test can get. (Bitbucket's REST
// paths ignore unknown fields, as Bitbucket does.)
const grants = {
  globalPermission: z.enum(GLOBAL_PERMISSIONS).nullable().optional(),
  projectPermissions: z.record(z.string(), z.enum(PROJECT_PERMISSIONS)).optional(),
  repositoryPermissions: z.record(z.string(), z.enum(REPOSITORY_PERMISSIONS)).optional(),
};

const grantsBody = z
  .strictObject(grants)
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'give at least one of globalPermission, projectPermissions ({ "KEY": "PROJECT_ADMIN" }) or repositoryPermissions ({ "KEY/slug": "REPO_ADMIN" })',
  });

const userBody = z.strictObject({
  ...grants,
  name: z.string(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
  password: z.string().optional(),
});

const tokenBody = z.strictObject({
  name: z.string().optional(),
  permissions: z.array(z.string()),
  expiryDays: z.number().int().optional(),
});

/** A file's new content, or null to delete it. */
const files = z.record(z.string(), z.string().nullable());

const pushBody = z.strictObject({
  branch: z.string(),
  files: files.optional(),
  message: z.string().optional(),
  commit: z.string().optional(),
  user: z.string().optional(),
});

const tagBody = z.strictObject({
  name: z.string(),
  commit: z.string().optional(),
  user: z.string().optional(),
});

const pullRequestBody = z.strictObject({
  fromBranch: z.string(),
  toBranch: z.string(),
  title: z.string(),
  description: z.string().optional(),
  user: z.string().optional(),
});

const pullRequestActionBody = z
  .strictObject({
    files: files.optional(),
    message: z.string().optional(),
    commit: z.string().optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    toBranch: z.string().optional(),
    text: z.string().optional(),
    user: z.string().optional(),
  })
  .optional()
  .nullable();

function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as never;
}

/** Emulator-only endpoints: simulate pushes and pull requests, seed users, switch faults and rate limiting. */
export function registerEmulatorApi(app: FastifyInstance, context: EmulatorApiContext): void {
  const { model, actions } = context;
  type Params = Record<string, string>;
  const params = (request: FastifyRequest) => request.params as Params;

  app.addHook('onRequest', async (request) => {
    model.permissions.requireAdmin(request.principal);
  });

  app.post('/users', async (request, reply) => {
    const body = withoutUndefined(parseBody(userBody, request.body, 'user'));
    const user = model.users.create(body);
    return sendJson(reply, 201, userJson(user, context.baseUrl()));
  });

  app.post('/users/:userSlug/permissions', async (request, reply) => {
    const body = withoutUndefined(parseBody(grantsBody, request.body, 'permissions'));
    const user = model.users.grant(params(request).userSlug!, body);
    return sendJson(reply, 200, {
      ...userJson(user, context.baseUrl()),
      globalPermission: user.globalPermission,
      projectPermissions: user.projectPermissions,
      repositoryPermissions: user.repositoryPermissions,
    });
  });

  app.post('/users/:userSlug/tokens', async (request, reply) => {
    const body = parseBody(tokenBody, request.body, 'access token');
    const user = model.users.get(params(request).userSlug!);
    const { token, secret } = model.tokens.create(
      { type: 'user', userSlug: user.slug },
      { name: body.name ?? `${user.slug}-token`, permissions: body.permissions, expiryDays: body.expiryDays ?? null },
    );
    return sendJson(reply, 201, { ...accessTokenJson(token, user, context.baseUrl()), token: secret });
  });

  app.get('/projects/:projectKey/repos/:repositorySlug/webhooks', async (request, reply) => {
    const repository = model.repositories.get(params(request).projectKey!, params(request).repositorySlug!);
    return sendJson(reply, 200, { values: model.webhooks.firingFor(repository).map((webhook) => webhookJson(webhook)) });
  });

  app.post('/projects/:projectKey/repos/:repositorySlug/push', async (request, reply) => {
    const body = withoutUndefined(parseBody(pushBody, request.body, 'push'));
    const result = await actions.push(params(request).projectKey!, params(request).repositorySlug!, body);
    return sendJson(reply, 200, result);
  });

  app.post('/projects/:projectKey/repos/:repositorySlug/tags', async (request, reply) => {
    const body = withoutUndefined(parseBody(tagBody, request.body, 'tag'));
    const result = await actions.createTag(params(request).projectKey!, params(request).repositorySlug!, body);
    return sendJson(reply, 201, result);
  });

  app.delete('/projects/:projectKey/repos/:repositorySlug/tags/*', async (request, reply) => {
    const { projectKey, repositorySlug } = params(request);
    const result = await actions.deleteTag(projectKey!, repositorySlug!, decodeURIComponent(params(request)['*']!));
    return sendJson(reply, 200, result);
  });

  app.post('/projects/:projectKey/repos/:repositorySlug/pull-requests', async (request, reply) => {
    const body = withoutUndefined(parseBody(pullRequestBody, request.body, 'pull request'));
    const result = await actions.openPullRequest(params(request).projectKey!, params(request).repositorySlug!, body);
    return sendJson(reply, 201, result);
  });

  app.post('/projects/:projectKey/repos/:repositorySlug/pull-requests/:pullRequestId/:event', async (request, reply) => {
    const body = withoutUndefined(parseBody(pullRequestActionBody, request.body ?? null, 'pull request event') ?? {});
    const { projectKey, repositorySlug, pullRequestId, event } = params(request) as Required<Params>;
    const result = await actions.pullRequestAction(projectKey!, repositorySlug!, pullRequestId!, event!, body);
    return sendJson(reply, 200, result);
  });

  app.get('/faults', async (_request, reply) => sendJson(reply, 200, { enabled: context.faults() !== null, ...context.faults() }));
  app.post('/faults', async (request, reply) => {
    context.setFaults(parseFaultSettings(request.body));
    return sendJson(reply, 200, { enabled: context.faults() !== null, ...context.faults() });
  });

  app.get('/rate-limit', async (_request, reply) =>
    sendJson(reply, 200, { enabled: context.rateLimit() !== null, ...context.rateLimit() }),
  );
  app.post('/rate-limit', async (request, reply) => {
    context.setRateLimit(parseRateLimitSettings(request.body));
    return sendJson(reply, 200, { enabled: context.rateLimit() !== null, ...context.rateLimit() });
  });
}
