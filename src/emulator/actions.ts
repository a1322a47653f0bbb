import { errors } from './errors';
import type { DeliveryResult, WebhookDispatcher } from './delivery';
import type { EmulatorModel, PullRequest, Repository, User } from './model';
import { pullRequestPayload, refsChangedPayload, type PayloadContext, type PullRequestEventExtras } from './payloads';
import type { BranchChange } from './content';
import type { Signature } from './entities';
import { pullRequestJson, repositoryJson } from './representations';

/** The pull-request events `/_emulator/…/pull-requests/{id}/{event}` simulates, and the webhook event each sends. */
export const PULL_REQUEST_ACTIONS = {
  update: 'pr:from_ref_updated',
  modify: 'pr:modified',
  approve: 'pr:reviewer:approved',
  unapprove: 'pr:reviewer:unapproved',
  merge: 'pr:merged',
  comment: 'pr:comment:added',
} as const;

export type PullRequestAction = keyof typeof PULL_REQUEST_ACTIONS;

export function isPullRequestAction(value: string): value is PullRequestAction {
  return Object.prototype.hasOwnProperty.call(PULL_REQUEST_ACTIONS, value);
}

export interface PushInput {
  branch: string;
  /** The files the new commit changes: path → new content, or null to delete the file. */
  files?: Record<string, string | null>;
  /** The new commit's message; default "Update <branch>". */
  message?: string;
  /**
   * Instead of making a commit, moves the branch to this existing commit of the repository (a force push);
   * 40 zeros deletes the branch.
   */
  commit?: string;
  /** Who pushed (a username); default `admin`. */
  user?: string;
}

export interface TagInput {
  name: string;
  /** The commit to tag; default: the head of the repository's default branch. */
  commit?: string;
  /** Who pushed the tag (a username); default `admin`. */
  user?: string;
}

export interface TagOutcome extends EventOutcome {
  /** The tagged commit (40 zeros when the tag was deleted). */
  commit: string;
}

export interface OpenPullRequestInput {
  fromBranch: string;
  toBranch: string;
  title: string;
  description?: string;
  user?: string;
}

/** Options of each pull-request action; only the ones an action reads matter to it. */
export interface PullRequestActionInput {
  /** update: a push to the source branch (the new commit's files and message, or an existing commit to move it to). */
  files?: Record<string, string | null>;
  message?: string;
  commit?: string;
  /** modify: new title / description / target branch. */
  title?: string;
  description?: string;
  toBranch?: string;
  /** comment: the comment text. */
  text?: string;
  /** Who acts (a username); default `admin`. */
  user?: string;
}

export interface EventOutcome {
  /** The webhook event keys sent, in order (a merge also pushes the target branch). */
  events: string[];
  deliveries: DeliveryResult[];
}

export interface PushOutcome extends EventOutcome {
  /** The branch's new head (40 zeros when the push deleted it). */
  commit: string;
  change: BranchChange;
}

const COMMIT = /^[0-9a-f]{40}$/;
/** Pushing this commit deletes the branch (Git's convention). */
const ZERO_COMMIT = '0'.repeat(40);

/**
 * What `/_emulator/` simulates: pushes and pull-request activity that change the model and send the
 * matching webhook deliveries. Shared by the HTTP endpoints and the programmatic API.
 */
export class EmulatorActions {
  constructor(
    private readonly model: EmulatorModel,
    private readonly dispatcher: WebhookDispatcher,
    private readonly baseUrl: () => string,
  ) {}

  private context(): PayloadContext {
    return {
      baseUrl: this.baseUrl(),
      users: new Map(this.model.users.list().map((user) => [user.slug, user])),
      now: Date.now(),
    };
  }

  private actor(name: string | undefined): User {
    return this.model.users.get(name ?? 'admin');
  }

  private checkCommit(commit: string | undefined): void {
    if (commit !== undefined && !COMMIT.test(commit)) {
      throw errors.invalid(`"${commit}" is not a commit id: expected 40 lowercase hex characters.`, 'commit');
    }
  }

  private checkBranch(branch: string, field: string): void {
    if (branch.trim() === '' || /\s|\.\.|^\/|\/$|~|\^|:|\\/.test(branch)) {
      throw errors.invalid(`"${branch}" is not a valid branch name.`, field);
    }
  }

  private signature(actor: User): Signature {
    return { name: actor.displayName, emailAddress: actor.emailAddress, timestamp: Date.now() };
  }

  async push(projectKey: string, slug: string, input: PushInput): Promise<PushOutcome> {
    const repository = this.model.repositories.get(projectKey, slug);
    this.checkBranch(input.branch, 'branch');
    this.checkCommit(input.commit);
    const actor = this.actor(input.user);
    let change: BranchChange;
    if (input.commit !== undefined) {
      if (input.files !== undefined || input.message !== undefined) {
        throw errors.invalid('Give either files (and a message) for a new commit, or the commit to move the branch to, not both.', 'commit');
      }
      if (input.commit === ZERO_COMMIT && repository.branches[input.branch] === undefined) {
        throw errors.invalid(`The branch ${input.branch} does not exist, so it cannot be deleted.`, 'branch');
      }
      if (input.commit !== ZERO_COMMIT) this.model.content.commit(repository, input.commit);
      change = this.model.repositories.moveBranch(repository, input.branch, input.commit);
    } else {
      change = this.model.content.commitFiles(repository, input.branch, {
        files: input.files ?? {},
        message: input.message ?? `Update ${input.branch}`,
        author: this.signature(actor),
      }).change;
    }
    const outcome = await this.afterPush(repository, actor, change);
    return { commit: change.toHash, change, ...outcome };
  }

  /** Pushes a new tag (`git push origin <tag>`) and delivers `repo:refs_changed` with a `TAG` `ADD` change. */
  async createTag(projectKey: string, slug: string, input: TagInput): Promise<TagOutcome> {
    const repository = this.model.repositories.get(projectKey, slug);
    this.checkBranch(input.name, 'name');
    this.checkCommit(input.commit);
    const actor = this.actor(input.user);
    const commit = this.model.content.resolve(repository, input.commit).id;
    const change = this.model.repositories.setTag(repository, input.name, commit);
    return { commit, events: ['repo:refs_changed'], deliveries: await this.sendRefsChanged(repository, actor, change) };
  }

  /** Deletes a tag (`git push --delete origin <tag>`) and delivers `repo:refs_changed` with a `TAG` `DELETE` change. */
  async deleteTag(projectKey: string, slug: string, name: string, user?: string): Promise<TagOutcome> {
    const repository = this.model.repositories.get(projectKey, slug);
    const change = this.model.repositories.setTag(repository, name, ZERO_COMMIT);
    return { commit: ZERO_COMMIT, events: ['repo:refs_changed'], deliveries: await this.sendRefsChanged(repository, this.actor(user), change) };
  }

  /**
   * What Bitbucket does after a branch moved: delivers `repo:refs_changed`, then moves the open pull requests
   * from that branch to its new head and delivers `pr:from_ref_updated` for each; pull requests into it follow
   * their target's head.
   */
  private async afterPush(repository: Repository, actor: User, change: BranchChange): Promise<EventOutcome> {
    const events = ['repo:refs_changed'];
    const deliveries = await this.sendRefsChanged(repository, actor, change);
    if (change.type === 'DELETE') return { events, deliveries };
    for (const pullRequest of this.model.pullRequests.of(repository)) {
      if (pullRequest.state === 'OPEN' && pullRequest.toBranch === change.branch) pullRequest.toCommit = change.toHash;
    }
    for (const pullRequest of this.model.pullRequests.openFrom(repository, change.branch)) {
      const previousFromHash = pullRequest.fromCommit;
      this.model.pullRequests.update(pullRequest, (pr) => {
        pr.fromCommit = change.toHash;
        this.model.pullRequests.record(pr, { action: 'RESCOPED', userSlug: actor.slug, previousFromHash, fromHash: change.toHash });
      });
      events.push('pr:from_ref_updated');
      deliveries.push(...(await this.sendPullRequestEvent(repository, actor, pullRequest, { eventKey: 'pr:from_ref_updated', previousFromHash })));
    }
    return { events, deliveries };
  }

  private sendRefsChanged(repository: Repository, actor: User, change: BranchChange & { refType?: 'BRANCH' | 'TAG' }) {
    const project = this.model.projects.get(repository.projectKey);
    return this.dispatcher.dispatch(
      repository,
      'repo:refs_changed',
      refsChangedPayload(this.context(), actor, repository, project, change),
    );
  }

  private pullRequestView(repository: Repository, pullRequest: PullRequest) {
    const context = this.context();
    const project = this.model.projects.get(repository.projectKey);
    return pullRequestJson(pullRequest, {
      repository: repositoryJson(repository, project, context.baseUrl),
      users: context.users,
      baseUrl: context.baseUrl,
    });
  }

  private sendPullRequestEvent(repository: Repository, actor: User, pullRequest: PullRequest, extras: PullRequestEventExtras) {
    const project = this.model.projects.get(repository.projectKey);
    return this.dispatcher.dispatch(
      repository,
      extras.eventKey,
      pullRequestPayload(this.context(), actor, repository, project, pullRequest, extras),
    );
  }

  async openPullRequest(projectKey: string, slug: string, input: OpenPullRequestInput) {
    const repository = this.model.repositories.get(projectKey, slug);
    this.checkBranch(input.fromBranch, 'fromBranch');
    this.checkBranch(input.toBranch, 'toBranch');
    const actor = this.actor(input.user);
    const pullRequest = this.model.pullRequests.create(repository, {
      fromBranch: input.fromBranch,
      toBranch: input.toBranch,
      title: input.title,
      ...(input.description === undefined ? {} : { description: input.description }),
      authorSlug: actor.slug,
    });
    const deliveries = await this.sendPullRequestEvent(repository, actor, pullRequest, { eventKey: 'pr:opened' });
    return { pullRequest: this.pullRequestView(repository, pullRequest), events: ['pr:opened'], deliveries };
  }

  async pullRequestAction(projectKey: string, slug: string, id: string, action: string, input: PullRequestActionInput) {
    if (!isPullRequestAction(action)) {
      throw errors.badRequest(
        `Unknown pull request event "${action}"; use one of ${Object.keys(PULL_REQUEST_ACTIONS).join(', ')}.`,
      );
    }
    const repository = this.model.repositories.get(projectKey, slug);
    const pullRequest = this.model.pullRequests.get(repository, id);
    const actor = this.actor(input.user);
    if (pullRequest.state !== 'OPEN') {
      throw errors.conflict(`Pull request ${pullRequest.id} is ${pullRequest.state.toLowerCase()} and cannot be changed.`);
    }
    const events: string[] = [];
    const deliveries: DeliveryResult[] = [];
    const send = async (extras: PullRequestEventExtras) => {
      events.push(extras.eventKey);
      deliveries.push(...(await this.sendPullRequestEvent(repository, actor, pullRequest, extras)));
    };
    const collect = (outcome: EventOutcome) => {
      events.push(...outcome.events);
      deliveries.push(...outcome.deliveries);
    };

    switch (action) {
      case 'update': {
        // Updating the source branch is a push: Bitbucket sends refs_changed and then pr:from_ref_updated.
        const { files, message, commit } = input;
        collect(await this.push(projectKey, slug, { branch: pullRequest.fromBranch, files, message, commit, user: actor.name }));
        break;
      }
      case 'modify': {
        if (input.title === undefined && input.description === undefined && input.toBranch === undefined) {
          throw errors.badRequest('modify needs at least one of title, description or toBranch.');
        }
        const previous = {
          title: pullRequest.title,
          description: pullRequest.description,
          target: { branch: pullRequest.toBranch, commit: pullRequest.toCommit },
        };
        if (input.toBranch !== undefined) {
          this.checkBranch(input.toBranch, 'toBranch');
          if (repository.branches[input.toBranch] === undefined) {
            throw errors.invalid(`The target branch ${input.toBranch} does not exist; push it first.`, 'toBranch');
          }
        }
        this.model.pullRequests.update(pullRequest, (pr) => {
          this.model.pullRequests.record(pr, { action: 'UPDATED', userSlug: actor.slug });
          if (input.title !== undefined) pr.title = input.title;
          if (input.description !== undefined) pr.description = input.description;
          if (input.toBranch !== undefined) {
            pr.toBranch = input.toBranch;
            pr.toCommit = repository.branches[input.toBranch]!;
          }
        });
        await send({
          eventKey: 'pr:modified',
          previousTitle: previous.title,
          previousDescription: previous.description,
          previousTarget: previous.target,
        });
        break;
      }
      case 'approve':
      case 'unapprove': {
        const approving = action === 'approve';
        let reviewer = pullRequest.reviewers.find((candidate) => candidate.userSlug === actor.slug);
        const previousStatus = reviewer?.status ?? 'UNAPPROVED';
        this.model.pullRequests.update(pullRequest, (pr) => {
          if (reviewer === undefined) {
            reviewer = { userSlug: actor.slug, approved: false, status: 'UNAPPROVED', lastReviewedCommit: null };
            pr.reviewers.push(reviewer);
          }
          reviewer.approved = approving;
          reviewer.status = approving ? 'APPROVED' : 'UNAPPROVED';
          reviewer.lastReviewedCommit = pr.fromCommit;
          this.model.pullRequests.record(pr, { action: approving ? 'APPROVED' : 'UNAPPROVED', userSlug: actor.slug });
        });
        await send({
          eventKey: approving ? 'pr:reviewer:approved' : 'pr:reviewer:unapproved',
          participant: { ...reviewer! },
          previousStatus,
        });
        break;
      }
      case 'merge': {
        const content = this.model.content;
        const merged = content.merge(repository, content.resolve(repository, pullRequest.toBranch), content.resolve(repository, pullRequest.fromBranch), {
          message: `Merge pull request #${pullRequest.id} in ${repository.projectKey}/${repository.slug} from ${pullRequest.fromBranch} to ${pullRequest.toBranch}`,
          author: this.signature(actor),
        });
        this.model.pullRequests.update(pullRequest, (pr) => {
          pr.state = 'MERGED';
          pr.closedDate = Date.now();
          this.model.pullRequests.record(pr, { action: 'MERGED', userSlug: actor.slug });
        });
        await send({ eventKey: 'pr:merged' });
        // The merge moves the target branch, which Bitbucket reports as a push too.
        collect(await this.afterPush(repository, actor, this.model.repositories.moveBranch(repository, pullRequest.toBranch, merged.id)));
        break;
      }
      case 'comment': {
        const comment = this.model.pullRequests.addComment(pullRequest, { text: input.text ?? '', authorSlug: actor.slug });
        await send({ eventKey: 'pr:comment:added', comment });
        break;
      }
    }
    return { pullRequest: this.pullRequestView(repository, pullRequest), events, deliveries };
  }
}
