import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { activityJson, commentJson } from '../content-representations';
import { errors } from '../errors';
import type { EmulatorModel, PullRequest, Repository } from '../model';
import { pullRequestJson, repositoryJson } from '../representations';
import { page, parseBody, query, sendJson, sendNoContent, single } from './helpers';

/** What the pull-request routes need from the running emulator. */
export interface PullRequestContext {
  model: EmulatorModel;
  baseUrl: () => string;
}

type Params = Record<string, string>;

/** RestComment as a request body: Bitbucket reads the text (and a reply's parent); other fields are ignored. */
const commentBody = z.object({ text: z.string(), parent: z.object({ id: z.number().int() }).optional() });
const commentUpdateBody = z.object({ text: z.string(), version: z.number().int() });

const STATES = ['OPEN', 'MERGED', 'DECLINED', 'ALL'];

/**
 * Bitbucket's REST on pull requests: list (by `at`, `state`, `direction`), get, activities, the pull requests
 * that contain a commit, and general comments (create, get, update with `version`, delete). REPO_READ for all.
 */
export function registerPullRequestApi(app: FastifyInstance, context: PullRequestContext): void {
  const { model } = context;
  const params = (request: FastifyRequest) => request.params as Params;
  const readable = (request: FastifyRequest): Repository =>
    model.permissions.requireRepositoryLevel(request.principal, params(request).projectKey!, params(request).repositorySlug!, 1);
  const users = () => new Map(model.users.list().map((user) => [user.slug, user]));
  const view = (repository: Repository) => {
    const repositoryBody = repositoryJson(repository, model.projects.get(repository.projectKey), context.baseUrl());
    const known = users();
    return (pullRequest: PullRequest) => pullRequestJson(pullRequest, { repository: repositoryBody, users: known, baseUrl: context.baseUrl() });
  };
  const prefix = '/projects/:projectKey/repos/:repositorySlug';

  app.get(`${prefix}/pull-requests`, async (request, reply) => {
    const repository = readable(request);
    const q = query(request);
    const state = (single(q, 'state') ?? 'OPEN').toUpperCase();
    if (!STATES.includes(state)) throw errors.badRequest(`Invalid state "${state}"; use one of ${STATES.join(', ')}.`);
    const direction = (single(q, 'direction') ?? 'INCOMING').toUpperCase();
    if (direction !== 'INCOMING' && direction !== 'OUTGOING') throw errors.badRequest(`Invalid direction "${direction}"; use INCOMING or OUTGOING.`);
    const order = (single(q, 'order') ?? 'NEWEST').toUpperCase();
    if (order !== 'NEWEST' && order !== 'OLDEST') throw errors.badRequest(`Invalid order "${order}"; use NEWEST or OLDEST.`);
    const at = single(q, 'at');
    const branch = at === undefined ? undefined : at.replace(/^refs\/heads\//, '');
    const found = model.pullRequests
      .of(repository)
      .filter((pullRequest) => state === 'ALL' || pullRequest.state === state)
      .filter((pullRequest) => branch === undefined || (direction === 'INCOMING' ? pullRequest.toBranch : pullRequest.fromBranch) === branch)
      .sort((a, b) => (order === 'NEWEST' ? b.updatedDate - a.updatedDate : a.updatedDate - b.updatedDate));
    return sendJson(reply, 200, page(found, q, view(repository)));
  });

  app.get(`${prefix}/pull-requests/:pullRequestId`, async (request, reply) => {
    const repository = readable(request);
    return sendJson(reply, 200, view(repository)(model.pullRequests.get(repository, params(request).pullRequestId!)));
  });

  app.get(`${prefix}/pull-requests/:pullRequestId/activities`, async (request, reply) => {
    const repository = readable(request);
    const pullRequest = model.pullRequests.get(repository, params(request).pullRequestId!);
    const known = users();
    const newestFirst = [...pullRequest.activities].reverse();
    return sendJson(reply, 200, page(newestFirst, query(request), (activity) => activityJson(activity, pullRequest, known, context.baseUrl())));
  });

  // The pull requests whose commits include this one: reachable from the source's head, not from the target's.
  app.get(`${prefix}/commits/:commitId/pull-requests`, async (request, reply) => {
    const repository = readable(request);
    const commit = model.content.commit(repository, params(request).commitId!);
    const content = model.content;
    const found = model.pullRequests.of(repository).filter((pullRequest) => {
      const source = content.ancestors(repository, content.commit(repository, pullRequest.fromCommit));
      if (!source.has(commit.id)) return false;
      return pullRequest.state !== 'OPEN' || !content.ancestors(repository, content.commit(repository, pullRequest.toCommit)).has(commit.id);
    });
    return sendJson(reply, 200, page(found.sort((a, b) => b.updatedDate - a.updatedDate), query(request), view(repository)));
  });

  const commentOf = (request: FastifyRequest) => {
    const repository = readable(request);
    const pullRequest = model.pullRequests.get(repository, params(request).pullRequestId!);
    return { pullRequest, comment: model.pullRequests.comment(pullRequest, params(request).commentId!) };
  };
  const commentView = (pullRequest: PullRequest, comment: PullRequest['comments'][number]) =>
    commentJson(comment, pullRequest, users(), context.baseUrl());
  const actor = (request: FastifyRequest) => {
    const user = request.principal.user;
    if (user === null) throw errors.notPermitted();
    return user;
  };

  app.post(`${prefix}/pull-requests/:pullRequestId/comments`, async (request, reply) => {
    const repository = readable(request);
    const pullRequest = model.pullRequests.get(repository, params(request).pullRequestId!);
    const body = parseBody(commentBody, request.body, 'comment');
    const comment = model.pullRequests.addComment(pullRequest, { text: body.text, authorSlug: actor(request).slug, parentId: body.parent?.id ?? null });
    return sendJson(reply, 201, commentView(pullRequest, comment));
  });

  app.get(`${prefix}/pull-requests/:pullRequestId/comments/:commentId`, async (request, reply) => {
    const { pullRequest, comment } = commentOf(request);
    return sendJson(reply, 200, commentView(pullRequest, comment));
  });

  app.put(`${prefix}/pull-requests/:pullRequestId/comments/:commentId`, async (request, reply) => {
    const { pullRequest, comment } = commentOf(request);
    const body = parseBody(commentUpdateBody, request.body, 'comment');
    const edited = model.pullRequests.editComment(pullRequest, comment, { text: body.text, version: body.version, userSlug: actor(request).slug });
    return sendJson(reply, 200, commentView(pullRequest, edited));
  });

  app.delete(`${prefix}/pull-requests/:pullRequestId/comments/:commentId`, async (request, reply) => {
    const { pullRequest, comment } = commentOf(request);
    const version = single(query(request), 'version');
    if (version === undefined || !/^\d+$/.test(version)) throw errors.badRequest('The version query parameter is required: the comment\'s current version.');
    const user = actor(request);
    // Anyone deletes their own comments; deleting another's needs REPO_ADMIN.
    if (comment.authorSlug !== user.slug) model.permissions.requireRepositoryLevel(request.principal, params(request).projectKey!, params(request).repositorySlug!, 3);
    model.pullRequests.deleteComment(pullRequest, comment, { version: Number(version), userSlug: user.slug });
    return sendNoContent(reply);
  });
}
