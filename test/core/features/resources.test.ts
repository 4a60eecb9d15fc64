import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readResult, staticContents, Subscriptions, UriTemplate } from '../../../core/features/resources';

describe('RFC 6570 URI templates, read backwards', () => {
  it('reads simple, reserved, path, label, matrix and query expressions', () => {
    assert.deepEqual(new UriTemplate('test://template/{id}/data').match('test://template/123/data'), { id: '123' });
    assert.equal(new UriTemplate('test://template/{id}/data').match('test://template/1/2/data'), undefined);
    assert.deepEqual(new UriTemplate('file:///{+path}').match('file:///docs/a%20b.md'), { path: 'docs/a b.md' });
    assert.deepEqual(new UriTemplate('repo://x{/owner,name}').match('repo://x/ada/engine'), { owner: 'ada', name: 'engine' });
    assert.deepEqual(new UriTemplate('img://logo{.ext}').match('img://logo.png'), { ext: 'png' });
    assert.deepEqual(new UriTemplate('map://here{;lat,lon}').match('map://here;lat=1.5;lon=2'), { lat: '1.5', lon: '2' });
    assert.deepEqual(new UriTemplate('search://docs{?q,lang}').match('search://docs?lang=en&q=tide%20tables'), { q: 'tide tables', lang: 'en' });
    assert.deepEqual(new UriTemplate('search://docs{?q}').match('search://docs'), {});
    assert.deepEqual(new UriTemplate('w://{city}/{day}').match('w://Paris/mon'), { city: 'Paris', day: 'mon' });
    assert.deepEqual(new UriTemplate('w://{city}/{day}').variables, ['city', 'day']);
  });

  it('refuses a template with an unclosed or empty expression', () => {
    assert.throws(() => new UriTemplate('x://{id'), /unclosed/);
    assert.throws(() => new UriTemplate('x://{}'), /invalid expression/);
  });
});

describe('resources/read contents', () => {
  const def = { uri: 'notes://a', name: 'a', mimeType: 'text/markdown' };
  it('gives static text and bytes with the URI read and the MIME type', () => {
    assert.deepEqual(staticContents('notes://a', def, { text: '# A' }), { contents: [{ uri: 'notes://a', mimeType: 'text/markdown', text: '# A' }] });
    assert.deepEqual(staticContents('notes://a', { name: 'a' }, { blob: 'AA==' }), { contents: [{ uri: 'notes://a', blob: 'AA==' }] });
  });

  it("shapes a flow's string, Buffer, item, full result and other values", () => {
    assert.deepEqual(readResult('# A', 'notes://a', def), { contents: [{ uri: 'notes://a', mimeType: 'text/markdown', text: '# A' }] });
    assert.deepEqual(readResult(Buffer.from([1, 2, 3]), 'notes://a', def), { contents: [{ uri: 'notes://a', mimeType: 'text/markdown', blob: 'AQID' }] });
    assert.deepEqual(readResult({ text: 'x', mimeType: 'text/plain' }, 'notes://a', def), { contents: [{ uri: 'notes://a', mimeType: 'text/plain', text: 'x' }] });
    const full = { contents: [{ uri: 'notes://b', text: 'b' }] };
    assert.equal(readResult(full, 'notes://a', def), full);
    assert.deepEqual(readResult({ id: 1 }, 'notes://a', def), { contents: [{ uri: 'notes://a', mimeType: 'text/markdown', text: '{"id":1}' }] });
  });
});

describe('subscriptions', () => {
  it('are per session and end with it', () => {
    const subs = new Subscriptions();
    subs.subscribe('s1', 'test://w');
    assert.equal(subs.has('s1', 'test://w'), true);
    assert.equal(subs.has('s2', 'test://w'), false);
    subs.unsubscribe('s1', 'test://w');
    assert.equal(subs.has('s1', 'test://w'), false);
    subs.subscribe('s1', 'test://w');
    subs.closeSession('s1');
    assert.equal(subs.has('s1', 'test://w'), false);
  });
});
