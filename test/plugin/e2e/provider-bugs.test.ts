/**
 * Provider mistakes reach the user as the framework's "provider bug" diagnostics, naming the resource
 * attribute, instead of Terraform's generic errors with cty dumps.
 */
import { providerConfig } from '../../helpers/terraform';
import { FixtureTerraformSandbox } from './terraform-harness';

jest.setTimeout(120_000);

describe('terraform with a buggy provider', () => {
  const sandbox = new FixtureTerraformSandbox('buggy');

  afterAll(() => sandbox.remove());

  it('reports an invalid plan and an inconsistent apply as provider bugs on the attribute', async () => {
    sandbox.writeConfig(`${providerConfig('buggy', 'liftgate-test/buggy', undefined, '0.1.0')}
resource "buggy_growing" "g" {
  size = 1
}

resource "buggy_planner" "p" {
  size = 5
}
`);
    const init = await sandbox.terraform(['init', '-no-color', '-input=false']);
    expect(init.code).toBe(0);
    // One resource at a time: a plan error stops the whole apply before anything is created.
    const plan = await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false', '-target=buggy_planner.p']);
    expect(plan.code).toBe(1);
    const apply = await sandbox.terraform(['apply', '-auto-approve', '-no-color', '-input=false', '-target=buggy_growing.g']);
    expect(apply.code).toBe(1);
    const output = plan.stderr + apply.stderr;

    expect(output).toMatch(/Error: Provider produced invalid plan\n\n  with buggy_planner\.p,\n  on main\.tf line \d+, in resource "buggy_planner" "p":\n\s+\d+:\s+size = 5/);
    expect(output).toContain('The plan for buggy_planner.size: planned 0 does not match the configured 5.');

    expect(output).toMatch(/Error: Provider produced inconsistent result after apply\n\n  with buggy_growing\.g,\n  on main\.tf line \d+, in resource "buggy_growing" "g":\n\s+\d+:\s+size = 1/);
    expect(output).toContain('buggy_growing.size was planned as 1 but the provider stored 2.');

    expect(output.match(/This is a provider bug, not a problem with your configuration/g)).toHaveLength(2);
    // Terraform's own wording for the same mistakes never shows: the framework caught them first.
    expect(output).not.toContain('cty.NumberIntVal');
    expect(output).not.toContain('produced an unexpected new value');
  });
});
