import { stackForCaller } from '../auth/access';
import { bearerAuth, type RoutePlugin } from '../context';
import { manualRun, manualRunRefusal } from '../../domain/runs';
import { ConflictError } from '../errors';
import { errorResponses, idParams } from '../schemas';
import { actOnRun } from '../runs/actions';
import { findStackRun, readRunLog, toRunDetails } from '../store/run-queue';
import { insertManualRun, listRuns } from '../store/runs';
import { manualRunRequest, NEXT_CURSOR_HEADER, pageQuery, run, runDetails, runList } from '../webhooks/schemas';
import { TERMINAL_RUN_STATES } from '../../domain/run-states';
import { NotFoundError } from '../errors';
import { z } from 'zod';

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
      context.runsQueued();
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

  app.get(
    '/api/v1/stacks/:id/runs/:runId',
    {
      schema: {
        summary: 'One run of the stack: its state, history, delta, failure and feedback (read role on its space)',
        tags: ['runs'],
        security: bearerAuth,
        params: runParams,
        response: { 200: runDetails, ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const caller = await context.authenticate(request);
      const stack = await stackForCaller(db, caller, request.params.id, 'read');
      const row = await findStackRun(db, stack.id, request.params.runId);
      if (row === null) throw new NotFoundError(`stack "${stack.id}" has no run "${request.params.runId}"`);
      return toRunDetails(row);
    },
  );

  for (const action of ['confirm', 'discard', 'cancel'] as const) {
    app.post(
      `/api/v1/stacks/:id/runs/:runId/${action}`,
      {
        schema: {
          summary: ACTION_SUMMARIES[action],
          description:
            '409 names the current state when the run cannot be ' +
            `${action === 'cancel' ? 'canceled (it has ended)' : `${action}ed (only an UNCONFIRMED TRACKED run can)`}.` +
            (action === 'cancel' ? ' A run a worker executes answers 202: terraform is interrupted (SIGINT, then SIGKILL) and the run becomes CANCELED.' : ''),
          tags: ['runs'],
          security: bearerAuth,
          params: runParams,
          response: { 200: runDetails, 202: runDetails, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const caller = await context.authenticate(request);
        const stack = await stackForCaller(db, caller, request.params.id, 'write');
        const result = await actOnRun(db, stack.id, request.params.runId, action, `API key ${caller.apiKey.id}`);
        if (action === 'confirm') context.runsQueued();
        return reply.code(result.pending ? 202 : 200).send(result.run);
      },
    );
  }

  app.get(
    '/api/v1/stacks/:id/runs/:runId/logs',
    {
      schema: {
        summary: "The run's log from byte `offset` (read role on its space); poll with X-Next-Offset until X-Log-Complete is true",
        tags: ['runs'],
        security: bearerAuth,
        params: runParams,
        querystring: z.object({ offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0).describe('Byte offset to read from') }),
        response: { 200: z.string().describe('text/plain'), ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const caller = await context.authenticate(request);
      const stack = await stackForCaller(db, caller, request.params.id, 'read');
      const row = await findStackRun(db, stack.id, request.params.runId);
      if (row === null) throw new NotFoundError(`stack "${stack.id}" has no run "${request.params.runId}"`);
      const offset = request.query.offset;
      const log = await readRunLog(db, row.id, offset, MAX_LOG_READ_BYTES);
      // The log is written in whole lines; a read cut short ends at a line's end, so no character is split.
      const lastNewline = log.content.lastIndexOf(0x0a);
      const content = offset + log.content.byteLength < log.total && lastNewline >= 0 ? log.content.subarray(0, lastNewline + 1) : log.content;
      const next = Math.min(log.total, offset + content.byteLength);
      reply.header('content-type', 'text/plain; charset=utf-8');
      reply.header('x-next-offset', String(Math.max(next, Math.min(offset, log.total))));
      reply.header('x-log-complete', String(TERMINAL_RUN_STATES.has(row.state) && next >= log.total));
      return reply.send(content.toString('utf8'));
    },
  );
};

const runParams = z.object({ id: z.string().min(1).max(200), runId: z.string().uuid('must be a run id') });

/** The most bytes one log request returns; the client asks again from X-Next-Offset. */
const MAX_LOG_READ_BYTES = 1024 * 1024;

const ACTION_SUMMARIES = {
  confirm: 'Confirm an UNCONFIRMED run: it goes CONFIRMED and the next free worker applies its saved plan (write role on its space)',
  discard: "Discard an UNCONFIRMED run's plan: the run ends DISCARDED and releases its stack (write role on its space)",
  cancel: 'Cancel a run that has not ended (write role on its space)',
} as const;
