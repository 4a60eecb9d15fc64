/**
 * Flow Library readiness: the `node-red-dev validate` scorecard, offline (scripts/flow-library-check.mjs),
 * and what the packed tarball a user installs contains.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packedTarball, PACKAGE_ROOT } from '../support/node-red';

const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));

describe('Flow Library readiness', () => {
  it('passes every node-red-dev validate check that can run offline', () => {
    const run = spawnSync(process.execPath, [path.join(PACKAGE_ROOT, 'scripts', 'flow-library-check.mjs')], { encoding: 'utf8', timeout: 120_000 });
    const last = run.stdout.trim().split('\n').pop() ?? '';
    const { scorecard, failed, notRun } = JSON.parse(last) as { scorecard: Record<string, { test: boolean; nodes?: string[] }>; failed: string[]; notRun: string[] };
    assert.deepEqual(failed, [], run.stdout + run.stderr);
    assert.deepEqual(notRun.sort(), ['N01', 'P08']);
    const ran = ['P01', 'P03', 'P04', 'P05', 'P06', 'P07', 'N02', 'D01', 'D02', 'D03'];
    for (const check of ran) assert.equal(scorecard[check]?.test, true, `${check} passes`);
    // The tool reads each node's definition from its html (a literal type, an inline object); a file it
    // cannot read is only logged, and its node silently drops out of N02's list.
    assert.deepEqual(scorecard.N02?.nodes?.slice().sort(), ['mcp-message-in', 'mcp-sse-in', 'mcp-sse-out', 'mcp-sse-prompt', 'mcp-sse-resource', 'mcp-sse-tool', 'mcp-sse-view']);
    assert.equal(run.status, 0);
  });

  it('has the node-red keyword (the tool\'s own P05 check cannot fail), a licence file and a changelog', () => {
    assert.ok(pkg.keywords.includes('node-red'));
    assert.match(readFileSync(path.join(PACKAGE_ROOT, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
    assert.equal(pkg.license, 'Apache-2.0');
    assert.match(readFileSync(path.join(PACKAGE_ROOT, 'CHANGELOG.md'), 'utf8'), new RegExp(`## \\[?${pkg.version.replace(/\./g, '\\.')}`));
  });

  it('packs the nodes with their editor files, icons, locales and help, the sidebar plugin, the editor code they share, the examples, the docs, LICENSE and CHANGELOG', () => {
    const listing = execFileSync('tar', ['-tzf', packedTarball()], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const files = new Set(listing.map((f) => f.replace(/^package\//, '')));
    for (const node of Object.keys(pkg['node-red'].nodes) as string[]) {
      for (const f of [`dist/nodes/${node}.js`, `dist/nodes/${node}.html`, `dist/nodes/locales/en-US/${node}.json`, `dist/nodes/locales/en-US/${node}.html`]) {
        assert.ok(files.has(f), `${f} is in the tarball`);
      }
    }
    // The plugin (the MCP sidebar and the admin API): its runtime file, its editor html beside it, its labels.
    for (const [name, file] of Object.entries(pkg['node-red'].plugins as Record<string, string>)) {
      for (const f of [file, file.replace(/\.js$/, '.html'), `dist/nodes/locales/en-US/${name}.json`]) assert.ok(files.has(f), `${f} is in the tarball`);
    }
    // resources/ is served to the editor as resources/<module>/...: the node html files load their shared editor code from there.
    const loaded = readdirSync(path.join(PACKAGE_ROOT as string, 'nodes')).filter((f) => f.endsWith('.html')).flatMap((f) =>
      [...readFileSync(path.join(PACKAGE_ROOT as string, 'nodes', f), 'utf8').matchAll(/<script src="resources\/node-red-contrib-mcp-sse\/([^"]+)"/g)].map((m) => `resources/${m[1]}`));
    for (const f of ['resources/mcp-editor.js', 'resources/mcp-parameters.js', 'resources/mcp-schema-rows.js', 'resources/mcp-workbench.js', 'resources/mcp-try-it.js']) assert.ok(loaded.includes(f), `a node html loads ${f}`);
    for (const f of [...loaded, 'dist/nodes/icons/mcp-sse.svg', 'dist/nodes/icons/mcp-message.svg', 'examples/tutorial-mcp-server.json', 'LICENSE', 'CHANGELOG.md', 'README.md', 'package.json']) {
      assert.ok(files.has(f), `${f} is in the tarball`);
    }
    // The README links docs/*.md relatively: every one of them is in the tarball, so the links resolve in an installed package too.
    const linked = [...readFileSync(path.join(PACKAGE_ROOT as string, 'README.md'), 'utf8').matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]);
    assert.ok(linked.length > 0, 'the README links docs/');
    for (const f of linked) assert.ok(files.has(f), `${f} (linked from the README) is in the tarball`);
    assert.deepEqual([...files].filter((f) => f.startsWith('nodes/') || f.startsWith('core/') || f.startsWith('test/')), []);
  });
});
