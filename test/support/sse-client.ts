/**
 * A small raw SSE client for tests: opens a GET, parses `text/event-stream` as it arrives, and lets
 * a test await events. Deliberately independent of the package's own framing code.
 */
import http from 'node:http';

export interface ReceivedEvent {
  event: string;
  data: string;
  id?: string;
  retry?: number;
}

/** The events of one `text/event-stream` response, parsed as they arrive. */
export interface EventStream {
  /** Every event so far, in order. */
  events: ReceivedEvent[];
  /** Every comment line so far (without the leading colon and space). */
  comments: string[];
  /**
   * Resolves with the next event not yet taken by nextEvent; fails after `timeoutMs`, or at once
   * when the stream has ended with no event left to take.
   */
  nextEvent(timeoutMs?: number): Promise<ReceivedEvent>;
  /** Marks every event received so far as taken; returns them. */
  takeAll(): ReceivedEvent[];
  /** Resolves when the stream ends: `true` when the server ended it cleanly, `false` when the connection was cut. */
  ended: Promise<boolean>;
  /** True once the stream has ended, either way. */
  readonly isEnded: boolean;
}

export interface SseConnection extends EventStream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The session id from the `endpoint` event. */
  sessionId: string;
  /** The URL from the `endpoint` event. */
  endpoint: string;
  /** Closes the connection from the client side. */
  close(): void;
}

/**
 * Parses a `text/event-stream` response body as it arrives (WHATWG "event stream interpretation":
 * CRLF, CR or LF line ends; one space after the colon dropped; `data` lines joined with LF; an
 * event dispatched at a blank line when it has data or a type). Independent of the package's own
 * framing code.
 * @param onEvent called with every event as it is dispatched, after it is in `events`.
 */
export function readEventStream(res: http.IncomingMessage, onEvent: (event: ReceivedEvent) => void = () => {}): EventStream {
  const events: ReceivedEvent[] = [];
  const comments: string[] = [];
  let taken = 0;
  let isEnded = false;
  const waiters: Array<() => void> = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  let buffer = '';
  let current: Partial<ReceivedEvent> & { dataLines: string[] } = { dataLines: [] };
  const ended = new Promise<boolean>((done) => {
    res.on('end', () => done(true));
    res.on('close', () => done(res.complete));
  });
  void ended.then(() => {
    isEnded = true;
    wake();
  });
  const stream: EventStream = {
    events,
    comments,
    ended,
    get isEnded() {
      return isEnded;
    },
    takeAll() {
      const out = events.slice(taken);
      taken = events.length;
      return out;
    },
    nextEvent(timeoutMs = 5000) {
      return new Promise((ok, fail) => {
        const tryTake = (): boolean => {
          if (taken < events.length) {
            ok(events[taken++]);
            return true;
          }
          if (isEnded) {
            fail(new Error('the SSE stream ended before another event'));
            return true;
          }
          return false;
        };
        if (tryTake()) return;
        const timer = setTimeout(() => fail(new Error(`no SSE event within ${timeoutMs} ms`)), timeoutMs);
        const waiter = (): void => {
          if (tryTake()) clearTimeout(timer);
          else waiters.push(waiter);
        };
        waiters.push(waiter);
      });
    },
  };
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer[nl] === '\r' && buffer[nl + 1] === '\n' ? 2 : 1));
      if (line === '') {
        if (current.dataLines.length > 0 || current.event !== undefined) {
          const ev: ReceivedEvent = { event: current.event ?? 'message', data: current.dataLines.join('\n') };
          if (current.id !== undefined) ev.id = current.id;
          if (current.retry !== undefined) ev.retry = current.retry;
          events.push(ev);
          onEvent(ev);
          wake();
        }
        current = { dataLines: [] };
      } else if (line.startsWith(':')) {
        comments.push(line.slice(1).trimStart());
      } else {
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        let value = colon === -1 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') current.dataLines.push(value);
        else if (field === 'event') current.event = value;
        else if (field === 'id') current.id = value;
        else if (field === 'retry') current.retry = Number(value);
      }
    }
  });
  return stream;
}

/** Opens `url` as an SSE stream; resolves after the first (`endpoint`) event, or with the status when not 200. */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => reject(Object.assign(new Error(`SSE GET answered ${res.statusCode}: ${body}`), { status: res.statusCode, body, headers: res.headers })));
        return;
      }
      let resolved = false;
      const stream = readEventStream(res, (ev) => {
        if (ev.event !== 'endpoint' || resolved) return;
        resolved = true;
        stream.takeAll();
        resolve(Object.assign(stream, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          endpoint: ev.data,
          sessionId: new URL(ev.data, url).searchParams.get('sessionId') ?? '',
          close: () => req.destroy(),
        }));
      });
      void stream.ended.then(() => {
        if (!resolved) reject(new Error('SSE stream ended before the endpoint event'));
      });
    });
    req.on('error', reject);
  });
}

/** The answer to one plain HTTP request. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

/** Sends one request with node:http and collects the answer. `body` is sent as given. */
export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** POSTs one JSON-RPC message (an object, serialised here) to a message URL. */
export function postJson(url: string, message: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return request(url, { headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(message) });
}
