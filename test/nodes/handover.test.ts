/**
 * The pieces of a deploy that the endpoint config node relies on, on their own: which deploys keep
 * it (`keptByDeploy`, from Node-RED's diff), what counts as the same settings
 * (`settingsFingerprint`), that parked endpoints belong to their runtime, and how a route without
 * an owner holds a request during a deploy (`deployBegan`) and lets it go when the deploy is done
 * (`settleParked`).
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { EventEmitter } from 'node:events';
import express from 'express';
import type { McpEndpoint } from '../../core';
import { adoptEndpoint, keptByDeploy, parkEndpoint, settingsFingerprint } from '../../nodes/lib/endpoint-handover';
import { deployBegan, REDEPLOY_GRACE_MS, serveRoute, settleParked } from '../../nodes/lib/routes';
import { listenOnLoopback } from '../support/core-server';
import { request } from '../support/sse-client';

describe('keptByDeploy', () => {
  const diff = (changed: string[], removed: string[] = []): object => ({ diff: { added: [], changed, removed, rewired: [], linked: [], flowChanged: [], globalConfigChanged: false } });

  it('is true for a deploy that neither changes nor removes the node', () => {
    assert.equal(keptByDeploy(diff([]), 'ep'), true);
    assert.equal(keptByDeploy(diff(['tab1', 'other']), 'ep'), true);
  });

  it('is false when the deploy changes or removes it, and when the flows stop without a deploy', () => {
    assert.equal(keptByDeploy(diff(['ep']), 'ep'), false);
    assert.equal(keptByDeploy(diff([], ['ep']), 'ep'), false);
    // Node-RED stopping: the stop makes up a diff of empty lists, without globalConfigChanged.
    assert.equal(keptByDeploy({ diff: { added: [], changed: [], removed: [], rewired: [], linked: [], flowChanged: [] } }, 'ep'), false);
    assert.equal(keptByDeploy(undefined, 'ep'), false);
  });
});

describe('settingsFingerprint', () => {
  const def = { id: 'ep', type: 'mcp-sse-endpoint', ssePath: '/sse', streamable: true };

  it('is the same for the same settings, whatever the key order and the nodes that use it', () => {
    const a = settingsFingerprint(def, { authToken: 't' }, { tls: undefined });
    const b = settingsFingerprint({ streamable: true, _users: ['in1', 'in2'], ssePath: '/sse', type: 'mcp-sse-endpoint', id: 'ep' }, { authToken: 't' }, {});
    assert.equal(a, b);
  });

  it('differs for any other setting, credential, or extra input (TLS files as bytes)', () => {
    const base = settingsFingerprint(def, { authToken: 't' }, {});
    assert.notEqual(settingsFingerprint({ ...def, ssePath: '/other' }, { authToken: 't' }, {}), base);
    assert.notEqual(settingsFingerprint({ ...def, newSetting: 1 }, { authToken: 't' }, {}), base);
    assert.notEqual(settingsFingerprint(def, { authToken: 'u' }, {}), base);
    assert.notEqual(settingsFingerprint(def, { authToken: 't' }, { tls: { ca: Buffer.from('a') } }),
      settingsFingerprint(def, { authToken: 't' }, { tls: { ca: Buffer.from('b') } }));
  });
});

describe('parked endpoints', () => {
  /** A runtime as the hand-over sees it: its HTTP node app and its event emitter. */
  const runtime = (): { httpNode: object; events: EventEmitter } => ({ httpNode: {}, events: new EventEmitter() });
  /** Endpoints closed so far. */
  const closed = new Set<McpEndpoint>();
  /** An endpoint that records in `closed` when it is closed. */
  const endpoint = (): McpEndpoint => {
    const fake = { close: async () => { closed.add(fake as unknown as McpEndpoint); } };
    return fake as unknown as McpEndpoint;
  };

  it('belong to their runtime: another runtime\'s end of deploy, or a node of the same id there, leaves them alone', () => {
    const [a, b] = [runtime(), runtime()];
    const [inA, inB] = [endpoint(), endpoint()];
    const released: string[] = [];
    parkEndpoint(a as never, 'ep', inA, 'fp', () => released.push('a'));
    parkEndpoint(b as never, 'ep', inB, 'fp', () => released.push('b'));
    assert.equal(closed.has(inA), false, 'parking the same id in another runtime keeps this one');
    a.events.emit('flows:started');
    assert.equal(closed.has(inA), true, 'its own deploy is done without a successor: closed');
    assert.deepEqual(released, ['a']);
    assert.equal(closed.has(inB), false, 'the other runtime\'s is still parked');
    assert.equal(adoptEndpoint(a as never, 'ep', 'fp'), undefined);
    const adopted = adoptEndpoint(b as never, 'ep', 'fp');
    assert.equal(adopted?.endpoint, inB);
    adopted?.release();
    assert.deepEqual(released, ['a', 'b']);
    b.events.emit('flows:started');
    assert.equal(closed.has(inB), false, 'adopted: no longer parked');
    assert.equal(a.events.listenerCount('flows:started') + b.events.listenerCount('flows:started'), 0, 'no listener left behind');
  });
});

describe('a route without an owner during a deploy', () => {
  let closeServer: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await closeServer?.();
    closeServer = undefined;
  });

  async function serve(app: express.Express): Promise<string> {
    const listening = await listenOnLoopback(http.createServer(app));
    closeServer = listening.close;
    return listening.url;
  }
  const answer = (text: string) => (_req: express.Request, res: express.Response): void => {
    res.end(text);
  };

  it('holds a request until the next owner serves the route', async () => {
    const app = express();
    const url = await serve(app);
    const stop = serveRoute(app as never, 'get', '/r', 'node-a', answer('a'));
    assert.equal((await request(`${url}/r`, { method: 'GET' })).body, 'a');
    stop();
    const waiting = request(`${url}/r`, { method: 'GET' });
    await new Promise((r) => setTimeout(r, 50));
    serveRoute(app as never, 'get', '/r', 'node-a', answer('a again'));
    assert.equal((await waiting).body, 'a again');
  });

  it('holds a request during a deploy until the next owner serves the route, past the wait of an unannounced change', async () => {
    const app = express();
    const url = await serve(app);
    const stop = serveRoute(app as never, 'get', '/slow', 'node-a', answer('a'));
    deployBegan(app as never, 10_000);
    stop();
    const waiting = request(`${url}/slow`, { method: 'GET' });
    await new Promise((r) => setTimeout(r, REDEPLOY_GRACE_MS + 300));
    serveRoute(app as never, 'get', '/slow', 'node-a', answer('a again'));
    assert.deepEqual([(await waiting).status, (await waiting).body], [200, 'a again']);
  });

  it('lets a request held during a deploy go to 404 when the wait announced runs out', async () => {
    const app = express();
    const url = await serve(app);
    serveRoute(app as never, 'get', '/never', 'node-a', answer('a'))();
    settleParked(app as never);
    deployBegan(app as never, 300);
    const sent = Date.now();
    assert.equal((await request(`${url}/never`, { method: 'GET' })).status, 404);
    assert.ok(Date.now() - sent >= 250, 'it waited for the deploy first');
  });

  it('lets a held request go to a fallback that serves now, when it registers', async () => {
    const app = express();
    const url = await serve(app);
    serveRoute(app as never, 'get', '/f', 'in-node', answer('in'))();
    const waiting = request(`${url}/f`, { method: 'GET' });
    await new Promise((r) => setTimeout(r, 50));
    const registered = Date.now();
    serveRoute(app as never, 'get', '/f', 'endpoint', answer('fallback'), [], undefined, () => true);
    assert.equal((await waiting).body, 'fallback');
    assert.ok(Date.now() - registered < REDEPLOY_GRACE_MS, 'at once, not when the wait for an owner runs out');
  });

  it('answers 404 at once once the deploy is done and nobody serves the route', async () => {
    const app = express();
    const url = await serve(app);
    serveRoute(app as never, 'get', '/gone', 'node-a', answer('a'))();
    const waiting = request(`${url}/gone`, { method: 'GET' });
    await new Promise((r) => setTimeout(r, 50));
    const settled = Date.now();
    settleParked(app as never);
    assert.equal((await waiting).status, 404);
    assert.equal((await request(`${url}/gone`, { method: 'GET' })).status, 404);
    assert.ok(Date.now() - settled < REDEPLOY_GRACE_MS, 'both at once, not when the wait for an owner runs out');
  });
});
