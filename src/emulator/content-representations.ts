import type { FileChange } from './content';
import type { BuildStatus, Commit, PullRequest, PullRequestActivity, PullRequestComment, Repository, Signature, User } from './entities';
import { referencedUserJson } from './representations';

/** Bitbucket's JSON for repository content (RestCommit, RestChange, RestBranch, …), comments, activities and build statuses. */

function personJson(person: Signature) {
  return { name: person.name, emailAddress: person.emailAddress };
}

export function minimalCommitJson(id: string) {
  return { id, displayId: id.slice(0, 11) };
}

export function commitJson(commit: Commit) {
  return {
    ...minimalCommitJson(commit.id),
    author: personJson(commit.author),
    authorTimestamp: commit.author.timestamp,
    committer: personJson(commit.committer),
    committerTimestamp: commit.committer.timestamp,
    message: commit.message,
    parents: commit.parents.map(minimalCommitJson),
  };
}

/** RestPath, with the `toString` real servers send beside the documented fields. */
export function pathJson(path: string) {
  const components = path === '' ? [] : path.split('/');
  const name = components[components.length - 1] ?? '';
  const dot = name.lastIndexOf('.');
  return {
    components,
    parent: components.slice(0, -1).join('/'),
    name,
    ...(dot > 0 ? { extension: name.slice(dot + 1) } : {}),
    toString: path,
  };
}

export function changeJson(change: FileChange, baseUrl: string, repository: Repository, commit: string) {
  return {
    ...(change.contentId === null ? {} : { contentId: change.contentId }),
    ...(change.fromContentId === null ? {} : { fromContentId: change.fromContentId }),
    path: pathJson(change.path),
    executable: false,
    percentUnchanged: -1,
    type: change.type,
    nodeType: 'FILE' as const,
    links: { self: [{ href: `${baseUrl}/projects/${repository.projectKey}/repos/${repository.slug}/commits/${commit}#${encodeURI(change.path)}` }] },
    properties: { gitChangeType: change.type },
  };
}

export function branchJson(repository: Repository, branch: string) {
  const head = repository.branches[branch]!;
  return {
    id: `refs/heads/${branch}`,
    displayId: branch,
    type: 'BRANCH' as const,
    latestCommit: head,
    latestChangeset: head,
    isDefault: branch === repository.defaultBranch,
  };
}

/** A lightweight tag as Bitbucket's `RestTag` shows it (its hash is the commit's, having no tag object). */
export function tagJson(name: string, commit: string) {
  return { id: `refs/tags/${name}`, displayId: name, type: 'TAG' as const, latestCommit: commit, latestChangeset: commit, hash: null };
}

export function commentJson(comment: PullRequestComment, pullRequest: PullRequest, users: Map<string, User>, baseUrl: string) {
  const replies = pullRequest.comments.filter((other) => other.parentId === comment.id);
  return {
    id: comment.id,
    version: comment.version,
    text: comment.text,
    author: referencedUserJson(users, comment.authorSlug, baseUrl),
    createdDate: comment.createdDate,
    updatedDate: comment.updatedDate,
    comments: replies.map((reply): object => commentJson(reply, pullRequest, users, baseUrl)),
    tasks: [],
    severity: 'NORMAL' as const,
    state: 'OPEN' as const,
    threadResolved: false,
  };
}

export function activityJson(activity: PullRequestActivity, pullRequest: PullRequest, users: Map<string, User>, baseUrl: string) {
  const comment = activity.commentId === undefined ? undefined : pullRequest.comments.find((candidate) => candidate.id === activity.commentId);
  return {
    id: activity.id,
    createdDate: activity.createdDate,
    user: referencedUserJson(users, activity.userSlug, baseUrl),
    action: activity.action,
    ...(activity.commentAction === undefined ? {} : { commentAction: activity.commentAction }),
    ...(comment === undefined ? {} : { comment: commentJson(comment, pullRequest, users, baseUrl) }),
    ...(activity.fromHash === undefined ? {} : { fromHash: activity.fromHash, previousFromHash: activity.previousFromHash }),
  };
}

export function buildStatusJson(status: BuildStatus) {
  const optional = <K extends keyof BuildStatus>(key: K) => (status[key] === null ? {} : { [key]: status[key] });
  return {
    key: status.key,
    state: status.state,
    url: status.url,
    ...optional('name'),
    ...optional('description'),
    ...optional('buildNumber'),
    ...optional('duration'),
    ...optional('parent'),
    ...optional('ref'),
    ...optional('testResults'),
    createdDate: status.createdDate,
    updatedDate: status.updatedDate,
    projectKey: status.projectKey,
    repositorySlug: status.repositorySlug,
  };
}
