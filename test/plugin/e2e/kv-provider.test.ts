/**
 * The runtime end to end: the real `terraform` 1.11 binary drives the kv fixture provider through the
 * whole life of a resource. One sandbox and one working directory for all steps (terraform is slow),
 * so the steps run in order and each builds on the previous one.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerConfig } from '../../helpers/terraform';
import { FixtureTerraformSandbox, type TerraformResult } from './terraform-harness';

jest.setTimeout(180_000);

const secret = 's3cret-value-123';
const token = 'tok-value-456';

function config(store: string, entry: Record<string, string>): string {
  const body = Object.entries(entry)
    .map(([name, value]) => `  ${name} = ${value}`)
    .join('\n');
  return `${providerConfig('kv', 'liftgate-test/kv', { directory: store }, '0.1.0')}
resource "kv_entry" "a" {
${body}
}

data "kv_entries" "all" {
  depends_on = [kv_entry.a]
}

output "keys" {
  value = data.kv_entries.all.keys
}

output "enabled_values" {
  value = [for entry in data.kv_entries.all.entries : entry.value if entry.enabled]
}
`;
}

const baseEntry = {
  key: '"alpha"',
  value: '"one"',
  tags: '["x", "y"]',
  labels: '{ team = "core" }',
  secret: JSON.stringify(secret),
  token_wo: JSON.stringify(token),
  token_wo_version: '1',
};

function expectSuccess(result: TerraformResult): void {
  if (result.code !== 0) throw new Error(`terraform exited ${result.code}\n${result.stdout}\n${result.stderr}`);
}

interface ShownResource {
  address: string;
  values: Record<string, unknown>;
  sensitive_values: Record<string, unknown>;
}

describe('terraform drives the kv fixture provider', () => {
  const sandbox = new FixtureTerraformSandbox('kv');
  const entryFile = (key: string) => join(sandbox.store, `${key}.json`);
  const stored = (key: string) => JSON.parse(readFileSync(entryFile(key), 'utf8')) as Record<string, unknown>;
  const show = async (): Promise<ShownResource> => {
    const result = await sandbox.terraform(['show', '-json', '-no-color']);
    expectSuccess(result);
    const state = JSON.parse(result.stdout) as { values: { root_module: { resources: ShownResource[] } } };
    const resource = state.values.root_module.resources.find((candidate) => candidate.address === 'kv_entry.a');
    if (resource === undefined) throw new Error(`kv_entry.a is not in state: ${result.stdout}`);
    return resource;
  };

  afterAll(() => sandbox.remove());

  it('installs from the filesystem mirror with terraform init', async () => {
    sandbox.writeConfig(config(sandbox.store, baseEntry));
    const result = await sandbox.terraform(['init', '-no-color', '-input=false']);
    expectSuccess(result);
    expect(result.stdout).toContain('Installed liftgate-test/kv v0.1.0');
  });

  it('describes its schema to `terraform providers schema -json` (what binding generators read)', async () => {
    const result = await sandbox.terraform(['providers', 'schema', '-json']);
    expectSuccess(result);
    const schemas = JSON.parse(result.stdout).provider_schemas['registry.terraform.io/liftgate-test/kv'];
    const attributes = schemas.resource_schemas.kv_entry.block.attributes;
    expect(attributes.key).toMatchObject({ type: 'string', required: true, description_kind: 'plain' });
    expect(attributes.key.description).toContain('Changing it destroys and re-creates the object');
    expect(attributes.tags).toMatchObject({ type: ['set', 'string'], optional: true });
    expect(attributes.secret).toMatchObject({ sensitive: true, optional: true });
    expect(attributes.token_wo).toMatchObject({ write_only: true, sensitive: true });
    expect(attributes.priority).toMatchObject({ optional: true, computed: true });
    expect(schemas.data_source_schemas.kv_entries.block.attributes.entries.type).toEqual([
      'list',
      ['object', { key: 'string', value: 'string', enabled: 'bool' }],
    ]);
    expect(schemas.provider.block.attributes.directory.description).toContain('KV_DIRECTORY');
  });

  it('reports every invalid attribute at terraform validate, pointing at the attribute', async () => {
    sandbox.writeConfig(
      config(sandbox.store, { ...baseEntry, key: '"Bad Key"', priority: '500', tags: '[""]', token_wo: 'null' }),
    );
    const result = await sandbox.terraform(['validate', '-no-color']).finally(() => sandbox.writeConfig(config(sandbox.store, baseEntry)));
    expect(result.code).toBe(1);
    // Each problem is its own diagnostic, and Terraform quotes the configuration line its path points at.
    const output = result.stderr + result.stdout;
    expect(output).toMatch(/\d+:\s+key = "Bad Key"\n\nAttribute key must be lowercase letters, digits and dashes, got "Bad Key"\./);
    expect(output).toMatch(/\d+:\s+priority = 500\n\nAttribute priority must be between 0 and 100, got 500\./);
    expect(output).toMatch(/\d+:\s+tags = \[""\]\n\nAttribute tags must be between 1 and 20 characters long, got ""\./);
    expect(output).toMatch(/\d+:\s+token_wo_version = 1\n\ntoken_wo_version only makes sense together with token_wo\./);
  });

  it('creates the entry without showing the secret, and keeps the write-only token out of state', async () => {
    const result = await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false']);
    expectSuccess(result);
    expect(result.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
    expect(result.stdout).not.toContain(secret);
    expect(result.stdout).toMatch(/secret\s+= \(sensitive value\)/);
    expect(result.stdout).toContain('keys = tolist([\n  "alpha",\n])');
    expect(result.stdout).toContain('enabled_values = [\n  "one",\n]');

    const file = stored('alpha');
    expect(file).toMatchObject({ value: 'one', tags: ['x', 'y'], priority: 50, enabled: true, secret, revision: 1 });
    expect(file.tokenSha256).toBe(createHash('sha256').update(token).digest('hex'));

    const state = sandbox.readState();
    expect(state).not.toContain(token);
    expect(state).toContain('"token_wo": null');
  });

  it('plans no change afterwards, and show -json marks the secret sensitive', async () => {
    const plan = await sandbox.terraform(['plan', '-detailed-exitcode', '-no-color', '-input=false']);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const resource = await show();
    expect(resource.sensitive_values).toMatchObject({ secret: true });
    expect(resource.values).toMatchObject({ id: 'alpha', secret, token_wo: null, revision: 1 });
  });

  it('imports into an empty state with identical attributes', async () => {
    const before = await show();
    expectSuccess(await sandbox.terraform(['state', 'rm', '-no-color', 'kv_entry.a']));
    const imported = await sandbox.terraform(['import', '-no-color', '-input=false', 'kv_entry.a', 'alpha']);
    expectSuccess(imported);
    expect(imported.stdout).toContain('Import successful!');
    const after = await show();
    expect(after.values).toEqual(before.values);
    expect(after.sensitive_values).toEqual(before.sensitive_values);
    const plan = await sandbox.terraform(['plan', '-detailed-exitcode', '-no-color', '-input=false']);
    expect(plan.code).toBe(0);
  });

  it('updates in place', async () => {
    sandbox.writeConfig(config(sandbox.store, { ...baseEntry, value: '"two"', tags: '["y", "z"]', enabled: 'false' }));
    const result = await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false']);
    expectSuccess(result);
    expect(result.stdout).toContain('kv_entry.a will be updated in-place');
    expect(result.stdout).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
    expect(stored('alpha')).toMatchObject({ value: 'two', tags: ['y', 'z'], enabled: false, revision: 2 });
    const plan = await sandbox.terraform(['plan', '-detailed-exitcode', '-no-color', '-input=false']);
    expect(plan.code).toBe(0);
  });

  it('replaces the entry when its requiresReplace key changes', async () => {
    sandbox.writeConfig(config(sandbox.store, { ...baseEntry, key: '"beta"', value: '"two"' }));
    const result = await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false']);
    expectSuccess(result);
    expect(result.stdout).toContain('kv_entry.a must be replaced');
    expect(result.stdout).toMatch(/key\s+= "alpha" -> "beta" # forces replacement/);
    expect(result.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 1 destroyed.');
    expect(existsSync(entryFile('alpha'))).toBe(false);
    expect(stored('beta')).toMatchObject({ value: 'two', revision: 1 });
  });

  it('shows drift made out of band (exit code 2) and apply restores the object', async () => {
    writeFileSync(entryFile('beta'), JSON.stringify({ ...stored('beta'), value: 'edited', secret: 'changed-secret' }));
    const plan = await sandbox.terraform(['plan', '-detailed-exitcode', '-no-color', '-input=false']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toMatch(/~ value\s+= "edited" -> "two"/);
    expect(plan.stdout).toMatch(/~ secret\s+= \(sensitive value\)/);
    expect(plan.stdout).not.toContain('changed-secret');
    expect(plan.stdout).not.toContain(secret);
    expectSuccess(await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false']));
    expect(stored('beta')).toMatchObject({ value: 'two', secret });
  });

  it('plans to create an object deleted out of band', async () => {
    rmSync(entryFile('beta'));
    const plan = await sandbox.terraform(['plan', '-detailed-exitcode', '-no-color', '-input=false']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('kv_entry.a will be created');
    expectSuccess(await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false']));
    expect(existsSync(entryFile('beta'))).toBe(true);
  });

  it('warns before destroying and removes the backing object', async () => {
    const result = await sandbox.terraform(['destroy', '-auto-approve', '-no-color', '-input=false']);
    expectSuccess(result);
    expect(result.stdout + result.stderr).toContain('Warning: Entry will be deleted');
    expect(result.stdout).toContain('Destroy complete! Resources: 1 destroyed.');
    expect(existsSync(entryFile('beta'))).toBe(false);
  });

  it('plans values that depend on resources not yet applied as unknown, and the final plan agrees', async () => {
    const chained = (firstValue: string) => `${providerConfig('kv', 'liftgate-test/kv', { directory: sandbox.store }, '0.1.0')}

resource "kv_entry" "first" {
  key   = "first"
  value = "${firstValue}"
}

resource "kv_entry" "second" {
  key    = "second"
  value  = kv_entry.first.id
  tags   = [kv_entry.first.id, "fixed"]
  labels = { revision = tostring(kv_entry.first.revision) }
}

resource "kv_entry" "missing" {
  key   = "missing"
  value = "never created"
}
`;
    sandbox.writeConfig(chained('1'));
    expectSuccess(await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false', '-target=kv_entry.second']));
    expect(stored('second')).toMatchObject({ value: 'first', tags: ['first', 'fixed'], labels: { revision: '1' } });

    sandbox.writeConfig(chained('2'));
    const update = await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false', '-target=kv_entry.second']);
    expectSuccess(update);
    expect(update.stdout).toMatch(/~ revision\s+= 1 -> \(known after apply\)/);
    expect(update.stdout).toContain('Apply complete! Resources: 0 added, 2 changed, 0 destroyed.');
    expect(stored('second')).toMatchObject({ labels: { revision: '2' } });

    const missing = await sandbox.terraform(['import', '-no-color', '-input=false', 'kv_entry.missing', 'missing']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Cannot import non-existent remote object');

    expectSuccess(await sandbox.terraform(['destroy', '-auto-approve', '-no-color', '-input=false']));
    expect(existsSync(entryFile('first')) || existsSync(entryFile('second'))).toBe(false);
  });
});
