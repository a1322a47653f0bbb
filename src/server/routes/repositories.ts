import { z } from 'zod';
import { ApiConnectionError, ApiError, ApiForbiddenError, ApiUnauthorizedError } from '../../clients/errors';
import { integrationForCaller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import { BadGatewayError } from '../errors';
import { bitbucketRepository, errorResponses, idParams } from '../schemas';
import { NEXT_CURSOR_HEADER, pageQuery } from '../webhooks/schemas';

const repositoryQuery = pageQuery.extend({
  projectKey: z.string().max(128).optional().describe('Only repositories of this project (any case)'),
  filter: z.string().max(128).optional().describe('Only repositories whose name contains this'),
});

/** The integration's Bitbucket answers within this (a person is choosing a repository in a form). */
const BITBUCKET_TIMEOUT_MS = 10_000;

/**
 * `GET /api/v1/integrations/bitbucket-datacenter/{id}/repositories` (SPEC §7.7): the repositories the integration's
 * account sees, for choosing a stack's repository. Anyone who may use the integration (who can list it) may ask; others
 * get 404. Bitbucket refusing the credentials or not answering is a 502 that names the integration.
 */
export const integrationRepositoryRoutes: RoutePlugin = async (app, { context }) => {
  app.get(
    '/api/v1/integrations/bitbucket-datacenter/:id/repositories',
    {
      schema: {
        summary: "List the repositories the integration's Bitbucket account sees (anyone who may use the integration)",
        description: `Paged like the other lists: when more exist, ${NEXT_CURSOR_HEADER} carries the next page's cursor.`,
        tags: ['integrations'],
        security: bearerAuth,
        params: idParams,
        querystring: repositoryQuery,
        response: { 200: z.array(bitbucketRepository), ...errorResponses(400, 401, 404, 502) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const integration = await integrationForCaller(context.db, caller, request.params.id, 'list');
      const { limit, cursor, projectKey, filter } = request.query;
      const bitbucket = context.bitbucketFor(integration, { retry: { maxRetries: 1 }, timeoutMs: BITBUCKET_TIMEOUT_MS });
      if ('unavailable' in bitbucket) throw new BadGatewayError(`the Bitbucket of integration "${integration.name}" cannot be reached: ${bitbucket.unavailable}`, { integrationId: integration.id });
      try {
        const page = await bitbucket.client.repositories.searchPage({
          ...(projectKey === undefined || projectKey === '' ? {} : { projectKey }),
          ...(filter === undefined || filter === '' ? {} : { name: filter }),
          start: cursor === undefined ? 0 : Number(cursor),
          limit,
        });
        if (page.nextStart !== null) reply.header(NEXT_CURSOR_HEADER, String(page.nextStart));
        return page.items.map((found) => ({
          projectKey: found.project.key,
          projectName: found.project.name,
          repositorySlug: found.slug,
          name: found.name,
          description: found.description ?? null,
          public: found.public ?? false,
          archived: found.archived ?? false,
        }));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        throw new BadGatewayError(bitbucketFailure(integration.name, error), { integrationId: integration.id, status: error.status ?? null });
      } finally {
        bitbucket.client.close();
      }
    },
  );
};

/**
 * What went wrong with the integration's Bitbucket, in words that say what to fix; never the credentials, nor the
 * username (a detail only admins of the integration's space see).
 */
function bitbucketFailure(name: string, error: ApiError): string {
  if (error instanceof ApiUnauthorizedError) return `the Bitbucket of integration "${name}" rejected its credentials (401): its access token may have expired or been revoked`;
  if (error instanceof ApiForbiddenError) return `the Bitbucket of integration "${name}" refused its account (403): the access token lacks a permission`;
  if (error instanceof ApiConnectionError) return `the Bitbucket of integration "${name}" cannot be reached (${error.networkCode ?? 'no answer'})`;
  return `the Bitbucket of integration "${name}" failed to list repositories (${error.status === undefined ? 'no answer' : `HTTP ${error.status}`})`;
}
