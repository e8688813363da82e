// The stand-in for `node scripts/migrate.js up`: succeeds when the database
// in DATABASE_URL accepts a connection, fails naming it otherwise.
const net = require('net');
const url = new URL(process.env.DATABASE_URL || 'postgres://unset');
const socket = net.connect(Number(url.port || 5432), url.hostname);
socket.setTimeout(3000, () => { console.error(`migrate: ${url.host} did not answer`); process.exit(1); });
socket.on('connect', () => { socket.end(); console.log('migrate: up to date'); process.exit(0); });
socket.on('error', (e) => { console.error(`migrate: ${url.host}: ${e.code}`); process.exit(1); });
