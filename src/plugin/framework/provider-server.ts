/**
 * The framework's side of every Terraform operation, on decoded values: finds the resource or data
 * source, applies the planning rules and consistency checks, and calls the provider's code under a
 * guard. The gRPC layer (provider-service.ts) only decodes, calls this, and encodes.
 */
import {
  errorDiagnostic,
  formatPath,
  hasErrors,
  providerBugDiagnostic,
  thrownDiagnostic,
  type AttributePath,
  type Diagnostic,
} from './diagnostics';
import { type DataSourceDefinition, type ProviderDefinition, type ResourceDefinition } from './definitions';
import {
  appliedStateProblems,
  planChange,
  planProblems,
  replacementPaths,
  stateProblems,
  validateAttributes,
  withoutWriteOnly,
  type ObjectValue,
} from './planning';
import { objectTypeOf, schemaProblems, type Schema } from './schema';
import { stateFromJson } from './state-json';
import { nonConformance, unknownsAsNull } from './values';

export interface StateResult {
  readonly state: ObjectValue | null;
  readonly diagnostics: Diagnostic[];
}

export interface PlanResult {
  readonly planned: ObjectValue | null;
  readonly requiresReplace: AttributePath[];
  readonly diagnostics: Diagnostic[];
}

/**
 * What the framework keeps in a plan's private data for the apply: whether it planned a replacement. Terraform
 * passes the planned private data to ApplyResourceChange, also to the destroy half of a replacement, which is how
 * that delete learns it is one (the protocol says nothing else about it).
 */
export interface PlanPrivate {
  readonly replacing: boolean;
}

/** Raised inside the server for a request it cannot serve at all; becomes an error diagnostic. */
class RequestProblem extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.summary);
  }
}

export class ProviderServer {
  private readonly resources = new Map<string, ResourceDefinition>();
  private readonly dataSources = new Map<string, DataSourceDefinition>();
  private client: unknown;
  private configured = false;
  private readonly stopController = new AbortController();

  /** Throws one Error listing every schema problem: a provider that cannot be served should not start. */
  constructor(readonly provider: ProviderDefinition) {
    const problems: string[] = [];
    const add = (owner: string, list: string[]) => problems.push(...list.map((problem) => `${owner}: ${problem}`));
    if (!/^[a-z][a-z0-9]*$/.test(provider.typeName)) add('provider', [`type name "${provider.typeName}" must be lowercase letters and digits`]);
    add(`provider ${provider.typeName}`, schemaProblems(provider.schema, { resource: false }));
    const prefix = `${provider.typeName}_`;
    for (const resource of provider.resources) {
      if (!resource.typeName.startsWith(prefix)) add(resource.typeName, [`resource type names must start with "${prefix}"`]);
      if (this.resources.has(resource.typeName)) add(resource.typeName, ['declared twice']);
      add(resource.typeName, schemaProblems(resource.schema, { resource: true }));
      this.resources.set(resource.typeName, resource);
    }
    for (const dataSource of provider.dataSources ?? []) {
      if (!dataSource.typeName.startsWith(prefix)) add(dataSource.typeName, [`data source type names must start with "${prefix}"`]);
      if (this.dataSources.has(dataSource.typeName)) add(dataSource.typeName, ['declared twice']);
      add(dataSource.typeName, schemaProblems(dataSource.schema, { resource: false }));
      this.dataSources.set(dataSource.typeName, dataSource);
    }
    if (problems.length > 0) throw new Error(`invalid provider definition: ${problems.join('; ')}`);
  }

  resourceDefinitions(): ResourceDefinition[] {
    return [...this.resources.values()];
  }

  dataSourceDefinitions(): DataSourceDefinition[] {
    return [...this.dataSources.values()];
  }

  /** The schema of a resource type, or undefined when the provider has no such type. */
  resourceSchema(typeName: string): Schema | undefined {
    return this.resources.get(typeName)?.schema;
  }

  dataSourceSchema(typeName: string): Schema | undefined {
    return this.dataSources.get(typeName)?.schema;
  }

  /** Terraform asked the provider to stop (Ctrl-C): requests in flight see their signal aborted. */
  stop(): void {
    this.stopController.abort(new Error('Terraform asked the provider to stop'));
  }

  async validateProviderConfig(config: ObjectValue): Promise<Diagnostic[]> {
    return this.validate(this.provider.schema, config, this.provider.validateConfig?.bind(this.provider), `provider ${this.provider.typeName} validateConfig`);
  }

  async configure(config: ObjectValue, terraformVersion: string): Promise<Diagnostic[]> {
    return this.serve(async () => {
      const response = await this.call(`provider ${this.provider.typeName} configure`, () =>
        this.provider.configure({ config: config as never, terraformVersion }),
      );
      this.client = response.client;
      this.configured = true;
      return [...(response.diagnostics ?? [])];
    });
  }

  async validateResourceConfig(typeName: string, config: ObjectValue): Promise<Diagnostic[]> {
    return this.serve(async () => {
      const resource = this.resource(typeName);
      return this.validate(resource.schema, config, resource.validateConfig?.bind(resource), `${typeName} validateConfig`);
    });
  }

  async validateDataSourceConfig(typeName: string, config: ObjectValue): Promise<Diagnostic[]> {
    return this.serve(async () => {
      const dataSource = this.dataSource(typeName);
      return this.validate(dataSource.schema, config, dataSource.validateConfig?.bind(dataSource), `${typeName} validateConfig`);
    });
  }

  /**
   * The trivial upgrade: reads stored JSON into the current schema. A state written by a newer schema
   * version cannot be read safely and is refused.
   */
  async upgradeResourceState(typeName: string, version: number, stateJson: string): Promise<StateResult> {
    return this.serveState(async () => {
      const resource = this.resource(typeName);
      const current = resource.schema.version ?? 0;
      if (version > current) {
        return {
          state: null,
          diagnostics: [
            errorDiagnostic(
              'Resource state from a newer provider',
              `The state of this ${typeName} was written with schema version ${version}, but this provider only knows versions up to ${current}. Use the provider version that wrote it.`,
            ),
          ],
        };
      }
      return stateFromJson(resource.schema, stateJson);
    });
  }

  async readResource(typeName: string, current: ObjectValue): Promise<StateResult> {
    return this.serveState(async () => {
      const resource = this.resource(typeName);
      const response = await this.call(`${typeName} read`, () => resource.read({ ...this.context(), state: current as never }));
      const diagnostics = [...(response.diagnostics ?? [])];
      if (response.state === null) return { state: null, diagnostics };
      const state = withoutWriteOnly(resource.schema, response.state as ObjectValue);
      const problems = stateProblems(resource.schema, state, `${typeName} read`);
      // Keep what Terraform had rather than store a broken object.
      return problems.length > 0 ? { state: current, diagnostics: [...diagnostics, ...problems] } : { state, diagnostics };
    }, current);
  }

  async planResourceChange(typeName: string, prior: ObjectValue | null, proposed: ObjectValue | null, config: ObjectValue | null): Promise<PlanResult> {
    const noPlan = { planned: proposed, requiresReplace: [] };
    try {
      const resource = this.resource(typeName);
      if (proposed === null || config === null) return await this.planDestroy(resource, prior);
      const base = planChange(resource.schema, { prior, proposed, config });
      let planned = base.planned;
      const extraReplacements = [...base.requiresReplace];
      const diagnostics = [...base.diagnostics];
      if (resource.modifyPlan !== undefined) {
        const response = await this.call(`${typeName} modifyPlan`, () =>
          resource.modifyPlan!({ ...this.context(), config: config as never, prior: prior as never, plan: planned as never }),
        );
        diagnostics.push(...(response.diagnostics ?? []));
        if (response.plan === null) {
          diagnostics.push(providerBugDiagnostic('Provider produced invalid plan', `${typeName} modifyPlan planned null for an object the configuration declares.`));
        } else if (response.plan !== undefined) {
          planned = { ...(response.plan as ObjectValue) };
        }
        extraReplacements.push(...(response.requiresReplace ?? []));
      }
      diagnostics.push(...planProblems(resource.schema, typeName, { prior, config, planned }));
      const requiresReplace = prior === null ? [] : uniquePaths([...replacementPaths(resource.schema, prior, planned), ...extraReplacements]);
      if (hasErrors(diagnostics)) return { ...noPlan, diagnostics };
      return { planned, requiresReplace, diagnostics };
    } catch (error) {
      return { ...noPlan, diagnostics: [this.diagnosticFor(error, 'plan')] };
    }
  }

  async applyResourceChange(
    typeName: string,
    prior: ObjectValue | null,
    planned: ObjectValue | null,
    config: ObjectValue | null,
    plannedPrivate: PlanPrivate = { replacing: false },
  ): Promise<StateResult> {
    return this.serveState(async () => {
      const resource = this.resource(typeName);
      if (planned === null) {
        if (prior === null) return { state: null, diagnostics: [] };
        const response = await this.call(`${typeName} delete`, () => resource.delete({ ...this.context(), state: prior as never, replacing: plannedPrivate.replacing }));
        const diagnostics = [...(response.diagnostics ?? [])];
        // A failed delete leaves the object, and so the state, in place.
        return { state: hasErrors(diagnostics) ? prior : null, diagnostics };
      }
      const knownConfig = config ?? planned;
      const operation = prior === null ? 'create' : 'update';
      const response =
        prior === null
          ? await this.call(`${typeName} create`, () => resource.create({ ...this.context(), config: knownConfig as never, plan: planned as never }))
          : await this.call(`${typeName} update`, () =>
              resource.update({ ...this.context(), config: knownConfig as never, plan: planned as never, prior: prior as never }),
            );
      const diagnostics = [...(response.diagnostics ?? [])];
      if (response.state === null) {
        if (!hasErrors(diagnostics)) {
          diagnostics.push(providerBugDiagnostic('Provider returned no object', `${typeName} ${operation} returned no state and no error.`));
        }
        return { state: prior, diagnostics };
      }
      const state = withoutWriteOnly(resource.schema, response.state as ObjectValue);
      if (nonConformance(state, objectTypeOf(resource.schema)) !== undefined) {
        return { state: prior, diagnostics: [...diagnostics, ...stateProblems(resource.schema, state, `${typeName} ${operation}`)] };
      }
      diagnostics.push(...stateProblems(resource.schema, state, `${typeName} ${operation}`));
      diagnostics.push(...appliedStateProblems(resource.schema, typeName, planned, state));
      // The object exists as returned: store it (unknowns cannot be stored) and let the errors explain.
      return { state: unknownsAsNull(state) as ObjectValue, diagnostics };
    }, prior);
  }

  async importResourceState(typeName: string, id: string): Promise<StateResult> {
    return this.serveState(async () => {
      const resource = this.resource(typeName);
      if (resource.importState === undefined) {
        return { state: null, diagnostics: [errorDiagnostic('Resource import not supported', `${typeName} cannot be imported.`)] };
      }
      const response = await this.call(`${typeName} importState`, () => resource.importState!({ ...this.context(), id }));
      const diagnostics = [...(response.diagnostics ?? [])];
      if (response.state === null) {
        if (!hasErrors(diagnostics)) diagnostics.push(errorDiagnostic('Cannot import non-existent remote object', `No ${typeName} has the id ${JSON.stringify(id)}.`));
        return { state: null, diagnostics };
      }
      const state = withoutWriteOnly(resource.schema, response.state as ObjectValue);
      const problems = stateProblems(resource.schema, state, `${typeName} importState`);
      return problems.length > 0 ? { state: null, diagnostics: [...diagnostics, ...problems] } : { state, diagnostics };
    });
  }

  async readDataSource(typeName: string, config: ObjectValue): Promise<StateResult> {
    return this.serveState(async () => {
      const dataSource = this.dataSource(typeName);
      const response = await this.call(`${typeName} read`, () => dataSource.read({ ...this.context(), config: config as never }));
      const diagnostics = [...(response.diagnostics ?? [])];
      if (response.state === null) {
        if (!hasErrors(diagnostics)) diagnostics.push(providerBugDiagnostic('Provider produced null object', `${typeName} read returned no state and no error.`));
        return { state: null, diagnostics };
      }
      // Terraform's own checks of a data source result: conforming, wholly known (it does not compare
      // the result with the configuration, so neither does the framework).
      const state = response.state as ObjectValue;
      const problems = stateProblems(dataSource.schema, state, `${typeName} read`);
      return problems.length > 0 ? { state: null, diagnostics: [...diagnostics, ...problems] } : { state, diagnostics };
    });
  }

  private async planDestroy(resource: ResourceDefinition, prior: ObjectValue | null): Promise<PlanResult> {
    const diagnostics: Diagnostic[] = [];
    if (resource.modifyPlan !== undefined && prior !== null) {
      const response = await this.call(`${resource.typeName} modifyPlan`, () =>
        resource.modifyPlan!({ ...this.context(), config: null, prior: prior as never, plan: null }),
      );
      diagnostics.push(...(response.diagnostics ?? []));
      if (response.plan !== undefined && response.plan !== null) {
        diagnostics.push(providerBugDiagnostic('Provider produced invalid plan', `${resource.typeName} modifyPlan planned an object for a resource being destroyed.`));
      }
    }
    return { planned: null, requiresReplace: [], diagnostics };
  }

  private async validate(
    schema: Schema,
    config: ObjectValue,
    validateConfig: ((request: { config: never }) => Diagnostic[]) | undefined,
    what: string,
  ): Promise<Diagnostic[]> {
    const diagnostics = validateAttributes(schema, config);
    if (validateConfig !== undefined) {
      try {
        diagnostics.push(...validateConfig({ config: config as never }));
      } catch (error) {
        diagnostics.push(thrownDiagnostic(what, error));
      }
    }
    return diagnostics;
  }

  private context(): { client: never; signal: AbortSignal } {
    if (!this.configured) {
      throw new RequestProblem(
        errorDiagnostic('Provider not configured', 'Terraform called the provider before configuring it; this is unexpected for Terraform 1.11.'),
      );
    }
    return { client: this.client as never, signal: this.stopController.signal };
  }

  private resource(typeName: string): ResourceDefinition {
    const resource = this.resources.get(typeName);
    if (resource === undefined) throw new RequestProblem(errorDiagnostic('Unknown resource type', `This provider has no resource type "${typeName}".`));
    return resource;
  }

  private dataSource(typeName: string): DataSourceDefinition {
    const dataSource = this.dataSources.get(typeName);
    if (dataSource === undefined) throw new RequestProblem(errorDiagnostic('Unknown data source', `This provider has no data source "${typeName}".`));
    return dataSource;
  }

  /** Calls provider code; an exception becomes a RequestProblem carrying the provider-bug diagnostic. */
  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new RequestProblem(thrownDiagnostic(what, error));
    }
  }

  private diagnosticFor(error: unknown, what: string): Diagnostic {
    return error instanceof RequestProblem ? error.diagnostic : thrownDiagnostic(`the framework's ${what}`, error);
  }

  private async serve(run: () => Promise<Diagnostic[]>): Promise<Diagnostic[]> {
    try {
      return await run();
    } catch (error) {
      return [this.diagnosticFor(error, 'request handling')];
    }
  }

  /**
   * `fallback` is the state returned when the request fails outright: for reads, updates and deletes the
   * state Terraform already has, because a null state would make Terraform forget an object that exists.
   */
  private async serveState(run: () => Promise<StateResult>, fallback: ObjectValue | null = null): Promise<StateResult> {
    try {
      return await run();
    } catch (error) {
      return { state: fallback, diagnostics: [this.diagnosticFor(error, 'request handling')] };
    }
  }
}

function uniquePaths(paths: AttributePath[]): AttributePath[] {
  const seen = new Set<string>();
  return paths.filter((path) => {
    const key = formatPath(path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

