/**
 * The `liftgate` Terraform provider (registry.terraform.io/liftgate/liftgate): spaces, Bitbucket Data
 * Center integrations, stacks and their environment variables, and modules of the Liftgate control plane, through its REST API.
 */
import { attributePath, errorDiagnostic, isUnknown, stringAttribute, type Diagnostic, type ProviderDefinition } from '../../plugin';
import { type LiftgateProviderContext } from './context';
import { environmentVariableResource } from './environment-variable-resource';
import { integrationDataSource } from './integration-data-source';
import { integrationResource } from './integration-resource';
import { spaceDataSource } from './space-data-source';
import { spaceResource } from './space-resource';
import { moduleResource } from './module-resource';
import { stackResource } from './stack-resource';
import { vcsAgentPoolResource } from './vcs-agent-pool-resource';

const providerAttributes = {
  endpoint: stringAttribute({
    optional: true,
    description: 'The control plane\'s base URL, e.g. `http://127.0.0.1:8710`. Defaults to the LIFTGATE_ENDPOINT environment variable.',
  }),
  api_key: stringAttribute({
    optional: true,
    sensitive: true,
    description: 'The API key the provider acts as. Defaults to the LIFTGATE_API_KEY environment variable.',
  }),
};

export const provider: ProviderDefinition<typeof providerAttributes, LiftgateProviderContext> = {
  typeName: 'liftgate',
  schema: {
    description: "Manages spaces, Bitbucket Data Center integrations, stacks and stacks' environment variables, and modules of a Liftgate control plane.",
    attributes: providerAttributes,
  },

  async configure({ config, terraformVersion }) {
    const diagnostics: Diagnostic[] = [];
    const fromConfigOrEnv = (name: 'endpoint' | 'api_key', variable: string): string | undefined => {
      const configured = config[name];
      if (isUnknown(configured)) {
        diagnostics.push(errorDiagnostic(`${name} is not known yet`, `The provider needs ${name} to plan; it must not depend on resources that are not created yet.`, attributePath(name)));
        return undefined;
      }
      const value = configured ?? process.env[variable];
      if (value === undefined || value.trim() === '') {
        diagnostics.push(errorDiagnostic(`Missing ${name}`, `Set ${name} in the provider "liftgate" block or the ${variable} environment variable.`, attributePath(name)));
        return undefined;
      }
      return value;
    };
    const endpoint = fromConfigOrEnv('endpoint', 'LIFTGATE_ENDPOINT');
    const apiKey = fromConfigOrEnv('api_key', 'LIFTGATE_API_KEY');
    if (endpoint === undefined || apiKey === undefined) return { diagnostics };
    // Loaded here, not at the top: Terraform starts the provider several times per command, and the processes
    // that only answer for the schema or validate configuration never need axios and zod (~80 ms to load).
    const { LiftgateClient } = await import('../../clients/liftgate/client');
    try {
      const api = new LiftgateClient({ endpoint, apiKey, userAgent: `terraform-provider-liftgate (Terraform ${terraformVersion})` });
      return { client: { api, defaultIntegrationsBeingReplaced: new Set<string>(), stacksLeavingTheirIntegration: new Set<string>() } };
    } catch (error) {
      return { diagnostics: [errorDiagnostic('Invalid endpoint', (error as Error).message, attributePath('endpoint'))] };
    }
  },

  resources: [spaceResource, integrationResource, stackResource, environmentVariableResource, moduleResource, vcsAgentPoolResource],
  dataSources: [spaceDataSource, integrationDataSource],
};
