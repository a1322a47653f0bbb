import { createWithoutDuplicates } from '../create';
import type { PagedList, PagingOptions } from '../paging';
import { segment } from '../urls';
import { listPages, type BitbucketTransport, type CallOptions } from './pages';
import { ACCESS_TOKENS_API } from './paths';
import {
  accessTokenSchema,
  pageSchema,
  rawAccessTokenSchema,
  type BitbucketAccessToken,
  type BitbucketAccessTokenInput,
  type BitbucketRawAccessToken,
} from './schemas';

const accessTokenPage = pageSchema(accessTokenSchema);

/** HTTP access tokens of a user (`/rest/access-tokens/latest/users/{userSlug}`). */
export class AccessTokensResource {
  constructor(private readonly transport: BitbucketTransport) {}

  list(userSlug: string, paging: PagingOptions = {}): PagedList<BitbucketAccessToken, number> {
    return listPages(this.transport, `${ACCESS_TOKENS_API}/users/${segment(userSlug)}`, {}, accessTokenPage, paging);
  }

  async get(userSlug: string, tokenId: string, options: CallOptions = {}): Promise<BitbucketAccessToken> {
    const { data } = await this.transport.json({
      method: 'GET',
      path: `${ACCESS_TOKENS_API}/users/${segment(userSlug)}/${segment(tokenId)}`,
      schema: accessTokenSchema,
      retryMode: 'idempotent',
      signal: options.signal,
    });
    return data;
  }

  /**
   * Creates a token (Bitbucket uses PUT here, yet each call makes a new token). The raw token is in
   * this answer only, so a token made by an attempt whose answer was lost is useless: after such a
   * failure the tokens with this name that appeared since are deleted and the create is sent again.
   */
  create(userSlug: string, input: BitbucketAccessTokenInput, options: CallOptions = {}): Promise<BitbucketRawAccessToken> {
    const sameName = async () =>
      (await this.list(userSlug, { signal: options.signal }).toArray()).filter((token) => token.name === input.name).map((token) => token.id);
    return createWithoutDuplicates(
      this.transport,
      {
        snapshot: async () => new Set(await sameName()),
        create: async () => {
          const { data } = await this.transport.json({
            method: 'PUT',
            path: `${ACCESS_TOKENS_API}/users/${segment(userSlug)}`,
            body: input,
            schema: rawAccessTokenSchema,
            retryMode: 'create',
            signal: options.signal,
          });
          return data;
        },
        findCreated: async (before) => {
          for (const id of await sameName()) {
            if (!before.has(id)) await this.delete(userSlug, id, options);
          }
          return undefined;
        },
      },
      options.signal,
    );
  }

  async delete(userSlug: string, tokenId: string, options: CallOptions = {}): Promise<void> {
    await this.transport.json({
      method: 'DELETE',
      path: `${ACCESS_TOKENS_API}/users/${segment(userSlug)}/${segment(tokenId)}`,
      schema: null,
      retryMode: 'idempotent',
      notFoundOnRetryMeansDone: true,
      signal: options.signal,
    });
  }
}
