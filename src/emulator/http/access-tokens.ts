import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errors } from '../errors';
import type { EmulatorModel, Principal, TokenOwner } from '../model';
import { globalRank } from '../permissions';
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

  /** Bitbucket: a token cannot create or manage tokens; only a password login (or the admin) can. */
  const requireNoToken = (principal: Principal) => {
    if (principal.isAdmin) return;
    if (principal.user === null && principal.token === null) throw errors.notPermitted();
    if (principal.token !== null) throw errors.tokenCannotManageTokens();
  };

  const owners: Array<{ prefix: string; owner: (request: FastifyRequest) => TokenOwner }> = [
    {
      prefix: '/users/:userSlug',
      owner: (request) => {
        const principal = request.principal;
        requireNoToken(principal);
        const user = model.getUser(params(request).userSlug!);
        const isSelf = principal.user?.slug === user.slug;
        if (!principal.isAdmin && !isSelf && globalRank(principal.user?.globalPermission ?? null) < globalRank('ADMIN')) {
          throw errors.notPermitted();
        }
        return { type: 'user', userSlug: user.slug };
      },
    },
    {
      prefix: '/projects/:projectKey',
      owner: (request) => {
        requireNoToken(request.principal);
        const project = model.requireProjectLevel(request.principal, params(request).projectKey!, 3);
        return { type: 'project', projectKey: project.key };
      },
    },
    {
      prefix: '/projects/:projectKey/repos/:repositorySlug',
      owner: (request) => {
        requireNoToken(request.principal);
        const repository = model.requireRepositoryLevel(
          request.principal,
          params(request).projectKey!,
          params(request).repositorySlug!,
          3,
        );
        return { type: 'repository', projectKey: repository.projectKey, repositorySlug: repository.slug };
      },
    },
  ];

  const ownerUser = (owner: TokenOwner) => (owner.type === 'user' ? model.getUser(owner.userSlug) : null);

  for (const { prefix, owner: resolveOwner } of owners) {
    app.put(prefix, async (request, reply) => {
      const owner = resolveOwner(request);
      const body = parseBody(createBody, request.body, 'access token');
      const { token, secret } = model.createToken(owner, {
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
        page(model.tokensOf(owner), query(request), (token) => accessTokenJson(token, user, context.baseUrl())),
      );
    });

    app.get(`${prefix}/:tokenId`, async (request, reply) => {
      const owner = resolveOwner(request);
      const token = model.getToken(owner, params(request).tokenId!);
      return sendJson(reply, 200, accessTokenJson(token, ownerUser(owner), context.baseUrl()));
    });

    app.post(`${prefix}/:tokenId`, async (request, reply) => {
      const owner = resolveOwner(request);
      const id = params(request).tokenId!;
      model.getToken(owner, id);
      const body = parseBody(updateBody, request.body, 'access token');
      const token = model.updateToken(owner, id, {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.permissions === undefined ? {} : { permissions: body.permissions }),
        ...(body.expiryDays === undefined ? {} : { expiryDays: body.expiryDays }),
      });
      return sendJson(reply, 200, accessTokenJson(token, ownerUser(owner), context.baseUrl()));
    });

    app.delete(`${prefix}/:tokenId`, async (request, reply) => {
      const owner = resolveOwner(request);
      model.deleteToken(owner, params(request).tokenId!);
      return sendNoContent(reply);
    });
  }
}
