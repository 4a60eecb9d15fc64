/**
 * A light raw SSE opener for idle sessions: one GET per socket (no agent pooling), resolved as
 * soon as the `endpoint` event has arrived, then left open, reading and discarding keep-alives.
 * Light on purpose: thousands of these run in one client process.
 */
import http from 'node:http';

/** One idle session, of either transport (this module, or idle-streamable.ts). */
export interface IdleSession {
  /**
   * ms to open the session: HTTP+SSE, from sending the GET to receiving the `endpoint` event;
   * Streamable HTTP, the `initialize` round trip.
   */
  openMs: number;
  /** Drops the session's stream (its socket). */
  close(): void;
}

const MESSAGE_EVENT = 'event: message';

/**
 * Opens `url` (the SSE path); rejects on a non-200 answer or after `timeoutMs` without an
 * `endpoint` event. After that, `onMessage` (if given) runs for every `event: message` the stream
 * carries (used to time a broadcast); everything else is read and dropped.
 */
export function openIdleSession(url: string, timeoutMs = 30_000, onMessage?: () => void): Promise<IdleSession> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let done = false;
    const req = http.get(url, { agent: false, headers: { Accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        fail(new Error(`GET ${url} answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let seen = '';
      const onData = (chunk: string): void => {
        seen += chunk;
        // The endpoint event may carry id: and retry: lines too; it ends at the first blank line.
        const start = seen.indexOf('event: endpoint');
        const end = start === -1 ? -1 : seen.indexOf('\n\n', start);
        if (end !== -1) {
          res.off('data', onData);
          if (onMessage === undefined) {
            res.resume();
          } else {
            let tail = seen.slice(end + 2);
            const count = (chunk: string): void => {
              const text = tail + chunk;
              for (let at = text.indexOf(MESSAGE_EVENT); at !== -1; at = text.indexOf(MESSAGE_EVENT, at + MESSAGE_EVENT.length)) onMessage();
              tail = text.slice(-(MESSAGE_EVENT.length - 1));
            };
            count('');
            res.on('data', count);
          }
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ openMs: performance.now() - started, close: () => req.destroy() });
        }
      };
      res.on('data', onData);
    });
    const fail = (error: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`no endpoint event from ${url} within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', fail);
  });
}
