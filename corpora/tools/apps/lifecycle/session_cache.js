// session-cache: builds user sessions and keeps every one of them (the leak).
const v8 = require('v8');

const sessions = new Map();
const limitMb = Math.round(v8.getHeapStatistics().heap_size_limit / 1048576);
console.log(`session-cache: warming up (heap limit ${limitMb} MB)`);

function buildSession(id) {
  return {
    id: `s-${id}`,
    user: `user-${id % 5000}`,
    created: Date.now(),
    scopes: ['orders:read', 'orders:write', 'profile'],
    csrf: Math.random().toString(36).repeat(4),
  };
}

for (let n = 1; ; n++) {
  const s = buildSession(n);
  sessions.set(s.id, s);
  if (n % 50000 === 0) console.log(`session-cache: ${n} sessions cached`);
}
