import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { buildStatusJson } from '../content-representations';
import { errors } from '../errors';
import type { EmulatorModel } from '../model';
import { page, parseBody, query, sendJson, sendNoContent, single } from './helpers';

type Params = Record<string, string>;

/** RestBuildStatusSetRequest; Bitbucket checks the values (build-statuses.ts), zod only the types. */
const buildStatusBody = z.object({
  key: z.string(),
  state: z.string(),
  url: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  buildNumber: z.string().optional(),
  duration: z.number().optional(),
  lastUpdated: z.number().optional(),
  parent: z.string().optional(),
  ref: z.string().optional(),
  testResults: z.object({ successful: z.number().int(), failed: z.number().int(), skipped: z.number().int() }).optional(),
});

/** The deprecated global listing shows the most recent 100 statuses of a commit. */
const LEGACY_LISTING_LIMIT = 100;

/** Repository-scoped build statuses: POST (REPO_READ), GET `?key=` (REPO_READ), DELETE `?key=` (REPO_ADMIN). */
export function registerBuildStatusApi(app: FastifyInstance, model: EmulatorModel): void {
  const params = (request: FastifyRequest) => request.params as Params;
  const commitAt = (request: FastifyRequest, level: 1 | 3) => {
    const repository = model.permissions.requireRepositoryLevel(request.principal, params(request).projectKey!, params(request).repositorySlug!, level);
    return model.content.commit(repository, params(request).commitId!);
  };
  const requiredKey = (request: FastifyRequest) => {
    const key = single(query(request), 'key');
    if (key === undefined || key === '') throw errors.badRequest('The key query parameter is required: the build status key.');
    return key;
  };
  const path = '/projects/:projectKey/repos/:repositorySlug/commits/:commitId/builds';

  app.post(path, async (request, reply) => {
    const commit = commitAt(request, 1);
    const { lastUpdated: _ignored, ...body } = parseBody(buildStatusBody, request.body, 'build status');
    model.buildStatuses.set(commit, body);
    return sendNoContent(reply);
  });

  app.get(path, async (request, reply) => {
    const commit = commitAt(request, 1);
    return sendJson(reply, 200, buildStatusJson(model.buildStatuses.get(commit, requiredKey(request))));
  });

  app.delete(path, async (request, reply) => {
    const commit = commitAt(request, 3);
    model.buildStatuses.delete(commit, requiredKey(request));
    return sendNoContent(reply);
  });
}

/** The deprecated `/rest/build-status/1.0/commits/{commitId}`: every status of the commit, any repository (LICENSED). */
export function registerLegacyBuildStatusApi(app: FastifyInstance, model: EmulatorModel): void {
  app.get('/commits/:commitId', async (request, reply) => {
    if (request.principal.user === null && !request.principal.isAdmin) throw errors.notPermitted();
    const commitId = (request.params as Params).commitId!;
    if (!/^[0-9a-fA-F]{40}$/.test(commitId)) throw errors.badRequest(`"${commitId}" is not a full commit id (40 hexadecimal digits).`);
    const statuses = model.buildStatuses.ofCommit(commitId.toLowerCase()).slice(0, LEGACY_LISTING_LIMIT);
    return sendJson(reply, 200, page(statuses, query(request), buildStatusJson));
  });
}
