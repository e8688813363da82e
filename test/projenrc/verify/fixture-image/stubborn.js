// The broken variant: serves health but ignores SIGTERM, so `docker stop`
// has to wait for its timeout and SIGKILL it (exit 137).
const http = require('http');
process.on('SIGTERM', () => {});
http.createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
}).listen(Number(process.env.PORT || 8000), '0.0.0.0');
