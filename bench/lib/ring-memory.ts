/**
 * The memory of a full activity list (core/workbench/activity-log.ts): an endpoint's ring of the
 * default size (500 entries), filled the way the protocol layer fills it (the observer's `received`
 * when a `tools/call` arrives, `sent` when its response is written), with the recording off and on.
 * Heap in the bench process: several rings are built and kept, the V8 heap is read after a full GC
 * (`--expose-gc`, which scripts/bench.mjs passes) before and after, and the difference is divided by
 * the rings. Without `gc()` the readings are plain `heapUsed` deltas over more rings (noisier).
 */
import { ActivityLog, DEFAULT_ACTIVITY_ENTRIES, MAX_RECORDED_BYTES, type JsonRpcMessage, type ReplyDestination } from './core';

/** One kind of ring measured: what its entries hold, and the heap one full ring takes. */
export interface RingReading {
  label: string;
  /** Bytes of V8 heap per full ring (its entries, their payload strings, the ring's array). */
  bytes: number;
  /** Rings built for the reading. */
  rings: number;
}

/** The ring memory figures: the list's size, whether a full GC ran before each reading, and the readings. */
export interface RingFigures {
  entries: number;
  gc: boolean;
  readings: RingReading[];
}

/** Sessions the entries are spread over (the throughput figures' 20). */
const SESSIONS = 20;

/** A session as the observer sees one: only its id (a v4 UUID) and transport are read. */
function session(k: number): ReplyDestination {
  const id = `${k.toString(16).padStart(8, '0')}-7b1c-4e8a-9f0d-2a6c1e5b3d47`;
  return { id, transport: 'sse', closed: false, send: () => true, keepAlive: () => {} };
}

/** What the entries of a ring carry: the `tools/call` params and the result the flow answers with. */
interface Payloads {
  params: Record<string, unknown>;
  result: Record<string, unknown>;
}

/** The tutorial example's `add`: small params and result. */
const ADD: Payloads = {
  params: { name: 'add', arguments: { a: 2, b: 3 } },
  result: { content: [{ type: 'text', text: '5' }] },
};

/** Params and result each longer than the 16 KiB cut, of `text`, so every recorded payload is cut to 16 KiB. */
function large(text: string): Payloads {
  const long = text.repeat(Math.ceil((MAX_RECORDED_BYTES + 4096) / text.length));
  return { params: { name: 'summarise', arguments: { document: long } }, result: { content: [{ type: 'text', text: long }] } };
}

/** A full ring: `entries` request/response pairs (twice the size, so it has wrapped), spread over the sessions. */
function fill(log: ActivityLog, sessions: ReplyDestination[], payloads: Payloads): void {
  for (let id = 1; id <= log.size * 2; id++) {
    const s = sessions[id % sessions.length];
    log.received(s, 'request', { jsonrpc: '2.0', id, method: 'tools/call', params: payloads.params } as JsonRpcMessage);
    log.sent(s, { jsonrpc: '2.0', id, result: payloads.result } as JsonRpcMessage);
  }
}

function heapUsed(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

/** Heap per full ring of {@link DEFAULT_ACTIVITY_ENTRIES} entries, over `rings` rings. */
function measure(label: string, rings: number, recordPayloads: boolean, payloads: Payloads): RingReading {
  const sessions = Array.from({ length: SESSIONS }, (_, k) => session(k));
  const kept: ActivityLog[] = [];
  const before = heapUsed();
  for (let k = 0; k < rings; k++) {
    const log = new ActivityLog({ size: DEFAULT_ACTIVITY_ENTRIES, recordPayloads });
    fill(log, sessions, payloads);
    kept.push(log);
  }
  const after = heapUsed();
  if (kept.some((log) => log.since(0).length !== DEFAULT_ACTIVITY_ENTRIES)) throw new Error('a ring is not full');
  return { label, bytes: (after - before) / rings, rings };
}

/**
 * Measures the heap of one full activity list of the default size: recording off (the example's
 * `add` calls), recording on with the same calls, and recording on with every params and result cut
 * at 16 KiB, of ASCII text and of text with a character beyond Latin-1 (V8 then keeps the string
 * with two bytes per character).
 */
export function ringMemory(): RingFigures {
  const gc = typeof globalThis.gc === 'function';
  const scale = gc ? 1 : 4;
  return {
    entries: DEFAULT_ACTIVITY_ENTRIES,
    gc,
    readings: [
      measure('recording off', 20 * scale, false, ADD),
      measure('recording on, the example\'s `add` calls', 20 * scale, true, ADD),
      measure('recording on, every params and result cut at 16 KiB (ASCII text)', 3 * scale, true, large('lorem ipsum dolor sit amet ')),
      measure('recording on, every params and result cut at 16 KiB (text beyond Latin-1)', 3 * scale, true, large('lorem ipsum – dolor sit amet ')),
    ],
  };
}
