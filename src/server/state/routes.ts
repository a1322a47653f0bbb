/**
 * The state server (SPEC §7.4): Terraform's `http` backend for each stack whose state the control plane manages, with
 * GitLab's locking. Configure Terraform with
 *
 *   address        = {publicUrl}/api/v1/stacks/{id}/state
 *   lock_address   = unlock_address = {publicUrl}/api/v1/stacks/{id}/state/lock
 *   lock_method    = "POST"     unlock_method = "DELETE"
 *   username       = anything   password = an API key, or a run's one-off credentials
 *
 * Success is exactly 200 where Terraform insists on it (lock, unlock); a lock conflict is 409 with the holder's
 * LockInfo; state goes in and out as the exact bytes Terraform sent.
 */
import type { FastifyError, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseLockInfo, unlockRequestId } from '../../domain/state';
import type { ServerContext } from '../context';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../errors';
import { errorBody, errorResponses, idParams } from '../schemas';
import { listStateVersions, type LockInfoJson } from '../store/state';
import { NEXT_CURSOR_HEADER, pageQuery } from '../webhooks/schemas';
import { authenticateStateRequest, STATE_AUTH_REALM, type StateCredential } from './auth';
import { checkContentMd5, lockState, readState, readStateVersion, stateTarget, unlockState, writeState, type StoredState } from './backend';

/** The largest state accepted by default (`liftgate serve --max-state-bytes`); larger writes are refused with 413. */
export const DEFAULT_MAX_STATE_BYTES = 32 * 1024 * 1024;

/** LockInfo bodies are a few hundred bytes; this bounds what a lock request may make the server read. */
const MAX_LOCK_BODY_BYTES = 64 * 1024;

/** The OpenAPI security requirement of the state routes: Basic (Terraform) or Bearer (the API's API keys). */
export const stateAuth: { [scheme: string]: string[] }[] = [{ basicAuth: [] }, { bearerAuth: [] }];

const tags = ['state'];

const lockInfoFields = z.object({
  ID: z.string().describe("Terraform's lock ID"),
  Operation: z.string(),
  Info: z.string(),
  Who: z.string().describe('Set by the control plane: the API key or run holding the lock, then what the client said'),
  Version: z.string().describe("The holder's Terraform version"),
  Created: z.string().describe('When the control plane granted the lock (RFC 3339)'),
  Path: z.string(),
});
const lockInfo = lockInfoFields.meta({ id: 'TerraformLockInfo' });

/** 409 of the lock routes: another holds the lock (its LockInfo, which Terraform reads, and the API's error), or any other conflict. */
const lockConflict = z.union([
  lockInfo
    .extend({ error: errorBody.shape.error })
    .meta({ id: 'TerraformLockConflict', description: "The holder's LockInfo (what Terraform reads) and the API's error" }),
  errorBody,
]);

const stateVersion = z
  .object({
    serial: z.number().int().describe("The state's serial (Terraform increments it on every change)"),
    lineage: z.string(),
    terraformVersion: z.string().nullable(),
    md5: z.string().describe('Base64 MD5 of the exact bytes (Content-MD5)'),
    sizeBytes: z.number().int(),
    createdBy: z.object({ kind: z.enum(['run', 'api-key']), id: z.string().describe('The run or the API key that wrote it') }),
    createdAt: z.string().describe('ISO-8601 timestamp'),
  })
  .meta({ id: 'TerraformStateVersion' });

const writeAnswer = z
  .object({
    outcome: z.enum(['stored', 'unchanged']).describe('unchanged: the same bytes were already the current state (a retried write)'),
    version: stateVersion,
  })
  .meta({ id: 'TerraformStateWritten' });

const lockQuery = z.object({
  ID: z.string().min(1).max(200).optional().describe("The lock's ID (Terraform adds it to a write made while it holds the lock)"),
});

function bodyText(body: unknown): string {
  return Buffer.isBuffer(body) ? body.toString('utf8') : '';
}

function bodyBytes(body: unknown): Buffer {
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}

/** Sends a state as stored: its exact bytes (a Buffer is never serialized) with their Content-MD5. */
function stateBytes(state: StoredState): Record<string, unknown> {
  return state.bytes as unknown as Record<string, unknown>;
}

function conflictBody(holder: LockInfoJson, stackId: string) {
  return {
    ...holder,
    error: {
      code: 'conflict',
      message: `the state of stack "${stackId}" is locked by ${holder.Who} since ${holder.Created} (lock ID ${holder.ID})`,
      details: { lock: holder },
    },
  };
}

export const stateRoutes: FastifyPluginAsyncZod<{ context: ServerContext; maxStateBytes: number }> = async (app, { context, maxStateBytes }) => {
  const { db, secrets } = context;
  const credentials = new WeakMap<FastifyRequest, StateCredential>();

  const credentialOf = (request: FastifyRequest): StateCredential => {
    const credential = credentials.get(request);
    if (credential === undefined) throw new Error('state request was not authenticated');
    return credential;
  };

  // Before the body is read: a request without valid credentials is a 401 whatever its size.
  app.addHook('onRequest', async (request) => {
    credentials.set(request, await authenticateStateRequest(db, context.reads, request.headers.authorization));
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 401) reply.header('www-authenticate', STATE_AUTH_REALM);
    return payload;
  });

  // State and LockInfo are taken as the exact bytes sent, whatever Content-Type says: Content-MD5 covers those bytes,
  // and GET must return them unchanged. Each route sets its own size limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? maxStateBytes;
      throw new PayloadTooLargeError(
        `the body is larger than the ${limit}-byte limit of this endpoint` +
          (request.routeOptions.url?.endsWith('/lock') === true ? '' : ' (liftgate serve --max-state-bytes); nothing was stored'),
        { limitBytes: limit },
      );
    }
    throw error;
  });

  app.get(
    '/api/v1/stacks/:id/state',
    {
      schema: {
        summary: "Read the stack's current Terraform state (read on its space, or a run's credentials)",
        description:
          'Answers 200 with the exact bytes last written (and their Content-MD5), or 204 when no state was written yet. A stack with ' +
          'manageState false answers 409.',
        tags,
        security: stateAuth,
        params: idParams,
        response: {
          // Sent as the stored bytes (a Buffer is never serialized), so the schema only documents it.
          200: z.record(z.string(), z.unknown()).describe('The Terraform state, byte for byte as last written'),
          204: z.undefined(),
          ...errorResponses(401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const target = await stateTarget(db, credentialOf(request), request.params.id, 'read');
      const state = await readState(db, secrets, target.stack.id);
      if (state === null) return reply.code(204).send();
      return reply.code(200).header('content-type', 'application/json').header('content-md5', state.md5).send(stateBytes(state));
    },
  );

  app.post(
    '/api/v1/stacks/:id/state',
    {
      bodyLimit: maxStateBytes,
      schema: {
        summary: 'Write a new version of the state (admin on its space, or a TRACKED run\'s credentials)',
        description:
          'The body is the state JSON (Content-MD5 checked when sent). While the state is locked the write must carry the lock\'s ?ID= ' +
          '(409 otherwise, also for an ?ID= on an unlocked state). A serial that goes backwards for the same lineage, or the same serial ' +
          'with other content, is 409; the same bytes as the current state again are 200 with outcome "unchanged". An empty body is 204 ' +
          'and stores nothing; a body over the size limit is 413.',
        tags,
        security: stateAuth,
        params: idParams,
        querystring: lockQuery,
        response: { 200: writeAnswer, 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request, reply) => {
      const target = await stateTarget(db, credentialOf(request), request.params.id, 'write');
      const body = bodyBytes(request.body);
      if (body.length === 0) return reply.code(204).send();
      checkContentMd5(body, request.headers['content-md5']);
      const written = await writeState(db, secrets, target, body, request.query.ID ?? null);
      request.log.info(
        { stackId: target.stack.id, serial: written.version.serial, lineage: written.version.lineage, outcome: written.outcome, by: written.version.createdBy },
        'terraform state written',
      );
      return { outcome: written.outcome, version: written.version };
    },
  );

  app.post(
    '/api/v1/stacks/:id/state/lock',
    {
      bodyLimit: MAX_LOCK_BODY_BYTES,
      schema: {
        summary: "Lock the state (Terraform's lock_method = \"POST\"; admin on its space, or a TRACKED run's credentials)",
        description:
          "The body is Terraform's LockInfo. 200 with the lock when granted (also when the same ID already holds it: a retry); 409 with " +
          "the holder's LockInfo when another ID holds it.",
        tags,
        security: stateAuth,
        params: idParams,
        response: { 200: lockInfo, 409: lockConflict, ...errorResponses(400, 401, 403, 404, 413) },
      },
    },
    async (request, reply) => {
      const target = await stateTarget(db, credentialOf(request), request.params.id, 'lock');
      const body = bodyBytes(request.body);
      checkContentMd5(body, request.headers['content-md5']);
      const parsed = parseLockInfo(body.toString('utf8'));
      if ('problem' in parsed) throw new BadRequestError(parsed.problem);
      const result = await lockState(db, target, parsed.lockInfo);
      if (!result.granted) return reply.code(409).send(conflictBody(result.holder, target.stack.id));
      request.log.info({ stackId: target.stack.id, lockId: result.lock.ID, who: result.lock.Who }, 'terraform state locked');
      return result.lock;
    },
  );

  app.delete(
    '/api/v1/stacks/:id/state/lock',
    {
      bodyLimit: MAX_LOCK_BODY_BYTES,
      schema: {
        summary: "Unlock the state (Terraform's unlock_method = \"DELETE\")",
        description:
          "With the lock's ID (LockInfo in the body, or ?ID=): releases that lock (admin on its space, or a TRACKED run's credentials); " +
          "another ID is 409 with the holder's LockInfo. Without an ID it is a force-unlock (terraform force-unlock sends an empty body), " +
          'which only an admin API key may do. An unlocked state answers 200 (a retried unlock succeeds).',
        tags,
        security: stateAuth,
        params: idParams,
        querystring: lockQuery,
        response: {
          // Inline rather than a reference: OpenAPI 3.0 cannot make a referenced schema nullable.
          200: z.object({ released: lockInfoFields.nullable().describe('The lock that was released; null when the state was not locked') }),
          409: lockConflict,
          ...errorResponses(400, 401, 403, 404, 413),
        },
      },
    },
    async (request, reply) => {
      const text = bodyText(request.body);
      if (text !== '') checkContentMd5(bodyBytes(request.body), request.headers['content-md5']);
      const lockId = unlockRequestId(text, request.query.ID);
      const target = await stateTarget(db, credentialOf(request), request.params.id, lockId === null ? 'force-unlock' : 'unlock');
      const result = await unlockState(db, target, lockId);
      if ('conflict' in result) return reply.code(409).send(conflictBody(result.conflict, target.stack.id));
      if (result.released !== null) {
        request.log.info({ stackId: target.stack.id, lockId: result.released.ID, forced: lockId === null }, 'terraform state unlocked');
      }
      return { released: result.released };
    },
  );

  app.get(
    '/api/v1/stacks/:id/state/versions',
    {
      schema: {
        summary: "List the versions of the stack's state, newest first (read on its space, or a run's credentials)",
        description: 'Every accepted write is a version, numbered by its serial. More pages via ?cursor= from the X-Next-Cursor header.',
        tags,
        security: stateAuth,
        params: idParams,
        querystring: pageQuery,
        response: { 200: z.array(stateVersion).describe('Newest first'), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const target = await stateTarget(db, credentialOf(request), request.params.id, 'read');
      const { limit, cursor } = request.query;
      const page = await listStateVersions(db, target.stack.id, limit, cursor === undefined ? null : BigInt(cursor));
      if (page.nextCursor !== null) reply.header(NEXT_CURSOR_HEADER, page.nextCursor);
      return page.items;
    },
  );

  app.get(
    '/api/v1/stacks/:id/state/versions/:serial',
    {
      schema: {
        summary: 'Read one version of the state by its serial (read on its space, or a run\'s credentials)',
        description:
          'The exact bytes of the newest version with that serial (after a lineage change two versions may share one), to inspect or ' +
          'restore an earlier state (terraform state push -force of a copy with a higher serial). 404 when no version has it.',
        tags,
        security: stateAuth,
        params: z.object({ id: idParams.shape.id, serial: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),
        response: {
          200: z.record(z.string(), z.unknown()).describe('The Terraform state of that version, byte for byte'),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const target = await stateTarget(db, credentialOf(request), request.params.id, 'read');
      const state = await readStateVersion(db, secrets, target.stack.id, request.params.serial);
      if (state === null) throw new NotFoundError(`stack "${target.stack.id}" has no state version with serial ${request.params.serial}`);
      return reply.code(200).header('content-type', 'application/json').header('content-md5', state.md5).send(stateBytes(state));
    },
  );
};
