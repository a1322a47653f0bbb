/**
 * Fan-out: a webhook on every repository of a Bitbucket project, listed at plan time by the
 * `bitbucketdc_repositories` data source. A repository added to the project gets its webhook on the next
 * deploy; a removed one loses only its own.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BitbucketDatacenterIntegration, Space, bitbucketdc, liftgate } from 'liftgate';
import { requiredEnv } from '../environment';

class ProjectFanOut extends TerraformStack {
  public constructor(scope: Construct, id: string) {
    super(scope, id);
    new liftgate.provider.LiftgateProvider(this, 'liftgate', {});
    new bitbucketdc.provider.BitbucketdcProvider(this, 'bitbucketdc', {});
    const apps = new Space(this, 'Apps', { name: 'Applications' });
    new BitbucketDatacenterIntegration(this, 'AppsBitbucket', {
      name: 'Applications Bitbucket',
      space: apps,
      apiHost: requiredEnv('BITBUCKET_URL', 'the URL of Bitbucket Data Center'),
      username: process.env.LIFTGATE_BITBUCKET_USERNAME ?? 'admin',
      accessToken: requiredEnv('BITBUCKET_TOKEN', 'an HTTP access token of LIFTGATE_BITBUCKET_USERNAME (project admin)'),
      allRepositoriesOfProjects: ['APPS'],
    });
  }
}

const app = new App();
new ProjectFanOut(app, 'project-fan-out');
app.synth();
