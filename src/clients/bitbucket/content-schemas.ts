import { z } from 'zod';

/**
 * Response shapes of Bitbucket DC 9.4's repository content, pull request and build status resources as the client
 * uses them. Ids, paths and states every caller relies on are required; the rest is optional.
 */

const personSchema = z.object({ name: z.string(), emailAddress: z.string().optional() });
const userSchema = z.object({ name: z.string(), slug: z.string().optional(), displayName: z.string().optional(), id: z.number().int().optional() });

export const commitSchema = z.object({
  id: z.string(),
  displayId: z.string(),
  author: personSchema.optional(),
  authorTimestamp: z.number().optional(),
  committer: personSchema.optional(),
  committerTimestamp: z.number().optional(),
  message: z.string().optional(),
  parents: z.array(z.object({ id: z.string(), displayId: z.string().optional() })).optional(),
});
export type BitbucketCommit = z.infer<typeof commitSchema>;

const pathSchema = z.object({
  components: z.array(z.string()),
  name: z.string().optional(),
  parent: z.string().optional(),
  extension: z.string().optional(),
  toString: z.string().optional(),
});

export const changeSchema = z.object({
  path: pathSchema,
  srcPath: pathSchema.optional(),
  type: z.enum(['ADD', 'COPY', 'DELETE', 'MODIFY', 'MOVE', 'UNKNOWN']),
  nodeType: z.enum(['DIRECTORY', 'FILE', 'SUBMODULE']).optional(),
  contentId: z.string().optional(),
  fromContentId: z.string().optional(),
});
export type BitbucketChange = z.infer<typeof changeSchema>;

export const branchSchema = z.object({
  id: z.string(),
  displayId: z.string(),
  type: z.string().optional(),
  latestCommit: z.string(),
  latestChangeset: z.string().optional(),
  isDefault: z.boolean().optional(),
});
export type BitbucketBranch = z.infer<typeof branchSchema>;

export const minimalRefSchema = z.object({ id: z.string(), displayId: z.string(), type: z.string().optional() });

const pullRequestRefSchema = z.object({
  id: z.string(),
  displayId: z.string(),
  latestCommit: z.string(),
  repository: z.object({ slug: z.string(), project: z.object({ key: z.string() }) }).optional(),
});

export const pullRequestSchema = z.object({
  id: z.number().int(),
  version: z.number().int(),
  title: z.string(),
  description: z.string().optional(),
  state: z.enum(['OPEN', 'MERGED', 'DECLINED']),
  open: z.boolean().optional(),
  closed: z.boolean().optional(),
  draft: z.boolean().optional(),
  createdDate: z.number().optional(),
  updatedDate: z.number().optional(),
  fromRef: pullRequestRefSchema,
  toRef: pullRequestRefSchema,
  author: z.object({ user: userSchema }).optional(),
  reviewers: z.array(z.object({ user: userSchema, approved: z.boolean().optional(), status: z.string().optional() })).optional(),
  links: z.object({ self: z.array(z.object({ href: z.string() })).optional() }).optional(),
});
export type BitbucketPullRequest = z.infer<typeof pullRequestSchema>;

export const commentSchema = z.object({
  id: z.number().int(),
  version: z.number().int(),
  text: z.string(),
  author: userSchema.optional(),
  createdDate: z.number().optional(),
  updatedDate: z.number().optional(),
});
export type BitbucketComment = z.infer<typeof commentSchema>;

/** Activities keep unknown fields: Atlassian warns that new kinds appear, and callers must tolerate them. */
export const activitySchema = z.looseObject({
  id: z.number().int(),
  action: z.string(),
  createdDate: z.number().optional(),
  user: userSchema.optional(),
  commentAction: z.string().optional(),
  comment: commentSchema.optional(),
});
export type BitbucketActivity = z.infer<typeof activitySchema>;

export const BUILD_STATES = ['CANCELLED', 'FAILED', 'INPROGRESS', 'SUCCESSFUL', 'UNKNOWN'] as const;

export const buildStatusSchema = z.object({
  key: z.string(),
  state: z.enum(BUILD_STATES),
  url: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  buildNumber: z.string().optional(),
  duration: z.number().optional(),
  parent: z.string().optional(),
  ref: z.string().optional(),
  createdDate: z.number().optional(),
  updatedDate: z.number().optional(),
  projectKey: z.string().optional(),
  repositorySlug: z.string().optional(),
});
export type BitbucketBuildStatus = z.infer<typeof buildStatusSchema>;

/** RestBuildStatusSetRequest: what a client posts (key, state and url required). */
export interface BuildStatusInput {
  key: string;
  state: (typeof BUILD_STATES)[number];
  url: string;
  name?: string;
  description?: string;
  buildNumber?: string;
  /** Milliseconds. */
  duration?: number;
  parent?: string;
  /** `refs/heads/{branch}`. */
  ref?: string;
}

/** One entry of a directory as Bitbucket's browse lists it (`children.values`). */
export const directoryEntrySchema = z.object({
  path: z.object({ name: z.string(), toString: z.string().optional() }),
  type: z.string(),
});

export type BitbucketDirectoryEntry = z.infer<typeof directoryEntrySchema>;
