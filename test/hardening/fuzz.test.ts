/**
 * Property-based fuzzing (fast-check) of the message parser and the SSE writer: whatever the
 * input, the parser never throws and classifies consistently, and what an independent SSE parser
 * reconstructs from the writer's output is exactly the event that was written, never more. Then
 * arbitrary bodies and headers against a live endpoint, on both transports' paths.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classifyMessage } from '../../core/jsonrpc';
import { formatComment, formatEvent, type SseEvent } from '../../core/sse';
import { jsonDepthExceeds } from '../../core/http';
import { startCoreServer, type CoreServer } from '../support/core-server';
import { openSse, request, type SseConnection } from '../support/sse-client';
import { messagesOf, StreamableClient, type StreamableAnswer } from '../support/streamable-client';

interface ParsedEvent {
  type: string;
  data: string;
  id: string | undefined;
  retry: number | undefined;
}

/**
 * The WHATWG "event stream interpretation" algorithm, written from the spec for this test and
 * independent of the package: lines end at CRLF, CR or LF; one space after the colon is dropped;
 * `data` lines join with LF; a blank line dispatches; an `id` containing NUL is ignored; the last
 * event id persists across events.
 */
function parseEventStream(text: string): { events: ParsedEvent[]; comments: number } {
  const events: ParsedEvent[] = [];
  let comments = 0;
  let data: string[] = [];
  let type = '';
  let lastId: string | undefined;
  let retry: number | undefined;
  let sawData = false;
  const lines = text.split(/\r\n|\r|\n/);
  lines.pop(); // text after the last line break is an unfinished line
  for (const line of lines) {
    if (line === '') {
      if (sawData) events.push({ type: type === '' ? 'message' : type, data: data.join('\n'), id: lastId, retry });
      data = [];
      type = '';
      retry = undefined;
      sawData = false;
      continue;
    }
    if (line.startsWith(':')) {
      comments++;
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      data.push(value);
      sawData = true;
    } else if (field === 'event') type = value;
    else if (field === 'id') {
      if (!value.includes('\0')) lastId = value;
    } else if (field === 'retry') {
      if (/^\d+$/.test(value)) retry = Number(value);
    }
  }
  return { events, comments };
}

const anyText = fc.string({ unit: 'binary', maxLength: 60 });
/** Text rich in the characters that could forge fields. */
const hostileText = fc.string({
  unit: fc.constantFrom('\r', '\n', '\0', ':', ' ', 'data', 'event', 'id', 'retry', '\r\n\r\n', '\n\ndata: x', 'a', 'é', '\u2028', '\uFEFF'),
  maxLength: 20,
});
const text = fc.oneof(anyText, hostileText);

const sseEvent: fc.Arbitrary<SseEvent> = fc.record(
  { event: text, id: text, retry: fc.oneof(fc.nat(), fc.integer(), fc.double()), data: text },
  { requiredKeys: ['data'] },
);

describe('fuzz: the SSE writer', () => {
  it('either refuses a field value that could forge fields, or writes exactly one event that parses back unchanged', () => {
    fc.assert(fc.property(sseEvent, (event) => {
      let framed: string;
      try {
        framed = formatEvent(event);
      } catch (error) {
        assert.ok(error instanceof TypeError);
        const forging = [event.event, event.id].some((v) => v !== undefined && /[\r\n\0]/.test(v));
        const badRetry = event.retry !== undefined && !(Number.isSafeInteger(event.retry) && event.retry >= 0);
        assert.ok(forging || badRetry, `refused a harmless event: ${JSON.stringify(event)}`);
        return;
      }
      const { events, comments } = parseEventStream(framed);
      assert.equal(comments, 0);
      assert.equal(events.length, 1, `one event, not ${events.length}: ${JSON.stringify(framed)}`);
      const [got] = events;
      assert.equal(got.type, event.event === undefined || event.event === '' ? 'message' : event.event);
      assert.equal(got.id, event.id);
      assert.ok(got.retry === event.retry, `retry ${got.retry} !== ${event.retry}`);
      assert.equal(got.data, event.data.replace(/\r\n|\r/g, '\n'));
      assert.ok(framed.endsWith('\n\n'));
    }), { numRuns: 3000 });
  });

  it('keeps a stream of events, comments and JSON messages apart: each parses back in order', () => {
    const item = fc.oneof(
      fc.record({ kind: fc.constant('event' as const), event: fc.record({ event: fc.constantFrom('message', 'endpoint'), data: text }) }),
      fc.record({ kind: fc.constant('comment' as const), text }),
      fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue() }),
    );
    fc.assert(fc.property(fc.array(item, { maxLength: 20 }), (items) => {
      let stream = '';
      const expected: string[] = [];
      let expectedComments = 0;
      for (const it of items) {
        if (it.kind === 'comment') {
          stream += formatComment(it.text);
          expectedComments++;
        } else if (it.kind === 'json') {
          const data = JSON.stringify(it.value);
          stream += formatEvent({ event: 'message', data });
          expected.push(data);
        } else {
          stream += formatEvent(it.event);
          expected.push(it.event.data.replace(/\r\n|\r/g, '\n'));
        }
      }
      const { events, comments } = parseEventStream(stream);
      assert.equal(comments, expectedComments);
      assert.deepEqual(events.map((e) => e.data), expected);
      for (const [i, it] of items.filter((x) => x.kind === 'json').entries()) {
        const jsonEvents = events.filter((_, k) => items.filter((x) => x.kind !== 'comment')[k].kind === 'json');
        assert.deepEqual(JSON.parse(jsonEvents[i].data), JSON.parse(JSON.stringify((it as { value: unknown }).value)));
      }
    }), { numRuns: 1000 });
  });
});

describe('fuzz: the message parser', () => {
  it('classifies any JSON value without throwing, and consistently with its shape', () => {
    const messageLike = fc.record({
      jsonrpc: fc.oneof(fc.constant('2.0'), fc.jsonValue()),
      id: fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.jsonValue()),
      method: fc.oneof(fc.string(), fc.jsonValue()),
      params: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
      result: fc.jsonValue(),
      error: fc.oneof(fc.record({ code: fc.oneof(fc.integer(), fc.jsonValue()), message: fc.oneof(fc.string(), fc.jsonValue()) }), fc.jsonValue()),
    }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(fc.anything(), fc.jsonValue(), messageLike), (value) => {
      const result = classifyMessage(value);
      if (!result.ok) {
        assert.equal(typeof result.reason, 'string');
        return;
      }
      const m = value as Record<string, unknown>;
      assert.equal(m.jsonrpc, '2.0');
      if ('id' in m) assert.ok(typeof m.id === 'string' || Number.isSafeInteger(m.id));
      if (result.kind === 'request') assert.ok(typeof m.method === 'string' && 'id' in m);
      if (result.kind === 'notification') assert.ok(typeof m.method === 'string' && !('id' in m));
      if (result.kind === 'response') assert.ok('id' in m && ('result' in m) !== ('error' in m));
    }), { numRuns: 5000 });
  });

  it('measures nesting depth exactly as JSON.parse builds it', () => {
    const depthOf = (v: unknown): number => (typeof v === 'object' && v !== null
      ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf)) : 0);
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, max) => {
      assert.equal(jsonDepthExceeds(JSON.stringify(value), max), depthOf(value) > max);
    }), { numRuns: 3000 });
  });
});

/** A message-like object: mostly valid JSON-RPC requests, notifications and responses, with odd fields. */
const messageLike = fc.record({
  jsonrpc: fc.oneof(fc.constant('2.0'), fc.constant('2.0'), fc.jsonValue()),
  id: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()),
  method: fc.oneof(fc.constantFrom('ping', 'tools/call', 'notifications/initialized', 'initialize'), fc.string()),
  params: fc.jsonValue(),
  result: fc.jsonValue(),
}, { requiredKeys: [] });

/** Any body a client could POST: random text and bytes, any JSON, message-like objects and batches of them. */
const anyBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ jsonrpc: fc.constant('2.0'), id: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()), method: fc.string(), params: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  messageLike.map((v) => JSON.stringify(v)),
  fc.array(messageLike, { maxLength: 5 }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

describe('fuzz: arbitrary bodies posted to a live endpoint', () => {
  let server: CoreServer;
  let healthy: SseConnection;
  before(async () => {
    server = await startCoreServer({ maxBodyBytes: 16 * 1024 });
    server.endpoint.messageReceived.add(({ session, kind, message }) => {
      if (kind === 'request' && 'id' in message) session.send({ jsonrpc: '2.0', id: message.id as string | number, result: {} });
    });
    healthy = await openSse(`${server.url}/sse`);
  });
  after(async () => {
    healthy.close();
    await server.close();
  });

  it('answers 202 or a JSON-RPC error for every body, and the session keeps working', async () => {
    await fc.assert(fc.asyncProperty(anyBody, async (payload) => {
      const answer = await request(`${server.url}${healthy.endpoint}`, { headers: { 'Content-Type': 'application/json' }, body: payload });
      if (answer.status === 202) return;
      assert.equal(answer.status, 400, answer.body);
      const json = answer.json as { jsonrpc: string; error: { code: number; message: string } };
      assert.equal(json.jsonrpc, '2.0');
      assert.ok([-32700, -32600, -32000].includes(json.error.code), answer.body);
    }), { numRuns: 300 });
    const posted = await request(`${server.url}${healthy.endpoint}`, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 'after-fuzz', method: 'ping' }) });
    assert.equal(posted.status, 202);
    for (;;) {
      const data = JSON.parse((await healthy.nextEvent()).data) as { id?: unknown };
      if (data.id === 'after-fuzz') break;
    }
  });
});

describe('fuzz: the Streamable HTTP path (/mcp)', () => {
  let server: CoreServer;
  let healthy: StreamableClient;
  let standalone: StreamableAnswer;
  before(async () => {
    server = await startCoreServer({ maxBodyBytes: 16 * 1024 });
    // The "flow": answers every request at once; the response goes on its POST's stream.
    server.endpoint.messageReceived.add(({ session, kind, message }) => {
      if (kind === 'request' && 'id' in message) session.send({ jsonrpc: '2.0', id: message.id as string | number, result: {} });
    });
    healthy = new StreamableClient(`${server.url}/mcp`);
    // 2025-03-26, the last revision with batches, so batched bodies are answered too.
    await (await healthy.initialize('init', {}, '2025-03-26')).stream?.ended;
    standalone = await healthy.get();
    assert.equal(standalone.status, 200);
  });
  after(async () => {
    healthy.closeAll();
    await server.close();
  });

  /** The healthy session is answered on its POST's stream, and its standalone stream still carries broadcasts. */
  async function stillAnswered(id: string): Promise<void> {
    const answer = await healthy.post({ jsonrpc: '2.0', id, method: 'ping' });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(await answer.stream?.ended, true);
    assert.deepEqual(messagesOf(answer.stream!), [{ jsonrpc: '2.0', id, result: {} }]);
    server.endpoint.broadcast({ method: 'notifications/message', params: { level: 'info', data: id } });
    for (;;) {
      const data = JSON.parse((await standalone.stream!.nextEvent()).data) as { params?: { data?: unknown } };
      if (data.params?.data === id) break;
    }
  }

  it('answers 202, a stream with exactly the responses to the requests posted, or a JSON-RPC error, for every body', async () => {
    await fc.assert(fc.asyncProperty(anyBody, async (payload) => {
      const answer = await healthy.post(payload);
      if (answer.status === 202) {
        assert.equal(answer.body, '');
        return;
      }
      if (answer.status === 200) {
        assert.ok(answer.stream, `200 is a stream: ${String(answer.headers['content-type'])}`);
        assert.equal(await answer.stream.ended, true, 'the stream ends once its requests are answered');
        const parsed = JSON.parse(payload.toString()) as unknown;
        const requestIds = (Array.isArray(parsed) ? parsed : [parsed])
          .filter((m: { method?: unknown; id?: unknown }) => typeof m.method === 'string' && 'id' in m)
          .map((m: { id: unknown }) => JSON.stringify(m.id));
        const responses = messagesOf(answer.stream) as Array<{ id: unknown; result: unknown }>;
        assert.deepEqual([...new Set(responses.map((r) => JSON.stringify(r.id)))].sort(), [...new Set(requestIds)].sort());
        for (const r of responses) assert.deepEqual(r.result, {});
        return;
      }
      assert.ok(answer.status === 400 || answer.status === 413, `${answer.status}: ${answer.body}`);
      const json = answer.json as { jsonrpc: string; error: { code: number; message: string } };
      assert.equal(json.jsonrpc, '2.0');
      assert.ok([-32700, -32600, -32000].includes(json.error.code), answer.body);
    }), { numRuns: 300 });
    await stillAnswered('after-body-fuzz');
  });

  it('takes a request only with the session\'s own Mcp-Session-Id and a supported MCP-Protocol-Version', async () => {
    const supported = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
    const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 60 });
    const sessionId = fc.oneof(fc.constant(undefined), printable, fc.uuid(), fc.uuid().map((u) => u.toUpperCase()));
    const version = fc.oneof(fc.constant(undefined), printable, fc.constantFrom(...supported),
      fc.constantFrom(...supported).map((v) => ` ${v} `), fc.constantFrom(...supported).map((v) => `${v}x`));
    let n = 0;
    await fc.assert(fc.asyncProperty(sessionId, version, async (id, v) => {
      const before = server.received.length;
      const answer = await healthy.post({ jsonrpc: '2.0', method: 'notifications/fuzz', params: { n: n++ } }, { 'Mcp-Session-Id': id ?? null, 'MCP-Protocol-Version': v ?? null });
      // Node trims the optional whitespace around a header value.
      const ownSession = id !== undefined && id.trim() === healthy.sessionId;
      const goodVersion = v === undefined || supported.includes(v.trim());
      if (ownSession && goodVersion) {
        assert.equal(answer.status, 202, answer.body);
        assert.equal(server.received.length, before + 1);
        return;
      }
      // Any other id of visible ASCII (ours or another server's) names no session here: 404; a missing,
      // empty or malformed one (a space inside) is a bad request: 400.
      const expected = !ownSession && id !== undefined && /^[\x21-\x7e]{1,1024}$/.test(id.trim()) ? 404 : 400;
      assert.equal(answer.status, expected, `${String(id)} / ${String(v)}: ${answer.body}`);
      // Without a session id, a version header that is not a 2025 one makes it a 2026-07-28 stateless
      // request: its envelope errors (-32020 header mismatch, -32022 unknown version, -32602 no _meta).
      const codes = expected === 404 ? [-32001] : id === undefined && v !== undefined ? [-32000, -32020, -32022, -32602] : [-32000];
      const code = (answer.json as { error: { code: number } }).error.code;
      assert.ok(codes.includes(code), `${String(id)} / ${String(v)}: ${code} not in ${codes.join(', ')}`);
      assert.equal(server.received.length, before, 'nothing reached the flow');
    }), { numRuns: 300 });
    await stillAnswered('after-header-fuzz');
  });
});
