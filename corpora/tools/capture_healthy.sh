#!/usr/bin/env bash
# Runs real programs through healthy (or differently caused) situations whose logs still hold
# alarming words, and records what they print: a first PostgreSQL start without IPv6 on the
# loopback (could not bind IPv6 ... / HINT: Is another postmaster ...), clients that find
# their database and Redis not up yet and retry until they are, a deliberate restart, optional
# imports and deprecation warnings, a JVM's GC and heap flags, a Go server whose handler panics
# (recovered by net/http) and whose accept loop briefly runs out of descriptors, and a
# maintenance job's disk reports.
#
# Usage: sudo bash corpora/tools/capture_healthy.sh OUTDIR
# Needs (Debian 12): postgresql-15 redis-server python3-psycopg2 python3-redis python3-uvicorn
#                    python3-fastapi nodejs openjdk-17-jdk golang curl logrotate
# Everything runs in a private network namespace (unshare -n) whose loopback has IPv6
# disabled, so the ports are free and ::1 does not exist. Uses /srv/healthy as scratch (fixed,
# so paths in the output are stable) and removes it. Every OUTDIR/<name>.out file is verbatim
# stdout+stderr; PIDs, ports and clocks are whatever the run produced.
set -u
OUT=${1:?usage: capture_healthy.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "${CAPTURE_HEALTHY_IN_NETNS:-}" != 1 ]; then
  exec unshare -n -m env CAPTURE_HEALTHY_IN_NETNS=1 bash "$0" "$OUT"
fi
ip link set lo up
sysctl -qw net.ipv6.conf.lo.disable_ipv6=1
# A container's /etc/hosts (in this mount namespace only): localhost is also ::1, and an extra
# line names localhost again, so "localhost" resolves to ::1, 127.0.0.1 and 127.0.0.1.
HOSTS=$(mktemp); chmod 644 "$HOSTS"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\tlocalhost.localdomain localhost\n' > "$HOSTS"
mount --bind "$HOSTS" /etc/hosts

WORK=/srv/healthy
[ -e "$WORK" ] && { echo "$WORK exists; refusing to overwrite" >&2; exit 2; }
mkdir -p "$WORK"; chmod 755 "$WORK"
SYSPY=/usr/bin/python3
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
APPS=$WORK/app                   # the apps run from a copy, so their paths are stable
mkdir -p "$APPS"; cp "$HERE"/apps/healthy/* "$APPS/"

wait_port() { for _ in $(seq 100); do ss -ltn | grep -q ":$1 " && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; }
wait_http() { for _ in $(seq 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 never answered" >&2; }

# --- 1. PostgreSQL first start: initdb, a socket-only server to create the app's role and
#        database (what the docker image's entrypoint does), then the real start on localhost:
#        ::1 does not exist here (EADDRNOTAVAIL) and the second 127.0.0.1 is already bound by
#        the postmaster itself (EADDRINUSE, with PostgreSQL's "another postmaster" HINT).
install -d -o postgres "$WORK/pg" "$WORK/pgsock"
PGLOG="$OUT/postgres-first-start.out"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg" --username=postgres > "$PGLOG" 2>&1
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-c listen_addresses='' -k $WORK/pgsock" -w start >> "$PGLOG" 2>&1
runuser -u postgres -- psql -h "$WORK/pgsock" -U postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE carts LOGIN PASSWORD 'carts'" -c "CREATE DATABASE carts OWNER carts" >> "$PGLOG" 2>&1
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >> "$PGLOG" 2>&1

# --- 2. The carts API (uvicorn) and the sessions service (node) start before PostgreSQL and
#        Redis are up; both retry once a second. PostgreSQL comes up ~3 s later, Redis ~2 s
#        after it (as user redis with a 1024-descriptor hard limit and no config file).
cd "$APPS"
CARTS="$OUT/uvicorn-carts-waits-for-db-and-redis.out"
$SYSPY -m uvicorn carts_app:app --host 127.0.0.1 --port 8000 > "$CARTS" 2>&1 & APP=$!
node sessions.js > "$OUT/node-sessions-waits-for-redis.out" 2>&1 & NODE=$!
sleep 3.2
runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg" -k "$WORK/pgsock" -c listen_addresses=localhost >> "$PGLOG" 2>&1 & PG=$!
sleep 2.1
install -d -o redis "$WORK/redis"
(cd "$WORK/redis" && exec runuser -u redis -- bash -c 'ulimit -Sn 1024; ulimit -Hn 1024; exec redis-server') > "$OUT/redis-first-start-low-ulimit.out" 2>&1 & REDIS=$!
wait_http http://127.0.0.1:8000/health
wait_http http://127.0.0.1:3000/

# traffic: two carts, one deleted again before the restart
C() { curl -s -o /dev/null "$@"; sleep 0.2; }
C -X POST "http://127.0.0.1:8000/api/carts?owner=ana"
C "http://127.0.0.1:8000/api/carts/1"
C -X POST "http://127.0.0.1:8000/api/carts?owner=ben"
C "http://127.0.0.1:8000/api/carts/2"
C "http://127.0.0.1:8000/api/carts/1"
C -X DELETE "http://127.0.0.1:8000/api/carts/1"
C http://127.0.0.1:3000/sessions/new
# deliberate restart (a new build)
kill -TERM $APP; wait $APP
sleep 1
$SYSPY -m uvicorn carts_app:app --host 127.0.0.1 --port 8000 >> "$CARTS" 2>&1 & APP=$!
wait_http http://127.0.0.1:8000/health
# the deleted cart is rightly gone; the other one survived the restart
C "http://127.0.0.1:8000/api/carts/1"
C "http://127.0.0.1:8000/api/carts/2"
C "http://127.0.0.1:8000/api/carts/1"
C http://127.0.0.1:3000/sessions/new
kill -TERM $APP; wait $APP
kill -TERM $NODE; wait $NODE
runuser -u redis -- redis-cli shutdown >/dev/null; wait $REDIS
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast -w stop >/dev/null; wait $PG

# --- 3. Report worker: optional imports, a setting with a default, deprecation warnings
cd "$APPS" && $SYSPY -W default -X dev report_worker.py > "$OUT/python-report-worker-warnings.out" 2>&1

# --- 4. JVM: heap flags, GC log with allocation-failure collections, a handled exception
mkdir -p "$WORK/java"
javac -d "$WORK/java" "$APPS/CatalogService.java"
java -XX:+PrintCommandLineFlags -XX:+UseSerialGC -Xmx64m -XX:+HeapDumpOnOutOfMemoryError \
  -XX:+ExitOnOutOfMemoryError -Xlog:gc -cp "$WORK/java" com.example.catalog.CatalogService \
  "$WORK/catalog/overrides.json" > "$OUT/java-catalog-gc-heap-flags.out" 2>&1 & J=$!
wait_port 8080
for _ in 1 2 3; do curl -s -o /dev/null http://127.0.0.1:8080/; sleep 0.2; done
wait $J

# --- 5. Go: a recovered handler panic, then a burst of 120 connections against a
#        64-descriptor limit (Go 1.19 raises the soft limit to the hard one, so both are set)
mkdir -p "$WORK/go"; cp "$APPS/edge.go" "$WORK/go/"
(cd "$WORK/go" && go mod init example.com/edge >/dev/null 2>&1 && go build -o edge .)
bash -c "ulimit -Sn 64; ulimit -Hn 64; exec $WORK/go/edge 127.0.0.1:8080" > "$OUT/go-edge-accept-emfile-burst.out" 2>&1 & G=$!
wait_port 8080
curl -s -o /dev/null http://127.0.0.1:8080/health
curl -s -o /dev/null "http://127.0.0.1:8080/inventory?sku=A-1"
$SYSPY - <<'PY'
import socket, time
held = []
for _ in range(120):
    s = socket.socket()
    s.connect(("127.0.0.1", 8080))
    held.append(s)
time.sleep(1.5)
for s in held:
    s.close()
PY
sleep 1
for _ in 1 2 3; do curl -s -o /dev/null http://127.0.0.1:8080/health; sleep 0.3; done
kill -TERM $G; wait $G 2>/dev/null

# --- 6. Nightly maintenance job: disk reports, old exports removed, logs rotated
mkdir -p "$WORK/data"
mount -t tmpfs -o size=8m tmpfs "$WORK/data"
mkdir -p "$WORK/data/exports" "$WORK/log/app"
for d in 02 03 04 05 06 07 08; do
  head -c 1048576 /dev/zero > "$WORK/data/exports/orders-2026-11-$d.csv"
  touch -d "2026-11-$d 02:00" "$WORK/data/exports/orders-2026-11-$d.csv"
done
printf 'GET /health 200\n%.0s' $(seq 200) > "$WORK/log/app/app.log"
cat > "$WORK/logrotate.conf" <<CONF
$WORK/log/app/*.log {
    daily
    rotate 7
    compress
    missingok
    notifempty
}
CONF
# the job last ran (and rotated) the day before yesterday
printf 'logrotate state -- version 2\n"%s/log/app/app.log" %s-3:0:0\n' "$WORK" "$(date -u -d '2 days ago' +%Y-%-m-%-d)" > "$WORK/logrotate.state"
cat > "$WORK/maintenance.sh" <<'SH'
#!/bin/bash
# nightly maintenance: prune exports when the data volume is over 80 %, rotate app logs
set -u
DATA=$1; STATE=$2; CONF=$3
echo "== maintenance $(date -u +%Y-%m-%dT%H:%M:%SZ) =="
df -h "$DATA"
used=$(df --output=pcent "$DATA" | tail -1 | tr -dc 0-9)
if [ "$used" -gt 80 ]; then
  echo "data volume at ${used}% (threshold 80%): removing exports older than 14 days"
  find "$DATA/exports" -name '*.csv' -mtime +14 -print -delete
  df -h "$DATA"
fi
logrotate -v -s "$STATE" "$CONF" 2>&1
echo "== maintenance done =="
SH
bash "$WORK/maintenance.sh" "$WORK/data" "$WORK/logrotate.state" "$WORK/logrotate.conf" > "$OUT/maintenance-disk-report.out" 2>&1
umount "$WORK/data"

umount /etc/hosts; rm -f "$HOSTS"
rm -rf "$WORK"
echo "captures written to $OUT"
