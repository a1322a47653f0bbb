import { z } from 'zod';
import type { Caller } from '../auth/access';
import { createApiKey } from '../auth/apiKeys';
import { bearerAuth, type RoutePlugin } from '../context';
import { ROOT_SPACE_ID, type ApiKey } from '../../domain/model';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { apiKey, apiKeyCreate, apiKeyCreated, errorResponses, idParams } from '../schemas';
import { countOtherRootAdmins, deleteApiKey, findApiKey, listApiKeys, lockApiKeyChanges } from '../store/apiKeys';

const tags = ['api-keys'];

/**
 * Whether the caller manages a key: its own, or one whose every binding is on a space the caller administers
 * (a key without bindings only by root admins). A key can never hand out more than its holder has.
 */
function manages(caller: Caller, key: ApiKey): boolean {
  if (key.id === caller.apiKey.id) return true;
  if (key.roles.length === 0) return caller.can('admin', ROOT_SPACE_ID);
  return key.roles.every((binding) => caller.can('admin', binding.spaceId));
}

export const apiKeyRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;

  app.post(
    '/api/v1/api-keys',
    {
      schema: {
        summary: 'Create an API key (admin on every space it is bound to); the secret is shown only in this response',
        tags,
        security: bearerAuth,
        body: apiKeyCreate,
        response: { 201: apiKeyCreated, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const { name, roles } = request.body;
      const seen = new Set<string>();
      for (const [index, binding] of roles.entries()) {
        if (seen.has(binding.spaceId)) {
          throw new UnprocessableError(`roles[${index}]: space "${binding.spaceId}" is bound twice`, { field: `roles[${index}].spaceId` });
        }
        seen.add(binding.spaceId);
        caller.require('admin', binding.spaceId, `space "${binding.spaceId}"`);
      }
      if (roles.length === 0) caller.require('admin', ROOT_SPACE_ID, 'an API key without roles');
      const { apiKey: created, secret } = await db.transaction((tx) => createApiKey(tx, name, roles));
      return reply.code(201).send({ ...created, secret });
    },
  );

  app.get(
    '/api/v1/api-keys',
    {
      schema: {
        summary: 'List the API keys the caller manages (never their secrets)',
        tags,
        security: bearerAuth,
        response: { 200: z.array(apiKey), ...errorResponses(401) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      return (await listApiKeys(db)).filter((key) => manages(caller, key));
    },
  );

  app.delete(
    '/api/v1/api-keys/:id',
    {
      schema: {
        summary: 'Delete an API key the caller manages; the last root-admin key cannot be deleted',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 204: z.undefined(), ...errorResponses(401, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const { id } = request.params;
      await db.transaction(async (tx) => {
        await lockApiKeyChanges(tx);
        const key = await findApiKey(tx, id);
        if (key === null || !manages(caller, key)) throw new NotFoundError(`API key "${id}" not found`);
        const isRootAdmin = key.roles.some((binding) => binding.spaceId === ROOT_SPACE_ID && binding.role === 'admin');
        if (isRootAdmin && (await countOtherRootAdmins(tx, id)) === 0) {
          throw new ConflictError(`API key "${id}" is the last root-admin key; create another one before deleting it`);
        }
        await deleteApiKey(tx, id);
      });
      return reply.code(204).send();
    },
  );
};
