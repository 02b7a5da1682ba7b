#!/usr/bin/env bash
# Runs real programs on this machine and records what they print when they fail.
# Usage: sudo bash corpora/tools/capture_real_errors.sh OUTDIR
# Needs (Debian): python3 python3-uvicorn python3-fastapi python3-loguru python3-psycopg2 python3-redis
#                 nodejs openjdk-17-jdk rustc gcc nginx-light postgresql-15 redis-server
# Every OUTDIR/<name>.out file is verbatim stdout+stderr of the failing program.
# PIDs, ports and timestamps are whatever the run produced.
set -u
OUT=${1:?usage: capture_real_errors.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=/srv/app                    # fixed path so traceback paths are stable between runs
[ -e "$WORK" ] && { echo "$WORK exists; refusing to overwrite" >&2; exit 2; }
mkdir -p "$WORK"; chmod 755 "$WORK"
SYSPY=/usr/bin/python3           # Debian python, has uvicorn/fastapi/loguru/psycopg2
HERE=$(cd "$(dirname "$0")" && pwd)

wait_port() { for _ in $(seq 50); do ss -ltn | grep -q ":$1 " && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; }
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# --- 1. Python http.server twice on 8000 --------------------------------------
cd "$WORK"
$SYSPY -m http.server 8000 >/dev/null 2>&1 & P=$!; wait_port 8000
$SYSPY -m http.server 8000 > "$OUT/python-http-server-eaddrinuse.out" 2>&1
stop $P

# --- 2. uvicorn (real, Debian python3-uvicorn 0.17.6) twice on 8000 -----------
mkdir -p "$WORK/whatsapp_api/src"; cp "$HERE/apps/lumiera_main.py" "$WORK/whatsapp_api/src/main.py"
touch "$WORK/whatsapp_api/src/__init__.py"; cd "$WORK/whatsapp_api"
$SYSPY -m uvicorn src.main:app --host 0.0.0.0 --port 8000 > "$OUT/uvicorn-first-instance.out" 2>&1 & P=$!; wait_port 8000
$SYSPY -m uvicorn src.main:app --host 0.0.0.0 --port 8000 > "$OUT/uvicorn-second-instance-eaddrinuse.out" 2>&1
stop $P
# errno 99: an address this machine does not have
$SYSPY -m uvicorn src.main:app --host 10.255.255.1 --port 8000 > "$OUT/uvicorn-eaddrnotavail.out" 2>&1
$SYSPY -c "import socket; s = socket.socket(); s.bind(('10.255.255.1', 8000))" > "$OUT/python-bind-eaddrnotavail.out" 2>&1
# errno 13: unprivileged user binding port 80
runuser -u nobody -- $SYSPY -m uvicorn src.main:app --host 0.0.0.0 --port 80 > "$OUT/uvicorn-port80-eacces.out" 2>&1

# --- 2b. router started with uvicorn.run() twice on 8085, first one shut down by SIGTERM
cp "$HERE/apps/llm_router.py" "$WORK/llm_router.py"; cd "$WORK"
$SYSPY "$WORK/llm_router.py" > "$OUT/router-first-instance-sigterm.out" 2>&1 & P=$!; wait_port 8085
curl -s http://127.0.0.1:8085/health >/dev/null
$SYSPY "$WORK/llm_router.py" > "$OUT/router-second-instance-eaddrinuse.out" 2>&1
kill -TERM $P; wait $P

# --- 3. plain asyncio server ----------------------------------------------------
cat > "$WORK/aio.py" <<'PY'
import asyncio
async def handle(r, w): w.close()
async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 8000)
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
$SYSPY "$WORK/aio.py" >/dev/null 2>&1 & P=$!; wait_port 8000
$SYSPY "$WORK/aio.py" > "$OUT/python-asyncio-eaddrinuse.out" 2>&1
stop $P

# --- 4. Node http server twice on 3000 -------------------------------------------
mkdir -p "$WORK/node-api"; cat > "$WORK/node-api/server.js" <<'JS'
const http = require('http');
const port = process.env.PORT || 3000;
const server = http.createServer((req, res) => { res.end('ok\n'); });
server.listen(port, () => console.log(`api listening on port ${port}`));
JS
cd "$WORK/node-api"
node server.js >/dev/null 2>&1 & P=$!; wait_port 3000
node server.js > "$OUT/node-eaddrinuse.out" 2>&1
stop $P

# --- 5. Java ServerSocket twice on 8080 -------------------------------------------
mkdir -p "$WORK/java/com/example/inventory"; cat > "$WORK/java/com/example/inventory/Server.java" <<'JAVA'
package com.example.inventory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;

public class Server {
    public static void main(String[] args) throws IOException {
        int port = 8080;
        System.out.println("Starting inventory service on port " + port);
        try (ServerSocket server = new ServerSocket(port)) {
            System.out.println("Listening on " + server.getLocalSocketAddress());
            while (true) {
                try (Socket client = server.accept()) {
                    client.getOutputStream().write("ok\n".getBytes());
                }
            }
        }
    }
}
JAVA
cd "$WORK/java" && javac com/example/inventory/Server.java
java -cp "$WORK/java" com.example.inventory.Server >/dev/null 2>&1 & P=$!; wait_port 8080
java -cp "$WORK/java" com.example.inventory.Server > "$OUT/java-bindexception.out" 2>&1
stop $P

# --- 6. Rust std TcpListener twice on 7878 -----------------------------------------
mkdir -p "$WORK/rust/src"; cat > "$WORK/rust/src/main.rs" <<'RS'
use std::io::Write;
use std::net::TcpListener;

fn main() {
    let addr = "0.0.0.0:7878";
    println!("ingest-gateway starting on {addr}");
    let listener = TcpListener::bind(addr).unwrap();
    for stream in listener.incoming() {
        let mut stream = stream.unwrap();
        let _ = stream.write_all(b"ok\n");
    }
}
RS
cd "$WORK/rust" && rustc -O -o ingest-gateway src/main.rs
./ingest-gateway >/dev/null 2>&1 & P=$!; wait_port 7878
env -u RUST_BACKTRACE ./ingest-gateway > "$OUT/rust-addrinuse-panic.out" 2>&1
RUST_BACKTRACE=1 ./ingest-gateway > "$OUT/rust-addrinuse-panic-backtrace.out" 2>&1
stop $P

# --- 7. nginx second master on a busy 8080 -----------------------------------------
mkdir -p "$WORK/nginx/logs"; cat > "$WORK/nginx/nginx.conf" <<NGX
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log stderr;
events { worker_connections 64; }
http {
    access_log off;
    server { listen 8080; location / { return 200 "ok\n"; } }
}
NGX
$SYSPY -m http.server 8080 >/dev/null 2>&1 & P=$!; wait_port 8080
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' > "$OUT/nginx-bind-eaddrinuse.out" 2>&1
stop $P

# --- 7b. redis-server twice on 6379 --------------------------------------------------
if command -v redis-server >/dev/null; then
  mkdir -p "$WORK/redis1" "$WORK/redis2"
  redis-server --port 6379 --dir "$WORK/redis1" >/dev/null 2>&1 & P=$!; wait_port 6379
  (cd "$WORK/redis2" && redis-server --port 6379 --dir "$WORK/redis2") > "$OUT/redis-second-server-eaddrinuse.out" 2>&1
  stop $P
fi

# --- 8. PostgreSQL: two clusters on port 5433 ----------------------------------------
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)
if [ -n "$PGBIN" ]; then
  install -d -o postgres "$WORK/pg1" "$WORK/pg2" "$WORK/pgsock1" "$WORK/pgsock2"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg1" >/dev/null
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg2" >/dev/null
  runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg1" -p 5433 -k "$WORK/pgsock1" -c listen_addresses=127.0.0.1 >/dev/null 2>&1 & P=$!; wait_port 5433
  runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg2" -p 5433 -k "$WORK/pgsock2" -c listen_addresses=127.0.0.1 > "$OUT/postgres-second-cluster-eaddrinuse.out" 2>&1
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg1" -m fast stop >/dev/null 2>&1; wait $P 2>/dev/null
fi

# --- 9. Missing config: KeyError from os.environ --------------------------------------
mkdir -p "$WORK/chatos/chatos_backend"; cat > "$WORK/chatos/chatos_backend/config.py" <<'PY'
import os

KEYCLOAK_URL = os.environ.get("KEYCLOAK_URL", "http://localhost:8080")
DATABASE_URL = os.environ["DATABASE_URL"]
PY
cat > "$WORK/chatos/chatos_backend/main.py" <<'PY'
from chatos_backend import config

print(f"connecting to {config.DATABASE_URL}")
PY
touch "$WORK/chatos/chatos_backend/__init__.py"
cd "$WORK/chatos" && env -u DATABASE_URL $SYSPY -m chatos_backend.main > "$OUT/python-keyerror-database-url.out" 2>&1

# --- 10. Missing module under uvicorn -------------------------------------------------
cat > "$WORK/chatos/chatos_backend/app.py" <<'PY'
from fastapi import FastAPI
from keycloak import KeycloakOpenID

app = FastAPI(title="ChatOS backend")
PY
cd "$WORK/chatos" && $SYSPY -m uvicorn chatos_backend.app:app --host 127.0.0.1 --port 8000 > "$OUT/uvicorn-modulenotfound.out" 2>&1

# --- 11. Connection refused (nothing on 5999) --------------------------------------------
$SYSPY -c "import socket; socket.create_connection(('127.0.0.1', 5999))" > "$OUT/python-connection-refused.out" 2>&1
$SYSPY -c "import psycopg2; psycopg2.connect(host='127.0.0.1', port=5999, dbname='chatos', user='chatos', password='chatos')" > "$OUT/psycopg2-connection-refused.out" 2>&1

cat > "$WORK/worker.py" <<'PY'
import redis

queue = redis.Redis(host="localhost", port=6379, db=0)
print("notification worker: waiting for jobs on queue 'notify'", flush=True)
while True:
    _, job = queue.blpop("notify")
PY
$SYSPY "$WORK/worker.py" > "$OUT/redis-connection-refused.out" 2>&1

# --- 12. EMFILE ------------------------------------------------------------------------------
cat > "$WORK/leak.py" <<'PY'
import tempfile
handles = []
print("opening spool files ...", flush=True)
while True:
    handles.append(tempfile.TemporaryFile(dir="/tmp"))
PY
bash -c "ulimit -n 64; exec $SYSPY $WORK/leak.py" > "$OUT/python-emfile.out" 2>&1

# --- 13. EACCES: nobody writing under a root-owned directory ------------------------------
mkdir -p "$WORK/var/log/reportd"; chmod 755 "$WORK/var/log/reportd"
cat > "$WORK/reportd.py" <<PY
import logging
logging.basicConfig(filename="$WORK/var/log/reportd/reportd.log", level=logging.INFO)
logging.info("reportd starting")
PY
chmod 755 "$WORK/reportd.py"
runuser -u nobody -- $SYSPY "$WORK/reportd.py" > "$OUT/python-eacces-logfile.out" 2>&1

# --- 14. ENOSPC on a 64k tmpfs ------------------------------------------------------------
mkdir -p "$WORK/spool"
if mount -t tmpfs -o size=64k tmpfs "$WORK/spool"; then
  cat > "$WORK/spool_writer.py" <<PY
import os
path = os.path.join("$WORK/spool", "batch-000017.json")
with open(path, "w") as f:
    for i in range(100000):
        f.write('{"seq": %d, "payload": "%s"}\n' % (i, "x" * 64))
PY
  $SYSPY "$WORK/spool_writer.py" > "$OUT/python-enospc.out" 2>&1
  dd if=/dev/zero of="$WORK/spool/fill.bin" bs=4k count=100 > "$OUT/dd-enospc.out" 2>&1
  umount "$WORK/spool"
fi

# --- 15. SIGSEGV: NULL dereference in C ---------------------------------------------------
cat > "$WORK/segv.c" <<'C'
#include <stdio.h>
struct conn { int fd; const char *peer; };
static struct conn *lookup(int id) { (void)id; return NULL; }
int main(void) {
    printf("worker: handling request 1\n"); fflush(stdout);
    struct conn *c = lookup(42);
    printf("peer=%s fd=%d\n", c->peer, c->fd);
    return 0;
}
C
gcc -O0 -o "$WORK/media-worker" "$WORK/segv.c"
cd "$WORK" && bash -c "ulimit -c unlimited; ./media-worker; echo \"exit status \$?\"" > "$OUT/c-segfault.out" 2>&1

rm -rf "$WORK"
echo "captures written to $OUT"
