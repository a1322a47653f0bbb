import { randomBytes } from 'node:crypto';
import { errors } from './errors';
import type { DeliveryResult, WebhookDispatcher } from './delivery';
import type { EmulatorModel, PullRequest, Repository, User } from './model';
import { pullRequestPayload, refsChangedPayload, type PayloadContext, type PullRequestEventExtras } from './payloads';
import type { Repositories } from './projects';
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
  /** The new head; random when absent; 40 zeros deletes the branch. */
  commit?: string;
  /** Who pushed (a username); default `admin`. */
  user?: string;
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
  /** update: the new head of the source branch (random when absent). */
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

  async push(projectKey: string, slug: string, input: PushInput): Promise<EventOutcome & { change: ReturnType<Repositories['moveBranch']> }> {
    const repository = this.model.repositories.get(projectKey, slug);
    this.checkBranch(input.branch, 'branch');
    this.checkCommit(input.commit);
    const actor = this.actor(input.user);
    if (input.commit === ZERO_COMMIT && repository.branches[input.branch] === undefined) {
      throw errors.invalid(`The branch ${input.branch} does not exist, so it cannot be deleted.`, 'branch');
    }
    const change = this.model.repositories.moveBranch(repository, input.branch, input.commit ?? null);
    const deliveries = await this.sendRefsChanged(repository, actor, change);
    return { change, events: ['repo:refs_changed'], deliveries };
  }

  private sendRefsChanged(repository: Repository, actor: User, change: ReturnType<Repositories['moveBranch']>) {
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
    const push = async (change: ReturnType<Repositories['moveBranch']>) => {
      events.push('repo:refs_changed');
      deliveries.push(...(await this.sendRefsChanged(repository, actor, change)));
    };

    switch (action) {
      case 'update': {
        this.checkCommit(input.commit);
        const previousFromHash = pullRequest.fromCommit;
        // Updating the source branch is a push: Bitbucket sends refs_changed and then pr:from_ref_updated.
        const change = this.model.repositories.moveBranch(repository, pullRequest.fromBranch, input.commit ?? null);
        this.model.pullRequests.update(pullRequest, (pr) => (pr.fromCommit = change.toHash));
        await push(change);
        await send({ eventKey: 'pr:from_ref_updated', previousFromHash });
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
        });
        await send({
          eventKey: approving ? 'pr:reviewer:approved' : 'pr:reviewer:unapproved',
          participant: { ...reviewer! },
          previousStatus,
        });
        break;
      }
      case 'merge': {
        const mergeCommit = randomBytes(20).toString('hex');
        this.model.pullRequests.update(pullRequest, (pr) => {
          pr.state = 'MERGED';
          pr.closedDate = Date.now();
        });
        await send({ eventKey: 'pr:merged' });
        // The merge moves the target branch, which Bitbucket reports as a push too.
        await push(this.model.repositories.moveBranch(repository, pullRequest.toBranch, mergeCommit));
        break;
      }
      case 'comment': {
        if (input.text === undefined || input.text.trim() === '') {
          throw errors.invalid('A comment needs a non-empty text.', 'text');
        }
        const comment = { id: this.model.pullRequests.nextCommentId(), text: input.text, authorSlug: actor.slug, createdDate: Date.now() };
        this.model.pullRequests.update(pullRequest, (pr) => pr.comments.push(comment));
        await send({ eventKey: 'pr:comment:added', comment });
        break;
      }
    }
    return { pullRequest: this.pullRequestView(repository, pullRequest), events, deliveries };
  }
}
