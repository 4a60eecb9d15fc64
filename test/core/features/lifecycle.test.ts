import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capabilities, initializeResult, negotiateVersion } from '../../../core/features/lifecycle';

describe('initialize', () => {
  it("answers the client's protocol version when supported, else the newest", () => {
    for (const v of ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']) assert.equal(negotiateVersion(v), v);
    assert.equal(negotiateVersion('2099-01-01'), '2025-11-25');
    assert.equal(negotiateVersion(undefined), '2025-11-25');
  });

  it('declares the capabilities of what is declared, and logging always', () => {
    assert.deepEqual(capabilities({ tools: 0, resources: 0, prompts: 0, completions: false }), { logging: {} });
    assert.deepEqual(capabilities({ tools: 2, resources: 1, prompts: 1, completions: true }), {
      logging: {}, completions: {}, prompts: { listChanged: true }, resources: { subscribe: true, listChanged: true }, tools: { listChanged: true },
    });
  });

  it('sends serverInfo, and instructions unless blank', () => {
    const declared = { tools: 1, resources: 0, prompts: 0, completions: false };
    const serverInfo = { name: 'srv', version: '2.0.0' };
    assert.deepEqual(initializeResult('2025-06-18', declared, { serverInfo, instructions: 'Use add.' }), {
      protocolVersion: '2025-06-18', capabilities: { logging: {}, tools: { listChanged: true } }, serverInfo, instructions: 'Use add.',
    });
    assert.equal('instructions' in initializeResult('2025-06-18', declared, { serverInfo, instructions: '  ' }), false);
  });
});
