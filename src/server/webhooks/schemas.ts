import { z } from 'zod';
import { RUN_STATES } from '../../domain/run-states';
import { commitId } from '../schemas';

/** Response shapes of the webhook receiver, the runs API and the delivery log (also the OpenAPI document). */

const timestamp = z.string().describe('ISO-8601 timestamp');

export const run = z
  .object({
    id: z.string(),
    stackId: z.string(),
    kind: z.enum(['TRACKED', 'PROPOSED']).describe('TRACKED plans and applies the tracked branch; PROPOSED only plans'),
    state: z.string().describe('QUEUED when recorded; CANCELED when a newer proposed run of the same branch superseded it'),
    trigger: z.string().describe('The Bitbucket event key that started the run (e.g. repo:refs_changed), or "manual"'),
    branch: z.string(),
    commit: z.string().nullable().describe('null for a manual run that names no commit: the head of the tracked branch'),
    pullRequestId: z.number().int().nullable(),
    deliveryId: z.string().nullable().describe('The webhook delivery that caused the run; null for manual runs'),
    triggeredBy: z.string().nullable().describe('The API key that triggered a manual run'),
    note: z
      .string()
      .nullable()
      .describe('What the run was made without knowing, e.g. whether its push touched the project root (a new branch, a failed look-up)'),
    failure: z.string().nullable().describe('Why the run was CANCELED or FAILED, in one sentence'),
    createdAt: timestamp,
  })
  .meta({ id: 'Run' });

const runState = z.enum(RUN_STATES).describe('SPEC §7.1: QUEUED → PREPARING → INITIALIZING → PLANNING → … → FINISHED | FAILED | DISCARDED | CANCELED');

/** A run with where it stands: the runs API's shape (the webhook answer shows the runs it just queued). */
export const runDetails = run
  .extend({
    state: runState,
    history: z
      .array(z.object({ state: runState, at: timestamp, note: z.string().nullable() }))
      .describe('Every state the run passed through, oldest first'),
    delta: z
      .object({ add: z.number().int(), change: z.number().int(), destroy: z.number().int() })
      .nullable()
      .describe("The plan's resource changes, once planned"),
    failure: z.string().nullable().describe('Why the run FAILED or was CANCELED, in one sentence'),
    cancelRequested: z.boolean().describe('A cancel was asked for and the worker is interrupting terraform'),
    feedback: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe("The last outcome of reporting the run to Bitbucket (build status, pull-request comment, last error); it never changes the run's outcome"),
    updatedAt: timestamp,
  })
  .meta({ id: 'RunDetails' });

export const runList = z.array(runDetails).describe('Newest first');

export const manualRunRequest = z
  .object({
    commit: commitId
      .optional()
      .describe('Full commit id (40 hex digits) to run; by default the head of the tracked branch when the run starts'),
  })
  // A trigger usually sends no body at all (Fastify gives null then).
  .nullish();

/** Lists are plain arrays like the rest of the API; when more entries exist, `X-Next-Cursor` carries the next page's `cursor`. */
export const NEXT_CURSOR_HEADER = 'x-next-cursor';

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Page size'),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'must be the X-Next-Cursor header of a previous page')
    .optional()
    .describe('The X-Next-Cursor response header of the previous page'),
});

export const delivery = z
  .object({
    id: z.string(),
    integrationId: z.string(),
    requestId: z.string().nullable().describe('X-Request-Id as Bitbucket sent it'),
    eventKey: z.string().nullable().describe('X-Event-Key'),
    repository: z
      .object({ projectKey: z.string(), repositorySlug: z.string() })
      .nullable()
      .describe('The repository the event concerns; for a REJECTED delivery, the one its (unverified) body names, if any'),
    outcome: z
      .enum(['TRIGGERED', 'IGNORED', 'REJECTED'])
      .describe('TRIGGERED: a handled event (it may match no stack); IGNORED: an event Liftgate does not act on; REJECTED: answered 4xx'),
    statusCode: z.number().int().describe('The HTTP status the delivery was answered with'),
    reason: z.string(),
    runIds: z.array(z.string()).describe('Runs the delivery queued'),
    receivedAt: timestamp,
    count: z
      .number()
      .int()
      .describe('How many deliveries this entry stands for: 1, or more when it counts a flood of refused deliveries'),
    lastReceivedAt: timestamp.describe('When the last of them arrived (receivedAt for a single delivery)'),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryList = z.array(delivery).describe('Newest first');

export const webhookAnswer = z
  .object({
    outcome: z
      .enum(['TRIGGERED', 'IGNORED', 'DUPLICATE', 'PING'])
      .describe('DUPLICATE: this X-Request-Id was already accepted and nothing new was recorded'),
    deliveryId: z.string().nullable().describe('The recorded delivery; null for pings and duplicates'),
    runs: z.array(run).describe('Runs queued by this delivery'),
    message: z.string(),
  })
  .meta({ id: 'WebhookAnswer' });

export const webhookParams = z.object({ integrationId: z.string().min(1).max(200) });
