/**
 * Per-tool scopes (core/auth/tool-scopes.ts): the endpoint's list, and declarations by any other
 * source of tools, each withdrawn on its own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseToolScopes, ToolScopes, ToolScopesSyntaxError } from '../../../core/auth/tool-scopes';

describe('per-tool scopes', () => {
  it('reads "tool: scope scope" lines, skipping blank and # lines; scopes may hold colons', () => {
    const table = parseToolScopes('# who may call what\nadd: math:add, mcp:tools\n\n  delete_file :  files:write  \nadd: audit');
    assert.deepEqual([...table], [['add', ['math:add', 'mcp:tools', 'audit']], ['delete_file', ['files:write']]]);
    assert.deepEqual([...parseToolScopes('')], []);
  });

  it('names the line it cannot read', () => {
    for (const [text, line] of [['add math:add', 1], ['ok: s\n: lonely', 2], ['ok: s\n\nadd:', 3]] as const) {
      assert.throws(() => parseToolScopes(text), (error: unknown) => error instanceof ToolScopesSyntaxError && error.line === line && /expected "tool: scope1 scope2"/.test(error.message));
    }
  });

  it('asks the union of every source, and forgets a source that withdraws', () => {
    const scopes = new ToolScopes();
    const removeList = scopes.declareAll(parseToolScopes('add: math:add\nsubtract: math:sub'));
    const removeNode = scopes.declare('add', ['audit', 'math:add']);
    assert.deepEqual(scopes.required('add'), ['math:add', 'audit']);
    assert.deepEqual(scopes.all(), ['math:add', 'audit', 'math:sub']);
    removeNode();
    removeNode();
    assert.deepEqual(scopes.required('add'), ['math:add']);
    removeList();
    assert.deepEqual(scopes.required('add'), []);
    assert.deepEqual(scopes.all(), []);
  });
});
