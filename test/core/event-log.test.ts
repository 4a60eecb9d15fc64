import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventLog, parseEventId } from '../../core/event-log';

describe('EventLog, the replay ring', () => {
  it('gives exactly the events after any seq it still holds, in order, and undefined once some are gone', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 70 }), (capacity, sent, seq) => {
      const log = new EventLog(capacity);
      for (let i = 1; i <= sent; i++) log.append({ seq: i, stream: 0, message: `event ${i}` });
      const got = log.after(seq, sent);
      if (seq > sent || sent - seq > capacity) {
        assert.equal(got, undefined);
      } else {
        assert.deepEqual(got?.map((e) => e.seq), Array.from({ length: sent - seq }, (_, k) => seq + k + 1));
        assert.deepEqual(got?.map((e) => e.message), Array.from({ length: sent - seq }, (_, k) => `event ${seq + k + 1}`));
      }
      assert.equal(log.length, Math.min(sent, capacity));
    }));
  });
});

describe('parseEventId', () => {
  it('reads only ids this package issues', () => {
    assert.deepEqual(parseEventId('4c0ffee0-0000-4000-8000-000000000000:12'), { sessionId: '4c0ffee0-0000-4000-8000-000000000000', seq: 12 });
    for (const bad of ['', '12', '4c0ffee0-0000-4000-8000-000000000000', '4c0ffee0-0000-4000-8000-000000000000:', '4c0ffee0-0000-4000-8000-000000000000:-1',
      '4c0ffee0-0000-4000-8000-000000000000:01', '4c0ffee0-0000-4000-8000-000000000000:99999999999999999', 'x:1']) {
      assert.equal(parseEventId(bad), undefined, bad);
    }
  });
});
