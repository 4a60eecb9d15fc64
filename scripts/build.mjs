// Build: TypeScript (nodes/ and core/) to CommonJS in dist/, with each node's editor html, the
// locales (labels, status texts, help) and the icons beside its JS: Node-RED looks for icons only
// in an `icons/` folder next to each node's .js (@node-red/registry localfilesystem.js).
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });
for (const file of readdirSync('nodes')) {
  if (file.endsWith('.html')) cpSync(`nodes/${file}`, `dist/nodes/${file}`);
}
cpSync('icons', 'dist/nodes/icons', { recursive: true });
cpSync('nodes/locales', 'dist/nodes/locales', { recursive: true });
