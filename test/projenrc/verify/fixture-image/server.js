// A stand-in for the API: serves the health path on $PORT and drains on
// SIGTERM/SIGINT, like the real app must. Used to build fixture images that
// verify should accept, and broken variants it must reject.
const http = require('http');
const server = http.createServer((req, res) => {
  const ok = req.url === '/health';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? { status: 'ok', checks: { db: 'skipped' } } : { error: 'not found' }));
});
server.listen(Number(process.env.PORT || 8000), '0.0.0.0');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
