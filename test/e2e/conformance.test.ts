/**
 * The official MCP conformance suite (`@modelcontextprotocol/conformance` 0.1.13, its active server
 * scenarios: the frozen list for 2025-11-25) against examples/conformance-server.json in the real
 * node-red, on both Node-RED versions. Any failed check fails the test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, startNodeRedWith, type RunningNodeRed } from '../support/node-red';
import { assertRunsOn, NODE_RED_VERSIONS } from '../support/node-red-versions';
// @ts-expect-error plain JavaScript module shared with npm start and the benchmark
import { systemNode } from '../../scripts/node-red-runner.mjs';

const CONFORMANCE_EXAMPLE = path.join(PACKAGE_ROOT as string, 'examples', 'conformance-server.json');
const require = createRequire(path.join(PACKAGE_ROOT as string, 'package.json'));
/** The suite's CLI; 0.1.13 is the newest that runs on Node 20 (0.1.14 needs Node 22's fs.globSync). */
const CONFORMANCE_CLI = path.join(path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
/** The active server scenarios of 0.1.13: 30 scenarios, 40 checks. */
const ACTIVE_SCENARIOS = 30;
const ACTIVE_CHECKS = 40;

/** Runs `conformance server --url <url>` on the machine's Node; resolves with its exit code and output. */
function runSuite(url: string): Promise<{ code: number | null; output: string }> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-conformance-'));
  return new Promise((resolve, reject) => {
    const child = spawn(systemNode() as string, [CONFORMANCE_CLI, 'server', '--url', url, '-o', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(outDir, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

for (const version of NODE_RED_VERSIONS) describe(`the official conformance suite against examples/conformance-server.json, on ${version.name}`, () => {
  let nodeRed: RunningNodeRed;
  before(async () => {
    // Linked, not packed: the package's own tests check the tarball; this one checks the protocol.
    nodeRed = await startNodeRedWith(CONFORMANCE_EXAMPLE, { node: version.node, bin: version.bin, install: 'link' });
    assertRunsOn(version, nodeRed.output());
  });
  after(() => nodeRed.stop());

  it(`passes every check of the ${ACTIVE_SCENARIOS} active scenarios on /mcp`, async () => {
    const { code, output } = await runSuite(`${nodeRed.url}/mcp`);
    const summary = output.slice(output.indexOf('=== SUMMARY ==='));
    const scenarios = summary.split('\n').filter((line) => /^[✓✗] /.test(line));
    assert.deepEqual(scenarios.filter((line) => line.startsWith('✗')), [], summary);
    assert.equal(scenarios.length, ACTIVE_SCENARIOS, summary);
    assert.match(summary, new RegExp(`Total: ${ACTIVE_CHECKS} passed, 0 failed`), summary);
    assert.equal(code, 0, output);
    const running = nodeRed.output().slice(nodeRed.output().indexOf('Started flows'));
    assert.doesNotMatch(running, /\[(error|warn)\]/, 'node-red logged no error or warning while the suite ran');
  });
});
