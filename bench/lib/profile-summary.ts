/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and lists where the time went: the heaviest
 * functions by self time, and this package's own functions (dist/) by self time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Returns a text summary of the profile at `file`: top functions by self time, overall and in dist/. */
export function summariseProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFrame = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = frame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '~/').replace(/.*\/dist\//, 'dist/');
    const key = `${frame.functionName || '(anonymous)'}  ${where}${where ? `:${frame.lineNumber + 1}` : ''}`;
    byFrame.set(key, (byFrame.get(key) ?? 0) + us);
  }
  const sorted = [...byFrame.entries()].sort((a, b) => b[1] - a[1]);
  const line = ([key, us]: [string, number]): string => `${((us / total) * 100).toFixed(2).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`;
  const ours = sorted.filter(([key]) => key.includes('dist/'));
  const oursTotal = ours.reduce((a, [, us]) => a + us, 0);
  return [
    `CPU profile ${file}: ${(total / 1e6).toFixed(1)} s sampled`,
    `Top ${top} by self time:`,
    ...sorted.slice(0, top).map(line),
    `This package (dist/): ${((oursTotal / total) * 100).toFixed(2)}% self time in all:`,
    ...ours.slice(0, top).map(line),
  ].join('\n');
}

if (require.main === module) console.log(summariseProfile(process.argv[2]));
