/**
 * Quickstart: the account's default Bitbucket DC integration, a webhook on two repositories, a space for
 * the platform team and two stacks in it. Deploy with `npx cdktf deploy --skip-provider-lock` from the
 * repository root. LIFTGATE_INTEGRATION_NAME (default "Bitbucket") renames the integration and
 * LIFTGATE_REPOSITORIES (default "PLAT/network,PLAT/dns") chooses the repositories that get a webhook.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BitbucketDatacenterIntegration, LiftgateStack, Space, bitbucketdc, liftgate } from 'liftgate';
import { repositoriesFromEnv, requiredEnv } from '../environment';

class Quickstart extends TerraformStack {
  public constructor(scope: Construct, id: string) {
    super(scope, id);
    // Both providers read their settings from the environment: LIFTGATE_ENDPOINT, LIFTGATE_API_KEY,
    // BITBUCKET_URL and BITBUCKET_TOKEN.
    new liftgate.provider.LiftgateProvider(this, 'liftgate', {});
    new bitbucketdc.provider.BitbucketdcProvider(this, 'bitbucketdc', {});

    const bitbucket = new BitbucketDatacenterIntegration(this, 'Bitbucket', {
      name: process.env.LIFTGATE_INTEGRATION_NAME ?? 'Bitbucket',
      isDefault: true,
      apiHost: requiredEnv('BITBUCKET_URL', 'the URL of Bitbucket Data Center'),
      username: process.env.LIFTGATE_BITBUCKET_USERNAME ?? 'admin',
      accessToken: requiredEnv('BITBUCKET_TOKEN', 'an HTTP access token of LIFTGATE_BITBUCKET_USERNAME (repository admin)'),
      repositories: repositoriesFromEnv('LIFTGATE_REPOSITORIES', 'PLAT/network,PLAT/dns'),
    });

    const platform = new Space(this, 'Platform', { name: 'Platform', description: 'Infrastructure owned by the platform team' });
    // A push to network's main branch is applied at once; dns's tracked runs wait for a confirmation (autodeploy off).
    new LiftgateStack(this, 'Network', { name: 'network', space: platform, integration: bitbucket, projectKey: 'PLAT', repositorySlug: 'network', autodeploy: true });
    new LiftgateStack(this, 'Dns', { name: 'dns', space: platform, integration: bitbucket, projectKey: 'PLAT', repositorySlug: 'dns', projectRoot: 'terraform' });
  }
}

const app = new App();
new Quickstart(app, 'quickstart');
app.synth();
