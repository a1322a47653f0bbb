/**
 * The liftgate provider's tests talk to a real `liftgate serve` (terraform starts the provider, so the control plane
 * must be reachable over HTTP like a user's); this is the provider configuration pointing at it.
 */
import type { ControlPlaneProcess } from '../../helpers/serve';
import { expectSuccess, providerConfig, type TerraformResult, type TerraformSandbox } from '../../helpers/terraform';

export { ControlPlaneProcess } from '../../helpers/serve';

/** The `terraform { required_providers }` and provider blocks for a control plane and key. */
export function liftgateProviderBlock(controlPlane: ControlPlaneProcess, apiKey: string = controlPlane.adminKey): string {
  return providerConfig('liftgate', 'liftgate/liftgate', { endpoint: controlPlane.url, api_key: apiKey });
}

/** A resource as `terraform show -json` lists it. */
export interface ShownResource {
  address: string;
  values: Record<string, unknown>;
  sensitive_values: Record<string, unknown>;
}

/**
 * The terraform commands a lifecycle test runs in `sandbox()` (a function: suites make their sandbox in beforeAll):
 * `run` adds -no-color and -input=false where the command takes them (options must come before positional
 * arguments), `apply` must succeed, `planExitCode` is plan -detailed-exitcode's code (printing the plan when it is
 * not 0), `show` maps addresses to resources.
 */
export function terraformSteps(sandbox: () => TerraformSandbox) {
  const run = ([command, ...rest]: string[]): Promise<TerraformResult> => {
    const noInput = ['show', 'state', 'output'].includes(command as string) ? [] : ['-input=false'];
    return sandbox().terraform([command as string, ...(command === 'state' ? [] : ['-no-color', ...noInput]), ...rest]);
  };
  const apply = async (...extra: string[]) => {
    const result = await run(['apply', '-auto-approve', ...extra]);
    expectSuccess(result);
    return result;
  };
  const planExitCode = async () => {
    const result = await run(['plan', '-detailed-exitcode']);
    if (result.code !== 0) process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
    return result.code;
  };
  const show = async (): Promise<Map<string, ShownResource>> => {
    const result = await run(['show', '-json']);
    expectSuccess(result);
    const state = JSON.parse(result.stdout) as { values?: { root_module: { resources: ShownResource[] } } };
    return new Map((state.values?.root_module.resources ?? []).map((resource) => [resource.address, resource]));
  };
  return { run, apply, planExitCode, show };
}
