import { fitComment } from '../../domain/feedback';
import { requireCommit } from '../../domain/git';
import { ApiConflictError, ApiNotFoundError } from '../errors';
import type { PagedList, PagingOptions } from '../paging';
import { segment } from '../urls';
import {
  activitySchema,
  commentSchema,
  pullRequestSchema,
  type BitbucketActivity,
  type BitbucketComment,
  type BitbucketPullRequest,
} from './content-schemas';
import { listPages, type BitbucketTransport, type CallOptions } from './pages';
import { repositoryPath } from './paths';
import { pageSchema } from './schemas';

export interface PullRequestListOptions extends PagingOptions {
  /** Only pull requests into (INCOMING, the default) or out of (OUTGOING) this branch (`refs/heads/…` or a name). */
  at?: string;
  direction?: 'INCOMING' | 'OUTGOING';
  /** @default 'OPEN' (Bitbucket's default) */
  state?: 'OPEN' | 'MERGED' | 'DECLINED' | 'ALL';
  order?: 'NEWEST' | 'OLDEST';
}

/** The comment a stack keeps on a pull request: created once, then edited in place. */
export interface CommentUpsert extends CallOptions {
  /** The comment made earlier (its id and the version last seen), or null to create it. */
  existing: { id: number; version: number } | null;
  text: string;
  /** Where the whole text is (the run's page), named when the text is cut to Bitbucket's limit. */
  link: string;
}

/** How often an edit is retried after a 409 (someone else edited the comment between the re-read and the write). */
const MAX_STALE_RETRIES = 3;

const pullRequestPage = pageSchema(pullRequestSchema);
const activityPage = pageSchema(activitySchema);

function ref(branch: string | undefined): string | undefined {
  return branch === undefined || branch.startsWith('refs/') ? branch : `refs/heads/${branch}`;
}

/** Pull requests of a repository, their activities and general comments. */
export class PullRequestsResource {
  constructor(private readonly transport: BitbucketTransport) {}

  list(projectKey: string, slug: string, options: PullRequestListOptions = {}): PagedList<BitbucketPullRequest, number> {
    const { at, direction, state, order, ...paging } = options;
    return listPages(this.transport, `${repositoryPath(projectKey, slug)}/pull-requests`, { at: ref(at), direction, state, order }, pullRequestPage, paging);
  }

  async get(projectKey: string, slug: string, id: number, options: CallOptions = {}): Promise<BitbucketPullRequest> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${repositoryPath(projectKey, slug)}/pull-requests/${segment(id)}`,
      schema: pullRequestSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  /** Newest first; unknown kinds of activity are kept as they come. */
  activities(projectKey: string, slug: string, id: number, paging: PagingOptions = {}): PagedList<BitbucketActivity, number> {
    return listPages(this.transport, `${repositoryPath(projectKey, slug)}/pull-requests/${segment(id)}/activities`, {}, activityPage, paging);
  }

  /** Every pull request (any state) whose commits include this one. */
  containing(projectKey: string, slug: string, commit: string, paging: PagingOptions = {}): PagedList<BitbucketPullRequest, number> {
    return listPages(this.transport, `${repositoryPath(projectKey, slug)}/commits/${requireCommit(commit)}/pull-requests`, {}, pullRequestPage, paging);
  }

  /** The open pull requests that contain a commit and target a branch: where a proposed run's comment goes. */
  async openContaining(projectKey: string, slug: string, commit: string, targetBranch: string, options: CallOptions = {}): Promise<BitbucketPullRequest[]> {
    const target = ref(targetBranch);
    const found: BitbucketPullRequest[] = [];
    for await (const pullRequest of this.containing(projectKey, slug, commit, options)) {
      if (pullRequest.state === 'OPEN' && pullRequest.toRef.id === target) found.push(pullRequest);
    }
    return found;
  }

  private commentsPath(projectKey: string, slug: string, pullRequestId: number): string {
    return `${repositoryPath(projectKey, slug)}/pull-requests/${segment(pullRequestId)}/comments`;
  }

  /** Creates a general comment (201). Bitbucket refuses a text over 32,768 characters; see upsertComment for the cut. */
  async createComment(projectKey: string, slug: string, pullRequestId: number, text: string, options: CallOptions = {}): Promise<BitbucketComment> {
    const { data } = await this.transport.json({
      method: 'POST',
      path: this.commentsPath(projectKey, slug, pullRequestId),
      body: { text },
      schema: commentSchema,
      retryMode: 'create',
      signal: options.signal,
    });
    return data;
  }

  async getComment(projectKey: string, slug: string, pullRequestId: number, commentId: number, options: CallOptions = {}): Promise<BitbucketComment> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${this.commentsPath(projectKey, slug, pullRequestId)}/${segment(commentId)}`,
      schema: commentSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  /** Edits a comment's text; `version` must be its current one (a conflict error otherwise). Only its author may. */
  async updateComment(
    projectKey: string,
    slug: string,
    pullRequestId: number,
    comment: { id: number; version: number },
    text: string,
    options: CallOptions = {},
  ): Promise<BitbucketComment> {
    const { data } = await this.transport.json({
      method: 'PUT',
      path: `${this.commentsPath(projectKey, slug, pullRequestId)}/${segment(comment.id)}`,
      body: { text, version: comment.version },
      schema: commentSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  async deleteComment(projectKey: string, slug: string, pullRequestId: number, comment: { id: number; version: number }, options: CallOptions = {}): Promise<void> {
    await this.transport.json({
      method: 'DELETE',
      path: `${this.commentsPath(projectKey, slug, pullRequestId)}/${segment(comment.id)}`,
      query: { version: comment.version },
      schema: null,
      retryMode: 'idempotent',
      notFoundOnRetryMeansDone: true,
      signal: options.signal,
    });
  }

  /**
   * The one comment a stack keeps on a pull request (SPEC §7.6): created when there is none, otherwise edited in place
   * with its version, re-read and tried again when someone edited it meanwhile (409); created anew when it was
   * deleted. The text is cut to Bitbucket's 32,768 characters with a note naming `link`. Answers the comment as
   * stored (keep its id and version for the next call).
   */
  async upsertComment(projectKey: string, slug: string, pullRequestId: number, input: CommentUpsert): Promise<BitbucketComment> {
    const text = fitComment(input.text, input.link);
    const options = { signal: input.signal };
    if (input.existing === null) return this.createComment(projectKey, slug, pullRequestId, text, options);
    let version = input.existing.version;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.updateComment(projectKey, slug, pullRequestId, { id: input.existing.id, version }, text, options);
      } catch (error) {
        if (error instanceof ApiNotFoundError) return this.createComment(projectKey, slug, pullRequestId, text, options);
        if (!(error instanceof ApiConflictError) || attempt >= MAX_STALE_RETRIES) throw error;
        try {
          version = (await this.getComment(projectKey, slug, pullRequestId, input.existing.id, options)).version;
        } catch (reread) {
          if (reread instanceof ApiNotFoundError) return this.createComment(projectKey, slug, pullRequestId, text, options);
          throw reread;
        }
      }
    }
  }
}
