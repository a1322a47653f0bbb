import { z } from 'zod';
import type { Caller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import type { Module, Role, StackVcs } from '../../domain/model';
import { compareVersionsDescending } from '../../domain/modules';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { randomHex } from '../secrets';
import { errorResponses, idParams, module, moduleCreate, modulePatch, moduleVersion } from '../schemas';
import { sqlState, UNIQUE_VIOLATION, type Queryable } from '../store/database';
import { deleteModule, findModule, insertModule, listModules, listModuleVersions, updateModule, type ModuleFields } from '../store/modules';
import { requireUsableIntegration } from './stacks';

const tags = ['modules'];

/** The module `id` if the caller may act on it with `role`: 404 when it is missing or unreadable, 403 without the role. */
async function moduleForCaller(db: Queryable, caller: Caller, id: string, role: Role): Promise<Module> {
  const found = await findModule(db, id);
  if (found === null || !caller.can('read', found.spaceId)) throw new NotFoundError(`module "${id}" not found`);
  caller.require(role, found.spaceId, `module "${id}"`);
  return found;
}

/** Writes a module, turning a clash of its registry address into a 409 that names it. */
async function writeModule<T>(fields: ModuleFields, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
    throw new ConflictError(
      `a module named "${fields.name}" for provider "${fields.terraformProvider}" already exists in space "${fields.spaceId}"`,
      { spaceId: fields.spaceId, name: fields.name, terraformProvider: fields.terraformProvider },
    );
  }
}

/** The immutable fields of a PATCH: accepted only when unchanged. */
function requireImmutable(current: Module, body: { name?: string; terraformProvider?: string }): void {
  for (const field of ['name', 'terraformProvider'] as const) {
    const value = body[field];
    if (value !== undefined && value !== current[field]) {
      throw new UnprocessableError(`${field} is immutable (it is part of the registry address): "${current[field]}" cannot become "${value}"`, { field });
    }
  }
}

export const moduleRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;

  app.post(
    '/api/v1/modules',
    {
      schema: {
        summary: 'Create a module (write on its space); its registry address <spaceId>/<name>/<terraformProvider> must be free',
        tags,
        security: bearerAuth,
        body: moduleCreate,
        response: { 201: module, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const body = request.body;
      caller.require('write', body.spaceId, `space "${body.spaceId}"`);
      const fields: ModuleFields = { ...body, detached: false };
      const created = await writeModule(fields, () =>
        db.transaction(async (tx) => {
          await requireUsableIntegration(tx, body.spaceId, body.vcs.integrationId, 'module');
          return insertModule(tx, `${body.name}-${body.terraformProvider}-${randomHex(3)}`, fields);
        }),
      );
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/v1/modules',
    { schema: { summary: 'List the modules the caller can read', tags, security: bearerAuth, response: { 200: z.array(module), ...errorResponses(401) } } },
    async (request) => {
      const caller = await context.authenticate(request);
      return (await listModules(db)).filter((candidate) => caller.can('read', candidate.spaceId));
    },
  );

  app.get(
    '/api/v1/modules/:id',
    {
      schema: { summary: 'Get a module (read on its space)', tags, security: bearerAuth, params: idParams, response: { 200: module, ...errorResponses(401, 404) } },
    },
    async (request) => moduleForCaller(db, await context.authenticate(request), request.params.id, 'read'),
  );

  app.get(
    '/api/v1/modules/:id/versions',
    {
      schema: {
        summary: "A module's versions from its tags, newest first: ACTIVE, FAILED (with the reason) and RETRACTED",
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 200: z.array(moduleVersion), ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const found = await moduleForCaller(db, await context.authenticate(request), request.params.id, 'read');
      return (await listModuleVersions(db, found.id)).sort((a, b) => compareVersionsDescending(a.version, b.version));
    },
  );

  app.patch(
    '/api/v1/modules/:id',
    {
      schema: {
        summary: 'Update a module (write on its space); name and terraformProvider are immutable; setting vcs.integrationId attaches a detached module',
        tags,
        security: bearerAuth,
        params: idParams,
        body: modulePatch,
        response: { 200: module, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const current = await moduleForCaller(db, caller, request.params.id, 'write');
      const body = request.body;
      requireImmutable(current, body);
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
      const fields: ModuleFields = { ...current, spaceId, vcs, detached, labels: body.labels ?? current.labels, description: body.description ?? current.description };
      return writeModule(fields, () =>
        db.transaction(async (tx) => {
          if (!detached) await requireUsableIntegration(tx, spaceId, vcs.integrationId, 'module');
          const updated = await updateModule(tx, current.id, fields);
          if (updated === null) throw new NotFoundError(`module "${current.id}" not found`);
          return updated;
        }),
      );
    },
  );

  app.delete(
    '/api/v1/modules/:id',
    {
      schema: {
        summary: 'Delete a module (write on its space) and its versions',
        tags,
        security: bearerAuth,
        params: idParams,
        response: { 204: z.undefined(), ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const current = await moduleForCaller(db, await context.authenticate(request), request.params.id, 'write');
      await deleteModule(db, current.id);
      return reply.code(204).send();
    },
  );
};
