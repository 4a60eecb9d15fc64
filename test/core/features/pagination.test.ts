import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { paginate } from '../../../core/features/pagination';

describe('list pagination', () => {
  it('walks every item exactly once, page by page, with opaque cursors', () => {
    const items = Array.from({ length: 5 }, (_, i) => i);
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = paginate(items, cursor, 2);
      assert.ok(page);
      seen.push(...page.page);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    assert.deepEqual(seen, items);
    assert.equal(pages, 3);
    assert.deepEqual(paginate(items, undefined, 10), { page: items });
  });

  it('refuses a cursor it did not issue', () => {
    assert.equal(paginate([1, 2], 'not-a-cursor', 1), undefined);
    assert.equal(paginate([1, 2], 42, 1), undefined);
    assert.equal(paginate([1, 2], Buffer.from('o:99').toString('base64url'), 1), undefined);
  });
});
