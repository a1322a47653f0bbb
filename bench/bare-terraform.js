#!/usr/bin/env node
/**
 * The bare baselines of `npm run bench:runs` (a), in a small process of its own: what a run does without Liftgate
 * (fetch the archive of a commit, extract it, terraform init, plan -out, apply), each terraform started as a shell
 * starts it. The bench's own process holds the control plane and its store (hundreds of MB): every terraform started
 * from there paid for forking all of that, ~5-15 ms each, which is not part of the work and made the baseline slower
 * than it is.
 *
 * `backend: 'local'` is the baseline: state in a local file. `backend: 'http'` is the floor of keeping state
 * elsewhere: Terraform's http backend configured as a Liftgate run's is (TF_HTTP_*, POST/DELETE lock, plans without
 * the lock), against a state server of this process that keeps state in memory and checks nothing.
 *
 * Started with an IPC channel. Each message { archiveUrl, token, dir, env, backend } is answered { ms } (the time from
 * the request of the archive to the end of the apply) or { error }.
 */
'use strict';
const { spawn } = require('node:child_process');
const { createServer } = require('node:http');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { x: extractTar } = require('tar');

/** A state server that keeps each address's state and lock in memory. */
function startStateServer() {
  const states = new Map();
  const locks = new Set();
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url.split('?')[0];
      if (path.endsWith('/lock')) {
        const state = path.slice(0, -'/lock'.length);
        if (request.method === 'POST') {
          if (locks.has(state)) return response.writeHead(423).end();
          locks.add(state);
        } else locks.delete(state);
        return response.writeHead(200).end();
      }
      if (request.method === 'GET') {
        const state = states.get(path);
        return state === undefined ? response.writeHead(404).end() : response.writeHead(200, { 'content-type': 'application/json' }).end(state);
      }
      states.set(path, Buffer.concat(chunks));
      return response.writeHead(200).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

function terraform(args, cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('terraform', args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`bare terraform ${args[0]}: ${stderr}`))));
  });
}

let stateServer;

async function bare({ archiveUrl, token, dir, env, backend }) {
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  const response = await fetch(archiveUrl, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`archive: ${response.status}`);
  await pipeline(Readable.fromWeb(response.body), extractTar({ cwd: dir }));
  let runEnv = env;
  let lock = [];
  if (backend === 'http') {
    stateServer ??= startStateServer();
    const address = `${await stateServer}/state/bench`;
    writeFileSync(join(dir, 'backend_override.tf'), 'terraform {\n  backend "http" {}\n}\n');
    runEnv = {
      ...env,
      TF_HTTP_ADDRESS: address,
      TF_HTTP_LOCK_ADDRESS: `${address}/lock`,
      TF_HTTP_UNLOCK_ADDRESS: `${address}/lock`,
      TF_HTTP_LOCK_METHOD: 'POST',
      TF_HTTP_UNLOCK_METHOD: 'DELETE',
      TF_HTTP_USERNAME: 'bench',
      TF_HTTP_PASSWORD: 'bench',
    };
    lock = ['-lock=false'];
  }
  await terraform(['init', '-input=false', '-no-color'], dir, runEnv);
  await terraform(['plan', '-input=false', '-no-color', ...lock, '-out=plan'], dir, runEnv);
  await terraform(['apply', '-input=false', '-no-color', 'plan'], dir, runEnv);
  const ms = performance.now() - started;
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

process.on('message', (request) => {
  bare(request).then(
    (ms) => process.send({ ms }),
    (error) => process.send({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
