/**
 * What a provider author writes: a provider with a schema and `configure`, and resources and data
 * sources that each take a request object and return a response object with diagnostics.
 *
 * Contract for the functions below: expected failures (a 404, a rejected request, bad credentials) are
 * returned as diagnostics; a thrown exception is reported to the user as a provider bug.
 */
import { type AttributePath, type Diagnostic } from './diagnostics';
import { type Attributes, type ModelOf, type PlannedModelOf, type Schema } from './schema';

interface WithClient<Client> {
  /** What the provider's `configure` returned. */
  readonly client: Client;
  /** Aborted when Terraform asks the provider to stop (Ctrl-C); pass it to long requests. */
  readonly signal: AbortSignal;
}

export interface CreateRequest<A extends Attributes, Client> extends WithClient<Client> {
  /** The configuration, wholly known at apply time (computed attributes not set in it are null). */
  readonly config: ModelOf<A>;
  /** The plan: configuration plus defaults; computed attributes are unknown. */
  readonly plan: PlannedModelOf<A>;
}

export interface CreateResponse<A extends Attributes> {
  /** The object as created, every value known. Null (with an error) when nothing was created. */
  readonly state: ModelOf<A> | null;
  readonly diagnostics?: Diagnostic[];
}

export interface ReadRequest<A extends Attributes, Client> extends WithClient<Client> {
  readonly state: ModelOf<A>;
}

export interface ReadResponse<A extends Attributes> {
  /** The object as it is now; null when it no longer exists (Terraform then plans to create it). */
  readonly state: ModelOf<A> | null;
  readonly diagnostics?: Diagnostic[];
}

export interface UpdateRequest<A extends Attributes, Client> extends WithClient<Client> {
  readonly config: ModelOf<A>;
  readonly plan: PlannedModelOf<A>;
  /** The state before this update. */
  readonly prior: ModelOf<A>;
}

export interface UpdateResponse<A extends Attributes> {
  /** The object as updated. Null (with an error) to keep the prior state. */
  readonly state: ModelOf<A> | null;
  readonly diagnostics?: Diagnostic[];
}

export interface DeleteRequest<A extends Attributes, Client> extends WithClient<Client> {
  readonly state: ModelOf<A>;
  /**
   * True when the delete belongs to a replacement the provider planned (an attribute that forces replacement
   * changed): Terraform hands the destroy half the replacement's plan. Destroy-first, the replacement is created
   * right after; create-before-destroy, it already exists.
   */
  readonly replacing: boolean;
}

export interface DeleteResponse {
  readonly diagnostics?: Diagnostic[];
}

export interface ImportRequest<Client> extends WithClient<Client> {
  /** What the user gave `terraform import` or an `import` block's `id`. */
  readonly id: string;
}

export interface ImportResponse<A extends Attributes> {
  /**
   * Enough of the object for `read` to find it (usually the identifying attributes; the rest null).
   * Terraform calls `read` right after.
   */
  readonly state: ModelOf<A> | null;
  readonly diagnostics?: Diagnostic[];
}

export interface ModifyPlanRequest<A extends Attributes, Client> extends WithClient<Client> {
  /** Null when the resource is being destroyed. Values may be unknown, also inside collections. */
  readonly config: PlannedModelOf<A> | null;
  /** Null when the resource is being created. */
  readonly prior: ModelOf<A> | null;
  /** The plan after the framework's rules; null when the resource is being destroyed. */
  readonly plan: PlannedModelOf<A> | null;
}

export interface ModifyPlanResponse<A extends Attributes> {
  /** A changed plan; omitted to keep it. Must stay null on destroy. */
  readonly plan?: PlannedModelOf<A> | null;
  /** More attributes whose change forces replacement. */
  readonly requiresReplace?: AttributePath[];
  /** Warnings here are how a resource warns before it is destroyed or changed. */
  readonly diagnostics?: Diagnostic[];
}

export interface ValidateConfigRequest<A extends Attributes> {
  /** The configuration; any value may still be unknown. */
  readonly config: PlannedModelOf<A>;
}

/**
 * A managed resource type. `Client` is what the provider's `configure` returns. Methods (rather than
 * function properties) keep definitions with different schemas assignable to one provider's list.
 */
export interface ResourceDefinition<A extends Attributes = Attributes, Client = unknown> {
  /** The full type name, prefixed by the provider's: `bitbucketdc_repository_webhook`. */
  readonly typeName: string;
  readonly schema: Schema<A>;
  /** Checks across attributes (e.g. "set either token or password"); attribute validators run first. */
  validateConfig?(request: ValidateConfigRequest<A>): Diagnostic[];
  create(request: CreateRequest<A, Client>): Promise<CreateResponse<A>>;
  read(request: ReadRequest<A, Client>): Promise<ReadResponse<A>>;
  update(request: UpdateRequest<A, Client>): Promise<UpdateResponse<A>>;
  delete(request: DeleteRequest<A, Client>): Promise<DeleteResponse>;
  /** Opt-in: without it `terraform import` reports that the type cannot be imported. */
  importState?(request: ImportRequest<Client>): Promise<ImportResponse<A>>;
  /** Opt-in: adjust the plan, force replacement, or warn (also before a destroy). */
  modifyPlan?(request: ModifyPlanRequest<A, Client>): Promise<ModifyPlanResponse<A>>;
}

export interface DataSourceReadRequest<A extends Attributes, Client> extends WithClient<Client> {
  /** The configuration, wholly known (Terraform defers reads whose configuration is not). */
  readonly config: ModelOf<A>;
}

export interface DataSourceReadResponse<A extends Attributes> {
  /** The configuration with the computed attributes filled in. Null only together with an error. */
  readonly state: ModelOf<A> | null;
  readonly diagnostics?: Diagnostic[];
}

export interface DataSourceDefinition<A extends Attributes = Attributes, Client = unknown> {
  readonly typeName: string;
  readonly schema: Schema<A>;
  validateConfig?(request: ValidateConfigRequest<A>): Diagnostic[];
  read(request: DataSourceReadRequest<A, Client>): Promise<DataSourceReadResponse<A>>;
}

export interface ConfigureRequest<A extends Attributes> {
  /** The provider block; values may be unknown when they come from resources not yet created. */
  readonly config: PlannedModelOf<A>;
  readonly terraformVersion: string;
}

export interface ConfigureResponse<Client> {
  /** Handed to every resource and data source request. Omitted (with an error) when configuration failed. */
  readonly client?: Client;
  readonly diagnostics?: Diagnostic[];
}

export interface ProviderDefinition<A extends Attributes = Attributes, Client = unknown> {
  /** The provider's type name, e.g. `bitbucketdc`; every resource and data source name starts with it and `_`. */
  readonly typeName: string;
  readonly schema: Schema<A>;
  validateConfig?(request: ValidateConfigRequest<A>): Diagnostic[];
  configure(request: ConfigureRequest<A>): Promise<ConfigureResponse<Client>>;
  // `any`: each resource has its own attribute record; the provider only needs them to share the client.
  readonly resources: readonly ResourceDefinition<any, Client>[];
  readonly dataSources?: readonly DataSourceDefinition<any, Client>[];
}
