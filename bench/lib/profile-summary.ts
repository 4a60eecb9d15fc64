/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and lists where the time went: self time by
 * module, the heaviest functions by self time, and this package's own functions (dist/) by self
 * and by inclusive time (what they and everything they call cost).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** True for this package's compiled code (not another package's dist/). */
function isOurs(url: string): boolean {
  return url.includes('/dist/') && !url.includes('/node_modules/');
}

function where(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  if (path.includes('/node_modules/')) return path.replace(/.*\/node_modules\//, '~/');
  return path.replace(/.*\/dist\//, 'dist/');
}

function moduleOf(node: ProfileNode): string {
  const url = node.callFrame.url;
  // The innermost package: node-red ships its own express and qs under node_modules/node-red/node_modules/.
  const pkg = /.*node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) return pkg;
  if (isOurs(url)) return 'this package (dist/)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url === '') return node.callFrame.functionName || '(native)';
  return url.startsWith('evalmachine') || !url.includes('/') ? `function nodes and other vm code` : url;
}

/** Returns a text summary of the profile at `file`. Percentages are of busy (non-idle) time. */
export function summariseProfile(file: string, top = 20): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  let busy = 0;
  const byModule = new Map<string, number>();
  const byFrame = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === '(idle)') continue;
    busy += us;
    const mod = moduleOf(node);
    byModule.set(mod, (byModule.get(mod) ?? 0) + us);
    const frame = node.callFrame;
    const key = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = (byId.get(cur) as ProfileNode).callFrame;
      if (!isOurs(f.url)) continue;
      const k = `${f.functionName || '(anonymous)'}  ${where(f.url)}:${f.lineNumber + 1}`;
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(2).padStart(6)}%`;
  const line = ([key, us]: [string, number]): string => `${pct(us)}  ${key}`;
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m.entries()].sort((a, b) => b[1] - a[1]);
  const ours = sorted(byFrame).filter(([key]) => /  dist\//.test(key));
  return [
    `CPU profile ${where(file)}: ${(busy / 1e6).toFixed(2)} s busy (percentages are of busy time)`,
    'Self time by module:',
    ...sorted(byModule).slice(0, 12).map(line),
    `Top ${top} functions by self time:`,
    ...sorted(byFrame).slice(0, top).map(line),
    'This package, self time:',
    ...ours.slice(0, 12).map(line),
    'This package, inclusive time (the function and all it calls):',
    ...sorted(inclusive).slice(0, 12).map(line),
  ].join('\n');
}

if (require.main === module) console.log(summariseProfile(process.argv[2]));
