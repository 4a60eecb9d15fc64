import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkArguments, compileTool, toolResult } from '../../../core/features/tools';
import { DeclarationError } from '../../../core/features/declarations';

const add = compileTool({ name: 'add', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false } });

describe('tool schemas, checked when declared', () => {
  it('refuses a schema that is not JSON Schema, not of type object, or a bad name, saying why', () => {
    assert.throws(() => compileTool({ name: 'x', inputSchema: { type: 'object', properties: { a: { type: 'numbr' } } } }),
      (e: Error) => e instanceof DeclarationError && e.code === 'invalid-schema' && /input schema of tool "x" is not valid JSON Schema 2020-12/.test(e.message));
    assert.throws(() => compileTool({ name: 'x', inputSchema: { type: 'array' } }), /must have "type": "object"/);
    assert.throws(() => compileTool({ name: 'x', inputSchema: { type: 'object' }, outputSchema: { type: 'object', required: 'a' } }), /output schema of tool "x"/);
    assert.throws(() => compileTool({ name: 'two words', inputSchema: { type: 'object' } }), (e: Error) => e instanceof DeclarationError && e.code === 'invalid-definition');
  });

  it('reads 2020-12 ($defs, $ref) by default, and draft-07 when $schema names it', () => {
    const v2020 = compileTool({ name: 't', inputSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', $defs: { n: { type: 'number' } }, properties: { a: { $ref: '#/$defs/n' } } } });
    assert.equal(checkArguments('t', v2020, { a: 'x' }).ok, false);
    const v07 = compileTool({ name: 't', inputSchema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', definitions: { n: { type: 'number' } }, properties: { a: { $ref: '#/definitions/n' } } } });
    assert.equal(checkArguments('t', v07, { a: 1 }).ok, true);
    assert.equal(checkArguments('t', v07, { a: 'x' }).ok, false);
  });
});

describe('arguments of a call', () => {
  it('passes valid arguments on, and a missing arguments as {}', () => {
    assert.deepEqual(checkArguments('add', add, { a: 1, b: 2 }), { ok: true, args: { a: 1, b: 2 } });
    const none = compileTool({ name: 'n', inputSchema: { type: 'object', properties: {} } });
    assert.deepEqual(checkArguments('n', none, undefined), { ok: true, args: {} });
  });

  it('answers invalid ones with a tool error that names every problem', () => {
    const checked = checkArguments('add', add, { a: 'two', c: 1 });
    assert.equal(checked.ok, false);
    if (checked.ok) return;
    assert.equal(checked.result.isError, true);
    const text = (checked.result.content as Array<{ text: string }>)[0].text;
    assert.match(text, /^Invalid arguments for tool add: /);
    assert.match(text, /arguments\/a must be number/);
    assert.match(text, /arguments must have required property 'b'/);
    assert.match(text, /arguments must not have property 'c'/);
    assert.match((checkArguments('add', add, [1, 2]) as { message: string }).message, /arguments must be an object/);
  });
});

describe('what a flow answers, as a tool result', () => {
  const withOutput = compileTool({ name: 'w', inputSchema: { type: 'object' }, outputSchema: { type: 'object', properties: { t: { type: 'number' } }, required: ['t'] } });

  it('makes strings, numbers and booleans text', () => {
    assert.deepEqual(toolResult('hi', add), { content: [{ type: 'text', text: 'hi' }] });
    assert.deepEqual(toolResult(5, add), { content: [{ type: 'text', text: '5' }] });
    assert.deepEqual(toolResult(false, add), { content: [{ type: 'text', text: 'false' }] });
  });

  it('sends { content } as it is, and makes { isError: true } and a caught error tool errors', () => {
    const content = { content: [{ type: 'image', data: 'AA==', mimeType: 'image/png' }], _meta: { x: 1 } };
    assert.equal(toolResult(content, add), content);
    assert.deepEqual(toolResult({ isError: true, message: 'no such city' }, add), { content: [{ type: 'text', text: 'no such city' }], isError: true });
    assert.deepEqual(toolResult('ignored', add, 'connect ECONNREFUSED'), { content: [{ type: 'text', text: 'connect ECONNREFUSED' }], isError: true });
  });

  it('makes an object structuredContent plus its JSON with an output schema, and only its JSON without', () => {
    assert.deepEqual(toolResult({ t: 12 }, withOutput), { content: [{ type: 'text', text: '{"t":12}' }], structuredContent: { t: 12 } });
    assert.deepEqual(toolResult({ t: 12 }, add), { content: [{ type: 'text', text: '{"t":12}' }] });
    const wrong = toolResult({ t: 'warm' }, withOutput);
    assert.equal(wrong.isError, true);
    assert.match((wrong.content as Array<{ text: string }>)[0].text, /does not match its output schema: result\/t must be number/);
  });
});
