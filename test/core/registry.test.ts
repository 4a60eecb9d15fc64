/**
 * The session registry (core/registry.ts): every open session of the process by id, of both
 * transports and every endpoint, and never a closed one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SessionRegistry } from '../../core/registry';
import type { CloseReason, SessionOptions, TransportKind } from '../../core/session';

function options(transport: TransportKind, onClose: SessionOptions['onClose'] = () => {}): SessionOptions {
  return { transport, queueLimits: { messages: 10, bytes: 1024 }, resumeGraceMs: 0, replayEvents: 0, endsWithStream: transport === 'sse', onClose, onWarning: () => {} };
}

describe('session registry', () => {
  it('lists, counts and finds the sessions of each endpoint and of all, of both transports, in the order they opened', () => {
    const registry = new SessionRegistry();
    const a = registry.create('ep1', options('sse'));
    const b = registry.create('ep2', options('streamable-http'));
    const c = registry.create('ep1', options('streamable-http'));
    assert.equal(registry.count(), 3);
    assert.equal(registry.count('ep1'), 2);
    assert.equal(registry.count('nope'), 0);
    assert.deepEqual(registry.list().map((s) => s.id), [a.id, b.id, c.id]);
    assert.deepEqual(registry.list('ep1').map((s) => [s.id, s.info().transport]), [[a.id, 'sse'], [c.id, 'streamable-http']]);
    assert.equal(registry.get(b.id), b);
    assert.equal(registry.get('0b6e4a2c-1f3d-4e5a-9b7c-8d9e0f1a2b3c'), undefined);
  });

  it('drops a session the moment it closes, before its own onClose runs, whatever the reason', () => {
    const registry = new SessionRegistry();
    const seen: Array<[CloseReason, boolean]> = [];
    const reasons: CloseReason[] = ['client-disconnected', 'client-deleted', 'idle-timeout', 'queue-overflow', 'endpoint-closed', 'server-closed'];
    for (const reason of reasons) {
      const session = registry.create('ep1', options('streamable-http', (closed, why) => seen.push([why, registry.get(closed.id) === undefined])));
      session.close(reason);
      session.close('server-closed');
    }
    assert.deepEqual(seen, reasons.map((r) => [r, true]), 'each onClose once, with the first reason, after the registry forgot it');
    assert.equal(registry.count(), 0);
  });

  it('shows only the public facts of each session as JSON (the Node-RED Context sidebar)', () => {
    const registry = new SessionRegistry();
    const session = registry.create('ep1', options('streamable-http'));
    const json = JSON.parse(JSON.stringify(registry)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(json), [session.id]);
    assert.deepEqual(Object.keys(json[session.id]).sort(), ['createdAt', 'endpointId', 'id', 'queued', 'queuedBytes', 'sent', 'transport']);
    assert.equal(json[session.id].transport, 'streamable-http');
    // The sidebar writes a class instance with toString(): it must be that JSON, not [object Object].
    assert.deepEqual(JSON.parse(String(registry)), json);
    session.close('server-closed');
  });
});

describe('session registry, several instances', () => {
  it('counts the sessions on every instance of a clustered endpoint, and shows both counts in the Context sidebar', () => {
    const registry = new SessionRegistry();
    const a = registry.create('ep1', options('sse'));
    registry.create('ep2', options('sse'));
    assert.deepEqual(registry.counts(), { local: 2, cluster: 2 });
    registry.setClusterCount('ep1', 5);
    assert.deepEqual(registry.counts('ep1'), { local: 1, cluster: 5 });
    assert.deepEqual(registry.counts(), { local: 2, cluster: 6 }, 'ep2 counts its own session');
    const shown = JSON.parse(registry.toString());
    assert.deepEqual([shown.local, shown.cluster, Object.keys(shown.sessions).length], [2, 6, 2]);
    assert.equal(shown.sessions[a.id].endpointId, 'ep1');
    registry.setClusterCount('ep1', undefined);
    assert.deepEqual(registry.counts(), { local: 2, cluster: 2 });
    assert.equal(Object.keys(JSON.parse(registry.toString())).length, 2, 'alone again: the sessions by id');
  });
});
