// The Flow Library scorecard (`node-red-dev validate`), offline: runs the tool's own checks on this
// package, with its network look-ups answered locally so that every other check can run:
//   - P06/P07 (Node-RED and Node.js versions) compare against the Node-RED releases installed here
//     for the tests (node-red 4.1.x as the maintenance release, node-red-5 5.0.x as latest), not the
//     registry's dist-tags;
//   - P08 (similar package names) and N01 (node types unique in the catalogue) need
//     catalogue.nodered.org: they are given an empty catalogue and reported as NOT RUN.
// `npx node-red-dev validate` with network access runs all of them for real.
// Usage: node scripts/flow-library-check.mjs [scorecard.json]; prints the tool's output, then the
// scorecard; exits 1 when a check that ran failed.
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from './node-red-runner.mjs';

const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));
const devRequire = createRequire(require.resolve('node-red-dev/package.json'));
const axios = devRequire('axios');

/** Checks that need catalogue.nodered.org, which is not reachable offline. */
export const NETWORK_CHECKS = { P08: 'similar package names (catalogue.nodered.org)', N01: 'node types unique in the catalogue (catalogue.nodered.org)' };

const nodeRed4 = require('node-red/package.json');
const nodeRed5 = require('node-red-5/package.json');
const asked = [];
axios.get = async (url) => {
  asked.push(url);
  if (url.startsWith('https://catalogue.nodered.org/')) return { data: { name: 'offline', modules: [] } };
  if (url === 'https://registry.npmjs.org/node-red') {
    return {
      data: {
        'dist-tags': { latest: nodeRed5.version, maintenance: nodeRed4.version },
        versions: { [nodeRed5.version]: { engines: nodeRed5.engines }, [nodeRed4.version]: { engines: nodeRed4.engines } },
      },
    };
  }
  throw new Error(`offline: ${url} is not reachable here`);
};

const output = process.argv[2] ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'flow-library-')), 'scorecard.json');
const Validate = devRequire('./src/commands/validate.js');
await Validate.run(['--path', PACKAGE_ROOT, '--output', output, '--embed', 'true']);
const scorecard = JSON.parse(readFileSync(output, 'utf8'));
const failed = [];
console.log('\nScorecard:');
for (const [check, result] of Object.entries(scorecard)) {
  if (check === 'package') continue;
  const state = NETWORK_CHECKS[check] ? `NOT RUN (needs network: ${NETWORK_CHECKS[check]})` : result.test ? 'pass' : 'FAIL';
  if (state === 'FAIL') failed.push(check);
  console.log(`  ${check}: ${state}`);
}
console.log(`Network look-ups answered locally: ${[...new Set(asked.map((u) => new URL(u).host))].join(', ') || 'none'}`);
console.log(JSON.stringify({ scorecard, failed, notRun: Object.keys(NETWORK_CHECKS) }));
process.exit(failed.length === 0 ? 0 : 1);
