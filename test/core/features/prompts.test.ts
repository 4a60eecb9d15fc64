import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkPrompt, completionFrom, completionResult, missingArguments, promptResult, renderPrompt } from '../../../core/features/prompts';
import type { PromptDeclaration } from '../../../core/features/declarations';

const explain: PromptDeclaration = {
  kind: 'prompt', owner: 'n1', template: 'Explain {{topic}}{{#audience}} for {{audience}}{{/audience}}.',
  definition: { name: 'explain', description: 'Explains', arguments: [{ name: 'topic', required: true }, { name: 'audience' }] },
};

describe('prompt templates', () => {
  it('fill the arguments in without HTML escaping, as one message of the role', () => {
    assert.deepEqual(renderPrompt(explain, { topic: '<b> & "quotes"' }), { description: 'Explains', messages: [{ role: 'user', content: { type: 'text', text: 'Explain <b> & "quotes".' } }] });
    assert.equal((renderPrompt({ ...explain, role: 'assistant' }, { topic: 'x', audience: 'kids' }).messages as Array<{ role: string; content: { text: string } }>)[0].content.text, 'Explain x for kids.');
  });

  it('name the required arguments a request left out', () => {
    assert.deepEqual(missingArguments(explain, { audience: 'kids' }), ['topic']);
    assert.deepEqual(missingArguments(explain, { topic: 'x' }), []);
  });

  it('refuse a template Mustache cannot parse, and a prompt or argument without a name', () => {
    assert.throws(() => checkPrompt({ ...explain, template: '{{#a}}' }), /not valid Mustache/);
    assert.throws(() => checkPrompt({ ...explain, definition: { name: ' ' } }), /needs a name/);
    assert.throws(() => checkPrompt({ ...explain, definition: { name: 'p', arguments: [{ name: '' }] } }), /argument without a name/);
  });
});

describe("a flow's prompt and completion answers", () => {
  it('shape a string, an array of messages and a full result', () => {
    assert.deepEqual(promptResult('Hi', explain), { messages: [{ role: 'user', content: { type: 'text', text: 'Hi' } }] });
    const messages = [{ role: 'user', content: { type: 'image', data: 'AA==', mimeType: 'image/png' } }];
    assert.deepEqual(promptResult(messages, explain), { messages });
    const full = { description: 'd', messages };
    assert.equal(promptResult(full, explain), full);
  });

  it('offer values by prefix, case-insensitive, at most 100', () => {
    assert.deepEqual(completionFrom(['Paris', 'park', 'Rome'], 'PA'), { completion: { values: ['Paris', 'park'], total: 2, hasMore: false } });
    const many = completionFrom(Array.from({ length: 150 }, (_, i) => `v${i}`), 'v');
    assert.equal((many.completion as { values: string[] }).values.length, 100);
    assert.deepEqual({ ...(many.completion as object), values: undefined }, { values: undefined, total: 150, hasMore: true });
    assert.deepEqual(completionResult(['ab', 'cd'], 'a'), { completion: { values: ['ab'], total: 1, hasMore: false } });
    assert.deepEqual(completionResult({ values: ['x'], hasMore: true }, ''), { completion: { values: ['x'], hasMore: true } });
    assert.deepEqual(completionResult(null, ''), { completion: { values: [] } });
  });
});
