/**
 * The documentation: the README and docs/*.md link to each other by relative paths and heading anchors, as
 * GitHub renders them. A link whose file or heading has moved is a dead end for a reader; this finds it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../support/node-red';

const ROOT = PACKAGE_ROOT as string;
const DOCS = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
const BENCH = readdirSync(path.join(ROOT, 'bench')).filter((f) => f.endsWith('.md')).map((f) => `bench/${f}`);
const FILES = ['README.md', ...DOCS, ...BENCH];

/** A Markdown file's text outside fenced code blocks, as lines. */
function proseLines(file: string): string[] {
  let fenced = false;
  return readFileSync(path.join(ROOT, file), 'utf8').split('\n').filter((line) => {
    if (/^\s*```/.test(line)) { fenced = !fenced; return false; }
    return !fenced;
  });
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of proseLines(file)) {
    const heading = /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const slug = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\- _]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** The relative links of a file (`[text](target)`, images too), outside code. */
function relativeLinks(file: string): string[] {
  return proseLines(file).flatMap((line) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]))
    .filter((target) => !/^[a-z]+:/i.test(target));
}

describe('documentation links', () => {
  it('every relative link in README.md, docs/ and bench/ reaches an existing file, and an existing heading', () => {
    const broken: string[] = [];
    for (const file of FILES) {
      for (const target of relativeLinks(file)) {
        const [targetPath, fragment] = target.split('#');
        const resolved = targetPath === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), targetPath));
        if (!existsSync(path.join(ROOT, resolved))) { broken.push(`${file}: ${target} (no file ${resolved})`); continue; }
        if (fragment && resolved.endsWith('.md') && !anchors(resolved).has(fragment)) broken.push(`${file}: ${target} (no heading #${fragment})`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('the README links every document in docs/', () => {
    const linked = new Set(relativeLinks('README.md').map((target) => target.split('#')[0]));
    assert.ok(DOCS.length > 0);
    assert.deepEqual(DOCS.filter((doc) => !linked.has(doc)), []);
  });
});
