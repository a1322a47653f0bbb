import { compareVersionsDescending, modulePartProblem, moduleRootProblem, versionOfTag } from '../../src/domain/modules';

describe('module rules (SPEC §10)', () => {
  it('takes versions from semver tags, with or without a leading v, pre-releases and build metadata included', () => {
    expect(['v1.2.3', '1.2.3', 'v1.0.0-rc.1', '2.0.0+build.5', 'v10.20.30-alpha-1.beta'].map(versionOfTag)).toEqual([
      '1.2.3',
      '1.2.3',
      '1.0.0-rc.1',
      '2.0.0+build.5',
      '10.20.30-alpha-1.beta',
    ]);
    for (const tag of ['release-1', 'v1.2', '1.2.3.4', 'v01.2.3', 'V1.2.3', '1.2.3-', 'vv1.2.3', '1.2.3-01']) expect([tag, versionOfTag(tag)]).toEqual([tag, null]);
  });

  it('orders versions newest first by semver precedence', () => {
    const versions = ['1.0.0-alpha', '1.0.0', '1.0.0-rc.1', '0.9.0', '1.10.0', '1.2.0', '1.0.0-alpha.1', '1.0.0-beta.11', '1.0.0-beta.2'];
    expect([...versions].sort(compareVersionsDescending)).toEqual([
      '1.10.0',
      '1.2.0',
      '1.0.0',
      '1.0.0-rc.1',
      '1.0.0-beta.11',
      '1.0.0-beta.2',
      '1.0.0-alpha.1',
      '1.0.0-alpha',
      '0.9.0',
    ]);
  });

  it('accepts lower-case names and providers only', () => {
    expect(['network', 'aws', 'vpc-2', '0x'].map(modulePartProblem)).toEqual([null, null, null, null]);
    for (const bad of ['Network', '-net', 'a_b', '', 'a.b', 'x'.repeat(65)]) expect(modulePartProblem(bad)).not.toBeNull();
  });

  it('a project root is a module when it holds a .tf or .tf.json file directly', () => {
    expect(moduleRootProblem('', ['main.tf'])).toBeNull();
    expect(moduleRootProblem('net', ['README.md', 'vars.tf.json'])).toBeNull();
    expect(moduleRootProblem('net', ['README.md', 'main.tfvars'])).toBe('the project root "net" holds no .tf file at this commit, so it is not a Terraform module');
    expect(moduleRootProblem('', [])).toBe('the repository root holds no .tf file at this commit, so it is not a Terraform module');
  });
});
