// Build: TypeScript to CommonJS in dist/, with each node's editor html, the icons and the locales
// (labels, status texts, help) beside its JS, where Node-RED looks for them.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });
for (const file of readdirSync('src/nodes')) {
  if (file.endsWith('.html')) cpSync(`src/nodes/${file}`, `dist/nodes/${file}`);
}
cpSync('src/nodes/icons', 'dist/nodes/icons', { recursive: true });
cpSync('src/nodes/locales', 'dist/nodes/locales', { recursive: true });
