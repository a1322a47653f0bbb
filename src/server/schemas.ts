import { z } from 'zod';
import { branchNameProblem, canonicalCommit, commitProblem, projectRootProblem } from '../domain/git';
import { POOL_NAME_PATTERN } from '../domain/api-hosts';
import { modulePartProblem } from '../domain/modules';

/**
 * The REST API's request and response shapes. The same schemas validate requests, serialize responses and
 * generate /api/v1/openapi.json, so the document cannot drift from the behaviour.
 */

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. not_found, conflict, unprocessable'),
      message: z.string().describe('What went wrong, for people'),
      details: z.record(z.string(), z.unknown()).optional().describe('Structured context, e.g. the field or blocking objects'),
    }),
  })
  .meta({ id: 'Error' });

/** Error responses a route can give, by status. */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 422 | 502)[]) {
  return Object.fromEntries(statuses.map((status) => [status, errorBody])) as Record<number, typeof errorBody>;
}

/**
 * Text that ends up in PostgreSQL, which refuses NUL characters and unpaired UTF-16 surrogates (both can arrive
 * through JSON escapes or percent-encoded paths): refused here as a 400 rather than failing in SQL as a 500.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const text = () => z.string().refine((value) => !UNSTORABLE.test(value), 'must not contain NUL characters or unpaired surrogates');

/** A string that a domain rule (a function returning the problem, or null) accepts; the problem is the message. */
function checkedBy(problemOf: (value: string) => string | null) {
  return text().superRefine((value, context) => {
    const problem = problemOf(value);
    if (problem !== null) context.addIssue({ code: 'custom', message: problem });
  });
}

/** A full commit id (40 hex digits), in lower case. */
export const commitId = checkedBy(commitProblem).transform(canonicalCommit);

/** A valid Git branch name, or a `refs/heads/` ref. */
export const branchRef = checkedBy(branchNameProblem);

const name = text().trim().min(1, 'must not be empty').max(100);
const description = text().max(10_000);
const labels = z
  .array(text().trim().min(1, 'labels must not be empty').max(100))
  .max(100)
  .describe('A set of labels (order and duplicates are not kept)');
const timestamp = z.string().describe('ISO-8601 timestamp');
const role = z.enum(['read', 'write', 'admin']).describe('read < write < admin; a role applies to the space and all its descendants');
const spaceId = text().min(1).max(200);

export const idParams = z.object({ id: text().min(1).max(200) });

// --- spaces

export const space = z
  .object({
    id: z.string().describe('Slug of the name plus a short random suffix; immutable ("root" for the root space)'),
    name: z.string(),
    parentSpaceId: z.string().nullable().describe('null only for root; immutable'),
    inheritEntities: z.boolean().describe('Stacks here may use integrations of the parent space (and of its ancestors while each link inherits)'),
    description: z.string(),
    labels: z.array(z.string()),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Space' });

export const spaceCreate = z.object({
  name,
  parentSpaceId: spaceId
    .nullable()
    .default('root')
    .transform((value) => value ?? 'root')
    .describe('Defaults to root (also when null); immutable'),
  inheritEntities: z.boolean().default(false),
  description: description.default(''),
  labels: labels.default([]),
});

export const spacePatch = z.object({
  name: name.optional(),
  parentSpaceId: spaceId.nullable().optional().describe('Immutable: accepted only when unchanged (null is root\'s parent)'),
  inheritEntities: z.boolean().optional(),
  description: description.optional(),
  labels: labels.optional(),
});

// --- API keys

const roleBinding = z.object({ spaceId, role }).meta({ id: 'RoleBinding' });

export const apiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    roles: z.array(roleBinding),
    createdAt: timestamp,
  })
  .meta({ id: 'ApiKey' });

export const apiKeyCreated = apiKey
  .extend({ secret: z.string().describe('The key itself; shown only in this response, stored hashed') })
  .meta({ id: 'ApiKeyCreated' });

export const apiKeyCreate = z.object({
  name,
  roles: z.array(roleBinding).max(100).default([]),
});

// --- Bitbucket Data Center integrations

const apiHost = text()
  .min(1)
  .max(2048)
  .describe('URL the control plane calls: https://… (http:// only for loopback hosts) or private://<vcs-agent-pool>');
const userFacingHost = text().min(1).max(2048).describe('URL shown to people; defaults to apiHost when that is https');
const accessToken = text().min(1).max(4096).describe('Bitbucket HTTP access token; write-only, never returned');

export const integrationSummary = z
  .object({
    id: z.string().describe('Slug of the name'),
    name: z.string().describe('Immutable'),
    isDefault: z.boolean().describe('Immutable; the default integration lives in root and is usable by every stack'),
    spaceId: z.string(),
    apiHost: z.string(),
    userFacingHost: z.string().nullable(),
    webhookUrl: z.string().describe('{publicUrl}/webhooks/bitbucket-datacenter/{id}'),
    labels: z.array(z.string()),
    description: z.string(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'BitbucketDatacenterIntegration' });

export const integrationDetails = integrationSummary
  .extend({
    username: z.string(),
    webhookSecret: z.string().describe('32 random bytes, hex; Bitbucket signs deliveries with it'),
  })
  .meta({ id: 'BitbucketDatacenterIntegrationDetails' });

export const integrationCreate = z.object({
  name,
  isDefault: z.boolean().default(false),
  spaceId: spaceId.nullable().optional().describe('Defaults to root (also when null); must be root for the default integration'),
  apiHost,
  userFacingHost: userFacingHost.nullable().optional().describe('Defaults to apiHost when that is https (also when null)'),
  username: text().trim().min(1).max(255),
  accessToken,
  labels: labels.default([]),
  description: description.default(''),
});

export const integrationPatch = z.object({
  name: name.optional().describe('Immutable: a different value is a 422'),
  isDefault: z.boolean().optional().describe('Immutable: a different value is a 422'),
  spaceId: spaceId.optional(),
  apiHost: apiHost.optional(),
  userFacingHost: userFacingHost.nullable().optional().describe('null resets it to the default'),
  username: text().trim().min(1).max(255).optional(),
  accessToken: accessToken.optional(),
  labels: labels.optional(),
  description: description.optional(),
});

export const integrationDeleted = z
  .object({
    id: z.string(),
    detachedStacks: z
      .array(z.object({ id: z.string(), name: z.string() }))
      .describe('Stacks that used the integration and are now detached'),
    detachedModules: z
      .array(z.object({ id: z.string(), name: z.string() }))
      .describe('Modules that used the integration and are now detached'),
  })
  .meta({ id: 'IntegrationDeleted' });

// --- stacks

const stackVcs = z.object({
  integrationId: z.string().nullable().describe('null: the default integration'),
  projectKey: z.string(),
  repositorySlug: z.string(),
  branch: z.string(),
  projectRoot: z.string(),
});

export const stack = z
  .object({
    id: z.string(),
    name: z.string(),
    spaceId: z.string(),
    vcs: stackVcs,
    autodeploy: z.boolean(),
    labels: z.array(z.string()),
    detached: z.boolean().describe('True after its integration was deleted; it then gets no webhooks and refuses runs'),
    manageState: z
      .boolean()
      .describe('Whether the control plane holds the stack\'s Terraform state (served at /api/v1/stacks/{id}/state); false: the code brings its own backend'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Stack' });

const projectKey = text().trim().min(1).max(128);
const repositorySlug = text().trim().min(1).max(128);
const branch = text()
  .trim()
  .max(255)
  .pipe(branchRef)
  .describe('The tracked branch: a valid Git branch name (main, release/1.x) or refs/heads/…');
const projectRoot = text()
  .max(1024)
  .pipe(checkedBy(projectRootProblem))
  .describe('Directory of the Terraform root module: a relative path inside the repository without ".." (empty: the root)');

export const stackCreate = z.object({
  name,
  spaceId: spaceId.default('root'),
  vcs: z.object({
    integrationId: text().min(1).nullable().default(null),
    projectKey,
    repositorySlug,
    branch,
    projectRoot: projectRoot.default(''),
  }),
  autodeploy: z.boolean().default(false),
  labels: labels.default([]),
  manageState: z.boolean().default(true).describe('Defaults to true: runs keep their state in the control plane'),
});

export const stackPatch = z.object({
  name: name.optional(),
  spaceId: spaceId.optional(),
  vcs: z
    .object({
      integrationId: text().min(1).nullable().optional().describe('Setting it (null included) attaches a detached stack'),
      projectKey: projectKey.optional(),
      repositorySlug: repositorySlug.optional(),
      branch: branch.optional(),
      projectRoot: projectRoot.optional(),
    })
    .optional(),
  autodeploy: z.boolean().optional(),
  labels: labels.optional(),
  manageState: z.boolean().optional().describe('Turning it off keeps the stored state and its versions; turning it on again serves them'),
});

export const stackListQuery = z.object({
  integrationId: text().min(1).optional().describe('Only the attached stacks this integration serves'),
});

// --- modules

const modulePart = checkedBy(modulePartProblem);

export const module = z
  .object({
    id: z.string(),
    name: z.string().describe('Immutable; the registry address is <host>/<spaceId>/<name>/<terraformProvider>'),
    terraformProvider: z.string().describe('Immutable'),
    spaceId: z.string(),
    vcs: stackVcs,
    labels: z.array(z.string()),
    description: z.string(),
    detached: z.boolean().describe('True after its integration was deleted; its tags then publish nothing'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Module' });

export const moduleCreate = z.object({
  name: modulePart,
  terraformProvider: modulePart,
  spaceId: spaceId.default('root'),
  vcs: z.object({
    integrationId: text().min(1).nullable().default(null),
    projectKey,
    repositorySlug,
    branch,
    projectRoot: projectRoot.default(''),
  }),
  labels: labels.default([]),
  description: description.default(''),
});

export const modulePatch = z.object({
  name: modulePart.optional().describe('Immutable: a different value is a 422'),
  terraformProvider: modulePart.optional().describe('Immutable: a different value is a 422'),
  spaceId: spaceId.optional(),
  vcs: stackPatch.shape.vcs,
  labels: labels.optional(),
  description: description.optional(),
});

export const moduleVersion = z
  .object({
    moduleId: z.string(),
    version: z.string().describe('Semantic version taken from the tag (without a leading v)'),
    tag: z.string(),
    commit: z.string(),
    state: z.enum(['ACTIVE', 'FAILED', 'RETRACTED']).describe('ACTIVE versions are offered to terraform init'),
    reason: z.string().nullable().describe('Why the version FAILED or was RETRACTED'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'ModuleVersion' });

export const registryParams = z.object({
  spaceId: text().min(1).max(200),
  name: text().min(1).max(200),
  provider: text().min(1).max(200),
});

export const registryVersionParams = registryParams.extend({ version: text().min(1).max(200) });

// --- VCS agent pools (SPEC §9)

const connectedAgent = z.object({
  name: z.string().describe('What the agent calls itself (its host name), or its address'),
  connectedAt: timestamp,
  inFlight: z.number().int().describe('Requests it carries right now'),
});

export const vcsAgentPool = z
  .object({
    id: z.string(),
    name: z.string().describe('What private://<name> in an integration\'s apiHost names'),
    spaceId: z.string(),
    description: z.string(),
    createdAt: timestamp,
    lastActivityAt: timestamp.nullable().describe('When an agent of the pool last connected or carried a request'),
    connectedAgents: z.number().int().describe('Agents of the pool connected to the replica that answered'),
    agents: z.array(connectedAgent),
  })
  .meta({ id: 'VcsAgentPool' });

export const vcsAgentPoolCreated = vcsAgentPool
  .extend({ token: z.string().describe('The pool token `liftgate vcs-agent --token` takes; shown only in this response, stored hashed') })
  .meta({ id: 'VcsAgentPoolCreated' });

export const vcsAgentPoolCreate = z.object({
  name: text()
    .min(1)
    .max(63)
    .regex(POOL_NAME_PATTERN, 'must start with a letter or digit and hold only letters, digits, ".", "_" and "-" (it goes in private://<name>)'),
  spaceId: spaceId.optional().describe('The space whose admins manage the pool (root when absent)'),
  description: description.default(''),
});

/** A repository the integration's Bitbucket account sees (SPEC §7.7), as offered for a stack's repository. */
export const bitbucketRepository = z
  .object({
    projectKey: z.string(),
    projectName: z.string(),
    repositorySlug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    public: z.boolean(),
    archived: z.boolean(),
  })
  .meta({ id: 'BitbucketRepository' });

// --- stack environment variables

export const environmentVariableParams = z.object({
  id: text().min(1).max(200),
  name: text().min(1).max(1000).describe('The variable\'s name: ^[A-Za-z_][A-Za-z0-9_]*$, not a reserved one'),
});

export const environmentVariable = z
  .object({
    name: z.string(),
    value: z.string().nullable().describe('null for a secret variable: its value is never returned'),
    secret: z.boolean().describe('Encrypted at rest, never returned, masked as *** in run logs'),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'StackEnvironmentVariable' });

export const environmentVariableSet = z.object({
  value: text().describe('At most 64 KiB (UTF-8)'),
  secret: z.boolean().default(false),
});
