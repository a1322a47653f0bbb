/**
 * Which Bitbucket token drift uses for which host. The control plane never returns an integration's access
 * token (SPEC §1), so drift brings its own: one token for every host (`BITBUCKET_TOKEN`, as the bitbucketdc
 * provider reads it, or `--bitbucket-token TOKEN`), and/or one per host (`--bitbucket-token URL=TOKEN`,
 * matched against the integration's apiHost).
 */
export class BitbucketTokens {
  private readonly perHost = new Map<string, string>();
  private anyHost: string | undefined;

  /**
   * @param values `--bitbucket-token` values in order: `TOKEN` or `https://host[/context]=TOKEN`
   * @param environmentToken `BITBUCKET_TOKEN`, used for hosts no flag names when no flag gives a token for all
   */
  static parse(values: readonly string[], environmentToken: string | undefined): BitbucketTokens {
    const tokens = new BitbucketTokens();
    for (const value of values) {
      const perHost = /^(https?:\/\/[^=\s]+)=(.*)$/i.exec(value);
      if (perHost === null) {
        if (value.trim() === '') throw new TypeError('--bitbucket-token must not be empty');
        if (tokens.anyHost !== undefined) throw new TypeError('--bitbucket-token without a host may be given once');
        tokens.anyHost = value;
        continue;
      }
      const [, url, token] = perHost;
      if (token.trim() === '') throw new TypeError(`--bitbucket-token ${url}= has an empty token`);
      const host = hostKey(url);
      if (host === undefined) throw new TypeError(`--bitbucket-token: "${url}" is not a URL`);
      if (tokens.perHost.has(host)) throw new TypeError(`--bitbucket-token for ${url} is given twice`);
      tokens.perHost.set(host, token);
    }
    if (tokens.anyHost === undefined && environmentToken !== undefined && environmentToken.trim() !== '') {
      tokens.anyHost = environmentToken;
    }
    return tokens;
  }

  tokenFor(apiHost: string): string | undefined {
    const host = hostKey(apiHost);
    return (host === undefined ? undefined : this.perHost.get(host)) ?? this.anyHost;
  }
}

/** Compares hosts as URLs (case, default port, trailing slash), never as raw strings. */
function hostKey(url: string): string | undefined {
  try {
    return new URL(url).href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
