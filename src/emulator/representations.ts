import { errors } from './errors';
import type { AccessToken, Invocation, Project, PullRequest, Repository, User, Webhook } from './model';

/**
 * Bitbucket's JSON for each model object (RestProject, RestRepository, RestWebhook, …), plus the fields real
 * servers send that the OpenAPI document leaves out (webhook `id`, `createdDate`, `updatedDate`).
 * `baseUrl` is the emulator's own address, used for the `links` Bitbucket includes.
 */

export function projectJson(project: Project, baseUrl: string) {
  return {
    key: project.key,
    id: project.id,
    name: project.name,
    ...(project.description === null ? {} : { description: project.description }),
    public: project.public,
    type: 'NORMAL' as const,
    links: { self: [{ href: `${baseUrl}/projects/${project.key}` }] },
  };
}

export function repositoryJson(repository: Repository, project: Project, baseUrl: string) {
  const host = new URL(baseUrl).hostname;
  const path = `${project.key.toLowerCase()}/${repository.slug}.git`;
  return {
    slug: repository.slug,
    id: repository.id,
    name: repository.name,
    ...(repository.description === null ? {} : { description: repository.description }),
    hierarchyId: repository.hierarchyId,
    scmId: 'git',
    state: 'AVAILABLE' as const,
    statusMessage: 'Available',
    forkable: repository.forkable,
    project: projectJson(project, baseUrl),
    public: repository.public,
    archived: repository.archived,
    links: {
      clone: [
        { href: `${baseUrl}/scm/${path}`, name: 'http' },
        { href: `ssh://git@${host}:7999/${path}`, name: 'ssh' },
      ],
      self: [{ href: `${baseUrl}/projects/${project.key}/repos/${repository.slug}/browse` }],
    },
  };
}

/** A user referenced by slug from a pull request or comment; users are never deleted, so a miss is a bug. */
export function referencedUserJson(users: Map<string, User>, slug: string, baseUrl: string) {
  const user = users.get(slug);
  if (user === undefined) throw errors.internal(`The emulator state refers to an unknown user ${slug}.`);
  return userJson(user, baseUrl);
}

export function userJson(user: User, baseUrl: string) {
  return {
    name: user.name,
    emailAddress: user.emailAddress,
    active: true,
    displayName: user.displayName,
    id: user.id,
    slug: user.slug,
    type: 'NORMAL' as const,
    links: { self: [{ href: `${baseUrl}/users/${user.slug}` }] },
  };
}

/** The webhook as GET returns it: the secret in `configuration`, the credentials without their password. */
export function webhookJson(webhook: Webhook, statistics?: ReturnType<typeof invocationStatisticsJson>) {
  return {
    id: webhook.id,
    name: webhook.name,
    createdDate: webhook.createdDate,
    updatedDate: webhook.updatedDate,
    events: [...webhook.events],
    configuration: { ...webhook.configuration },
    url: webhook.url,
    active: webhook.active,
    scopeType: webhook.scope.type,
    sslVerificationRequired: webhook.sslVerificationRequired,
    ...(webhook.credentials === null ? {} : { credentials: { username: webhook.credentials.username } }),
    ...(statistics === undefined ? {} : { statistics }),
  };
}

export function invocationJson(invocation: Invocation) {
  return {
    id: invocation.id,
    event: invocation.event,
    eventScope: invocation.eventScope,
    start: invocation.start,
    finish: invocation.finish,
    duration: invocation.finish - invocation.start,
    request: invocation.request,
    result: invocation.result,
  };
}

/** RestInvocationHistory: the last invocation of each outcome and the counts per outcome. */
export function invocationStatisticsJson(invocations: Invocation[], now: number) {
  const last = (outcome: Invocation['result']['outcome']) => {
    for (let index = invocations.length - 1; index >= 0; index -= 1) {
      const invocation = invocations[index]!;
      if (invocation.result.outcome === outcome) return invocationJson(invocation);
    }
    return undefined;
  };
  const count = (outcome: Invocation['result']['outcome']) =>
    invocations.filter((invocation) => invocation.result.outcome === outcome).length;
  const first = invocations[0]?.start ?? now;
  const lastSuccess = last('SUCCESS');
  const lastFailure = last('FAILURE');
  const lastError = last('ERROR');
  return {
    ...(lastSuccess === undefined ? {} : { lastSuccess }),
    ...(lastFailure === undefined ? {} : { lastFailure }),
    ...(lastError === undefined ? {} : { lastError }),
    counts: {
      successes: count('SUCCESS'),
      failures: count('FAILURE'),
      errors: count('ERROR'),
      window: { start: first, duration: now - first },
    },
  };
}

/** RestAccessToken; `createdDate` is a date-time string as Atlassian's document declares it. */
export function accessTokenJson(token: AccessToken, owner: User | null, baseUrl: string) {
  return {
    id: token.id,
    createdDate: new Date(token.createdDate).toISOString(),
    name: token.name,
    permissions: [...token.permissions],
    ...(token.expiryDays === null
      ? {}
      : {
          expiryDays: token.expiryDays,
          expiryDate: new Date(token.createdDate + token.expiryDays * 86_400_000).toISOString(),
        }),
    ...(owner === null ? {} : { user: userJson(owner, baseUrl) }),
  };
}

/** RestPullRequest as it appears in `pr:*` payloads. */
export function pullRequestJson(
  pullRequest: PullRequest,
  context: { repository: ReturnType<typeof repositoryJson>; users: Map<string, User>; baseUrl: string },
) {
  const participant = (slug: string, role: 'AUTHOR' | 'REVIEWER' | 'PARTICIPANT', reviewer?: PullRequest['reviewers'][number]) => {
    return {
      user: referencedUserJson(context.users, slug, context.baseUrl),
      role,
      approved: reviewer?.approved ?? false,
      status: reviewer?.status ?? 'UNAPPROVED',
      ...(reviewer?.lastReviewedCommit ? { lastReviewedCommit: reviewer.lastReviewedCommit } : {}),
    };
  };
  const ref = (branch: string, commit: string) => ({
    id: `refs/heads/${branch}`,
    displayId: branch,
    latestCommit: commit,
    type: 'BRANCH',
    repository: context.repository,
  });
  return {
    id: pullRequest.id,
    version: pullRequest.version,
    title: pullRequest.title,
    description: pullRequest.description,
    state: pullRequest.state,
    open: pullRequest.state === 'OPEN',
    closed: pullRequest.state !== 'OPEN',
    draft: false,
    createdDate: pullRequest.createdDate,
    updatedDate: pullRequest.updatedDate,
    ...(pullRequest.closedDate === null ? {} : { closedDate: pullRequest.closedDate }),
    fromRef: ref(pullRequest.fromBranch, pullRequest.fromCommit),
    toRef: ref(pullRequest.toBranch, pullRequest.toCommit),
    locked: false,
    author: participant(pullRequest.authorSlug, 'AUTHOR'),
    reviewers: pullRequest.reviewers.map((reviewer) => participant(reviewer.userSlug, 'REVIEWER', reviewer)),
    participants: [],
    links: {
      self: [
        {
          href: `${context.baseUrl}/projects/${pullRequest.projectKey}/repos/${pullRequest.repositorySlug}/pull-requests/${pullRequest.id}`,
        },
      ],
    },
  };
}
