/**
 * Configuration of the bitbucketdc provider with the real terraform 1.11 binary, in one working
 * directory: bad values fail `terraform validate` with a diagnostic on the attribute's line; settings
 * come from the environment; Bitbucket's refusals become diagnostics naming the missing permission.
 */
import { startEmulator, type RunningEmulator } from '../../../src/emulator';
import { expectSuccess, providerConfig, TerraformSandbox } from '../../helpers/terraform';

jest.setTimeout(180_000);

const header = providerConfig('bitbucketdc', 'liftgate/bitbucketdc');

const invalidConfig = `${header}
provider "bitbucketdc" {
  server_url = "http://127.0.0.1:1"
  token      = "a-token"
  password   = "a-password"
}

resource "bitbucketdc_repository_webhook" "unknown_event" {
  project_key     = "PLAT"
  repository_slug = "network"
  name            = "a"
  url             = "https://ci.example.com/a"
  events          = ["repo:refs_changed", "repo:push"]
}

resource "bitbucketdc_repository_webhook" "no_events" {
  project_key     = "PLAT"
  repository_slug = "network"
  name            = "b"
  url             = "https://ci.example.com/b"
  events          = []
}

resource "bitbucketdc_repository_webhook" "bad_url" {
  project_key     = "PLAT"
  repository_slug = "network"
  name            = "c"
  url             = "ci.example.com/no-scheme"
  events          = ["pr:opened"]
}

resource "bitbucketdc_project_webhook" "bad_key" {
  project_key = "plat-x"
  name        = "d"
  url         = "https://ci.example.com/d"
  events      = ["pr:opened"]
}

resource "bitbucketdc_repository_webhook" "bad_slug" {
  project_key     = "PLAT"
  repository_slug = "Network Repo"
  name            = "e"
  url             = "https://ci.example.com/e"
  events          = ["pr:opened"]
}
`;

const environmentConfig = `${header}
provider "bitbucketdc" {}

data "bitbucketdc_repositories" "plat" {
  project_key = "PLAT"
}

resource "bitbucketdc_repository_webhook" "ci" {
  project_key     = "PLAT"
  repository_slug = data.bitbucketdc_repositories.plat.slugs[0]
  name            = "ci"
  url             = "https://ci.example.com/hook"
  events          = ["repo:refs_changed"]
}
`;

interface ValidateDiagnostic {
  severity: string;
  summary: string;
  detail: string;
  range?: { filename: string; start: { line: number } };
}

/** The 1-based line of the first line of `text` containing `needle` after the line containing `after`. */
function lineOf(text: string, after: string, needle: string): number {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(after));
  const index = lines.findIndex((line, position) => position > start && line.includes(needle));
  if (start < 0 || index < 0) throw new Error(`"${needle}" after "${after}" is not in the configuration`);
  return index + 1;
}

describe('bitbucketdc provider configuration with real terraform', () => {
  let bitbucket: RunningEmulator;
  let sandbox: TerraformSandbox;

  beforeAll(async () => {
    bitbucket = await startEmulator({ port: 0 });
    bitbucket.createProject('PLAT');
    bitbucket.createRepository('PLAT', 'network');
    sandbox = new TerraformSandbox('bitbucketdc-configuration');
    sandbox.writeConfig(environmentConfig);
    expectSuccess(await sandbox.terraform(['init', '-input=false', '-no-color']));
  });

  afterAll(async () => {
    await bitbucket?.close();
    sandbox?.remove();
  });

  /** Runs `terraform validate -json` on `hcl` and answers the error details found on each line. */
  const validate = async (hcl: string) => {
    sandbox.writeConfig(hcl);
    const result = await sandbox.terraform(['validate', '-json', '-no-color']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { valid: boolean; diagnostics: ValidateDiagnostic[] };
    expect(report.valid).toBe(false);
    return report.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  };
  const expectErrorsOnAttributes = (hcl: string, errors: ValidateDiagnostic[], expectations: [string, string, RegExp][]) => {
    for (const [block, attribute, detail] of expectations) {
      const line = lineOf(hcl, block, `${attribute} `);
      const found = errors.filter((diagnostic) => diagnostic.range?.start.line === line).map((diagnostic) => diagnostic.detail);
      expect({ block, attribute, found }).toEqual({ block, attribute, found: [expect.stringMatching(detail)] });
    }
    expect(errors).toHaveLength(expectations.length);
  };

  test('terraform validate: token and password together are an error on password', async () => {
    const errors = await validate(invalidConfig);
    // Terraform stops at the provider block's errors before it validates resources.
    expectErrorsOnAttributes(invalidConfig, errors, [['provider "bitbucketdc"', 'password', /either token .* or username and password .*, not both/]]);
  });

  test('terraform validate reports every bad resource value at once, each on its attribute', async () => {
    const hcl = invalidConfig.replace('  password   = "a-password"\n', '');
    const errors = await validate(hcl);
    expectErrorsOnAttributes(hcl, errors, [
      ['"unknown_event"', 'events', /must be one of "repo:refs_changed".*got "repo:push"/],
      ['"no_events"', 'events', /must have at least 1 element/],
      ['"bad_url"', 'url', /must be an absolute URL with scheme http or https, got "ci\.example\.com\/no-scheme"/],
      ['"bad_key"', 'project_key', /must be a Bitbucket project key.*got "plat-x"/],
      ['"bad_slug"', 'repository_slug', /must be a repository slug.*got "Network Repo"/],
    ]);
  });

  test('settings from the environment; a missing permission is named in the error', async () => {
    sandbox.writeConfig(environmentConfig);
    const reader = bitbucket.createUser({ name: 'reader', projectPermissions: { PLAT: 'PROJECT_READ' } });
    const asReader = await sandbox.terraform(['apply', '-auto-approve', '-input=false', '-no-color'], {
      env: { BITBUCKET_URL: bitbucket.url, BITBUCKET_TOKEN: reader.token! },
    });
    expect(asReader.code).toBe(1);
    // The data source could read (PROJECT_READ); the webhook needs REPO_ADMIN.
    expect(asReader.stderr).toMatch(/Could not create the webhook "ci" on repository PLAT\/network/);
    expect(asReader.stderr.replace(/\s+/g, ' ')).toMatch(/lack REPO_ADMIN on repository PLAT\/network/);
    expect(bitbucket.repositoryWebhooks('PLAT', 'network')).toHaveLength(0);

    const basic = { BITBUCKET_URL: bitbucket.url, BITBUCKET_USERNAME: 'admin', BITBUCKET_PASSWORD: bitbucket.adminToken };
    expectSuccess(await sandbox.terraform(['apply', '-auto-approve', '-input=false', '-no-color'], { env: basic }));
    expect(bitbucket.repositoryWebhooks('PLAT', 'network')).toEqual([expect.objectContaining({ name: 'ci' })]);

    const both = await sandbox.terraform(['plan', '-input=false', '-no-color'], { env: { ...basic, BITBUCKET_TOKEN: bitbucket.adminToken } });
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/Conflicting Bitbucket credentials in the environment/);

    expectSuccess(await sandbox.terraform(['destroy', '-auto-approve', '-input=false', '-no-color'], { env: basic }));
    expect(bitbucket.repositoryWebhooks('PLAT', 'network')).toHaveLength(0);
  });
});
