/**
 * The shape of the source, as issue 19 set it: nothing in core/ or nodes/ imports in a circle, the
 * transports reach their endpoint only through `TransportHost` (core/transports/host.ts) and never
 * import core/endpoint.ts, and the core never imports a node. Read with madge, as
 * `npx madge --circular --extensions ts core nodes` reads it (type-only imports count too).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import madge from 'madge';
import { PACKAGE_ROOT } from '../support/node-red';

const ROOT = PACKAGE_ROOT as string;

describe('the module graph of core/ and nodes/', () => {
  let graph: madge.MadgeResult;
  before(async () => {
    graph = await madge([path.join(ROOT, 'core'), path.join(ROOT, 'nodes')], {
      baseDir: ROOT,
      fileExtensions: ['ts'],
      tsConfig: path.join(ROOT, 'tsconfig.json'),
    });
  });

  it('reads every file', () => {
    assert.deepEqual(graph.skipped, []);
    assert.ok(graph.obj()['core/endpoint.ts'].includes('core/transports/sse.ts'), 'the graph has the endpoint and its transports');
  });

  it('has no import cycle', () => {
    assert.deepEqual(graph.circular().map((cycle) => cycle.join(' > ')), []);
  });

  it('has the transports import no core/endpoint.ts', () => {
    const transports = Object.entries(graph.obj()).filter(([file]) => file.startsWith('core/transports/'));
    assert.ok(transports.length >= 3);
    for (const [file, imports] of transports) assert.ok(!imports.includes('core/endpoint.ts'), `${file} imports core/endpoint.ts`);
  });

  it('has the core import nothing from nodes/', () => {
    for (const [file, imports] of Object.entries(graph.obj())) {
      if (file.startsWith('core/')) assert.deepEqual(imports.filter((i) => i.startsWith('nodes/')), [], file);
    }
  });
});
