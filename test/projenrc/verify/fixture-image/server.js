// A stand-in for the API: serves the health path on $PORT and drains on
// SIGTERM/SIGINT, like the real app must. With DATABASE_URL it reports the
// database "ok" when its host accepts a connection (the fixture has no
// driver; reaching the server is what verify's database check can prove).
const http = require('http');
const net = require('net');

function dbStatus() {
  if (!process.env.DATABASE_URL) return Promise.resolve('skipped');
  const url = new URL(process.env.DATABASE_URL);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port || 5432), url.hostname);
    socket.setTimeout(1000, () => { socket.destroy(); resolve('down'); });
    socket.on('connect', () => { socket.end(); resolve('ok'); });
    socket.on('error', () => resolve('down'));
  });
}

const server = http.createServer((req, res) => {
  if (req.url !== '/health') {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
    return;
  }
  dbStatus().then((db) => {
    res.writeHead(db === 'down' ? 503 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: db === 'down' ? 'degraded' : 'ok', checks: { db } }));
  });
});
server.listen(Number(process.env.PORT || 8000), '0.0.0.0');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
