// The floor for GET /health throughput: a bare node:http server, one process,
// answering the same JSON shape as the API's health route (src/routes/health.ts
// with no database configured). Reads PORT.
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT || 8000);
const path = process.env.HEALTH_PATH || '/health';
const version = process.env.APP_VERSION || '0.0.0';

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === path) {
    const body = JSON.stringify({
      status: 'ok',
      checks: { db: 'disabled' },
      version,
      timestamp: new Date().toISOString(),
    });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  res.writeHead(404);
  res.end();
});

server.listen(port, '0.0.0.0');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
