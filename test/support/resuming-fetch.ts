/**
 * A `fetch` for the MCP SDK's `SSEClientTransport` that makes its reconnects resume the session.
 *
 * The transport's EventSource (package `eventsource`) sends `Last-Event-ID` when it reconnects,
 * but the SDK's transport (1.32.2, and 2.4.0 of @modelcontextprotocol/client) gives the EventSource a fetch wrapper that replaces the request's
 * headers with its own, so the header never leaves. This fetch remembers the id of the last event
 * it saw on the stream and puts it back on the reconnecting GET. Usage:
 * `new SSEClientTransport(url, { fetch: resumingFetch() })`. docs/server-push.md shows the same recipe.
 */
export function resumingFetch(base: typeof fetch = fetch): typeof fetch {
  let lastEventId: string | undefined;
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    const isStream = (init?.method ?? 'GET').toUpperCase() === 'GET' && (headers.get('accept') ?? '').includes('text/event-stream');
    if (!isStream) return base(input, init);
    if (lastEventId !== undefined && !headers.has('last-event-id')) headers.set('Last-Event-ID', lastEventId);
    const response = await base(input, { ...init, headers });
    if (response.body === null) return response;
    const decoder = new TextDecoder();
    let buffer = '';
    let eventId: string | undefined;
    const tap = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(chunk);
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') {
            if (eventId !== undefined) lastEventId = eventId;
            eventId = undefined;
          } else if (line.startsWith('id:')) {
            eventId = line.slice(3).replace(/^ /, '');
          }
        }
      },
    });
    return new Response(response.body.pipeThrough(tap), { status: response.status, statusText: response.statusText, headers: response.headers });
  }) as typeof fetch;
}
