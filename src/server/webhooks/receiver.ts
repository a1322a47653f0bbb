import type { FastifyRequest } from 'fastify';
import { loggableEventKey, loggableRequestId, MAX_EVENT_KEY_LENGTH, MAX_REQUEST_ID_LENGTH } from '../../domain/bitbucket-names';
import type { RoutePlugin } from '../context';
import {
  branchesToLookUp,
  eventStartsNoRun,
  runsForEvent,
  supersededReason,
  triggeredDeliveryReason,
  type ChangedPaths,
  type PushedBranch,
  type RepositoryEvent,
  type RepositoryRef,
  type RunRequest,
  type TriggerableStack,
} from '../../domain/runs';
import { isHandledEvent, PING_EVENT } from '../../domain/webhook-events';
import { BadRequestError, NotFoundError, PayloadTooLargeError, UnauthorizedError } from '../errors';
import { errorResponses } from '../schemas';
import { webhookSecretContext } from '../secrets';
import { FOREIGN_KEY_VIOLATION, sqlState } from '../store/database';
import {
  findWebhookTargets,
  recordAcceptedDeliveries,
  recordRejectedDeliveries,
  type AcceptedDelivery,
  type AcceptedDeliveryRecord,
  type DeliveryRecord,
  type WebhookTarget,
} from '../store/deliveries';
import { findIntegration } from '../store/integrations';
import { cancelSupersededRuns, linkPullRequests, stacksOnRepositories, type RepositoryOfDelivery } from '../store/runs';
import { lookUpChangedPaths } from './changed-paths';
import { applyModuleTags } from './module-tags';
import { Coalescer } from './coalescer';
import { claimedRepository, parseHandledDelivery } from './payloads';
import { webhookAnswer, webhookParams } from './schemas';
import { verifyHubSignature } from './signature';

/** Bodies above 1 MiB are refused with 413 (SPEC §1); Bitbucket's payloads are far smaller. */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** The look-up of changed files runs inside Bitbucket's webhook timeout: one quick retry at most. */
const LOOKUP_CLIENT = { retry: { maxRetries: 1, baseDelayMs: 100, maxDelayMs: 500, maxRetryAfterMs: 500, maxRateLimitWaitMs: 500 }, timeoutMs: 2_500 };

/** How often a delivery is re-evaluated when a stack it matched was deleted while it was being recorded. */
const RECORD_ATTEMPTS = 3;

function singleHeader(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value.join(', ');
  return value === undefined || value === '' ? null : value;
}

/**
 * `POST /webhooks/bitbucket-datacenter/{integrationId}`: Bitbucket Data Center's deliveries (SPEC §1).
 *
 * Order of checks: unknown integration 404 (before the body is read), body over 1 MiB 413, missing or wrong
 * X-Hub-Signature 401, then the event. Every delivery to a known integration is recorded before it is
 * answered, except pings (no side effects) and repeats of an accepted X-Request-Id (nothing new). An accepted
 * delivery and its runs are written by one statement, so a 2xx is only sent once both are committed.
 */
export const webhookReceiverRoutes: RoutePlugin = async (app, { context }) => {
  const { db } = context;
  const targets = new WeakMap<FastifyRequest, WebhookTarget>();
  // Concurrent deliveries share statements (see Coalescer): one lookup of their integrations, one of their
  // stacks, one insert of all of them and their runs.
  const targetLookup = new Coalescer<string, WebhookTarget | null>(async (ids) => {
    const found = new Map((await findWebhookTargets(db, [...new Set(ids)])).map((target) => [target.id, target]));
    return ids.map((id) => found.get(id) ?? null);
  });
  const stackLookup = new Coalescer<RepositoryOfDelivery, TriggerableStack[]>((queries) => stacksOnRepositories(db, queries));
  const deliveryWriter = new Coalescer<AcceptedDeliveryRecord, AcceptedDelivery>((records) => recordAcceptedDeliveries(db, records));
  // A flood of refused requests is written in batches too: it costs the store one statement per batch.
  const refusalWriter = new Coalescer<DeliveryRecord, void>(async (records) => {
    await recordRejectedDeliveries(db, records);
    return records.map(() => undefined);
  });

  /** Records a refused delivery; 404 when its integration was deleted since the request arrived. */
  const recordRefusal = async (delivery: DeliveryRecord): Promise<void> => {
    try {
      await refusalWriter.submit(delivery);
    } catch (error) {
      if (sqlState(error) === FOREIGN_KEY_VIOLATION) throw new NotFoundError(`integration "${delivery.integrationId}" not found`);
      throw error;
    }
  };

  /**
   * The changed files of the pushed branches whose runs depend on them, looked up in Bitbucket with the integration's
   * credentials within a deadline; what cannot be looked up is missing from the map (the runs start, noted).
   */
  const changedPathsOf = async (event: RepositoryEvent, integration: WebhookTarget, stacks: readonly TriggerableStack[]): Promise<Map<PushedBranch, ChangedPaths>> => {
    const branches = branchesToLookUp(event, integration, stacks);
    if (branches.length === 0) return new Map();
    const stored = await findIntegration(db, integration.id);
    const bitbucket = stored === null ? { unavailable: 'the integration was deleted' } : context.bitbucketFor(stored, LOOKUP_CLIENT);
    if ('unavailable' in bitbucket) return new Map(branches.map((pushed) => [pushed, { known: false, why: bitbucket.unavailable }]));
    try {
      return await lookUpChangedPaths(bitbucket.client, event.repository, branches);
    } finally {
      bitbucket.client.close();
    }
  };

  /**
   * What recording runs also changes, before the delivery is answered: a pull-request event whose run existed links
   * the pull request to it, and a new PROPOSED run cancels the older waiting ones of its branch.
   */
  const afterRecording = async (requested: readonly RunRequest[], queued: readonly { id: string; stackId: string; kind: RunRequest['kind']; branch: string; commit: string | null }[]) => {
    const isQueued = (run: RunRequest) => queued.some((made) => made.stackId === run.stackId && made.kind === run.kind && made.commit === run.commit);
    const linked = await linkPullRequests(
      db,
      requested.flatMap((run) =>
        run.pullRequestId !== null && run.commit !== null && !isQueued(run) ? [{ stackId: run.stackId, kind: run.kind, commit: run.commit, pullRequestId: run.pullRequestId }] : [],
      ),
    );
    await cancelSupersededRuns(db, queued.map((run) => ({ ...run, reason: supersededReason(run.id, run.commit) })));
    if (linked.feedbackDue > 0) context.runsQueued('feedback');
  };

  // The signature covers the exact bytes sent, so the body is kept raw whatever Content-Type claims; it is
  // parsed as JSON only after the signature matched. Scoped to this plugin: the API keeps its JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BODY_BYTES }, (_request, body, done) => {
    done(null, body);
  });

  // A refused delivery is unauthenticated: its headers are kept only when cut to their limits and shaped like
  // Bitbucket's, and the log counts a flood of them instead of growing with it (recordRejectedDelivery).
  const rejected = (
    integration: WebhookTarget,
    request: FastifyRequest,
    statusCode: number,
    reason: string,
    repository: RepositoryRef | null = null,
  ): DeliveryRecord => ({
    integrationId: integration.id,
    requestId: loggableRequestId(singleHeader(request.headers['x-request-id'])),
    eventKey: loggableEventKey(singleHeader(request.headers['x-event-key'])),
    repository,
    outcome: 'REJECTED',
    statusCode,
    reason,
  });

  // Fastify refuses an oversized body before the handler runs; record that refusal, then let the app's
  // error handler answer it like every other error.
  app.setErrorHandler(async (error, request) => {
    const integration = targets.get(request);
    if (integration !== undefined && (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const reason = `body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes (1 MiB)`;
      await recordRefusal(rejected(integration, request, 413, reason));
      throw new PayloadTooLargeError(reason);
    }
    throw error;
  });

  app.post(
    '/webhooks/bitbucket-datacenter/:integrationId',
    {
      bodyLimit: MAX_WEBHOOK_BODY_BYTES,
      // Each delivery is already recorded in the integration's delivery log; per-request info lines would double
      // the server's work during a burst. Warnings and errors are still logged.
      logLevel: 'warn',
      schema: {
        summary: 'Receive a Bitbucket Data Center webhook delivery',
        description:
          'Signed with X-Hub-Signature: sha256=<hex HMAC-SHA256(webhook secret, raw body)>. diagnostics:ping is answered 200; ' +
          'the eight handled events queue runs (200); other events are recorded and ignored (202); a repeated X-Request-Id is 200 and records nothing.',
        tags: ['webhooks'],
        params: webhookParams,
        response: { 200: webhookAnswer, 202: webhookAnswer, ...errorResponses(400, 401, 404, 413) },
      },
      onRequest: async (request) => {
        const { integrationId } = request.params as { integrationId: string };
        // Integration ids are slugs; one with NUL (a %00 in the URL) cannot exist and PostgreSQL cannot compare it.
        const integration = integrationId.includes('\u0000') ? null : await targetLookup.submit(integrationId);
        if (integration === null) {
          throw new NotFoundError(`integration "${integrationId}" not found`);
        }
        targets.set(request, integration);
      },
    },
    async (request, reply) => {
      const integration = targets.get(request) as WebhookTarget;
      const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const refuse = async (statusCode: 400 | 401, reason: string): Promise<never> => {
        await recordRefusal(rejected(integration, request, statusCode, reason, claimedRepository(rawBody)));
        throw statusCode === 401 ? new UnauthorizedError(reason) : new BadRequestError(reason);
      };

      // Bitbucket's "Test connection" sends the ping unsigned; a 401 there would call a correct set-up broken. A ping that
      // carries a signature is still checked.
      const eventKeyHeader = singleHeader(request.headers['x-event-key']);
      if (eventKeyHeader === PING_EVENT && request.headers['x-hub-signature'] === undefined) {
        return reply.code(200).send({ outcome: 'PING', deliveryId: null, runs: [], message: 'the webhook reaches Liftgate (an unsigned ping: the signature is checked on every other event)' });
      }
      const webhookSecret = context.secrets.decrypt(integration.webhookSecretEncrypted, webhookSecretContext(integration.id));
      const signature = verifyHubSignature(webhookSecret, rawBody, request.headers['x-hub-signature']);
      if (!signature.valid) return refuse(401, signature.reason);

      if (eventKeyHeader === null) return refuse(400, 'missing X-Event-Key header');
      const eventKey = eventKeyHeader.slice(0, MAX_EVENT_KEY_LENGTH);
      if (eventKey === PING_EVENT) {
        return reply.code(200).send({ outcome: 'PING', deliveryId: null, runs: [], message: 'the webhook reaches Liftgate and its signature matches' });
      }
      const requestId = singleHeader(request.headers['x-request-id']);
      if (requestId !== null && requestId.length > MAX_REQUEST_ID_LENGTH) {
        return refuse(400, `X-Request-Id is longer than ${MAX_REQUEST_ID_LENGTH} characters`);
      }
      const accepted = { integrationId: integration.id, requestId, eventKey };

      if (!isHandledEvent(eventKey)) {
        const result = await deliveryWriter
          .submit({
            delivery: { ...accepted, repository: null, outcome: 'IGNORED', statusCode: 202, reason: `event "${eventKey}" is recorded and ignored` },
            runs: [],
          })
          .catch((error: unknown) => {
            // Without runs, only the integration can have vanished (deleted since the request arrived).
            throw sqlState(error) === FOREIGN_KEY_VIOLATION ? new NotFoundError(`integration "${integration.id}" not found`) : error;
          });
        return result.duplicate
          ? reply.code(200).send(duplicateAnswer(requestId))
          : reply.code(202).send({ outcome: 'IGNORED', deliveryId: result.deliveryId, runs: [], message: `event "${eventKey}" is recorded and ignored` });
      }

      const parsed = parseHandledDelivery(eventKey, rawBody);
      if (!parsed.ok) return refuse(400, parsed.reason);
      const { event } = parsed;

      const moduleNotes = event.kind === 'push' ? await applyModuleTags(context, integration, event.repository, event.pushedTags ?? []) : [];
      for (let attempt = 1; ; attempt++) {
        try {
          const stacks = await stackLookup.submit({ ...event.repository, integration });
          const changed = await changedPathsOf(event, integration, stacks);
          const runs = runsForEvent(event, integration, stacks, (pushed) => changed.get(pushed));
          const noRun = eventStartsNoRun(event) ?? (event.kind === 'push' && stacks.length > 0 ? 'the push touched no file under the project root of a stack on this branch' : null);
          const result = await deliveryWriter.submit({
            delivery: {
              ...accepted,
              repository: event.repository,
              outcome: 'TRIGGERED',
              statusCode: 200,
              reason: [triggeredDeliveryReason(runs.length, runs.length, noRun), ...moduleNotes].join('; '),
            },
            runs,
          });
          if (result.duplicate) return reply.code(200).send(duplicateAnswer(requestId));
          await afterRecording(runs, result.runs);
          if (result.runs.length > 0) context.runsQueued();
          return reply.code(200).send({ outcome: 'TRIGGERED', deliveryId: result.deliveryId, runs: result.runs, message: result.reason });
        } catch (error) {
          // The integration or a matched stack was deleted meanwhile: without the integration the delivery has
          // no owner (404, as if it had arrived a moment later); without the stack, match again.
          if (sqlState(error) !== FOREIGN_KEY_VIOLATION) throw error;
          if ((await targetLookup.submit(integration.id)) === null) {
            throw new NotFoundError(`integration "${integration.id}" not found`);
          }
          if (attempt === RECORD_ATTEMPTS) throw error;
        }
      }
    },
  );
};

function duplicateAnswer(requestId: string | null) {
  return {
    outcome: 'DUPLICATE' as const,
    deliveryId: null,
    runs: [],
    message: `delivery ${requestId} was already accepted; nothing new was recorded`,
  };
}
