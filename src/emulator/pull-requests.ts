import { errors } from './errors';
import type { PullRequest, Repository } from './entities';
import type { Repositories } from './projects';
import { pullRequestKey, type EmulatorStore } from './store';

/** Pull requests of repositories; ids count per repository, as in Bitbucket. */
export class PullRequests {
  constructor(
    private readonly store: EmulatorStore,
    private readonly repositories: Repositories,
  ) {}

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
    // Opening a pull request from a branch nobody pushed yet is allowed: the emulator creates the branch.
    const fromCommit = repository.branches[input.fromBranch] ?? this.repositories.moveBranch(repository, input.fromBranch, null).toHash;
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
    };
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

  nextCommentId(): number {
    return this.store.id();
  }
}
