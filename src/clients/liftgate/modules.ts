import { z } from 'zod';
import type { Transport, JsonRequestSpec } from '../transport';
import { segment } from '../urls';
import type { CallOptions } from './client';
import { moduleSchema, moduleVersionSchema, type Module, type ModuleCreateInput, type ModuleUpdateInput, type ModuleVersion } from './schemas';

/** Modules of the registry (SPEC §10): where their code is, and the versions their tags published. */
export class ModulesResource {
  constructor(private readonly transport: Transport) {}

  private async call<T>(spec: JsonRequestSpec<T>): Promise<T> {
    return (await this.transport.json(spec)).data;
  }

  create(input: ModuleCreateInput, options: CallOptions = {}): Promise<Module> {
    return this.call({ method: 'POST', path: '/api/v1/modules', body: input, schema: moduleSchema, retryMode: 'create', signal: options.signal });
  }

  get(id: string, options: CallOptions = {}): Promise<Module> {
    return this.call({ method: 'GET', path: `/api/v1/modules/${segment(id)}`, schema: moduleSchema, retryMode: 'idempotent', signal: options.signal });
  }

  list(options: CallOptions = {}): Promise<Module[]> {
    return this.call({ method: 'GET', path: '/api/v1/modules', schema: z.array(moduleSchema), retryMode: 'idempotent', signal: options.signal });
  }

  update(id: string, input: ModuleUpdateInput, options: CallOptions = {}): Promise<Module> {
    return this.call({ method: 'PATCH', path: `/api/v1/modules/${segment(id)}`, body: input, schema: moduleSchema, retryMode: 'idempotent', signal: options.signal });
  }

  async delete(id: string, options: CallOptions = {}): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/v1/modules/${segment(id)}`, schema: null, retryMode: 'idempotent', notFoundOnRetryMeansDone: true, signal: options.signal });
  }

  /** The module's versions, newest first. */
  versions(id: string, options: CallOptions = {}): Promise<ModuleVersion[]> {
    return this.call({ method: 'GET', path: `/api/v1/modules/${segment(id)}/versions`, schema: z.array(moduleVersionSchema), retryMode: 'idempotent', signal: options.signal });
  }
}
