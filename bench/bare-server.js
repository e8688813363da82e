// The anchor of the start and throughput measures: a bare node:http server
// with ours' process model (a cluster primary and WORKERS workers, or with one
// worker a single process, as ours; stopped the same way on SIGTERM), answering the JSON of the API's health route
// (no database) on HEALTH_PATH. It runs from ours' own image:
// `--entrypoint node IMAGE -e "<this file>"`, so base, node and CPU budget are the same.
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

if (cluster.isPrimary && Number(process.env.WORKERS) > 1) {
  // Under `node -e` there is no script file to fork: the workers get the same `-e` (process.execArgv)
  // and /dev/null as a harmless argv[1].
  cluster.setupPrimary({ exec: '/dev/null' });
  for (let i = 0; i < Number(process.env.WORKERS); i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
    cluster.on('exit', () => Object.keys(cluster.workers).length === 0 && process.exit(0));
  });
} else {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== process.env.HEALTH_PATH) return res.writeHead(404).end();
    const body = JSON.stringify({ status: 'ok', checks: { db: 'disabled' }, version: '0.0.0', timestamp: new Date().toISOString() });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  server.listen(Number(process.env.PORT), '0.0.0.0');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}
