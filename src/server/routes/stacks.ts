import { z } from 'zod';
import { stackForCaller, type Caller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import type { StackVcs } from '../../domain/model';
import { slugify, stackMayUseIntegration } from '../../domain/spaces';
import { NotFoundError, UnprocessableError } from '../errors';
import { randomHex } from '../secrets';
import { errorResponses, idParams, stack, stackCreate, stackListQuery, stackPatch } from '../schemas';
import type { Queryable } from '../store/database';
import { findIntegration, lockIntegrationForUse } from '../store/integrations';
import { loadSpaceTree, lockSpacePathForUse } from '../store/spaces';
import { deleteStack, insertStack, listStacks, listStacksUsingIntegration, updateStack } from '../store/stacks';

const tags = ['stacks'];

/**
 * Checks, inside the writing transaction, that a stack in `spaceId` may use the integration `integrationId`
 * (null: the default one), holding it and the spaces it is reached through until the stack is written. 422 otherwise, with one message whether the
 * integration is missing or out of reach, so existence does not leak.
 */
export async function requireUsableIntegration(
  tx: Queryable,
  spaceId: string,
  integrationId: string | null,
  kind: 'stack' | 'module' = 'stack',
): Promise<void> {
  const field = 'vcs.integrationId';
  // The spaces whose inheritance decides, then the integration: a concurrent change of either waits for this
  // transaction, and this one sees it if it came first (PATCH of a space or an integration lock them FOR UPDATE).
  await lockSpacePathForUse(tx, spaceId);
  const integration = await lockIntegrationForUse(tx, integrationId);
  if (integrationId === null && integration === null) {
    throw new UnprocessableError('vcs.integrationId is null (the default integration) but no default integration exists', { field });
  }
  if (integration === null || !stackMayUseIntegration(await loadSpaceTree(tx), spaceId, integration)) {
    throw new UnprocessableError(
      `integration "${integrationId}" is not usable by ${kind}s in space "${spaceId}" (it must be the default integration, ` +
        `in the ${kind}'s space, or in a space it inherits entities from)`,
      { field },
    );
  }
}

export const stackRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;

  app.post(
    '/api/v1/stacks',
    {
      schema: {
        summary: 'Create a stack (write on its space); it may only use an integration available to its space',
        tags,
        security: bearerAuth,
        body: stackCreate,
        response: { 201: stack, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const body = request.body;
      caller.require('write', body.spaceId, `space "${body.spaceId}"`);
      const created = await db.transaction(async (tx) => {
        await requireUsableIntegration(tx, body.spaceId, body.vcs.integrationId);
        return insertStack(tx, `${slugify(body.name) || 'stack'}-${randomHex(3)}`, {
          name: body.name,
          spaceId: body.spaceId,
          vcs: body.vcs,
          autodeploy: body.autodeploy,
          labels: body.labels,
          detached: false,
          manageState: body.manageState,
        });
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/v1/stacks',
    {
      schema: {
        summary: 'List the stacks the caller can read',
        tags,
        security: bearerAuth,
        querystring: stackListQuery,
        response: { 200: z.array(stack), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const { integrationId } = request.query;
      if (integrationId === undefined) return (await listStacks(db)).filter((candidate) => caller.can('read', candidate.spaceId));
      const integration = await findIntegration(db, integrationId);
      if (integration === null || !caller.canListIntegration(integration)) {
        throw new NotFoundError(`integration "${integrationId}" not found`);
      }
      return (await listStacksUsingIntegration(db, integration)).filter((candidate) => caller.can('read', candidate.spaceId));
    },
  );

  app.get(
    '/api/v1/stacks/:id',
    {
      schema: {
        summary: 'Get a stack (read on its space)',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 200: stack, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      return stackForCaller(db, caller, request.params.id, 'read');
    },
  );

  app.patch(
    '/api/v1/stacks/:id',
    {
      schema: {
        summary: 'Update a stack (write on its space); setting vcs.integrationId (null included) attaches a detached stack',
        tags,
        security: bearerAuth,
        params: idParams,
        body: stackPatch,
        response: { 200: stack, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const caller: Caller = await context.authenticate(request);
      const current = await stackForCaller(db, caller, request.params.id, 'write');
      const body = request.body;
      const spaceId = body.spaceId ?? current.spaceId;
      if (spaceId !== current.spaceId) caller.require('write', spaceId, `space "${spaceId}"`);
      const attaching = body.vcs !== undefined && body.vcs.integrationId !== undefined;
      const vcs: StackVcs = {
        integrationId: attaching ? (body.vcs?.integrationId as string | null) : current.vcs.integrationId,
        projectKey: body.vcs?.projectKey ?? current.vcs.projectKey,
        repositorySlug: body.vcs?.repositorySlug ?? current.vcs.repositorySlug,
        branch: body.vcs?.branch ?? current.vcs.branch,
        projectRoot: body.vcs?.projectRoot ?? current.vcs.projectRoot,
      };
      const detached = current.detached && !attaching;
      return db.transaction(async (tx) => {
        if (!detached) await requireUsableIntegration(tx, spaceId, vcs.integrationId);
        const updated = await updateStack(tx, current.id, {
          name: body.name ?? current.name,
          spaceId,
          vcs,
          autodeploy: body.autodeploy ?? current.autodeploy,
          labels: body.labels ?? current.labels,
          detached,
          manageState: body.manageState ?? current.manageState,
        });
        if (updated === null) throw new NotFoundError(`stack "${current.id}" not found`);
        return updated;
      });
    },
  );

  app.delete(
    '/api/v1/stacks/:id',
    {
      schema: {
        summary: 'Delete a stack (write on its space) and its runs',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 204: z.undefined(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const current = await stackForCaller(db, caller, request.params.id, 'write');
      await deleteStack(db, current.id);
      return reply.code(204).send();
    },
  );
};
