import { z } from 'zod';
import { projectKeyProblem, repositorySlugProblem } from '../../domain/bitbucket-names';
import { branchName, branchNameProblem } from '../../domain/git';
import { PUSH_EVENT } from '../../domain/webhook-events';
import { type RepositoryEvent, type RepositoryRef } from '../../domain/runs';
import { branchRef, commitId } from '../schemas';

/**
 * Zod schemas for the parts of Bitbucket Data Center's webhook bodies that Liftgate reads
 * (reference: Atlassian's "Event payload" page). Objects are not strict: Bitbucket adds fields between
 * versions (`hierarchyId`, `archived`, `commits`, …), and a newer server must not be refused for that.
 */

// Git refuses NUL in ref names and PostgreSQL cannot store it; a lone UTF-16 surrogate (a JSON "\ud800" escape)
// is not Unicode text at all and PostgreSQL refuses it too. Neither ever comes from Bitbucket.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nonEmpty = z
  .string()
  .min(1)
  .regex(/^[^\u0000]*$/, 'must not contain NUL characters')
  .refine((text) => !LONE_SURROGATE.test(text), 'must be valid Unicode (it contains a lone surrogate)');

const repositorySchema = z.object({
  slug: nonEmpty,
  project: z.object({ key: nonEmpty }),
});


/** `eventKey` is optional (a body is keyed by the header) but, when present, must agree with the header. */
const envelope = { eventKey: z.string().optional() };

const refChangeSchema = z
  .object({
    ref: z.object({ id: nonEmpty, displayId: nonEmpty, type: nonEmpty }),
    refId: nonEmpty,
    // Commits and branches become runs: Bitbucket sends full commit ids and valid branch names, and nothing else may
    // reach a run.
    fromHash: commitId,
    toHash: commitId,
    type: z.enum(['ADD', 'UPDATE', 'DELETE']),
  })
  .superRefine((change, context) => {
    // Only changed branches become runs; a tag may be named anything Git allows for tags.
    const problem = change.ref.type === 'BRANCH' ? branchNameProblem(change.refId) : null;
    if (problem !== null) context.addIssue({ code: 'custom', path: ['refId'], message: problem });
  });

export const refsChangedSchema = z.object({
  ...envelope,
  repository: repositorySchema,
  changes: z.array(refChangeSchema),
});

const pullRequestRefSchema = z.object({
  id: branchRef,
  displayId: nonEmpty,
  latestCommit: commitId,
  repository: repositorySchema,
});

export const pullRequestEventSchema = z.object({
  ...envelope,
  pullRequest: z.object({
    id: z.number().int().nonnegative(),
    fromRef: pullRequestRefSchema,
    toRef: pullRequestRefSchema,
  }),
  /** pr:comment:added only. */
  comment: z.object({ text: z.string() }).optional(),
});

/** The comment that asks for a new plan of a pull request (SPEC §1), at the start of the comment's text. */
const REPLAN_COMMAND = /^\s*\/liftgate plan(?:\s|$)/;

const claimedRepositorySchema = z.union([
  z.object({ repository: repositorySchema }),
  z.object({ pullRequest: z.object({ toRef: z.object({ repository: repositorySchema }) }) }),
]);

/**
 * The repository a body names, read without trusting it: for the delivery log of refused deliveries, so that a
 * webhook whose secret drifted can be told by its repository (`liftgate drift` reports it). Never acted upon, and
 * kept only when it looks like Bitbucket's project key and repository slug, so an unsigned body cannot put
 * arbitrary text (markup, kilobytes) into the log.
 */
export function claimedRepository(rawBody: Buffer): RepositoryRef | null {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return null;
  }
  const result = claimedRepositorySchema.safeParse(json);
  if (!result.success) return null;
  const repository = 'repository' in result.data ? result.data.repository : result.data.pullRequest.toRef.repository;
  if (projectKeyProblem(repository.project.key) !== null || repositorySlugProblem(repository.slug) !== null) return null;
  return repositoryRef(repository);
}

/** The outcome of reading a signed body: a handled event, or why the body was refused (HTTP 400). */
export type ParsedDelivery = { ok: true; event: RepositoryEvent } | { ok: false; reason: string };

function describeIssues(eventKey: string, error: z.ZodError): string {
  const problems = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? 'body' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `payload does not match the shape of ${eventKey}: ${problems.join('; ')}${more}`;
}

function eventKeyMismatch(headerEventKey: string, bodyEventKey: string | undefined): ParsedDelivery | null {
  return bodyEventKey === undefined || bodyEventKey === headerEventKey
    ? null
    : { ok: false, reason: `body eventKey "${bodyEventKey}" does not match the X-Event-Key header "${headerEventKey}"` };
}

function repositoryRef(repository: z.infer<typeof repositorySchema>): RepositoryRef {
  return { projectKey: repository.project.key, repositorySlug: repository.slug };
}

/**
 * Parses the raw body of a handled event (one of HANDLED_EVENTS) into the event run triggering needs.
 * Tag changes and branch deletions are kept out of `pushedBranches`: there is nothing to plan for them. Created and
 * deleted tags are `pushedTags` (module versions); a moved tag (UPDATE, a forced push) changes no published version.
 */
export function parseHandledDelivery(eventKey: string, rawBody: Buffer): ParsedDelivery {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `malformed JSON body: ${(error as Error).message}` };
  }
  if (eventKey === PUSH_EVENT) {
    const push = refsChangedSchema.safeParse(json);
    if (!push.success) {
      return { ok: false, reason: describeIssues(eventKey, push.error) };
    }
    return (
      eventKeyMismatch(eventKey, push.data.eventKey) ?? {
        ok: true,
        event: {
          kind: 'push',
          eventKey,
          repository: repositoryRef(push.data.repository),
          pushedBranches: push.data.changes
            .filter((change) => change.ref.type === 'BRANCH' && change.type !== 'DELETE')
            .map((change) => ({ branch: branchName(change.refId), commit: change.toHash, fromCommit: change.fromHash })),
          pushedTags: push.data.changes.flatMap((change) =>
            change.ref.type === 'TAG' && change.type !== 'UPDATE'
              ? [{ tag: change.ref.displayId, commit: change.type === 'ADD' ? change.toHash : change.fromHash, type: change.type }]
              : [],
          ),
        },
      }
    );
  }
  const pr = pullRequestEventSchema.safeParse(json);
  if (!pr.success) {
    return { ok: false, reason: describeIssues(eventKey, pr.error) };
  }
  const { pullRequest } = pr.data;
  return (
    eventKeyMismatch(eventKey, pr.data.eventKey) ?? {
      ok: true,
      event: {
        kind: 'pullRequest',
        eventKey,
        repository: repositoryRef(pullRequest.toRef.repository),
        pullRequestId: pullRequest.id,
        sourceBranch: branchName(pullRequest.fromRef.id),
        targetBranch: branchName(pullRequest.toRef.id),
        commit: pullRequest.fromRef.latestCommit,
        replan: eventKey === 'pr:comment:added' && REPLAN_COMMAND.test(pr.data.comment?.text ?? ''),
      },
    }
  );
}
