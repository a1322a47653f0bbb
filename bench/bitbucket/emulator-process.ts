import { randomBytes } from 'node:crypto';
import { startEmulator } from '../../src/emulator';

/**
 * The benchmark's Bitbucket: an emulator in its own process (so the client and the baseline share one
 * process and the server's CPU is not theirs), seeded with one project and `repositories` repositories with
 * `webhooksPerRepository` webhooks each, and one repository of BENCH_ARCHIVE_MIB MiB of files for the archive benchmark.
 * Prints one JSON line `{ url, token, projectKey, slugs, archive }` and runs until SIGTERM.
 */
const PROJECT_KEY = 'BENCH';
/** The archive benchmark's repository: this many MiB of files in 1 MiB files. */
const ARCHIVE_MIB = Number(process.env.BENCH_ARCHIVE_MIB ?? 50);

async function main(): Promise<void> {
  const repositories = Number(process.argv[2]);
  const webhooksPerRepository = Number(process.argv[3]);
  const emulator = await startEmulator({ port: 0 });
  emulator.createProject(PROJECT_KEY, { name: 'Benchmark' });
  const slugs: string[] = [];
  for (let index = 0; index < repositories; index += 1) {
    slugs.push(emulator.createRepository(PROJECT_KEY, `service-${String(index).padStart(4, '0')}`).slug);
  }
  // Webhooks through Bitbucket's own POST endpoint (the emulator has no seeding shortcut for them).
  const headers = { Authorization: `Bearer ${emulator.adminToken}`, 'Content-Type': 'application/json' };
  let next = 0;
  const worker = async () => {
    while (next < slugs.length) {
      const slug = slugs[next++]!;
      for (let hook = 0; hook < webhooksPerRepository; hook += 1) {
        const response = await fetch(`${emulator.url}/rest/api/latest/projects/${PROJECT_KEY}/repos/${slug}/webhooks`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            name: `hook-${hook}`,
            url: `https://liftgate.example/webhooks/bitbucket-datacenter/${hook}`,
            events: ['repo:refs_changed', 'pr:opened', 'pr:merged'],
            configuration: { secret: `secret-${slug}-${hook}` },
          }),
        });
        if (response.status !== 200) throw new Error(`seeding a webhook answered ${response.status}: ${await response.text()}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  // Files of random text: they do not compress, like the binaries and vendored code real repositories carry.
  emulator.createRepository(PROJECT_KEY, 'archive-source');
  const files: Record<string, string> = {};
  for (let index = 0; index < ARCHIVE_MIB; index += 1) files[`modules/m${index}/blob.txt`] = randomBytes(768 * 1024).toString('base64');
  const { commit } = await emulator.push(PROJECT_KEY, 'archive-source', { branch: 'main', files });
  const archive = { slug: 'archive-source', commit, bytes: ARCHIVE_MIB * 1024 * 1024 };
  process.stdout.write(`${JSON.stringify({ url: emulator.url, token: emulator.adminToken, projectKey: PROJECT_KEY, slugs, archive })}\n`);
  process.once('SIGTERM', () => {
    void emulator.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
