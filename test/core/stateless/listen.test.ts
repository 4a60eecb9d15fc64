/**
 * The `subscriptions/listen` filter (core/stateless/listen.ts): what a listen stream opted in to,
 * as honoured and acknowledged, and which notifications go to it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listenFilter, listenWants } from '../../../core/stateless/listen';

describe('the subscriptions/listen filter', () => {
  it('honours the list-changed keys set to true and the string URIs of resourceSubscriptions, nothing else', () => {
    assert.deepEqual(listenFilter({ toolsListChanged: true, promptsListChanged: false, resourcesListChanged: 'yes', tasks: true, resourceSubscriptions: ['file:///a', 7, 'file:///a', 'file:///b'] }),
      { toolsListChanged: true, resourceSubscriptions: ['file:///a', 'file:///b'] });
    assert.deepEqual(listenFilter(undefined), {});
    assert.deepEqual(listenFilter({ resourceSubscriptions: 'file:///a' }), {});
  });

  it('leaves out what the capabilities do not announce: a list without listChanged, resourceSubscriptions without resources.subscribe', () => {
    const asked = { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true, resourceSubscriptions: ['file:///a'] };
    assert.deepEqual(listenFilter(asked, { logging: {}, tools: { listChanged: true }, prompts: {}, resources: { listChanged: true } }), { toolsListChanged: true, resourcesListChanged: true });
    assert.deepEqual(listenFilter(asked, { resources: { subscribe: true } }), { resourceSubscriptions: ['file:///a'] });
    assert.deepEqual(listenFilter(asked, { tools: {} }), {}, 'a flow that answers everything itself announces no list changes');
  });

  it('lets through the list-changed notifications named and resources/updated for a subscribed URI only', () => {
    const filter = listenFilter({ toolsListChanged: true, resourceSubscriptions: ['file:///a'] });
    assert.equal(listenWants(filter, 'notifications/tools/list_changed', {}), true);
    assert.equal(listenWants(filter, 'notifications/prompts/list_changed', {}), false);
    assert.equal(listenWants(filter, 'notifications/resources/updated', { uri: 'file:///a' }), true);
    assert.equal(listenWants(filter, 'notifications/resources/updated', { uri: 'file:///b' }), false);
    assert.equal(listenWants(filter, 'notifications/resources/updated', undefined), false);
    assert.equal(listenWants(filter, 'notifications/message', { level: 'info' }), false, 'what no filter names never goes to a listen stream');
  });
});
