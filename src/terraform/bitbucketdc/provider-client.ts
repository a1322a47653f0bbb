/**
 * What the provider's `configure` hands to resources and data sources: the Bitbucket client, and the
 * listings of webhooks that refreshes share. Refreshing many webhooks of one repository (Terraform
 * reads them in parallel) then costs one listing request per repository instead of one GET per
 * webhook, which is what keeps a plan of hundreds of webhooks fast and clear of Bitbucket's rate limit.
 */
import { type BitbucketClient, type BitbucketWebhook } from '../../clients/bitbucket';

/**
 * How long a finished listing answers further reads. Reads of one refresh start within moments of
 * each other; later reads (and reads after this process changed the scope) list again.
 */
const listingReuseMs = 2000;

interface Listing {
  readonly webhooks: Promise<Map<number, BitbucketWebhook>>;
  finishedAt?: number;
}

export class ProviderClient {
  private readonly listings = new Map<string, Listing>();

  constructor(readonly bitbucket: BitbucketClient) {}

  /**
   * The webhook `id` as listed in its scope (`scopeKey` names it, `list` lists it), or undefined
   * when the listing does not hold it. A failed listing rejects every read waiting on it.
   */
  async listedWebhook(scopeKey: string, list: () => Promise<BitbucketWebhook[]>, id: number): Promise<BitbucketWebhook | undefined> {
    let listing = this.listings.get(scopeKey);
    const stale = listing?.finishedAt !== undefined && Date.now() - listing.finishedAt > listingReuseMs;
    if (listing === undefined || stale) {
      const created: Listing = {
        webhooks: list().then(
          (webhooks) => {
            created.finishedAt = Date.now();
            return new Map(webhooks.map((webhook) => [webhook.id, webhook]));
          },
          (error: unknown) => {
            // A failure is not remembered: the next read tries again.
            if (this.listings.get(scopeKey) === created) this.listings.delete(scopeKey);
            throw error;
          },
        ),
      };
      listing = created;
      this.listings.set(scopeKey, listing);
    }
    return (await listing.webhooks).get(id);
  }

  /** After this process changed webhooks of a scope, reads list it again. */
  forgetListing(scopeKey: string): void {
    this.listings.delete(scopeKey);
  }
}
