/**
 * Nested spaces with several space-level integrations: each business unit has its own Bitbucket
 * integration; team spaces inherit their unit's integration, so their stacks can use it. Every stack's runs
 * know their unit from an environment variable.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { BitbucketDatacenterIntegration, LiftgateStack, Space, bitbucketdc, liftgate } from 'liftgate';
import { requiredEnv } from '../environment';

class NestedSpaces extends TerraformStack {
  public constructor(scope: Construct, id: string) {
    super(scope, id);
    new liftgate.provider.LiftgateProvider(this, 'liftgate', {});
    new bitbucketdc.provider.BitbucketdcProvider(this, 'bitbucketdc', {});
    const bitbucket = {
      apiHost: requiredEnv('BITBUCKET_URL', 'the URL of Bitbucket Data Center'),
      username: process.env.LIFTGATE_BITBUCKET_USERNAME ?? 'admin',
      accessToken: requiredEnv('BITBUCKET_TOKEN', 'an HTTP access token of LIFTGATE_BITBUCKET_USERNAME (project admin)'),
    };

    for (const unit of [
      { key: 'RETAIL', name: 'Retail', teams: ['checkout', 'catalog'] },
      { key: 'BANK', name: 'Banking', teams: ['ledger'] },
    ]) {
      const unitSpace = new Space(this, unit.name, { name: unit.name });
      // One project webhook per unit: Bitbucket fires it for every repository of the project.
      const integration = new BitbucketDatacenterIntegration(this, `${unit.name}Bitbucket`, {
        ...bitbucket,
        name: `${unit.name} Bitbucket`,
        space: unitSpace,
        projects: [unit.key],
      });
      for (const team of unit.teams) {
        const teamSpace = new Space(this, `${unit.name}-${team}`, { name: `${unit.name} ${team}`, parent: unitSpace, inheritEntities: true });
        const stack = new LiftgateStack(this, `${unit.name}-${team}-stack`, { name: team, space: teamSpace, integration, projectKey: unit.key, repositorySlug: team });
        stack.addEnvironmentVariable('BUSINESS_UNIT', unit.key);
      }
    }
  }
}

const app = new App();
new NestedSpaces(app, 'nested-spaces');
app.synth();
