import * as grpc from '@grpc/grpc-js';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCtyValue, encodeCtyValue } from '../../src/plugin/cty/msgpack';
import { isUnknown, type CtyType } from '../../src/plugin/cty/types';
import { objectTypeOf } from '../../src/plugin/framework/schema';
import { createLogger } from '../../src/plugin/logging';
import { providerService } from '../../src/plugin/provider-service';
import { entryResource, provider } from './fixtures/kv-provider';

type Call = (request: object) => Promise<Record<string, unknown>>;

describe('the tfplugin6.Provider gRPC service', () => {
  const directory = mkdtempSync(join(tmpdir(), 'kv-service-'));
  const server = new grpc.Server();
  const service = providerService(provider, { logger: createLogger('kv', { env: {} }) });
  let client: grpc.Client & Record<string, Function>;
  const entryType = objectTypeOf(entryResource.schema);
  const encode = (value: Record<string, unknown> | null, type: CtyType = entryType) => ({ msgpack: Buffer.from(encodeCtyValue(value as never, type)) });

  const call = (method: string): Call => (request) =>
    new Promise((resolve, reject) =>
      (client[method] as Function).call(client, request, (error: grpc.ServiceError | null, response: Record<string, unknown>) =>
        error === null ? resolve(response) : reject(error),
      ),
    );

  beforeAll(async () => {
    server.addService(service.definition, service.implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const Client = grpc.makeGenericClientConstructor(service.definition, 'Provider');
    client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as never;
    const configured = await call('ConfigureProvider')({ terraform_version: '1.11.4', config: encode({ directory }, objectTypeOf(provider.schema)) });
    expect(configured.diagnostics).toEqual([]);
  });

  afterAll(() => {
    client.close();
    server.forceShutdown();
    rmSync(directory, { recursive: true, force: true });
  });

  it('describes the schema with cty type JSON, flags, replacement reasons and capabilities', async () => {
    const response = await call('GetProviderSchema')({});
    expect(response.server_capabilities).toEqual({ plan_destroy: true, get_provider_schema_optional: true, move_resource_state: false });
    const schema = (response.resource_schemas as Record<string, { block: { attributes: Record<string, unknown>[] } }>).kv_entry!;
    const byName = Object.fromEntries(schema.block.attributes.map((attribute) => [attribute.name, attribute]));
    expect(Buffer.from(byName.tags!.type as Buffer).toString()).toBe('["set","string"]');
    expect(byName.token_wo).toMatchObject({ optional: true, write_only: true, sensitive: true });
    expect(byName.priority).toMatchObject({ optional: true, computed: true });
    expect(byName.key!.description).toContain('Changing it destroys and re-creates the object');
    expect(Object.keys(response.data_source_schemas as object)).toEqual(['kv_entries']);
  });

  it('plans a create with unknown computed values encoded as msgpack unknowns', async () => {
    const config = {
      id: null, key: 'wire', value: 'v', tags: null, labels: { a: 'b' }, priority: null, enabled: null,
      secret: null, token_wo: null, token_wo_version: null, revision: null,
    };
    const response = await call('PlanResourceChange')({ type_name: 'kv_entry', prior_state: encode(null), proposed_new_state: encode(config), config: encode(config) });
    expect(response.diagnostics).toEqual([]);
    const planned = decodeCtyValue((response.planned_state as { msgpack: Buffer }).msgpack, entryType) as Record<string, unknown>;
    expect(isUnknown(planned.id)).toBe(true);
    expect(planned).toMatchObject({ key: 'wire', priority: 50, enabled: true, labels: { a: 'b' } });
  });

  it("marks a planned replacement in the plan's private data, which the destroy half of the replacement gets", async () => {
    const state = { id: 'wire', key: 'wire', value: 'v', tags: null, labels: null, priority: 50, enabled: true, secret: null, token_wo: null, token_wo_version: null, revision: 1 };
    const config = { ...state, id: null, priority: null, enabled: null, revision: null };
    const plan = (proposed: typeof state, planConfig: typeof config) =>
      call('PlanResourceChange')({ type_name: 'kv_entry', prior_state: encode(state), proposed_new_state: encode(proposed), config: encode(planConfig), prior_private: Buffer.alloc(0) });
    const replaced = await plan({ ...state, key: 'moved' }, { ...config, key: 'moved' });
    expect(replaced.requires_replace).toHaveLength(1);
    expect(Buffer.from(replaced.planned_private as Buffer).toString()).toBe('{"replacing":true}');
    const updated = await plan({ ...state, value: 'w' }, { ...config, value: 'w' });
    expect(updated.requires_replace).toEqual([]);
    expect(Buffer.from(updated.planned_private as Buffer)).toHaveLength(0);
    // Terraform's second call plans the new object, without prior state but with the first call's private data:
    // the change keeps this call's, so it must say "replacing" too; a plain create says nothing.
    const moved = { ...config, key: 'moved' };
    const createHalf = (priorPrivate: Buffer) =>
      call('PlanResourceChange')({ type_name: 'kv_entry', prior_state: encode(null), proposed_new_state: encode(moved), config: encode(moved), prior_private: priorPrivate });
    expect(Buffer.from((await createHalf(Buffer.from(replaced.planned_private as Buffer))).planned_private as Buffer).toString()).toBe('{"replacing":true}');
    expect(Buffer.from((await createHalf(Buffer.alloc(0))).planned_private as Buffer)).toHaveLength(0);
  });

  it('sends diagnostics with attribute paths as protocol steps', async () => {
    const config = {
      id: null, key: 'BAD', value: 'v', tags: null, labels: null, priority: 1000, enabled: null,
      secret: null, token_wo: null, token_wo_version: null, revision: null,
    };
    const response = await call('ValidateResourceConfig')({ type_name: 'kv_entry', config: encode(config) });
    expect((response.diagnostics as { attribute: unknown; severity: number }[]).map((diagnostic) => [diagnostic.severity, diagnostic.attribute])).toEqual([
      [1, { steps: [{ attribute_name: 'key', selector: 'attribute_name' }] }],
      [1, { steps: [{ attribute_name: 'priority', selector: 'attribute_name' }] }],
    ]);
  });

  it('answers a request it cannot decode with a provider-bug diagnostic instead of a gRPC error', async () => {
    const response = await call('ValidateResourceConfig')({ type_name: 'kv_entry', config: { msgpack: Buffer.from([0x93, 1, 2, 3]) } });
    const [diagnostic] = response.diagnostics as { summary: string; detail: string }[];
    expect(diagnostic?.summary).toBe('Unexpected error in the ValidateResourceConfig request');
    expect(diagnostic?.detail).toContain('provider bug');
  });

  it('reports a configured value it cannot represent on the attribute, not as a provider bug', async () => {
    // Terraform sends numbers beyond float64 precision as decimal strings.
    const config = {
      enabled: null, id: null, key: 'k', labels: null, priority: '1234567890123456789012345', revision: null,
      secret: null, tags: null, token_wo: null, token_wo_version: null, value: 'v',
    };
    const response = await call('ValidateResourceConfig')({ type_name: 'kv_entry', config: { msgpack: Buffer.from(msgpackEncode(config)) } });
    const [diagnostic] = response.diagnostics as { summary: string; detail: string; attribute: unknown }[];
    expect(diagnostic).toMatchObject({ summary: 'Unsupported value', attribute: { steps: [{ attribute_name: 'priority', selector: 'attribute_name' }] } });
    expect(diagnostic?.detail).toContain('The provider cannot read priority: the number 1234567890123456789012345 cannot be represented exactly');
    expect(diagnostic?.detail).not.toContain('provider bug');
  });

  it('reads JSON raw state in UpgradeResourceState', async () => {
    const state = { id: 'x', key: 'x', value: 'v', tags: ['t'], labels: null, priority: 5, enabled: true, secret: null, token_wo_version: null, revision: 2 };
    const response = await call('UpgradeResourceState')({ type_name: 'kv_entry', version: 0, raw_state: { json: Buffer.from(JSON.stringify(state)) } });
    expect(response.diagnostics).toEqual([]);
    expect(decodeCtyValue((response.upgraded_state as { msgpack: Buffer }).msgpack, entryType)).toEqual({ ...state, token_wo: null });
  });

  it('answers StopProvider and the RPCs for features the provider does not have', async () => {
    expect(await call('GetFunctions')({})).toMatchObject({ functions: {}, diagnostics: [] });
    const moved = await call('MoveResourceState')({ source_type_name: 'x', target_type_name: 'kv_entry' });
    expect((moved.diagnostics as { summary: string }[])[0]?.summary).toBe('moving resource state between resource types not supported');
    expect(await call('StopProvider')({})).toEqual({ Error: '' });
  });
});
