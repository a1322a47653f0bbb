import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorModel, TokenOwner } from '../model';
import { accessTokenJson } from '../representations';
import { page, parseBody, query, sendJson, sendNoContent } from './helpers';

/** HTTP access tokens under /rest/access-tokens/latest/: user, project and repository tokens. */

const createBody = z.object({
  name: z.string(),
  permissions: z.array(z.string()),
  expiryDays: z.number().int().optional().nullable(),
});

const updateBody = z.object({
  name: z.string().optional(),
  permissions: z.array(z.string()).optional(),
  expiryDays: z.number().int().optional().nullable(),
});

export function registerAccessTokenApi(app: FastifyInstance, context: { model: EmulatorModel; baseUrl: () => string }): void {
  const { model } = context;
  type Params = Record<string, string>;
  const params = (request: FastifyRequest) => request.params as Params;

  const owners: Array<{ prefix: string; owner: (request: FastifyRequest) => TokenOwner }> = [
    {
      prefix: '/users/:userSlug',
      owner: (request) => {
        const user = model.users.get(params(request).userSlug!);
        model.permissions.requireUserTokenManager(request.principal, user);
        return { type: 'user', userSlug: user.slug };
      },
    },
    {
      prefix: '/projects/:projectKey',
      owner: (request) => {
        model.permissions.requireTokenManager(request.principal);
        const project = model.permissions.requireProjectLevel(request.principal, params(request).projectKey!, 3);
        return { type: 'project', projectKey: project.key };
      },
    },
    {
      prefix: '/projects/:projectKey/repos/:repositorySlug',
      owner: (request) => {
        model.permissions.requireTokenManager(request.principal);
        const repository = model.permissions.requireRepositoryLevel(
          request.principal,
          params(request).projectKey!,
          params(request).repositorySlug!,
          3,
        );
        return { type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug };
      },
    },
  ];

  const ownerUser = (owner: TokenOwner) => (owner.type === 'user' ? model.users.get(owner.userSlug) : null);

  for (const { prefix, owner: resolveOwner } of owners) {
    app.put(prefix, async (request, reply) => {
      const owner = resolveOwner(request);
      const body = parseBody(createBody, request.body, 'access token');
      const { token, secret } = model.tokens.create(owner, {
        name: body.name,
        permissions: body.permissions,
        expiryDays: body.expiryDays ?? null,
      });
      return sendJson(reply, 200, { ...accessTokenJson(token, ownerUser(owner), context.baseUrl()), token: secret });
    });

    app.get(prefix, async (request, reply) => {
      const owner = resolveOwner(request);
      const user = ownerUser(owner);
      return sendJson(
        reply,
        200,
        page(model.tokens.of(owner), query(request), (token) => accessTokenJson(token, user, context.baseUrl())),
      );
    });

    app.get(`${prefix}/:tokenId`, async (request, reply) => {
      const owner = resolveOwner(request);
      const token = model.tokens.get(owner, params(request).tokenId!);
      return sendJson(reply, 200, accessTokenJson(token, ownerUser(owner), context.baseUrl()));
    });

    app.post(`${prefix}/:tokenId`, async (request, reply) => {
      const owner = resolveOwner(request);
      const id = params(request).tokenId!;
      model.tokens.get(owner, id);
      const body = parseBody(updateBody, request.body, 'access token');
      const token = model.tokens.update(owner, id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.permissions === undefined ? {} : { permissions: body.permissions }),
        ...(body.expiryDays === undefined ? {} : { expiryDays: body.expiryDays }),
      });
      return sendJson(reply, 200, accessTokenJson(token, ownerUser(owner), context.baseUrl()));
    });

    app.delete(`${prefix}/:tokenId`, async (request, reply) => {
      const owner = resolveOwner(request);
      model.tokens.delete(owner, params(request).tokenId!);
      return sendNoContent(reply);
    });
  }
}
