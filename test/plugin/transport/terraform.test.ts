/**
 * The transport against the real `terraform` binary: the echo fixture plugin is installed as a provider in
 * an implied local mirror (./terraform.d/plugins). It serves no tfplugin6 service, so Terraform's first
 * provider call answers "Unimplemented": proof that the handshake, the TLS connection with Terraform's
 * client certificate and the RPC itself worked. Terraform then stops the plugin; its trace log shows how
 * long the plugin took to exit (Terraform waits 2 s, then kills and logs "plugin failed to exit gracefully").
 * Two more fixtures fail at start and crash on the first call, to show what the user then reads.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { providerConfig, runTerraform } from '../../helpers/terraform';
import { crashingPluginPath, echoPluginPath, failingPluginPath } from './plugin-process';

const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

function terraform(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return runTerraform(args, { cwd, cliConfig: join(cwd, '..', 'terraformrc'), timeoutMs: 60_000, env });
}

/** Milliseconds between the first log lines matching `from` and `to` (Terraform logs ms timestamps). */
function msBetween(log: string, from: RegExp, to: RegExp): number {
  const time = (pattern: RegExp) => {
    const line = log.split('\n').find((candidate) => pattern.test(candidate));
    if (!line) throw new Error(`no log line matches ${pattern}`);
    return Date.parse(line.slice(0, line.indexOf(' ')));
  };
  return time(to) - time(from);
}

describe('with the real terraform binary', () => {
  let root: string;
  let workdir: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'transport-terraform-'));
    workdir = join(root, 'work');
    for (const [type, script] of [
      ['echo', echoPluginPath],
      ['failing', failingPluginPath],
      ['crashing', crashingPluginPath],
    ]) {
      const packageDir = join(workdir, 'terraform.d', 'plugins', 'registry.terraform.io', 'liftgate-test', type, '0.1.0', platform);
      mkdirSync(packageDir, { recursive: true });
      const launcher = join(packageDir, `terraform-provider-${type}`);
      writeFileSync(launcher, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(script)}\n`);
      chmodSync(launcher, 0o755);
    }
    writeFileSync(join(root, 'terraformrc'), '');
    writeFileSync(join(workdir, 'main.tf'), requiredProviders('echo'));
    const init = await terraform(['init', '-no-color'], workdir, {});
    if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  });

  function requiredProviders(type: string): string {
    return providerConfig(type, `liftgate-test/${type}`, undefined, '0.1.0');
  }

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['over TLS with the client certificate Terraform generates (AutoMTLS)', {}, true],
    ['in plaintext when Terraform is told not to use TLS', { TF_DISABLE_PLUGIN_TLS: '1' }, false],
  ])('connects and calls the plugin %s, and the plugin exits at once when Terraform is done', async (_how, env, tls) => {
    const { output } = await terraform(['validate', '-no-color'], workdir, { TF_LOG: 'trace', ...env });
    expect(output).toContain('provider: using plugin: version=6');
    // The call reached the plugin: only a working connection can answer Unimplemented.
    expect(output).toMatch(/GetProviderSchema: error="rpc error: code = Unimplemented/);
    expect(output).not.toContain('plugin failed to exit gracefully');
    // It exited by itself, before the 2 s after which Terraform kills a plugin (logged as "failed to exit gracefully").
    const exitMs = msBetween(output, /GetProviderSchema: error=/, /provider: plugin process exited/);
    expect(exitMs).toBeLessThan(2000);
    // The plugin's own hclog lines reach Terraform's log under the plugin's name.
    const listening = output.split('\n').find((line) => line.includes('terraform-provider-echo: plugin server listening:'));
    expect(listening).toContain('@module=echo-plugin');
    expect(listening).toContain(`tls=${tls}`);
    expect(output.includes('configuring client automatic mTLS')).toBe(tls);
  });

  /** Runs `terraform validate` (without TF_LOG) on a configuration requiring the given fixture plugin. */
  async function validateWith(type: string): Promise<{ code: number | null; output: string }> {
    writeFileSync(join(workdir, 'main.tf'), requiredProviders(type));
    try {
      const init = await terraform(['init', '-no-color'], workdir, {});
      expect(init.code).toBe(0);
      return await terraform(['validate', '-no-color'], workdir, {});
    } finally {
      writeFileSync(join(workdir, 'main.tf'), requiredProviders('echo'));
    }
  }

  it('shows the reason a plugin could not start without TF_LOG', async () => {
    const { code, output } = await validateWith('failing');
    expect(code).toBe(1);
    expect(output.replace(/\s+/g, ' ')).toContain('Unrecognized remote plugin message: unknown provider type "nope" (known types: echo / kv)');
  });

  it('reports an uncaught exception as a plugin crash with its stack trace, without TF_LOG', async () => {
    const { code, output } = await validateWith('crashing');
    expect(code).toBe(1);
    expect(output).toContain('Stack trace from the terraform-provider-crashing plugin:');
    expect(output).toContain("panic: TypeError: Cannot read properties of undefined (reading 'schema')");
    expect(output).toContain('crashing-plugin.js:');
    expect(output).toContain('Error: The terraform-provider-crashing plugin crashed!');
  });
});
