import { stackForCaller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import { manualRun, manualRunRefusal } from '../domain/runs';
import { ConflictError } from '../errors';
import { errorResponses, idParams } from '../schemas';
import { insertManualRun, listRuns } from '../store/runs';
import { manualRunRequest, NEXT_CURSOR_HEADER, pageQuery, run, runList } from '../webhooks/schemas';

/** `POST|GET /api/v1/stacks/{id}/runs`: trigger a TRACKED run by hand, list a stack's runs. */
export const runRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;

  app.post(
    '/api/v1/stacks/:id/runs',
    {
      schema: {
        summary: 'Trigger a TRACKED run of the stack (write role on its space)',
        description:
          'A detached stack (its integration was deleted) refuses runs with 409 until it is attached again. A given commit must be a ' +
          'full commit id (40 hex digits; 400 otherwise). A manual run is always created, even when a run of that commit exists.',
        tags: ['runs'],
        security: bearerAuth,
        params: idParams,
        body: manualRunRequest,
        response: { 201: run, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const stack = await stackForCaller(db, caller, request.params.id, 'write');
      const refusal = manualRunRefusal({ detached: stack.detached, branch: stack.vcs.branch });
      if (refusal !== null) {
        throw new ConflictError(`stack "${stack.id}" cannot run: ${refusal}`, { stackId: stack.id, detached: stack.detached });
      }
      const created = await insertManualRun(db, manualRun({ id: stack.id, branch: stack.vcs.branch }, request.body?.commit ?? null), caller.apiKey.id);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/v1/stacks/:id/runs',
    {
      schema: {
        summary: "List the stack's runs, newest first (read role on its space)",
        tags: ['runs'],
        security: bearerAuth,
        params: idParams,
        querystring: pageQuery,
        response: { 200: runList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const stack = await stackForCaller(db, caller, request.params.id, 'read');
      const { limit, cursor } = request.query;
      const page = await listRuns(db, stack.id, limit, cursor === undefined ? null : BigInt(cursor));
      if (page.nextCursor !== null) reply.header(NEXT_CURSOR_HEADER, page.nextCursor);
      return page.items;
    },
  );
};
