// Preloaded into every benchmarked server process (`node --require bench/lib/probe.cjs`) when
// BENCH_PROBE=1: a tiny admin HTTP server on a free loopback port that reports the process's own
// memory (process.memoryUsage(), after a full GC when the process runs with --expose-gc). It is
// the same in all three servers, so its cost cancels out. Prints `bench-probe <port>` once.
'use strict';
if (process.env.BENCH_PROBE === '1') {
  const http = require('node:http');
  const server = http.createServer((req, res) => {
    if (req.url && req.url.startsWith('/mem')) {
      if (req.url.includes('gc=1') && typeof global.gc === 'function') {
        global.gc();
        global.gc();
      }
      const body = JSON.stringify({ ...process.memoryUsage(), cpu: process.cpuUsage() });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`bench-probe ${server.address().port}\n`);
  });
  server.unref();
}
