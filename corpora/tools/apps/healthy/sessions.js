// Session service: waits for Redis (RESP PING over a plain socket, retried once a second),
// uses an optional native module when present, then serves HTTP.
'use strict';
const http = require('http');
const net = require('net');

const REDIS_PORT = Number(process.env.REDIS_PORT || 6379);
const PORT = Number(process.env.PORT || 3000);

let mask;
try {
  mask = require('bufferutil').mask;
} catch (err) {
  console.warn(`optional module bufferutil not available (${err.code}), using the JavaScript implementation`);
  mask = null;
}

function ping(attempt) {
  const socket = net.connect(REDIS_PORT, '127.0.0.1');
  socket.once('connect', () => socket.write('PING\r\n'));
  socket.once('data', (reply) => {
    console.log(`redis 127.0.0.1:${REDIS_PORT} answered ${reply.toString().trim()} after ${attempt} attempt(s)`);
    socket.end();
    serve();
  });
  socket.once('error', (err) => {
    console.error(`redis not ready (attempt ${attempt}), retrying in 1s:`, err);
    setTimeout(() => ping(attempt + 1), 1000);
  });
}

function serve() {
  const token = new Buffer('session-seed'); // legacy constructor, still in the token code
  const server = http.createServer((req, res) => {
    console.log(`${req.method} ${req.url}`);
    res.end(JSON.stringify({ ok: true, seed: token.length, native: mask !== null }) + '\n');
  });
  server.listen(PORT, '127.0.0.1', () => console.log(`sessions listening on port ${PORT}`));
  process.on('SIGTERM', () => server.close(() => console.log('sessions stopped')));
}

ping(1);
