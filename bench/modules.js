#!/usr/bin/env node
/**
 * `npm run bench:modules`: what the module registry costs `terraform init`.
 *
 * Subject: `terraform init` of a configuration using one module from Liftgate's registry
 * (`<host>/root/network/aws`, `version = "~> 1.0"`): service discovery, the versions, the download answer and the
 * archive of the tagged commit's project root streamed from Bitbucket (the emulator) over HTTPS. Baseline,
 * measured in the same run: `terraform init` of the same configuration with the same module files in a local
 * directory (`source = "./network"`). Every sample is a fresh working directory; the sides take turns so machine
 * load hits both alike. Prints the medians and the ratio (target <= 1.5). For scale, a third side: the floor of the
 * protocol itself, a node:https server answering the same five requests (go-getter sends a HEAD before the GET)
 * with canned bytes (no API key, no store, no Bitbucket), which shows how much of the difference is Terraform's own
 * registry round trips (three TLS connections per init) and TLS.
 * The registries run in a child process of their own, as a server does; this process only starts terraform and
 * times it. (Started from the process that holds the store, every terraform start paid for forking its hundreds of
 * MB, ~5-9 ms on each side, which made every ratio look better than it is.)
 * Options (environment): BENCH_ROUNDS (default 15). Needs the built lib/ (`npm run build:runtime`).
 */
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const lib = join(__dirname, '..', 'lib');

const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const TARGET = 1.5;
const MODULE_FILES = {
  'network/main.tf': 'variable "cidr" {\n  type = string\n}\n\nresource "terraform_data" "vpc" {\n  input = var.cidr\n}\n\noutput "vpc_id" {\n  value = terraform_data.vpc.id\n}\n',
  'network/variables.tf': 'variable "name" {\n  type    = string\n  default = "network"\n}\n',
  'network/README.md': '# network\n\nVPCs and subnets.\n',
};

/** A throwaway CA and a certificate for 127.0.0.1 it signed (Terraform reaches registries over HTTPS only). */
function throwawayTls(dir) {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-days', '1', '-subj', '/CN=bench CA', '-keyout', 'ca.key', '-out', 'ca.pem');
  openssl('req', ...ec, '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'server.ext', '-out', 'server.pem');
  return { ca: join(dir, 'ca.pem'), cert: readFileSync(join(dir, 'server.pem')), key: readFileSync(join(dir, 'server.key')) };
}

async function api(url, key, method, path, body) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/**
 * The control plane twice on one store, as two replicas: over HTTP for the API and the emulator's webhooks, over
 * HTTPS for terraform. The module is pushed and tagged v1.0.0 in the emulator.
 */
async function setUp(work) {
  const { startEmulator } = require(join(lib, 'emulator'));
  const { buildApp } = require(join(lib, 'server', 'app'));
  const { ensureRootAdminKey } = require(join(lib, 'server', 'auth', 'apiKeys'));
  const { openDatabase } = require(join(lib, 'server', 'store', 'database'));
  const { parseBitbucketHostPolicy } = require(join(lib, 'domain', 'bitbucket-hosts'));
  const tls = throwawayTls(work);
  const db = await openDatabase({ dataDir: 'memory://' });
  const adminKey = (await ensureRootAdminKey(db)).secret;
  const options = { db, encryptionKey: Buffer.alloc(32, 9), allowedBitbucketHosts: parseBitbucketHostPolicy('loopback'), publicUrl: 'http://127.0.0.1' };
  const plain = await buildApp(options);
  const secure = await buildApp({ ...options, tls: { cert: tls.cert, key: tls.key } });
  const apiUrl = await plain.listen({ host: '127.0.0.1', port: 0 });
  const host = new URL(await secure.listen({ host: '127.0.0.1', port: 0 })).host;
  const emulator = await startEmulator({ port: 0 });
  emulator.createProject('PLAT');
  emulator.createRepository('PLAT', 'modules', { defaultBranch: 'main' });
  const integration = await api(apiUrl, adminKey, 'POST', '/api/v1/integrations/bitbucket-datacenter', {
    name: 'Emulated Bitbucket',
    isDefault: true,
    apiHost: emulator.url,
    username: 'admin',
    accessToken: emulator.adminToken,
  });
  await api(emulator.url, emulator.adminToken, 'POST', '/rest/api/latest/projects/PLAT/repos/modules/webhooks', {
    name: 'liftgate',
    url: `${apiUrl}/webhooks/bitbucket-datacenter/${integration.id}`,
    active: true,
    events: ['repo:refs_changed'],
    configuration: { secret: integration.webhookSecret },
  });
  await api(apiUrl, adminKey, 'POST', '/api/v1/modules', {
    name: 'network',
    terraformProvider: 'aws',
    vcs: { projectKey: 'PLAT', repositorySlug: 'modules', branch: 'main', projectRoot: 'network' },
  });
  await emulator.push('PLAT', 'modules', { branch: 'main', files: MODULE_FILES });
  await emulator.createTag('PLAT', 'modules', { name: 'v1.0.0' });
  const floor = await cannedRegistry(tls, host, adminKey);
  const close = async () => {
    await new Promise((resolve) => floor.server.close(resolve));
    await emulator.close();
    await Promise.all([plain.close(), secure.close()]);
    await db.close();
  };
  return { host, floorHost: floor.host, adminKey, ca: tls.ca, close };
}

/** A registry reduced to canned answers (the archive is the one Liftgate serves for v1.0.0), over the same TLS. */
async function cannedRegistry(tls, liftgateHost, adminKey) {
  const https = require('node:https');
  const answer = (path) =>
    new Promise((resolve, reject) => {
      https
        .get(`https://${liftgateHost}${path}`, { ca: readFileSync(tls.ca), headers: { authorization: `Bearer ${adminKey}` } }, (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
  const link = (await answer('/registry/modules/v1/root/network/aws/1.0.0/download')).headers['x-terraform-get'];
  const archive = (await answer(link.replace(/\/\/network$/, ''))).body;
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    const json = { 'content-type': 'application/json' };
    if (request.url === '/.well-known/terraform.json') return response.writeHead(200, json).end('{"modules.v1":"/v1/"}');
    if (request.url.endsWith('/versions')) return response.writeHead(200, json).end('{"modules":[{"versions":[{"version":"1.0.0"}]}]}');
    if (request.url.endsWith('/download')) return response.writeHead(204, { 'x-terraform-get': '/archive/module.tar.gz//network' }).end();
    return response.writeHead(200, { 'content-type': 'application/gzip' }).end(archive);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, host: `127.0.0.1:${server.address().port}` };
}

/** Runs terraform to completion without blocking this process (which serves the registry it calls). */
function terraform(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** One `terraform init` in a fresh directory using the module from `source`; its wall time in ms. */
async function initOnce(work, round, side, source, version, env) {
  const dir = join(work, `${side}-${round}`);
  mkdirSync(dir, { recursive: true });
  if (side === 'local') {
    for (const [path, content] of Object.entries(MODULE_FILES)) {
      mkdirSync(join(dir, 'network'), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  }
  writeFileSync(join(dir, 'main.tf'), `module "network" {\n  source = "${source}"\n${version === null ? '' : `  version = "${version}"\n`}  cidr   = "10.0.0.0/16"\n}\n`);
  const started = process.hrtime.bigint();
  const result = await terraform(['init', '-input=false', '-no-color', '-backend=false'], dir, env);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.code !== 0) throw new Error(`terraform init (${side}) failed:\n${result.output}`);
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The child: sets the registries up in `work`, prints where they are as one JSON line, closes them when stdin ends. */
async function serve(work) {
  const setup = await setUp(work);
  process.stdin.resume();
  process.stdin.once('end', () => {
    setup.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
  process.stdout.write(`${JSON.stringify({ host: setup.host, floorHost: setup.floorHost, adminKey: setup.adminKey, ca: setup.ca })}\n`);
}

/** Starts the registries' process; resolves to what it printed and a close function. */
function startRegistries(work) {
  const child = spawn(process.execPath, [__filename, '--serve', work], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.indexOf('\n');
      if (line !== -1) resolve({ ...JSON.parse(output.slice(0, line)), close: () => (child.stdin.end(), exited) });
    });
    child.once('exit', (code) => reject(new Error(`the registries' process exited (${code}) before it was ready`)));
  });
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), 'liftgate-bench-modules-'));
  let setup;
  try {
    setup = await startRegistries(work);
    const cliConfig = join(work, 'terraformrc');
    writeFileSync(cliConfig, `credentials "${setup.host}" {\n  token = "${setup.adminKey}"\n}\n`);
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TF_')));
    const env = { ...inherited, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: cliConfig, SSL_CERT_FILE: setup.ca };
    const sources = {
      registry: [`${setup.host}/root/network/aws`, '~> 1.0'],
      local: ['./network', null],
      floor: [`${setup.floorHost}/root/network/aws`, '~> 1.0'],
    };
    const times = { registry: [], local: [], floor: [] };
    // One warm-up of each, not counted (the first terraform start pays for the page cache).
    for (const side of Object.keys(sources)) await initOnce(work, 'warm', side, ...sources[side], env);
    for (let round = 0; round < rounds; round += 1) {
      const order = Object.keys(sources);
      for (let turn = 0; turn < order.length; turn += 1) {
        const side = order[(turn + round) % order.length];
        times[side].push(await initOnce(work, round, side, ...sources[side], env));
      }
    }
    const [registry, local, floor] = [median(times.registry), median(times.local), median(times.floor)];
    const ratio = registry / local;
    console.log(`terraform init with one module, median of ${rounds} (sides taking turns):`);
    console.log(`  local directory source                       ${local.toFixed(0)} ms`);
    console.log(`  canned registry (node:https, protocol floor) ${floor.toFixed(0)} ms   ${(floor / local).toFixed(2)}x local`);
    console.log(`  Liftgate registry (HTTPS)                    ${registry.toFixed(0)} ms   ${(registry / floor).toFixed(2)}x the floor`);
    console.log(`ratio registry / local directory: ${ratio.toFixed(2)}x (target <= ${TARGET}x)`);
    console.log(`BENCH_RESULT ${JSON.stringify({ bench: 'bench:modules', metric: 'terraform init, registry module / local directory (x)', value: Number(ratio.toFixed(3)), target: TARGET, lowerIsBetter: true })}`);
  } finally {
    await setup?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

(process.argv[2] === '--serve' ? serve(process.argv[3]) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
