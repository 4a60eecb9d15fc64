import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventLog } from '../../src/core/event-log';

describe('EventLog, the replay ring', () => {
  it('gives exactly the events after any seq it still holds, in order, and undefined once some are gone', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 70 }), (capacity, sent, seq) => {
      const log = new EventLog(capacity);
      for (let i = 1; i <= sent; i++) log.append({ seq: i, body: `event ${i}` });
      const got = log.after(seq, sent);
      if (seq > sent || sent - seq > capacity) {
        assert.equal(got, undefined);
      } else {
        assert.deepEqual(got?.map((e) => e.seq), Array.from({ length: sent - seq }, (_, k) => seq + k + 1));
        assert.deepEqual(got?.map((e) => e.body), Array.from({ length: sent - seq }, (_, k) => `event ${seq + k + 1}`));
      }
      assert.equal(log.length, Math.min(sent, capacity));
    }));
  });
});
