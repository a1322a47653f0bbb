#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: runs every benchmark script of package.json (bench:*), one after the other so they do
 * not compete for the CPU, shows each one's output as it runs, and ends with one summary table.
 *
 * A benchmark reports its headline figure on a line
 * `BENCH_RESULT {"bench","metric","value","target"?,"lowerIsBetter"?}`.
 * Benchmarks written before that convention are read from the lines they already print (named below), so
 * their output format is a contract here; a script whose figure cannot be found shows "see its output".
 */
const { spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
/** Run order: quick ones first, so a broken build shows early. */
const ORDER = ['bench:provider', 'bench:bitbucket', 'bench:agent', 'bench:webhooks', 'bench:synth', 'bench:drift', 'bench:runs', 'bench:modules'];

/**
 * Figures of benchmarks that print no BENCH_RESULT line, read from their own summary lines. `heading` is
 * the last line that started with "(n)" (the provider benchmarks number their measurements).
 */
const LEGACY_READERS = [
  {
    // bench:bitbucket: "ratio client/fetch 1.45 of the medians, 1.31 median per round (target >= 0.80)"
    pattern: /ratio (\S+) ([\d.]+) of the medians, ([\d.]+) median per round \(target >= ([\d.]+)\)/,
    rows: (m) => [{ metric: `${m[1]} (median per round)`, value: Number(m[3]), target: Number(m[4]) }],
  },
  {
    // bench:webhooks: "b/a = 0.412  c/a = 0.380"
    pattern: /^b\/a = ([\d.]+)\s+c\/a = ([\d.]+)/,
    rows: (m) => [
      { metric: 'serve on PGlite / node:http ceiling', value: Number(m[1]) },
      { metric: 'serve on PostgreSQL / node:http ceiling', value: Number(m[2]) },
    ],
  },
  {
    // bench:provider start-up: "  provider liftgate (lib/cli/provider.js)   212.3 ms   4.10x baseline"
    pattern: /^\s+(.+?)\s+([\d.]+) ms\s+([\d.]+)x baseline/,
    rows: (m) => [{ metric: `${m[1]} start-up / node -e 0 (x)`, value: Number(m[3]), lower: true }],
  },
  {
    // bench:provider terraform runs: "    baseline 812 ms   bitbucketdc 1020 ms   ratio 1.26x" under a heading
    // "(3) terraform plan with refresh of 1000 resources (baseline: terraform_data), median of 3:"
    pattern: /^\s+baseline (\d+) ms\s+(\S+) (\d+) ms\s+ratio ([\d.]+)x/,
    rows: (m, heading) => [{ metric: `${shortHeading(heading)}: ${m[2]} / baseline (x)`, value: Number(m[4]), lower: true }],
  },
  {
    // bench:synth: "ratio L2 / null_resource with the same values (target <= 1.3x): wall time 0.85x, CPU time …"
    // and "ratio L2 / null_resource with 3 trigger strings: wall time 1.40x, …"
    pattern: /^ratio (.+?)(?: \(target <= ([\d.]+)x\))?: wall time ([\d.]+)x/,
    rows: (m) => [{ metric: `synth wall time, ${m[1]} (x)`, value: Number(m[3]), target: m[2] === undefined ? undefined : Number(m[2]), lower: true }],
  },
];

function resultsOf(output) {
  const rows = [];
  for (const line of output.split('\n')) {
    const tagged = /^BENCH_RESULT (\{.*\})\s*$/.exec(line);
    if (tagged === null) continue;
    try {
      const parsed = JSON.parse(tagged[1]);
      rows.push({
        metric: String(parsed.metric),
        value: Number(parsed.value),
        target: parsed.target === undefined ? undefined : Number(parsed.target),
        lower: parsed.lowerIsBetter === true,
      });
    } catch {
      rows.push({ metric: `unreadable BENCH_RESULT line: ${line.slice(13, 80)}` });
    }
  }
  if (rows.length > 0) return rows;
  let heading = '';
  for (const line of output.split('\n')) {
    if (/^\(\d+[a-z]?\)/.test(line)) heading = line;
    // bench:provider states a target after its figure: "    target for (3): <= 1.50x -> met"
    const target = /^\s+target for (\(\d+\)): (<=|>=) ([\d.]+)x/.exec(line);
    const row = target === null ? undefined : rows.findLast((candidate) => candidate.metric.startsWith(target[1]));
    if (row !== undefined) Object.assign(row, { target: Number(target[3]), lower: target[2] === '<=' });
    for (const reader of LEGACY_READERS) {
      const match = reader.pattern.exec(line);
      if (match !== null) rows.push(...reader.rows(match, heading));
    }
  }
  return rows;
}

/** "(3) terraform plan with refresh of 1000 resources (baseline: …), median of 3:" → "(3) terraform plan with refresh of 1000 resources" */
function shortHeading(heading) {
  const short = heading.split(/ \(baseline| against |[:,]/)[0];
  return short.length > 60 ? `${short.slice(0, 59)}…` : short;
}

function run(script) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['run', '--silent', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code, output, seconds: (Date.now() - started) / 1000 }));
  });
}

function table(header, rows) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  return [header, ...rows].map((cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

async function main() {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  const names = ORDER.filter((name) => scripts[name] !== undefined);
  const extra = Object.keys(scripts).filter((name) => name.startsWith('bench:') && !ORDER.includes(name));
  const summary = [];
  let failed = false;
  for (const name of [...names, ...extra]) {
    process.stdout.write(`\n=== npm run ${name} ===\n`);
    const { code, output, seconds } = await run(name);
    const time = `${seconds.toFixed(0)} s`;
    if (code !== 0) {
      failed = true;
      summary.push([name, 'FAILED', `exit ${code}`, '', '', time]);
      continue;
    }
    const rows = resultsOf(output);
    if (rows.length === 0) summary.push([name, 'see its output', '', '', '', time]);
    for (const row of rows) {
      const value = row.value === undefined || Number.isNaN(row.value) ? '' : String(row.value);
      const target = row.target === undefined ? '' : `${row.lower ? '<=' : '>='} ${row.target}`;
      const met = row.lower ? row.value <= row.target : row.value >= row.target;
      const verdict = row.target === undefined || value === '' ? '' : met ? 'met' : 'NOT met';
      summary.push([name, row.metric, value, target, verdict, time]);
    }
  }
  process.stdout.write(`\n=== summary ===\n${table(['BENCHMARK', 'FIGURE', 'VALUE', 'TARGET', 'VERDICT', 'TIME'], summary)}\n`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  process.stderr.write(`bench: ${error.stack ?? error}\n`);
  process.exit(1);
});
