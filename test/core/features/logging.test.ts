import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isLogLevel, LogLevels } from '../../../core/features/logging';

describe('log levels per session', () => {
  it('let through every message until the client sets a level, then that level and above only', () => {
    const levels = new LogLevels();
    assert.equal(levels.allows('s1', 'debug'), true);
    levels.set('s1', 'warning');
    assert.equal(levels.allows('s1', 'info'), false);
    assert.equal(levels.allows('s1', 'warning'), true);
    assert.equal(levels.allows('s1', 'emergency'), true);
    assert.equal(levels.allows('s1', 'made-up'), true);
    assert.equal(levels.allows('s2', 'debug'), true);
    levels.closeSession('s1');
    assert.equal(levels.allows('s1', 'debug'), true);
    assert.equal(isLogLevel('notice'), true);
    assert.equal(isLogLevel('verbose'), false);
  });
});
