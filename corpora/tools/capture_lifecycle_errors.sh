#!/usr/bin/env bash
# Runs real programs that fail the way long-running services fail (runtime out of memory,
# read-only file system, a configuration the program rejects, a PID file left behind, a
# worker that does not stop on SIGTERM) and records what they print.
# Usage: sudo bash corpora/tools/capture_lifecycle_errors.sh OUTDIR
# Needs (Debian 12, as root): python3 nodejs openjdk-17-jdk postgresql-15 python3-gunicorn
# Uses /srv/app as scratch (fixed, so paths in the output are stable between runs) and
# removes it. Every OUTDIR/<name>.out file is the program's verbatim stdout+stderr;
# PIDs and clocks are whatever the run produced.
set -u
OUT=${1:?usage: capture_lifecycle_errors.sh OUTDIR}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
APPS=$(cd "$(dirname "$0")" && pwd)/apps/lifecycle
WORK=/srv/app
SYSPY=/usr/bin/python3           # Debian's python (3.11), has gunicorn
[ -e "$WORK" ] && { echo "$WORK exists; refusing to overwrite" >&2; exit 2; }
mkdir -p "$WORK"; chmod 755 "$WORK"
cleanup() { umount "$WORK/var/lib/metrics-exporter" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -1)

# --- 1. Runtime out of memory ------------------------------------------------------------
# Node: V8 reaches --max-old-space-size and aborts.
mkdir -p "$WORK/session-cache"; cp "$APPS/session_cache.js" "$WORK/session-cache/"
(cd "$WORK/session-cache" && node --max-old-space-size=32 session_cache.js > "$OUT/node-heap-oom.out" 2>&1)
# Java: the heap (-Xmx16m) fills up; OutOfMemoryError escapes main.
mkdir -p "$WORK/java/com/example/reports"; cp "$APPS/LedgerCache.java" "$WORK/java/com/example/reports/"
(cd "$WORK/java" && javac com/example/reports/LedgerCache.java \
  && java -Xmx16m -cp . com.example.reports.LedgerCache > "$OUT/java-heap-oom.out" 2>&1)
# Python: MemoryError under an address-space limit (ulimit -v 256 MiB).
mkdir -p "$WORK/importer"; cp "$APPS/importer.py" "$WORK/importer/"
: > "$WORK/importer/snapshot-2026-03-01.bin"
(cd "$WORK/importer" && bash -c "ulimit -v 262144; exec $SYSPY importer.py" > "$OUT/python-memoryerror.out" 2>&1)

# --- 2. Read-only file system: the state directory is a read-only mount ---------------------
mkdir -p "$WORK/var/lib/metrics-exporter" "$WORK/exporter"; cp "$APPS/exporter.py" "$WORK/exporter/"
if mount -t tmpfs -o ro,size=64k tmpfs "$WORK/var/lib/metrics-exporter"; then
  (cd "$WORK/exporter" && $SYSPY exporter.py > "$OUT/python-erofs-state.out" 2>&1)
  umount "$WORK/var/lib/metrics-exporter"
fi

# --- 3. A configuration the program rejects ------------------------------------------------
# Python app reading TOML with tomllib: an unquoted string value.
mkdir -p "$WORK/billing-sync" "$WORK/etc/billing-sync"
cp "$APPS/billing_sync.py" "$WORK/billing-sync/"; cp "$APPS/billing_sync.toml" "$WORK/etc/billing-sync/config.toml"
(cd "$WORK/billing-sync" && $SYSPY billing_sync.py > "$OUT/python-tomllib-config.out" 2>&1)
# PostgreSQL 15: work_mem with a lower-case unit in postgresql.conf.
install -d -o postgres "$WORK/pg" "$WORK/pgsock"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" >/dev/null
echo "work_mem = 64mb" >> "$WORK/pg/postgresql.conf"
runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg" -p 5434 -k "$WORK/pgsock" -c listen_addresses=127.0.0.1 \
  > "$OUT/postgres-invalid-config.out" 2>&1
sed -i '$d' "$WORK/pg/postgresql.conf"

# --- 4. A PID / lock file left behind -------------------------------------------------------
# After an unclean stop the recorded PID belongs to another process (PID reuse). A `sleep`
# stands in for that process: as root for gunicorn (which treats EPERM from kill(pid, 0) as
# "alive"), as postgres for PostgreSQL (which only treats a live process it may signal as alive).
mkdir -p "$WORK/web" "$WORK/var/run/web"; cp "$APPS/wsgi_app.py" "$WORK/web/"; chown nobody "$WORK/var/run/web"
sleep 60 & OTHER=$!
echo "$OTHER" > "$WORK/var/run/web/gunicorn.pid"
(cd "$WORK/web" && runuser -u nobody -- $SYSPY -m gunicorn --pid "$WORK/var/run/web/gunicorn.pid" \
  --bind 127.0.0.1:8001 wsgi_app:app > "$OUT/gunicorn-stale-pidfile.out" 2>&1)
kill $OTHER; wait $OTHER 2>/dev/null
runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg" -p 5434 -k "$WORK/pgsock" -c listen_addresses=127.0.0.1 \
  >/dev/null 2>&1 & PG=$!
for _ in $(seq 50); do [ -S "$WORK/pgsock/.s.PGSQL.5434" ] && break; sleep 0.1; done
kill -KILL $PG; wait $PG 2>/dev/null; sleep 1          # crash: postmaster.pid stays behind
runuser -u postgres -- sleep 60 & OTHER=$!; sleep 0.2
OTHER=$(pgrep -u postgres -n -x sleep)
sed -i "1s/.*/$OTHER/" "$WORK/pg/postmaster.pid"
runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg" -p 5434 -k "$WORK/pgsock" -c listen_addresses=127.0.0.1 \
  > "$OUT/postgres-stale-postmaster-pid.out" 2>&1
kill $OTHER 2>/dev/null

# --- 5. A worker that does not stop on SIGTERM ----------------------------------------------
# The mail relay accepts connections and never answers; the worker's SIGTERM handler waits for
# the in-flight deliveries forever, so only SIGKILL ends it (what systemd does after TimeoutStopSec=).
mkdir -p "$WORK/mailer"; cp "$APPS/mailer.py" "$WORK/mailer/"
$SYSPY -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 2525)); s.listen(16)
conns = []
while True:
    conns.append(s.accept()[0])
" & RELAY=$!
sleep 0.5
(cd "$WORK/mailer" && exec $SYSPY mailer.py > "$OUT/python-mailer-ignores-sigterm.out" 2>&1) & M=$!
sleep 1; kill -TERM $M; sleep 3
kill -0 $M 2>/dev/null && echo "mailer still running 3 s after SIGTERM" >&2
kill -KILL $M; wait $M 2>/dev/null
kill $RELAY; wait $RELAY 2>/dev/null

echo "captures written to $OUT"
