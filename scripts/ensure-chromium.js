#!/usr/bin/env node
// The console's browser tests drive Debian's Chromium: Playwright's own browser download is unreachable here,
// and npm cannot install a browser. `npm test` and `.ci/run` call this first. When Chromium is missing and this
// runs as root on a Debian-like machine, it installs the `chromium` package (as CI does on a clean machine);
// otherwise it says how to install it and exits 1.
'use strict';
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');

const executable = process.env.LIFTGATE_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(executable)) process.exit(0);

const canInstall = !process.env.LIFTGATE_CHROMIUM && process.getuid?.() === 0 && spawnSync('apt-get', ['--version']).status === 0;
if (!canInstall) {
  console.error(
    `The console's browser tests need Chromium at ${executable}. Install Debian's package ` +
      '(sudo apt-get install -y chromium) or point LIFTGATE_CHROMIUM at a Chromium executable.',
  );
  process.exit(1);
}
console.error(`Chromium is not at ${executable}: installing Debian's chromium package for the console's browser tests`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update'], ['install', '-y', 'chromium']]) {
  const result = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.status !== 0) {
    console.error(`apt-get ${args.join(' ')} failed (exit ${result.status ?? result.signal}); install chromium by hand`);
    process.exit(1);
  }
}
