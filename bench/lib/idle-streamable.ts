/**
 * A light raw Streamable HTTP opener for idle sessions, the counterpart of idle-sse.ts: each
 * session is `initialize` (POST, answered on its own event stream), `notifications/initialized`
 * (POST, 202), then the standalone GET stream, left open and read, so that keep-alives and
 * broadcasts reach it. Each session has one socket of its own, opened by `initialize` (as
 * idle-sse.ts's GET opens its own) and kept alive for the other two requests, as an HTTP client
 * that pools connections would; the GET then holds it. Light on purpose: thousands of these run
 * in one client process.
 */
import http from 'node:http';
import type { IdleSession } from './idle-sse';

/** The protocol version the idle sessions ask for (and name in `MCP-Protocol-Version` afterwards). */
export const IDLE_PROTOCOL_VERSION = '2025-11-25';

const MESSAGE_EVENT = 'event: message';
const SESSION_HEADER = 'mcp-session-id';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** ms from sending the request to the JSON-RPC response with `waitForId` (or to the end of the body). */
  answeredMs: number;
}

/**
 * POSTs one JSON-RPC message and reads the whole answer; `answeredMs` is when the response with
 * id `waitForId` arrived on it (an event stream, or a JSON body), else when the body ended.
 * Rejects on a socket error or after `timeoutMs`.
 */
function post(url: string, agent: http.Agent, message: object, headers: Record<string, string>, timeoutMs: number, waitForId?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const payload = JSON.stringify(message);
    const req = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Content-Length': Buffer.byteLength(payload), ...headers },
    }, (res) => {
      res.setEncoding('utf8');
      let body = '';
      let answeredMs: number | undefined;
      res.on('data', (chunk: string) => {
        body += chunk;
        if (answeredMs === undefined && waitForId !== undefined && carriesResponse(body, waitForId)) answeredMs = performance.now() - started;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, answeredMs: answeredMs ?? performance.now() - started });
      });
      res.on('error', fail);
    });
    const fail = (error: Error): void => {
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`POST ${url} not answered within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', fail);
    req.end(payload);
  });
}

/** True once `body` (event-stream data lines, or one JSON body) holds a JSON-RPC response with `id`. */
function carriesResponse(body: string, id: number): boolean {
  const pattern = new RegExp(`"id":\\s*${id}\\b`);
  return body.split('\n').some((line) => {
    const data = line.startsWith('data:') ? line.slice(5) : line;
    return pattern.test(data) && (data.includes('"result"') || data.includes('"error"'));
  });
}

/**
 * Opens one idle Streamable HTTP session at `url` (the Streamable path, e.g. `.../mcp`). Resolves
 * once the standalone GET stream has answered 200, with `openMs` the `initialize` round trip
 * (POST sent to its response received). Rejects when `initialize` is not answered 200 with an
 * `Mcp-Session-Id`, the notification not 202, the GET not 200, or after `timeoutMs` for any step.
 * After that, `onMessage` (if given) runs for every `event: message` the GET stream carries (used
 * to time a broadcast); everything else (keep-alive comments) is read and dropped. `close()`
 * drops the GET's socket without a DELETE, as a client that goes away does.
 */
export async function openIdleStreamableSession(url: string, timeoutMs = 30_000, onMessage?: () => void): Promise<IdleSession> {
  // One socket for the session's three requests.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    return await openOn(agent, url, timeoutMs, onMessage);
  } catch (error) {
    agent.destroy();
    throw error;
  }
}

async function openOn(agent: http.Agent, url: string, timeoutMs: number, onMessage: (() => void) | undefined): Promise<IdleSession> {
  const initialize = await post(url, agent, {
    jsonrpc: '2.0', id: 0, method: 'initialize',
    params: { protocolVersion: IDLE_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench-idle', version: '1.0.0' } },
  }, {}, timeoutMs, 0);
  const sessionId = initialize.headers[SESSION_HEADER];
  if (initialize.status !== 200 || typeof sessionId !== 'string' || !carriesResponse(initialize.body, 0)) {
    throw new Error(`POST ${url} initialize answered ${initialize.status}${typeof sessionId === 'string' ? '' : ' without Mcp-Session-Id'}: ${initialize.body.slice(0, 200)}`);
  }
  const headers = { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': IDLE_PROTOCOL_VERSION };
  const initialized = await post(url, agent, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers, timeoutMs);
  if (initialized.status !== 202) throw new Error(`POST ${url} notifications/initialized answered ${initialized.status}: ${initialized.body.slice(0, 200)}`);
  const req = await new Promise<http.ClientRequest>((resolve, reject) => {
    const get = http.get(url, { agent, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        get.destroy();
        reject(new Error(`GET ${url} (standalone stream) answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      if (onMessage === undefined) {
        res.resume();
      } else {
        let tail = '';
        res.on('data', (chunk: string) => {
          const text = tail + chunk;
          for (let at = text.indexOf(MESSAGE_EVENT); at !== -1; at = text.indexOf(MESSAGE_EVENT, at + MESSAGE_EVENT.length)) onMessage();
          tail = text.slice(-(MESSAGE_EVENT.length - 1));
        });
      }
      resolve(get);
    });
    const timer = setTimeout(() => {
      get.destroy();
      reject(new Error(`GET ${url} (standalone stream) not answered within ${timeoutMs} ms`));
    }, timeoutMs);
    get.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return {
    openMs: initialize.answeredMs,
    close: () => {
      req.destroy();
      agent.destroy();
    },
  };
}
