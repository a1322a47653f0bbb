import { bitbucketDate } from './delivery';
import type { Project, PullRequest, PullRequestComment, PullRequestReviewer, Repository, User } from './model';
import { commentJson } from './content-representations';
import { pullRequestJson, referencedUserJson, repositoryJson, userJson } from './representations';

/**
 * Event payloads in the shapes Bitbucket DC sends (Atlassian's "Event payload" page): an envelope of
 * `eventKey`, `date` and `actor`, plus the repository or pull request and the event's extra fields.
 */

export interface PayloadContext {
  baseUrl: string;
  users: Map<string, User>;
  now: number;
}

export function refsChangedPayload(
  context: PayloadContext,
  actor: User,
  repository: Repository,
  project: Project,
  change: { branch: string; fromHash: string; toHash: string; type: 'ADD' | 'UPDATE' | 'DELETE'; refType?: 'BRANCH' | 'TAG' },
) {
  const refType = change.refType ?? 'BRANCH';
  const refId = `${refType === 'TAG' ? 'refs/tags/' : 'refs/heads/'}${change.branch}`;
  return {
    eventKey: 'repo:refs_changed',
    date: bitbucketDate(context.now),
    actor: userJson(actor, context.baseUrl),
    repository: repositoryJson(repository, project, context.baseUrl),
    changes: [
      {
        ref: { id: refId, displayId: change.branch, type: refType },
        refId,
        fromHash: change.fromHash,
        toHash: change.toHash,
        type: change.type,
      },
    ],
  };
}

/** Extra top-level fields per pull-request event (see the reference's table of `pr:*` payloads). */
export type PullRequestEventExtras =
  | { eventKey: 'pr:opened' | 'pr:merged' | 'pr:declined' | 'pr:deleted' }
  | { eventKey: 'pr:from_ref_updated'; previousFromHash: string }
  | {
      eventKey: 'pr:modified';
      previousTitle: string;
      previousDescription: string;
      previousTarget: { branch: string; commit: string };
    }
  | {
      eventKey: 'pr:reviewer:approved' | 'pr:reviewer:unapproved' | 'pr:reviewer:needs_work';
      participant: PullRequestReviewer;
      previousStatus: PullRequestReviewer['status'];
    }
  | { eventKey: 'pr:comment:added'; comment: PullRequestComment };

export function pullRequestPayload(
  context: PayloadContext,
  actor: User,
  repository: Repository,
  project: Project,
  pullRequest: PullRequest,
  extras: PullRequestEventExtras,
) {
  const repositoryBody = repositoryJson(repository, project, context.baseUrl);
  const envelope = {
    eventKey: extras.eventKey,
    date: bitbucketDate(context.now),
    actor: userJson(actor, context.baseUrl),
    pullRequest: pullRequestJson(pullRequest, { repository: repositoryBody, users: context.users, baseUrl: context.baseUrl }),
  };
  const userBody = (slug: string) => referencedUserJson(context.users, slug, context.baseUrl);
  switch (extras.eventKey) {
    case 'pr:from_ref_updated':
      return { ...envelope, previousFromHash: extras.previousFromHash };
    case 'pr:modified':
      return {
        ...envelope,
        previousTitle: extras.previousTitle,
        previousDescription: extras.previousDescription,
        previousTarget: {
          id: `refs/heads/${extras.previousTarget.branch}`,
          displayId: extras.previousTarget.branch,
          type: 'BRANCH',
          latestCommit: extras.previousTarget.commit,
          latestChangeset: extras.previousTarget.commit,
        },
        previousDraft: false,
      };
    case 'pr:reviewer:approved':
    case 'pr:reviewer:unapproved':
    case 'pr:reviewer:needs_work':
      return {
        ...envelope,
        participant: {
          user: userBody(extras.participant.userSlug),
          role: 'REVIEWER',
          approved: extras.participant.approved,
          status: extras.participant.status,
          ...(extras.participant.lastReviewedCommit === null
            ? {}
            : { lastReviewedCommit: extras.participant.lastReviewedCommit }),
        },
        previousStatus: extras.previousStatus,
      };
    case 'pr:comment:added':
      return {
        ...envelope,
        comment: { ...commentJson(extras.comment, pullRequest, context.users, context.baseUrl), properties: { repositoryId: repository.id } },
      };
    default:
      return envelope;
  }
}
