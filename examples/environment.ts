/** Reads a required environment variable or stops the app with a message saying what to set. */
export function requiredEnv(name: string, meaning: string): string {
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`set ${name} to ${meaning}`);
  }
  return value;
}

/** Reads a comma-separated list of `PROJECT/slug` repositories from `name`, or `fallback` when it is unset. */
export function repositoriesFromEnv(name: string, fallback: string): Array<{ projectKey: string; repositorySlug: string }> {
  const text = process.env[name]?.trim() || fallback;
  return text.split(',').map((entry) => {
    const [projectKey, repositorySlug, ...rest] = entry.trim().split('/');
    if (!projectKey || !repositorySlug || rest.length > 0) {
      throw new Error(`${name}: "${entry}" is not PROJECT/slug (a comma-separated list, e.g. PLAT/network,PLAT/dns)`);
    }
    return { projectKey, repositorySlug };
  });
}
