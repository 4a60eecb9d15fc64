// `npm test`: runs every test/**/*.test.ts with Node's test runner (TypeScript through tsx), one
// file at a time. Arguments filter the files by substring: `npm test -- core` runs test/core/ only.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { packPackage, systemNode } from './node-red-runner.mjs';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return find(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const filters = process.argv.slice(2);
const files = find('test').sort().filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`No test files match ${filters.join(', ')}`);
  process.exit(1);
}
// Pack the package once (the build above made dist/) for every file that installs it, instead of
// once per file.
const tarball = packPackage(mkdtempSync(path.join(os.tmpdir(), 'mcp-pack-')), { build: false });
// The machine's Node (20 in CI), not the Node 22 that npm's PATH puts first (see systemNode).
const result = spawnSync(systemNode(), ['--import', 'tsx', '--test', `--test-concurrency=${process.env.MCP_TEST_CONCURRENCY ?? 2}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env: { ...process.env, MCP_TEST_TARBALL: tarball },
});
rmSync(path.dirname(tarball), { recursive: true, force: true });
process.exit(result.status ?? 1);
