/**
 * A light raw SSE opener for idle sessions: one GET per socket (no agent pooling), resolved as
 * soon as the `endpoint` event has arrived, then left open, reading and discarding keep-alives.
 * Light on purpose: thousands of these run in one client process.
 */
import http from 'node:http';

export interface IdleSession {
  /** ms from sending the GET to receiving the `endpoint` event. */
  endpointMs: number;
  close(): void;
}

/** Opens `url` (the SSE path); rejects on a non-200 answer or after `timeoutMs` without an `endpoint` event. */
export function openIdleSession(url: string, timeoutMs = 30_000): Promise<IdleSession> {
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
        if (/event: endpoint\r?\ndata: [^\n]*\n\r?\n/.test(seen)) {
          res.off('data', onData);
          res.resume();
          if (done) return;
          done = true;
          clearTimeout(timer);
          resolve({ endpointMs: performance.now() - started, close: () => req.destroy() });
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
