/**
 * The app the end-to-end test deploys, changed between deploys through a JSON file named by
 * LIFTGATE_E2E_APP_CONFIG (the test "edits the code" by rewriting it): a default integration with
 * repository webhooks and two stacks, and a space with a space-level integration, a webhook and a stack.
 */
// Plain JavaScript: `liftgate` is resolved by examples/run.js to the built package, which the repository's
// type check (tsconfig.json) cannot see.
'use strict';
const { readFileSync } = require('node:fs');
const { App, TerraformStack } = require('cdktf');
const { BitbucketDatacenterIntegration, LiftgateStack, Space, bitbucketdc, liftgate } = require('liftgate');

/** @type {{ defaultIntegrationName: string, defaultRepositories: string[], opsIntegrationName: string }} */
const config = JSON.parse(readFileSync(process.env.LIFTGATE_E2E_APP_CONFIG, 'utf8'));
const connection = { apiHost: process.env.BITBUCKET_URL, username: 'admin', accessToken: process.env.BITBUCKET_TOKEN };

const app = new App();
const stack = new TerraformStack(app, 'liftgate');
new liftgate.provider.LiftgateProvider(stack, 'liftgate', {});
new bitbucketdc.provider.BitbucketdcProvider(stack, 'bitbucketdc', {});

const main = new BitbucketDatacenterIntegration(stack, 'Main', {
  ...connection,
  name: config.defaultIntegrationName,
  isDefault: true,
  repositories: config.defaultRepositories.map((repositorySlug) => ({ projectKey: 'PLAT', repositorySlug })),
});
new LiftgateStack(stack, 'Network', { name: 'network', projectKey: 'PLAT', repositorySlug: 'network' });
new LiftgateStack(stack, 'Dns', { name: 'dns', integration: main, projectKey: 'PLAT', repositorySlug: 'dns' });

const ops = new Space(stack, 'Ops', { name: 'Ops' });
const opsIntegration = new BitbucketDatacenterIntegration(stack, 'OpsBitbucket', {
  ...connection,
  name: config.opsIntegrationName,
  space: ops,
  repositories: [{ projectKey: 'OPS', repositorySlug: 'tools' }],
});
new LiftgateStack(stack, 'Tools', { name: 'tools', space: ops, integration: opsIntegration, projectKey: 'OPS', repositorySlug: 'tools' });

app.synth();
