import { COMMENT_MAX_CHARACTERS as COMMENT_TEXT_LIMIT } from '../domain/feedback';
import { errors } from './errors';
import type { PullRequest, PullRequestActivity, PullRequestComment, Repository } from './entities';
import { pullRequestKey, type EmulatorStore } from './store';

/** Pull requests of repositories; ids count per repository, as in Bitbucket. */
export class PullRequests {
  constructor(private readonly store: EmulatorStore) {}

  create(
    repository: Repository,
    input: { fromBranch: string; toBranch: string; title: string; description?: string; authorSlug: string },
  ): PullRequest {
    if (input.title.trim() === '') throw errors.invalid('A pull request title is required.', 'title');
    if (input.fromBranch === input.toBranch) {
      throw errors.invalid('The source and target branch of a pull request must differ.', 'fromBranch');
    }
    const toCommit = repository.branches[input.toBranch];
    if (toCommit === undefined) {
      throw errors.invalid(`The target branch ${input.toBranch} does not exist; push it first.`, 'toBranch');
    }
    const fromCommit = repository.branches[input.fromBranch];
    if (fromCommit === undefined) {
      throw errors.invalid(`The source branch ${input.fromBranch} does not exist; push it first.`, 'fromBranch');
    }
    const existing = [...this.store.pullRequests.values()].filter(
      (other) => other.projectKey === repository.projectKey && other.repositorySlug === repository.slug,
    );
    const now = Date.now();
    const pullRequest: PullRequest = {
      id: existing.reduce((max, other) => Math.max(max, other.id), 0) + 1,
      projectKey: repository.projectKey,
      repositorySlug: repository.slug,
      version: 0,
      title: input.title,
      description: input.description ?? '',
      state: 'OPEN',
      fromBranch: input.fromBranch,
      fromCommit,
      toBranch: input.toBranch,
      toCommit,
      authorSlug: input.authorSlug,
      reviewers: [],
      createdDate: now,
      updatedDate: now,
      closedDate: null,
      comments: [],
      activities: [],
    };
    this.record(pullRequest, { action: 'OPENED', userSlug: input.authorSlug });
    this.store.pullRequests.set(pullRequestKey(repository.projectKey, repository.slug, pullRequest.id), pullRequest);
    this.store.changed();
    return pullRequest;
  }

  get(repository: Repository, id: string): PullRequest {
    const pullRequest = /^\d+$/.test(id) ? this.store.pullRequests.get(pullRequestKey(repository.projectKey, repository.slug, Number(id))) : undefined;
    if (pullRequest === undefined) throw errors.noSuchPullRequest(id);
    return pullRequest;
  }

  /** Applies a change to a pull request and bumps its version, as every Bitbucket update does. */
  update(pullRequest: PullRequest, change: (pullRequest: PullRequest) => void): PullRequest {
    change(pullRequest);
    pullRequest.version += 1;
    pullRequest.updatedDate = Math.max(Date.now(), pullRequest.updatedDate + 1);
    this.store.changed();
    return pullRequest;
  }

  /** Adds an entry to the pull request's activities (the caller saves the change). */
  record(pullRequest: PullRequest, activity: Omit<PullRequestActivity, 'id' | 'createdDate'>): void {
    pullRequest.activities.push({ id: this.store.id(), createdDate: Date.now(), ...activity });
  }

  /** Open pull requests whose source branch is `branch`: a push to it moves them. */
  openFrom(repository: Repository, branch: string): PullRequest[] {
    return this.of(repository).filter((pullRequest) => pullRequest.state === 'OPEN' && pullRequest.fromBranch === branch);
  }

  of(repository: Repository): PullRequest[] {
    return [...this.store.pullRequests.values()].filter(
      (pullRequest) => pullRequest.projectKey === repository.projectKey && pullRequest.repositorySlug === repository.slug,
    );
  }

  /** A general comment (or a reply), by its author; Bitbucket's validation of the text. */
  addComment(pullRequest: PullRequest, input: { text: string; authorSlug: string; parentId?: number | null }): PullRequestComment {
    checkCommentText(input.text);
    if (input.parentId != null) this.comment(pullRequest, String(input.parentId));
    const now = Date.now();
    const comment: PullRequestComment = {
      id: this.store.id(),
      text: input.text,
      authorSlug: input.authorSlug,
      createdDate: now,
      updatedDate: now,
      version: 0,
      parentId: input.parentId ?? null,
    };
    pullRequest.comments.push(comment);
    this.record(pullRequest, { action: 'COMMENTED', userSlug: input.authorSlug, commentId: comment.id, commentAction: 'ADDED' });
    this.store.changed();
    return comment;
  }

  comment(pullRequest: PullRequest, id: string): PullRequestComment {
    const comment = /^\d+$/.test(id) ? pullRequest.comments.find((candidate) => candidate.id === Number(id)) : undefined;
    if (comment === undefined) throw errors.noSuchComment(id);
    return comment;
  }

  /** Edits a comment's text: only its author may, and only with its current version (409 otherwise). */
  editComment(pullRequest: PullRequest, comment: PullRequestComment, input: { text: string; version: number; userSlug: string }): PullRequestComment {
    if (comment.version !== input.version) throw errors.commentOutOfDate(comment.id, input.version);
    if (comment.authorSlug !== input.userSlug) throw errors.onlyAuthorEdits();
    checkCommentText(input.text);
    comment.text = input.text;
    comment.version += 1;
    comment.updatedDate = Math.max(Date.now(), comment.updatedDate + 1);
    this.record(pullRequest, { action: 'COMMENTED', userSlug: input.userSlug, commentId: comment.id, commentAction: 'EDITED' });
    this.store.changed();
    return comment;
  }

  /** Deletes a comment with its current version; a comment with replies stays (409), as in Bitbucket. */
  deleteComment(pullRequest: PullRequest, comment: PullRequestComment, input: { version: number; userSlug: string }): void {
    if (comment.version !== input.version) throw errors.commentOutOfDate(comment.id, input.version);
    if (pullRequest.comments.some((other) => other.parentId === comment.id)) throw errors.commentHasReplies(comment.id);
    pullRequest.comments = pullRequest.comments.filter((other) => other !== comment);
    this.record(pullRequest, { action: 'COMMENTED', userSlug: input.userSlug, commentId: comment.id, commentAction: 'DELETED' });
    this.store.changed();
  }
}

function checkCommentText(text: string): void {
  if (text.trim() === '' || text.length > COMMENT_TEXT_LIMIT) {
    throw errors.invalid(`Please enter a non-empty value of at most ${COMMENT_TEXT_LIMIT} characters`, 'text');
  }
}
