// Types of node-red-runner.mjs (plain JavaScript, shared by npm start, the tests and the benchmark) for the
// TypeScript that imports it: the tests and the bench.

/** The package's root folder. */
export const PACKAGE_ROOT: string;

/** The machine's own `node` (Node 20 in CI): the first `node` on PATH outside this package's node_modules. */
export function systemNode(): string;

/** The path of the node-red entry script of the node-red version installed for development. */
export function nodeRedBin(): string;

/**
 * Makes a Node-RED user dir: a settings.js, the flow file, and this package installed.
 * `install`: 'link' symlinks the working tree, 'none' installs nothing, a .tgz path installs it with npm.
 */
export function prepareUserDir(options: {
  userDir: string;
  flowsFile?: string;
  overwriteFlows?: boolean;
  install?: string;
  settings?: Record<string, unknown>;
}): void;

/** Packs this package with `npm pack` into `outDir` and returns the .tgz path. */
export function packPackage(outDir: string, options?: { build?: boolean }): string;

/** A node-red started by {@link startNodeRed}. */
export interface StartedNodeRed {
  url: string;
  port: number;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts node-red on `userDir` and resolves once it listens and has started its flows (timeoutMs default 60000). */
export function startNodeRed(options: {
  userDir: string;
  port?: number;
  node?: string;
  bin?: string;
  inheritOutput?: boolean;
  nodeArgs?: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
}): Promise<StartedNodeRed>;
