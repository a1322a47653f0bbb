import { z } from 'zod';
import type { Caller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import { ROOT_SPACE_ID, type Space } from '../../domain/model';
import { strandedByEndingInheritance } from '../../domain/integrations';
import { slugify } from '../../domain/spaces';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { randomHex } from '../secrets';
import { errorResponses, idParams, space, spaceCreate, spacePatch } from '../schemas';
import type { Queryable } from '../store/database';
import { listIntegrations } from '../store/integrations';
import {
  deleteSpace,
  findSpace,
  insertSpace,
  listSpaces,
  loadSpaceTree,
  lockSpaceForChange,
  spaceContents,
  updateSpace,
} from '../store/spaces';
import { listStacks } from '../store/stacks';

const tags = ['spaces'];

/** Names a list of blocking objects for an error message: `stacks "a", "b"`. */
export function nameObjects(kind: string, ids: string[]): string {
  return `${kind} ${ids.map((id) => `"${id}"`).join(', ')}`;
}

export const spaceRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;

  app.post(
    '/api/v1/spaces',
    {
      schema: {
        summary: 'Create a space (admin on the parent space)',
        description:
          'inheritEntities lets stacks here use the parent\'s integrations and gives this space\'s keys read on the parent; ' +
          'creating a space needs admin on the parent, which is also what turning inheritEntities on needs.',
        tags,
        security: bearerAuth,
        body: spaceCreate,
        response: { 201: space, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const body = request.body;
      caller.require('admin', body.parentSpaceId, `space "${body.parentSpaceId}"`);
      const created = await insertSpace(db, {
        id: `${slugify(body.name) || 'space'}-${randomHex(3)}`,
        name: body.name,
        parentSpaceId: body.parentSpaceId,
        inheritEntities: body.inheritEntities,
        description: body.description,
        labels: body.labels,
      });
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/v1/spaces',
    {
      schema: {
        summary: 'List the spaces the caller can read',
        tags,
        security: bearerAuth,
        response: { 200: z.array(space), ...errorResponses(401) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      return (await listSpaces(db)).filter((candidate) => caller.can('read', candidate.id));
    },
  );

  app.get(
    '/api/v1/spaces/:id',
    {
      schema: {
        summary: 'Get a space (read on it)',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 200: space, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const found = await findSpace(db, request.params.id);
      if (found === null || !caller.can('read', found.id)) throw new NotFoundError(`space "${request.params.id}" not found`);
      return found;
    },
  );

  app.patch(
    '/api/v1/spaces/:id',
    {
      schema: {
        summary: 'Update a space (admin on it); parentSpaceId is immutable, root cannot be renamed',
        description:
          'Turning inheritEntities on also needs admin on the parent space (403 otherwise): it opens the parent to this ' +
          'space\'s keys. Turning it off is refused (409) while stacks here rely on an inherited integration.',
        tags,
        security: bearerAuth,
        params: idParams,
        body: spacePatch,
        response: { 200: space, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const { id } = request.params;
      const current = await findSpace(db, id);
      if (current === null || !caller.can('read', id)) throw new NotFoundError(`space "${id}" not found`);
      caller.require('admin', id, `space "${id}"`);
      const body = request.body;
      if (body.parentSpaceId !== undefined && body.parentSpaceId !== current.parentSpaceId) {
        throw new UnprocessableError('parentSpaceId is immutable: a space cannot be moved', { field: 'parentSpaceId' });
      }
      if (id === ROOT_SPACE_ID && body.name !== undefined && body.name !== current.name) {
        throw new UnprocessableError('the root space cannot be renamed', { field: 'name' });
      }
      if (id === ROOT_SPACE_ID && body.inheritEntities === true) {
        throw new UnprocessableError('the root space has no parent to inherit from', { field: 'inheritEntities' });
      }
      const inheritEntities = body.inheritEntities ?? current.inheritEntities;
      return db.transaction(async (tx) => {
        // Locked first: a stack being attached through this space's inheritance holds it FOR SHARE, so it is either
        // committed and seen below, or waits and then sees the change.
        const locked = await lockSpaceForChange(tx, id);
        if (locked === null) throw new NotFoundError(`space "${id}" not found`);
        if (!locked.inheritEntities && inheritEntities) requireParentAdmin(caller, locked);
        if (locked.inheritEntities && !inheritEntities) await refuseLosingIntegrations(tx, id);
        const updated = await updateSpace(tx, id, {
          name: body.name ?? locked.name,
          inheritEntities,
          description: body.description ?? locked.description,
          labels: body.labels ?? locked.labels,
        });
        if (updated === null) throw new NotFoundError(`space "${id}" not found`);
        return updated;
      });
    },
  );

  app.delete(
    '/api/v1/spaces/:id',
    {
      schema: {
        summary: 'Delete an empty space (admin on it); 409 names what it still contains',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 204: z.undefined(), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const { id } = request.params;
      const current = await findSpace(db, id);
      if (current === null || !caller.can('read', id)) throw new NotFoundError(`space "${id}" not found`);
      caller.require('admin', id, `space "${id}"`);
      if (id === ROOT_SPACE_ID) throw new ConflictError('the root space cannot be deleted');
      await db.transaction(async (tx) => {
        const contents = await spaceContents(tx, id);
        const blockers = [
          contents.spaces.length > 0 ? nameObjects('child spaces', contents.spaces) : '',
          contents.stacks.length > 0 ? nameObjects('stacks', contents.stacks) : '',
          contents.integrations.length > 0 ? nameObjects('integrations', contents.integrations) : '',
        ].filter((text) => text !== '');
        if (blockers.length > 0) {
          throw new ConflictError(`space "${id}" is not empty: it contains ${blockers.join('; ')}`, contents);
        }
        await deleteSpace(tx, id);
      });
      return reply.code(204).send();
    },
  );

  /**
   * Inheritance gives the space's keys read on the parent and its stacks the parent's integrations, so only someone
   * who administers the parent may turn it on (as creating a child space needs). Otherwise an admin of a child could
   * open its parent, and repeat that up to root.
   */
  function requireParentAdmin(caller: Caller, space: Space) {
    const parent = space.parentSpaceId as string;
    if (!caller.can('admin', parent)) {
      throw caller.forbidden(
        `turning on inheritEntities of space "${space.id}" needs the admin role on its parent space "${parent}" (it gives this ` +
          "space's keys read on the parent and its stacks the parent's integrations)",
        parent,
        'admin',
      );
    }
  }

  /**
   * Turning inheritance off must not strand stacks: refuse (409, naming them) when a stack in the space or below
   * uses an integration it could only reach through this space's inheritance.
   */
  async function refuseLosingIntegrations(tx: Queryable, id: string) {
    const stranded = strandedByEndingInheritance(await loadSpaceTree(tx), id, await listStacks(tx), await listIntegrations(tx)).map((stack) => stack.id);
    if (stranded.length > 0) {
      throw new ConflictError(
        `turning off inheritEntities on space "${id}" would leave ${nameObjects('stacks', stranded)} without their integration`,
        { stacks: stranded },
      );
    }
  }
};
