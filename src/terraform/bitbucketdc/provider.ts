/**
 * Provider `bitbucketdc` (`registry.terraform.io/liftgate/bitbucketdc`): manages webhooks of Bitbucket
 * Data Center repositories and projects, and lists a project's repositories. Configuration comes from
 * the provider block, else from BITBUCKET_URL / BITBUCKET_TOKEN / BITBUCKET_USERNAME / BITBUCKET_PASSWORD.
 */
import {
  attributePath,
  errorDiagnostic,
  isUnknown,
  isUrl,
  stringAttribute,
  type Diagnostic,
  type Planned,
  type ProviderDefinition,
} from '../../plugin';
import { projectWebhookResource } from './project-webhook';
import { ProviderClient } from './provider-client';
import { repositoriesDataSource } from './repositories-data-source';
import { repositoryWebhookResource } from './repository-webhook';

const attributes = {
  server_url: stringAttribute({
    optional: true,
    description: 'Base URL of Bitbucket Data Center, e.g. `https://bitbucket.example.com` (with its context path, if any). Defaults to the BITBUCKET_URL environment variable.',
    validators: [isUrl(['http', 'https'])],
  }),
  token: stringAttribute({
    optional: true,
    sensitive: true,
    description: 'HTTP access token, sent as `Authorization: Bearer`. Give this or `username` and `password`, not both. Defaults to the BITBUCKET_TOKEN environment variable.',
  }),
  username: stringAttribute({
    optional: true,
    description: 'User for Basic authentication, with `password`. Defaults to the BITBUCKET_USERNAME environment variable.',
  }),
  password: stringAttribute({
    optional: true,
    sensitive: true,
    description: 'Password (or the user\'s HTTP access token) for Basic authentication, with `username`. Defaults to the BITBUCKET_PASSWORD environment variable.',
  }),
};

/** Set in configuration: known and not null (unknown counts as set, since it will have a value). */
function isSet(value: Planned<string>): boolean {
  return value !== null && (isUnknown(value) || value !== '');
}

/** The credential rules shared by validation (configuration only) and configure (configuration or environment). */
function credentialProblems(values: { token: Planned<string>; username: Planned<string>; password: Planned<string> }): Diagnostic[] {
  const token = isSet(values.token);
  const username = isSet(values.username);
  const password = isSet(values.password);
  const problems: Diagnostic[] = [];
  if (token && (username || password)) {
    const other = username ? 'username' : 'password';
    problems.push(
      errorDiagnostic(
        'Conflicting Bitbucket credentials',
        `Give either token (Bearer authentication) or username and password (Basic authentication), not both: ${other} is set together with token.`,
        attributePath(other),
      ),
    );
  } else if (username !== password) {
    const missing = username ? 'password' : 'username';
    problems.push(
      errorDiagnostic('Incomplete Bitbucket credentials', `Basic authentication needs both username and password; ${missing} is missing.`, attributePath(missing)),
    );
  }
  return problems;
}

/** Environment variables the provider reads when the provider block leaves a setting out. */
const environment = {
  server_url: 'BITBUCKET_URL',
  token: 'BITBUCKET_TOKEN',
  username: 'BITBUCKET_USERNAME',
  password: 'BITBUCKET_PASSWORD',
} as const;

function fromEnvironment(name: keyof typeof environment): string | null {
  const value = process.env[environment[name]];
  return value === undefined || value === '' ? null : value;
}

/**
 * The provider's retries: more than the client's default, so a burst of 5xx answers during a large
 * apply is ridden out rather than failing one resource among hundreds, and up to 5 minutes of waiting
 * out 429s per request, because a rate-limited apply of many resources queues behind that limit.
 */
const retryPolicy = { maxRetries: 6, baseDelayMs: 250, maxDelayMs: 8000, maxRateLimitWaitMs: 300_000 };

export const provider: ProviderDefinition<typeof attributes, ProviderClient> = {
  typeName: 'bitbucketdc',
  schema: {
    description: 'Manages webhooks of Bitbucket Data Center repositories and projects.',
    attributes,
  },

  validateConfig({ config }) {
    return credentialProblems(config);
  },

  async configure({ config }) {
    const unknownNames = (Object.keys(attributes) as (keyof typeof attributes)[]).filter((name) => isUnknown(config[name]));
    if (unknownNames.length > 0) {
      return {
        diagnostics: unknownNames.map((name) =>
          errorDiagnostic(
            'Provider configuration not known until apply',
            `${name} depends on a value that is only known after apply; the bitbucketdc provider needs it to plan. Use a value known at plan time (a variable or the ${environment[name]} environment variable).`,
            attributePath(name),
          ),
        ),
      };
    }
    const configured = config as { server_url: string | null; token: string | null; username: string | null; password: string | null };
    const serverUrl = configured.server_url ?? fromEnvironment('server_url');
    if (serverUrl === null) {
      return {
        diagnostics: [
          errorDiagnostic('Missing Bitbucket server URL', 'Set server_url in the provider block or the BITBUCKET_URL environment variable.', attributePath('server_url')),
        ],
      };
    }
    // Credentials come from the provider block as a whole, or else from the environment as a whole,
    // so a token in the block is never combined with a password from the environment.
    const inBlock = configured.token !== null || configured.username !== null || configured.password !== null;
    const credentials = inBlock
      ? { token: configured.token, username: configured.username, password: configured.password }
      : { token: fromEnvironment('token'), username: fromEnvironment('username'), password: fromEnvironment('password') };
    const problems = credentialProblems(credentials);
    if (!inBlock && problems.length > 0) {
      return {
        diagnostics: [
          errorDiagnostic(
            'Conflicting Bitbucket credentials in the environment',
            'Set either BITBUCKET_TOKEN or both BITBUCKET_USERNAME and BITBUCKET_PASSWORD, or give credentials in the provider block.',
          ),
        ],
      };
    }
    if (problems.length > 0) return { diagnostics: problems };
    if (credentials.token === null && credentials.username === null) {
      return {
        diagnostics: [
          errorDiagnostic(
            'Missing Bitbucket credentials',
            'Set token (or username and password) in the provider block, or the BITBUCKET_TOKEN (or BITBUCKET_USERNAME and BITBUCKET_PASSWORD) environment variables.',
          ),
        ],
      };
    }
    // Loaded here, not at the top: Terraform also starts the provider just for its schema or to
    // validate, and the client's HTTP and schema libraries are most of a provider start's cost.
    const { BitbucketClient } = await import('../../clients/bitbucket/client');
    let bitbucket: InstanceType<typeof BitbucketClient>;
    try {
      bitbucket = new BitbucketClient({
        baseUrl: serverUrl,
        token: credentials.token ?? undefined,
        username: credentials.username ?? undefined,
        password: credentials.password ?? undefined,
        retry: retryPolicy,
        userAgent: 'terraform-provider-bitbucketdc (liftgate)',
      });
    } catch (error) {
      // The client rejects URLs it cannot use (credentials in the URL, a query, another scheme).
      return {
        diagnostics: [
          errorDiagnostic('Invalid Bitbucket server URL', error instanceof Error ? error.message : String(error), configured.server_url === null ? undefined : attributePath('server_url')),
        ],
      };
    }
    return { client: new ProviderClient(bitbucket) };
  },

  resources: [repositoryWebhookResource, projectWebhookResource],
  dataSources: [repositoriesDataSource],
};
