import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { postDelivery, DEFAULT_DELIVERY_TIMEOUT_MS } from '../delivery';
import { errors } from '../errors';
import type { EmulatorModel, Principal, Project, Repository, Webhook, WebhookInput, WebhookScope } from '../model';
import { isRepositoryPermission, levelOf, type Level, type RepositoryPermission } from '../permissions';
import {
  invocationJson,
  invocationStatisticsJson,
  projectJson,
  repositoryJson,
  userJson,
  webhookJson,
} from '../representations';
import { PING_EVENT } from '../../domain/webhook-events';
import { booleanParam, many, page, parseBody, query, sendJson, sendNoContent, single, type Query } from './helpers';

/** What the REST routes need from the running emulator. */
export interface RestContext {
  model: EmulatorModel;
  baseUrl: () => string;
  deliveryTimeoutMs: () => number;
}

/** RestWebhook as a request body; absent `active`/`sslVerificationRequired` default to true as in Bitbucket. */
const webhookBody = z.object({
  name: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  active: z.boolean().optional(),
  sslVerificationRequired: z.boolean().optional(),
  configuration: z.record(z.string(), z.string()).optional(),
  credentials: z
    .object({ username: z.string(), password: z.string().optional() })
    .optional()
    .nullable(),
  scopeType: z.string().optional(),
  statistics: z.unknown().optional(),
});

const projectBody = z.object({
  key: z.string(),
  name: z.string(),
  description: z.string().optional().nullable(),
  public: z.boolean().optional(),
});

const repositoryBody = z.object({
  name: z.string(),
  slug: z.string().optional(),
  scmId: z.string().optional(),
  description: z.string().optional().nullable(),
  defaultBranch: z.string().optional(),
  forkable: z.boolean().optional(),
  public: z.boolean().optional(),
});

const testCredentialsBody = z
  .object({ username: z.string().optional(), password: z.string().optional() })
  .optional()
  .nullable();

function toWebhookInput(body: z.infer<typeof webhookBody>): WebhookInput {
  return {
    name: body.name,
    url: body.url,
    events: body.events,
    active: body.active ?? true,
    sslVerificationRequired: body.sslVerificationRequired ?? true,
    configuration: body.configuration ?? {},
    credentials:
      body.credentials == null ? null : { username: body.credentials.username, password: body.credentials.password ?? null },
  };
}

const PROJECT_FILTER_LEVELS: Record<string, Level> = { PROJECT_VIEW: 0, PROJECT_READ: 1, PROJECT_WRITE: 2, PROJECT_ADMIN: 3 };

export function registerRestApi(app: FastifyInstance, context: RestContext): void {
  const { model } = context;
  const principal = (request: FastifyRequest): Principal => request.principal;
  const base = () => context.baseUrl();
  type Params = Record<string, string>;
  const params = (request: FastifyRequest) => request.params as Params;

  const repoJson = (repository: Repository) =>
    repositoryJson(repository, model.projects.get(repository.projectKey), base());

  // ----- application properties, users ------------------------------------------------------------

  app.get('/application-properties', async (_request, reply) =>
    sendJson(reply, 200, {
      version: '9.4.16',
      buildNumber: '9004016',
      buildDate: '1729500000000',
      displayName: 'Bitbucket (Liftgate emulator)',
    }),
  );

  app.get('/users/:userSlug', async (request, reply) => {
    if (principal(request).user === null && principal(request).token === null) throw errors.notPermitted();
    return sendJson(reply, 200, userJson(model.users.get(params(request).userSlug!), base()));
  });

  // ----- projects -----------------------------------------------------------------------------------

  app.get('/projects', async (request, reply) => {
    const q = query(request);
    const who = principal(request);
    const name = single(q, 'name')?.toLowerCase();
    const permission = single(q, 'permission');
    if (permission !== undefined && PROJECT_FILTER_LEVELS[permission] === undefined) {
      throw errors.badRequest(`${permission} is not a valid project permission`);
    }
    const projects = model.projects.list().filter((project) => {
      if (name !== undefined && !project.name.toLowerCase().includes(name)) return false;
      if (permission === undefined || permission === 'PROJECT_VIEW') return model.permissions.canViewProject(who, project);
      return model.permissions.projectLevel(who, project.key) >= PROJECT_FILTER_LEVELS[permission]!;
    });
    return sendJson(reply, 200, page(projects, q, (project) => projectJson(project, base())));
  });

  app.post('/projects', async (request, reply) => {
    if (!model.permissions.canCreateProjects(principal(request))) throw errors.notPermitted();
    const body = parseBody(projectBody, request.body, 'project');
    const project = model.projects.create({
      key: body.key,
      name: body.name,
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.public === undefined ? {} : { public: body.public }),
    });
    return sendJson(reply, 201, projectJson(project, base()));
  });

  const viewableProject = (request: FastifyRequest): Project => {
    const project = model.projects.get(params(request).projectKey!);
    if (!model.permissions.canViewProject(principal(request), project)) throw errors.notPermitted();
    return project;
  };

  app.get('/projects/:projectKey', async (request, reply) => sendJson(reply, 200, projectJson(viewableProject(request), base())));

  app.delete('/projects/:projectKey', async (request, reply) => {
    const project = model.permissions.requireProjectLevel(principal(request), params(request).projectKey!, 3);
    model.projects.delete(project.key);
    return sendNoContent(reply);
  });

  // ----- repositories -------------------------------------------------------------------------------

  app.get('/projects/:projectKey/repos', async (request, reply) => {
    const project = viewableProject(request);
    const who = principal(request);
    const visible = model.repositories.of(project.key).filter((repository) => model.permissions.repositoryLevel(who, repository) >= 1);
    return sendJson(reply, 200, page(visible, query(request), (repository) => repositoryJson(repository, project, base())));
  });

  app.post('/projects/:projectKey/repos', async (request, reply) => {
    const project = model.permissions.requireProjectLevel(principal(request), params(request).projectKey!, 3);
    const body = parseBody(repositoryBody, request.body, 'repository');
    if (body.scmId !== undefined && body.scmId !== 'git') {
      throw errors.invalid(`${body.scmId} is not a supported SCM; only git is.`, 'scmId');
    }
    const repository = model.repositories.create(project.key, {
      name: body.name,
      ...(body.slug === undefined ? {} : { slug: body.slug }),
      ...(body.description === undefined ? {} : { description: body.description }),
      ...(body.defaultBranch === undefined ? {} : { defaultBranch: body.defaultBranch }),
      ...(body.forkable === undefined ? {} : { forkable: body.forkable }),
      ...(body.public === undefined ? {} : { public: body.public }),
    });
    return sendJson(reply, 201, repositoryJson(repository, project, base()));
  });

  const repositoryAt = (request: FastifyRequest, level: Level): Repository =>
    model.permissions.requireRepositoryLevel(principal(request), params(request).projectKey!, params(request).repositorySlug!, level);

  app.get('/projects/:projectKey/repos/:repositorySlug', async (request, reply) =>
    sendJson(reply, 200, repoJson(repositoryAt(request, 1))),
  );

  app.delete('/projects/:projectKey/repos/:repositorySlug', async (request, reply) => {
    const repository = repositoryAt(request, 3);
    model.repositories.delete(repository.projectKey, repository.slug);
    // Bitbucket schedules the deletion and answers 202 Accepted.
    return sendNoContent(reply, 202);
  });

  app.get('/repos', async (request, reply) => {
    const q = query(request);
    const who = principal(request);
    const name = single(q, 'name')?.trim().toLowerCase();
    const projectName = single(q, 'projectname')?.trim().toLowerCase();
    const projectKey = single(q, 'projectkey')?.trim().toUpperCase();
    const visibility = single(q, 'visibility');
    const permission = single(q, 'permission');
    const state = single(q, 'state');
    const archived = (single(q, 'archived') ?? 'ACTIVE').toUpperCase();
    if (visibility !== undefined && visibility !== 'public' && visibility !== 'private') {
      throw errors.badRequest(`Invalid visibility "${visibility}"; use public or private.`);
    }
    if (permission !== undefined && !isRepositoryPermission(permission)) {
      throw errors.badRequest(`${permission} is not a valid repository permission`);
    }
    if (state !== undefined && !['AVAILABLE', 'INITIALISING', 'INITIALISATION_FAILED', 'OFFLINE'].includes(state)) {
      throw errors.badRequest(`Invalid state "${state}".`);
    }
    if (!['ACTIVE', 'ARCHIVED', 'ALL'].includes(archived)) {
      throw errors.badRequest(`Invalid archived filter "${archived}"; use ACTIVE, ARCHIVED or ALL.`);
    }
    const needed: Level = permission === undefined ? 1 : levelOf(permission as RepositoryPermission);
    const projectNames = new Map(model.projects.list().map((project) => [project.key, project.name.toLowerCase()]));
    const matches = model.repositories.list().filter((repository) => {
      if (name !== undefined && !repository.name.toLowerCase().includes(name) && !repository.slug.includes(name)) return false;
      if (projectKey !== undefined && repository.projectKey !== projectKey) return false;
      if (projectName !== undefined && !(projectNames.get(repository.projectKey) ?? '').includes(projectName)) return false;
      if (visibility !== undefined && repository.public !== (visibility === 'public')) return false;
      if (state !== undefined && state !== 'AVAILABLE') return false;
      if (archived === 'ACTIVE' && repository.archived) return false;
      if (archived === 'ARCHIVED' && !repository.archived) return false;
      return model.permissions.repositoryLevel(who, repository) >= needed;
    });
    return sendJson(reply, 200, page(matches, q, repoJson));
  });

  // ----- webhooks (repository and project scope share the handlers) ---------------------------------

  interface ScopeAccess {
    scope: WebhookScope;
    /** For the search endpoint and the test endpoint: the repository the scope belongs to. */
    repository: Repository | null;
  }

  const repositoryScope = (request: FastifyRequest): ScopeAccess => {
    const repository = repositoryAt(request, 3);
    return {
      scope: { type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug },
      repository,
    };
  };
  const projectScope = (request: FastifyRequest): ScopeAccess => {
    const project = model.permissions.requireProjectLevel(principal(request), params(request).projectKey!, 3);
    return { scope: { type: 'project', projectKey: project.key }, repository: null };
  };

  const eventFilter = (q: Query) => {
    const events = many(q, 'event');
    return (webhook: Webhook) => events.length === 0 || events.some((event) => webhook.events.includes(event));
  };

  const webhookView = (webhook: Webhook, withStatistics: boolean) =>
    webhookJson(webhook, withStatistics ? invocationStatisticsJson(model.webhooks.invocationsOf(webhook.id), Date.now()) : undefined);

  const registerWebhookRoutes = (prefix: string, access: (request: FastifyRequest) => ScopeAccess) => {
    app.get(`${prefix}/webhooks`, async (request, reply) => {
      const { scope } = access(request);
      const q = query(request);
      const withStatistics = booleanParam(q, 'statistics', false);
      const found = model.webhooks.of(scope).filter(eventFilter(q));
      return sendJson(reply, 200, page(found, q, (webhook) => webhookView(webhook, withStatistics)));
    });

    app.post(`${prefix}/webhooks`, async (request, reply) => {
      const { scope } = access(request);
      const input = toWebhookInput(parseBody(webhookBody, request.body, 'webhook'));
      return sendJson(reply, 200, webhookJson(model.webhooks.create(scope, input)));
    });

    app.post(`${prefix}/webhooks/test`, async (request, reply) => testWebhook(request, reply, access(request)));

    app.get(`${prefix}/webhooks/:webhookId`, async (request, reply) => {
      const { scope } = access(request);
      const withStatistics = booleanParam(query(request), 'statistics', false);
      return sendJson(reply, 200, webhookView(model.webhooks.get(scope, params(request).webhookId!), withStatistics));
    });

    app.put(`${prefix}/webhooks/:webhookId`, async (request, reply) => {
      const { scope } = access(request);
      const id = params(request).webhookId!;
      model.webhooks.get(scope, id);
      const input = toWebhookInput(parseBody(webhookBody, request.body, 'webhook'));
      return sendJson(reply, 200, webhookJson(model.webhooks.replace(scope, id, input)));
    });

    app.delete(`${prefix}/webhooks/:webhookId`, async (request, reply) => {
      const { scope } = access(request);
      model.webhooks.delete(scope, params(request).webhookId!);
      return sendNoContent(reply);
    });

    app.get(`${prefix}/webhooks/:webhookId/latest`, async (request, reply) => {
      const { scope } = access(request);
      const webhook = model.webhooks.get(scope, params(request).webhookId!);
      const q = query(request);
      const event = single(q, 'event');
      const outcome = single(q, 'outcome');
      if (outcome !== undefined && !['SUCCESS', 'FAILURE', 'ERROR'].includes(outcome)) {
        throw errors.badRequest(`Invalid outcome "${outcome}"; use SUCCESS, FAILURE or ERROR.`);
      }
      const invocations = model
        .webhooks.invocationsOf(webhook.id)
        .filter((invocation) => (event === undefined || invocation.event === event) && (outcome === undefined || invocation.result.outcome === outcome));
      const latest = invocations[invocations.length - 1];
      return latest === undefined ? sendNoContent(reply) : sendJson(reply, 200, invocationJson(latest));
    });

    const statistics = async (request: FastifyRequest, reply: FastifyReply) => {
      const { scope } = access(request);
      const webhook = model.webhooks.get(scope, params(request).webhookId!);
      const event = single(query(request), 'event');
      const invocations = model.webhooks.invocationsOf(webhook.id).filter((invocation) => event === undefined || invocation.event === event);
      return sendJson(reply, 200, invocationStatisticsJson(invocations, Date.now()));
    };
    app.get(`${prefix}/webhooks/:webhookId/statistics`, statistics);
    app.get(`${prefix}/webhooks/:webhookId/statistics/summary`, statistics);
  };

  registerWebhookRoutes('/projects/:projectKey/repos/:repositorySlug', repositoryScope);
  registerWebhookRoutes('/projects/:projectKey', projectScope);

  app.get('/projects/:projectKey/repos/:repositorySlug/webhooks/search', async (request, reply) => {
    const { repository } = repositoryScope(request);
    const q = query(request);
    const scopeTypes = many(q, 'scopeType').map((value) => value.toLowerCase());
    for (const value of scopeTypes) {
      if (value !== 'repository' && value !== 'project') {
        throw errors.badRequest(`Invalid scopeType "${value}"; use repository or project.`);
      }
    }
    const withStatistics = booleanParam(q, 'statistics', false);
    const found = model
      .webhooks.firingFor(repository!)
      .filter((webhook) => scopeTypes.length === 0 || scopeTypes.includes(webhook.scope.type))
      .filter(eventFilter(q));
    return sendJson(reply, 200, page(found, q, (webhook) => webhookView(webhook, withStatistics)));
  });

  /** Sends `diagnostics:ping` to a URL (or a webhook's URL) and reports the exchange, as "Test connection" does. */
  async function testWebhook(request: FastifyRequest, reply: FastifyReply, scopeAccess: ScopeAccess) {
    const q = query(request);
    const webhookId = single(q, 'webhookId');
    let webhook: Webhook | null = null;
    if (webhookId !== undefined && webhookId !== '') {
      const candidates =
        scopeAccess.repository === null ? model.webhooks.of(scopeAccess.scope) : model.webhooks.firingFor(scopeAccess.repository);
      webhook = candidates.find((candidate) => String(candidate.id) === webhookId) ?? null;
      if (webhook === null) throw errors.noSuchWebhook(webhookId);
    }
    const url = single(q, 'url') ?? webhook?.url;
    if (url === undefined || url === '') throw errors.invalidWebhook('A url or a webhookId is required to test a webhook.', 'url');
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw errors.invalidWebhook(`"${url}" is not a valid http or https URL.`, 'url');
    }
    const body = parseBody(testCredentialsBody, request.body ?? null, 'webhook credentials');
    const sslVerificationRequired = booleanParam(q, 'sslVerificationRequired', webhook?.sslVerificationRequired ?? true);
    const credentials =
      body?.username !== undefined
        ? { username: body.username, password: body.password ?? null }
        : (webhook?.credentials ?? null);
    const attempt = await postDelivery({
      url,
      event: PING_EVENT,
      body: JSON.stringify({ test: true }),
      secret: webhook?.configuration.secret ?? null,
      credentials,
      sslVerificationRequired,
      timeoutMs: context.deliveryTimeoutMs() || DEFAULT_DELIVERY_TIMEOUT_MS,
    });
    return sendJson(reply, 200, {
      request: { url, method: 'POST', headers: attempt.requestHeaders },
      ...(attempt.statusCode === null
        ? { exception: { message: attempt.description } }
        : { response: { statusCode: attempt.statusCode, headers: attempt.responseHeaders, body: attempt.responseBody } }),
    });
  }
}
