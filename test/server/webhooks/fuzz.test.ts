import fc from 'fast-check';
import { HANDLED_EVENTS, PING_EVENT } from '../../../src/domain/webhook-events';
import { hubSignatureFor } from '../../../src/server/webhooks/signature';
import { TestControlPlane } from '../harness';
import { pullRequestEvent, refsChanged } from './bitbucket-payloads';

/**
 * The receiver must answer bad input with a 4xx, never a 5xx: thousands of generated deliveries — valid payloads
 * with one field replaced by arbitrary JSON (including NUL characters, lone surrogates, huge numbers), arbitrary
 * JSON, arbitrary bytes — under every event key, with valid, missing and wrong signatures, odd request ids and
 * content types. PGlite only: the statements are the same on PostgreSQL, whose suites run the receiver tests.
 */
const RUNS = 3000;
const server = new TestControlPlane('pglite');
let integration: { id: string; webhookSecret: string };

beforeAll(async () => {
  await server.start();
  await server.reset();
  integration = await server.createIntegration({ name: 'Fuzzed Bitbucket' });
  await server.createStack({ name: 'prod', vcs: { integrationId: integration.id, projectKey: 'PLAT', repositorySlug: 'network', branch: 'main' } });
}, 60_000);

afterAll(() => server.stop());

/** Every handled event, the ping, and one Liftgate records and ignores. */
const EVENT_KEYS = [...HANDLED_EVENTS, PING_EVENT, 'pr:declined'];

const repo = { projectKey: 'PLAT', slug: 'network' };
const validPayloads: Array<[string, unknown]> = [
  ['repo:refs_changed', refsChanged(repo, [{ branch: 'main', toHash: 'a'.repeat(40) }, { branch: 'feature/x', toHash: 'b'.repeat(40), type: 'ADD' }])],
  ...EVENT_KEYS.filter((key) => key.startsWith('pr:')).map((key): [string, unknown] => [
    key,
    pullRequestEvent(key, repo, { from: 'feature/x', to: 'main', latestCommit: 'c'.repeat(40) }),
  ]),
];

/** Every path to a value inside a JSON document. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, item]) => paths(item, [...prefix, key]))];
}

function replaceAt(document: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(document) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path[path.length - 1]] = replacement;
  return copy;
}

const arbitraryJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });

/** Text that is valid JSON but not storable as PostgreSQL text: NUL, lone surrogates (JSON \ud800 escapes). */
const hostileText = fc
  .tuple(fc.string({ maxLength: 5 }), fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d', '\ude80'), fc.string({ maxLength: 5 }))
  .map((parts) => parts.join(''));

/** A body, and the event key it was made for (null when it was not made for one). */
interface GeneratedBody {
  eventKey: string | null;
  bytes: Buffer;
}

const mutatedPayload = fc
  .tuple(fc.constantFrom(...validPayloads), fc.nat(), fc.oneof({ weight: 3, arbitrary: arbitraryJson }, { weight: 1, arbitrary: hostileText }))
  .map(([[eventKey, payload], index, replacement]): GeneratedBody => {
    const all = paths(payload);
    return { eventKey, bytes: Buffer.from(JSON.stringify(replaceAt(payload, all[index % all.length] as (string | number)[], replacement))) };
  });

const unrelated = (bytes: fc.Arbitrary<Buffer>) => bytes.map((value): GeneratedBody => ({ eventKey: null, bytes: value }));

const body = fc.oneof(
  { weight: 5, arbitrary: mutatedPayload },
  { weight: 1, arbitrary: fc.constantFrom(...validPayloads).map(([eventKey, payload]): GeneratedBody => ({ eventKey, bytes: Buffer.from(JSON.stringify(payload)) })) },
  { weight: 2, arbitrary: unrelated(arbitraryJson.map((value) => Buffer.from(JSON.stringify(value) ?? 'null'))) },
  { weight: 1, arbitrary: unrelated(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes))) },
  { weight: 1, arbitrary: unrelated(fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text))) },
);

/** Header values a real HTTP client can send: visible ASCII. */
const headerText = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });

const delivery = fc.record({
  target: fc.oneof(
    { weight: 18, arbitrary: fc.constant('real') },
    { weight: 1, arbitrary: headerText(40).map((id) => `x${encodeURIComponent(id)}`) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }).map((id) => encodeURIComponent(`${id}\u0000`)) },
  ),
  // Mostly the key the body was made for, so mutated payloads get past the event-key check to the store.
  eventKey: fc.option(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant('matching') },
      { weight: 3, arbitrary: fc.constantFrom(...EVENT_KEYS) },
      { weight: 1, arbitrary: headerText(60) },
    ),
    { freq: 10 },
  ),
  signature: fc.constantFrom('valid', 'valid', 'valid', 'missing', 'other-secret', 'garbage'),
  requestId: fc.option(fc.oneof(fc.uuid(), headerText(400)), { freq: 5 }),
  contentType: fc.constantFrom('application/json; charset=UTF-8', 'application/json', 'text/plain', undefined, 'multipart/form-data; boundary=x'),
  body,
});

describe('webhook receiver fuzzing', () => {
  it(`never answers a 5xx to ${RUNS} generated deliveries`, async () => {
    await fc.assert(
      fc.asyncProperty(delivery, async (generated) => {
        const bytes = generated.body.bytes;
        const eventKey = generated.eventKey === 'matching' ? (generated.body.eventKey ?? 'repo:refs_changed') : generated.eventKey;
        const headers: Record<string, string> = {};
        if (generated.contentType !== undefined) headers['content-type'] = generated.contentType;
        if (eventKey !== null) headers['x-event-key'] = eventKey;
        if (generated.requestId !== null) headers['x-request-id'] = generated.requestId;
        if (generated.signature === 'valid') headers['x-hub-signature'] = hubSignatureFor(integration.webhookSecret, bytes);
        if (generated.signature === 'other-secret') headers['x-hub-signature'] = hubSignatureFor('not-the-secret', bytes);
        if (generated.signature === 'garbage') headers['x-hub-signature'] = `sha256=${bytes.length}`;
        const integrationId = generated.target === 'real' ? integration.id : generated.target;
        const answer = await server.send({ path: `/webhooks/bitbucket-datacenter/${integrationId}`, headers, body: bytes });
        if (answer.status >= 500 || answer.status < 200) {
          throw new Error(`answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        }
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
