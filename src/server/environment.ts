/**
 * Stacks' environment variables (SPEC §7.5): setting them with the domain's rules, sealing secret values, and reading
 * them back for a run. Secret values leave the store only through stackEnvironmentForRun, for the worker.
 */
import {
  environmentSizeProblem,
  environmentVariableNameProblem,
  environmentVariableValueProblem,
  secretMasks,
  utf8Length,
} from '../domain/environment';
import { NotFoundError, UnprocessableError } from './errors';
import { environmentVariableContext, type SecretBox } from './secrets';
import type { Database, Queryable } from './store/database';
import {
  deleteEnvironmentVariable,
  listEnvironmentVariables,
  lockStackEnvironment,
  upsertEnvironmentVariable,
  type StoredVariable,
} from './store/environment';

/** A variable as the API shows it: a secret one without its value. */
export interface EnvironmentVariable {
  name: string;
  /** null for a secret variable: its value is never returned. */
  value: string | null;
  secret: boolean;
  createdAt: string;
  updatedAt: string;
}

export function apiVariable(stored: StoredVariable): EnvironmentVariable {
  return { name: stored.name, value: stored.secret ? null : stored.value, secret: stored.secret, createdAt: stored.createdAt, updatedAt: stored.updatedAt };
}

/** The stack's variables as the API shows them. */
export async function listVariables(db: Queryable, stackId: string): Promise<EnvironmentVariable[]> {
  return (await listEnvironmentVariables(db, stackId)).map(apiVariable);
}

/**
 * Sets a variable of a stack, replacing one of the same name (422 for a name or value the rules refuse, or when the
 * stack's variables would exceed their limits together); `created` tells whether it is new.
 */
export async function setVariable(
  db: Database,
  secrets: SecretBox,
  stackId: string,
  name: string,
  input: { value: string; secret: boolean },
): Promise<{ variable: EnvironmentVariable; created: boolean }> {
  const nameProblem = environmentVariableNameProblem(name);
  if (nameProblem !== null) throw new UnprocessableError(nameProblem, { field: 'name' });
  const valueProblem = environmentVariableValueProblem(input.value);
  if (valueProblem !== null) throw new UnprocessableError(valueProblem, { field: 'value' });
  const valueBytes = utf8Length(input.value);
  const sealed = input.secret ? secrets.encrypt(input.value, environmentVariableContext(stackId, name)) : null;
  return db.transaction(async (tx) => {
    if (!(await lockStackEnvironment(tx, stackId))) throw new NotFoundError(`stack "${stackId}" not found`);
    const others = (await listEnvironmentVariables(tx, stackId)).filter((variable) => variable.name !== name);
    const sizeProblem = environmentSizeProblem([...others.map((variable) => ({ name: variable.name, valueBytes: variable.valueBytes })), { name, valueBytes }]);
    if (sizeProblem !== null) throw new UnprocessableError(sizeProblem, { field: 'value' });
    const stored = await upsertEnvironmentVariable(tx, stackId, {
      name,
      secret: input.secret,
      value: input.secret ? null : input.value,
      valueSealed: sealed,
      valueBytes,
    });
    return { variable: apiVariable(stored.variable), created: stored.created };
  });
}

/** Deletes a variable; 404 when the stack has none of that name. */
export async function deleteVariable(db: Queryable, stackId: string, name: string): Promise<void> {
  if (!(await deleteEnvironmentVariable(db, stackId, name))) throw new NotFoundError(`stack "${stackId}" has no environment variable "${name}"`);
}

/** What a run gets from its stack's variables. */
export interface RunEnvironment {
  /** Every variable by name, secret values decrypted. */
  variables: Record<string, string>;
  /** What to mask in the run's output (domain/environment.ts maskSecrets), longest first. */
  secretMasks: string[];
  /**
   * Stored variables left out because their name is reserved now (a rule added after they were set): the worker
   * should say so in the run's log.
   */
  skipped: string[];
}

/**
 * The stack's variables for a run, secret values decrypted, with the masks for its log. The worker adds its own
 * variables (PATH, HOME, TF_HTTP_*, LIFTGATE_*) after these; the names it sets are refused here anyway. Throws when a
 * secret value cannot be decrypted with this key.
 */
export async function stackEnvironmentForRun(db: Queryable, secrets: SecretBox, stackId: string): Promise<RunEnvironment> {
  const variables: Record<string, string> = {};
  const secretValues: string[] = [];
  const skipped: string[] = [];
  for (const stored of await listEnvironmentVariables(db, stackId)) {
    if (environmentVariableNameProblem(stored.name) !== null) {
      skipped.push(stored.name);
      continue;
    }
    if (!stored.secret) {
      variables[stored.name] = stored.value ?? '';
      continue;
    }
    let value: string;
    try {
      value = secrets.decrypt(stored.valueSealed ?? '', environmentVariableContext(stackId, stored.name));
    } catch {
      throw new Error(`the secret environment variable "${stored.name}" of stack "${stackId}" cannot be decrypted with this encryption key`);
    }
    variables[stored.name] = value;
    secretValues.push(value);
  }
  return { variables, secretMasks: secretMasks(secretValues), skipped };
}
