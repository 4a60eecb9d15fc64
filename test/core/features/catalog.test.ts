import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog } from '../../../core/features/catalog';
import { DeclarationError, type ToolDeclaration } from '../../../core/features/declarations';

const tool = (name: string, owner = `node-${name}`): ToolDeclaration => ({ kind: 'tool', owner, definition: { name, inputSchema: { type: 'object' } }, onRequest: () => {} });

describe('the declarations of an endpoint', () => {
  it('lists tools sorted by name, and forgets one removed', () => {
    const catalog = new Catalog();
    catalog.add(tool('zeta'));
    const { remove } = catalog.add(tool('alpha'));
    assert.deepEqual(catalog.list('tools').map((t) => t.name), ['alpha', 'zeta']);
    remove();
    assert.deepEqual(catalog.list('tools').map((t) => t.name), ['zeta']);
  });

  it("refuses a name another node declared, naming that node; the same node may declare it again (a redeploy)", () => {
    const catalog = new Catalog();
    catalog.add(tool('add', 'n1'));
    assert.throws(() => catalog.add(tool('add', 'n2')), (e: Error) => e instanceof DeclarationError && e.code === 'duplicate' && /already declared on this endpoint by node n1/.test(e.message));
    catalog.add(tool('add', 'n1'));
  });

  it('knows whether a task tool is declared as tools are declared, declared again by their node, and removed', () => {
    const catalog = new Catalog();
    const withTask = (name: string, taskSupport: ToolDeclaration['taskSupport'], owner = `node-${name}`): ToolDeclaration => ({ ...tool(name, owner), taskSupport });
    catalog.add(tool('plain'));
    assert.equal(catalog.hasTaskTools, false);
    const first = catalog.add(withTask('job', 'always'));
    assert.equal(catalog.hasTaskTools, true);
    catalog.add(withTask('job', 'never'));
    assert.equal(catalog.hasTaskTools, false, 'declared again by its node without a Task');
    first.remove();
    assert.equal(catalog.hasTaskTools, false, 'the replaced entry removes nothing');
    const second = catalog.add(withTask('later', 'optional'));
    assert.throws(() => catalog.add(withTask('later', 'always', 'another-node')), DeclarationError);
    assert.equal(catalog.hasTaskTools, true, 'a refused duplicate counts nothing');
    second.remove();
    assert.equal(catalog.hasTaskTools, false);
  });

  it('finds a resource by its exact URI first, then by the templates that match it', () => {
    const catalog = new Catalog();
    catalog.add({ kind: 'resource', owner: 'r1', definition: { uri: 'notes://today', name: 'today' }, content: { text: 't' } });
    catalog.add({ kind: 'resource', owner: 'r2', definition: { uriTemplate: 'notes://{day}', name: 'day' }, onRequest: () => {} });
    assert.equal(catalog.resource('notes://today')?.declaration.owner, 'r1');
    assert.deepEqual(catalog.resource('notes://monday'), { declaration: catalog.resource('notes://monday')?.declaration, variables: { day: 'monday' } });
    assert.equal(catalog.resource('other://x'), undefined);
    assert.deepEqual(catalog.list('resources').map((r) => r.uri), ['notes://today']);
    assert.deepEqual(catalog.list('templates').map((r) => r.uriTemplate), ['notes://{day}']);
  });

  it('refuses a resource without an absolute URI or a name, and a broken template', () => {
    const catalog = new Catalog();
    assert.throws(() => catalog.add({ kind: 'resource', owner: 'r', definition: { uri: 'notes.txt', name: 'n' } }), /must be an absolute URI/);
    assert.throws(() => catalog.add({ kind: 'resource', owner: 'r', definition: { uri: 'a://b', name: '' } }), /needs a name/);
    assert.throws(() => catalog.add({ kind: 'resource', owner: 'r', definition: { uriTemplate: 'a://{b', name: 'n' } }), /unclosed/);
  });
});
