#!/usr/bin/env python3
"""Write case.toml for every golden case, and input.log for the plain (non-journal) cases.

Plain cases: input.log is a verbatim copy of a file in tools/captured/ (real program output
recorded by capture_real_errors.sh). Journal cases: input.log comes from build_journals.py.
Archive cases: a tar archive packed from another case's input.log, byte for byte reproducible
(fixed times and owners, gzip without a time stamp); kept uncompressed, so the golden runner's
gzip copy of it is the .tar.gz run.

    python3 corpora/tools/write_cases.py          # rewrite every case.toml (+ plain input.log)

Python 3 standard library only; every case.toml is checked with tomllib after writing.
"""
import gzip
import io
import os
import shutil
import sys
import tarfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CORPORA = os.path.dirname(HERE)
CAPTURED = os.path.join(HERE, "captured")

CAPTURE_CMD = "sudo bash corpora/tools/capture_real_errors.sh /tmp/cap (Debian 12, root)"
JOURNAL_CMD = ("python3 corpora/tools/build_journals.py --render {case}  "
               "(export built from tools/captured/*.out, then /lib/systemd/systemd-journal-remote -o X.journal "
               "journal.export and TZ=UTC journalctl --file X.journal --no-pager {jargs}; systemd 252 tools)")

PLAIN = [
    # (case, capture file, causes, description, how it was produced)
    ("port-conflict-python-http-server-traceback", "python-http-server-eaddrinuse.out", ["port-conflict"],
     "python3 -m http.server started while another copy holds port 8000: OSError Errno 98 traceback",
     "First `python3 -m http.server 8000` left running, second one started in the same directory; "
     "its stderr recorded verbatim. Note: the traceback itself never names the port."),
    ("port-conflict-python-asyncio-start-server", "python-asyncio-eaddrinuse.out", ["port-conflict"],
     "asyncio.start_server on a busy 127.0.0.1:8000: the wording uvicorn reuses, inside a raw traceback",
     "Script /srv/app/aio.py (asyncio.start_server(handle, '127.0.0.1', 8000) + serve_forever) run twice; "
     "second run's stderr verbatim."),
    ("port-conflict-uvicorn-second-instance-plain", "uvicorn-second-instance-eaddrinuse.out", ["port-conflict"],
     "second uvicorn on 0.0.0.0:8000 prints ERROR [Errno 98] between startup and shutdown lines (no traceback)",
     "Debian python3-uvicorn 0.17.6 + fastapi 0.92 + loguru 0.6: `python3 -m uvicorn src.main:app --host 0.0.0.0 "
     "--port 8000` twice (app = tools/apps/lumiera_main.py); second one's stdout+stderr verbatim, loguru "
     "stamps are the capture machine's clock."),
    ("port-conflict-node-eaddrinuse-stack", "node-eaddrinuse.out", ["port-conflict"],
     "Node 20 http server crashes on listen EADDRINUSE :::3000 (unhandled 'error' event, stack and error object)",
     "/srv/app/node-api/server.js (http.createServer().listen(3000)) run twice with node v20.20.2; "
     "second run's output verbatim."),
    ("port-conflict-java-bindexception", "java-bindexception.out", ["port-conflict"],
     "Java 17 ServerSocket(8080) on a busy port: java.net.BindException: Address already in use stack",
     "com.example.inventory.Server (new ServerSocket(8080)) compiled with javac 17 and run twice; second "
     "run's output verbatim. The exception message does not name the port; the first stdout line does."),
    ("port-conflict-rust-tcplistener-panic", "rust-addrinuse-panic.out", ["port-conflict"],
     "Rust std TcpListener::bind(...).unwrap() panics with Os { code: 98, kind: AddrInUse }",
     "src/main.rs (TcpListener::bind(\"0.0.0.0:7878\").unwrap()) built with rustc 1.95 -O, run twice, "
     "second run with RUST_BACKTRACE unset; output verbatim. rustc 1.95 prints the thread id: "
     "thread 'main' (PID) panicked at ..."),
    ("port-conflict-rust-tcplistener-panic-backtrace", "rust-addrinuse-panic-backtrace.out", ["port-conflict"],
     "same Rust AddrInUse panic with RUST_BACKTRACE=1 (short backtrace follows the panic message)",
     "As port-conflict-rust-tcplistener-panic but with RUST_BACKTRACE=1; output verbatim."),
    ("port-conflict-nginx-emerg-bind", "nginx-bind-eaddrinuse.out", ["port-conflict"],
     "nginx 1.22 master on a busy 0.0.0.0:8080: five bind() emerg lines, then still could not bind()",
     "Port 8080 held by python3 -m http.server; then `nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'` "
     "(Debian nginx-light 1.22.1, error_log stderr, listen 8080); its stderr verbatim."),
    ("port-conflict-postgres-second-cluster", "postgres-second-cluster-eaddrinuse.out", ["port-conflict"],
     "PostgreSQL 15 second cluster on port 5433: could not bind IPv4 address, HINT, FATAL could not create any TCP/IP sockets",
     "Two clusters made with initdb (Debian postgresql-15), first started on -p 5433, second started on "
     "-p 5433 with its own unix socket directory; second postmaster's stderr verbatim."),
    ("bind-address-unavailable-uvicorn-errno99", "uvicorn-eaddrnotavail.out", ["bind-address-unavailable"],
     "uvicorn --host 10.255.255.1 (address not on this machine): [Errno 99] cannot assign requested address; must NOT be port-conflict",
     "Debian uvicorn 0.17.6, same app as the port-conflict uvicorn cases, `--host 10.255.255.1 --port 8000`; "
     "output verbatim. Nothing else was listening on 8000."),
    ("bind-address-unavailable-python-socket-errno99", "python-bind-eaddrnotavail.out", ["bind-address-unavailable"],
     "plain socket.bind(('10.255.255.1', 8000)): OSError [Errno 99] Cannot assign requested address",
     "python3 -c \"import socket; s = socket.socket(); s.bind(('10.255.255.1', 8000))\"; stderr verbatim."),
    ("permission-denied-uvicorn-port80-as-nobody", "uvicorn-port80-eacces.out", ["permission-denied"],
     "uvicorn run as user nobody on port 80 (< ip_unprivileged_port_start=1024): [Errno 13] permission denied while binding",
     "runuser -u nobody -- python3 -m uvicorn src.main:app --host 0.0.0.0 --port 80; output verbatim. "
     "A bind error that is neither port-conflict nor bind-address-unavailable."),
    ("permission-denied-python-logfile", "python-eacces-logfile.out", ["permission-denied"],
     "daemon started as nobody cannot open its log file under a root-owned directory: PermissionError [Errno 13]",
     "/srv/app/reportd.py calls logging.basicConfig(filename=/srv/app/var/log/reportd/reportd.log); the "
     "directory is root:root 0755; run with runuser -u nobody; stderr verbatim."),
    ("missing-config-keyerror-database-url", "python-keyerror-database-url.out", ["missing-config"],
     "python -m chatos_backend.main without DATABASE_URL: KeyError: 'DATABASE_URL' raised from os.environ",
     "chatos_backend/config.py does DATABASE_URL = os.environ[\"DATABASE_URL\"]; run with "
     "env -u DATABASE_URL python3 -m chatos_backend.main; stderr verbatim."),
    ("missing-dependency-uvicorn-modulenotfound-plain", "uvicorn-modulenotfound.out", ["missing-dependency", "import-error"],
     "uvicorn chatos_backend.app:app where app.py imports keycloak (not installed): long ModuleNotFoundError traceback",
     "python3 -m uvicorn chatos_backend.app:app --host 127.0.0.1 --port 8000 with "
     "`from keycloak import KeycloakOpenID` in app.py and no python-keycloak installed; stderr verbatim. "
     "The same traceback (paths rewritten) is the payload of import-error-modulenotfound-restart-loop-journal-short."),
    ("db-unreachable-psycopg2-connection-refused", "psycopg2-connection-refused.out", ["db-unreachable"],
     "psycopg2.connect to 127.0.0.1:5999 with nothing listening: OperationalError ... Connection refused, Is the server running",
     "python3 -c \"import psycopg2; psycopg2.connect(host='127.0.0.1', port=5999, dbname='chatos', ...)\" "
     "(Debian python3-psycopg2 2.9.5); stderr verbatim. Port 5999, not 5432: the text says PostgreSQL "
     "through the psycopg2 exception, not through the port number."),
    ("cache-unreachable-redis-connection-refused", "redis-connection-refused.out", ["cache-unreachable"],
     "redis-py worker with no Redis on localhost:6379: chained ConnectionRefusedError -> redis.exceptions.ConnectionError",
     "/srv/app/worker.py does redis.Redis(host='localhost', port=6379).blpop(...) (Debian python3-redis 4.3.4) "
     "with no Redis server; output verbatim. Two tracebacks joined by 'During handling of the above exception'."),
    ("unhandled-exception-python-connection-refused-bare", "python-connection-refused.out", ["unhandled-exception"],
     "bare socket.create_connection(('127.0.0.1', 5999)) refused: ConnectionRefusedError [Errno 111], no peer named in the text",
     "python3 -c \"import socket; socket.create_connection(('127.0.0.1', 5999))\"; stderr verbatim. Nothing "
     "in the text says which service was unreachable, so neither db- nor cache-unreachable can be claimed."),
    ("fd-exhaustion-python-emfile", "python-emfile.out", ["fd-exhaustion"],
     "leaking tempfiles under ulimit -n 64: OSError [Errno 24] Too many open files (traceback has no source lines)",
     "bash -c 'ulimit -n 64; exec python3 /srv/app/leak.py' where leak.py keeps tempfile.TemporaryFile() "
     "handles; output verbatim. Python could not open the source files to quote lines: real EMFILE symptom."),
    ("disk-full-python-enospc", "python-enospc.out", ["disk-full"],
     "writer fills a 64k tmpfs: OSError [Errno 28] No space left on device",
     "mount -t tmpfs -o size=64k tmpfs /srv/app/spool; python3 /srv/app/spool_writer.py writes JSON lines "
     "to spool/batch-000017.json until it fails; stderr verbatim."),
    ("disk-full-dd-enospc", "dd-enospc.out", ["disk-full"],
     "dd onto the full 64k tmpfs: dd: error writing ...: No space left on device (coreutils wording)",
     "dd if=/dev/zero of=/srv/app/spool/fill.bin bs=4k count=100 on the same full tmpfs; stderr verbatim."),
    ("segfault-c-null-deref-bash", "c-segfault.out", ["segfault"],
     "C worker dereferences NULL: bash reports 'Segmentation fault (core dumped)', exit status 139",
     "gcc -O0 segv.c -o media-worker; bash -c 'ulimit -c unlimited; ./media-worker; echo \"exit status $?\"'; "
     "output verbatim. No kernel log here (container, no dmesg), so no 'segfault at 0 ip ... error 4' line."),
]

TRACEBACK_CMD = "bash corpora/tools/capture_tracebacks.sh /tmp/cap (Debian 12: OpenJDK 17, Go 1.19, rustc 1.95)"

# Container prefixes as the runtimes write them in front of every line of a program's output.
PREFIXES = {
    "compose": ("{service}  | ", "docker compose logs (service name padded, then '| ')"),
    "cri": ("2026-04-07T03:00:0{n}.{us:06d}123Z stderr F ",
            "the kubelet's CRI log format (/var/log/pods/.../0.log: RFC 3339 nano time, stream, F = full line)"),
}

# Plain cases captured by another script: (case, capture file, causes, description, how, command)
PLAIN_OTHER = [
    ("state-lost-on-restart-uvicorn-registry-plain", "uvicorn-state-lost-registry.out", ["state-lost-on-restart"],
     "a FastAPI registry keeps bot providers in memory: join answers 200 before a restart and 404 after it",
     "App tools/apps/registry/registry_app.py (Debian python3-uvicorn 0.17.6 + fastapi 0.92) under uvicorn; "
     "curl registers a provider and joins three lobbies (200), the server is stopped with SIGTERM and "
     "started again, and the same provider id gets 404 four times (seed 004). uvicorn's stdout+stderr of "
     "both runs, appended to one file, verbatim; client ports and PIDs are the capture machine's.",
     "bash corpora/tools/capture_state_lost.sh OUTFILE (Debian 12)"),
]

LIFECYCLE_CMD = "sudo bash corpora/tools/capture_lifecycle_errors.sh /tmp/cap (Debian 12, root)"

# Plain cases captured by capture_lifecycle_errors.sh: (case, capture file, causes, description, how)
LIFECYCLE = [
    ("app-out-of-memory-node-heap-limit", "node-heap-oom.out", ["app-out-of-memory"],
     "Node 20 service caching sessions until V8 hits --max-old-space-size: Last few GCs, FATAL ERROR: Reached heap limit, native stack",
     "tools/apps/lifecycle/session_cache.js (keeps every session object in a Map) run with node v20.20.2 "
     "--max-old-space-size=32; stdout+stderr verbatim. V8 aborts the process (SIGABRT); the shell's "
     "'Aborted' line is not part of the program's output and is not in the file."),
    ("app-out-of-memory-java-heap-space", "java-heap-oom.out", ["app-out-of-memory"],
     "Java 17 ledger cache under -Xmx16m: java.lang.OutOfMemoryError: Java heap space escapes main",
     "tools/apps/lifecycle/LedgerCache.java (keeps every row in an ArrayList) compiled with javac 17 and "
     "run with java -Xmx16m; stdout+stderr verbatim."),
    ("app-out-of-memory-python-memoryerror-ulimit", "python-memoryerror.out", ["app-out-of-memory"],
     "Python importer allocating a 768 MiB buffer under ulimit -v 256 MiB: bare MemoryError at the end of a traceback",
     "tools/apps/lifecycle/importer.py (bytearray of the snapshot size) run by Debian's python3 3.11 under "
     "bash -c 'ulimit -v 262144; exec python3 importer.py'; stdout+stderr verbatim. MemoryError has no "
     "message: the traceback's last line is the bare exception name."),
    ("read-only-filesystem-python-state-dir-ro-mount", "python-erofs-state.out", ["read-only-filesystem"],
     "metrics exporter writes its state file into a directory mounted read-only: OSError [Errno 30] Read-only file system",
     "mount -t tmpfs -o ro,size=64k tmpfs /srv/app/var/lib/metrics-exporter, then Debian's python3 runs "
     "tools/apps/lifecycle/exporter.py (logging start-up line, then open(state.json.tmp, 'w')); "
     "stdout+stderr verbatim. The same EROFS a ProtectSystem=strict unit or a read_only container gets."),
    ("invalid-config-postgres-work-mem-unit", "postgres-invalid-config.out", ["invalid-config"],
     "PostgreSQL 15 refuses to start: work_mem = 64mb (units are case-sensitive), FATAL configuration file contains errors",
     "Cluster made with initdb (Debian postgresql-15), 'work_mem = 64mb' appended to postgresql.conf, "
     "postgres started by hand on port 5434; its stderr verbatim (LOG invalid value, HINT with the "
     "valid units, FATAL configuration file ... contains errors)."),
    ("invalid-config-python-tomllib-unquoted-value", "python-tomllib-config.out", ["invalid-config"],
     "Python service loads its TOML config with tomllib; an unquoted URL value: tomllib.TOMLDecodeError: Invalid value (at line 3, column 7)",
     "tools/apps/lifecycle/billing_sync.py reads tools/apps/lifecycle/billing_sync.toml (url = "
     "postgresql://... without quotes on line 3) with tomllib; run by Debian's python3 3.11, stdout+stderr "
     "verbatim. Must be invalid-config, not unhandled-exception: the traceback is only how the parse "
     "error reached the top."),
    ("stale-lock-gunicorn-pidfile-pid-reused", "gunicorn-stale-pidfile.out", ["stale-lock"],
     "gunicorn refuses to start: the PID in its --pid file belongs to another process now: Already running on PID ... (or pid file ... is stale)",
     "Debian python3-gunicorn 20.1.0 run as nobody with --pid /srv/app/var/run/web/gunicorn.pid; the file "
     "holds the PID of a root-owned `sleep` that stands in for the unrelated process that got the old "
     "PID after an unclean stop (gunicorn's kill(pid, 0) gets EPERM and takes it as alive). "
     "stdout+stderr verbatim. Nothing else in the log shows that PID alive, so not competing-instances."),
    ("stale-lock-postgres-postmaster-pid-reused", "postgres-stale-postmaster-pid.out", ["stale-lock"],
     "PostgreSQL 15 after a crash: postmaster.pid names a PID now used by another postgres-owned process: lock file already exists",
     "The cluster of invalid-config-postgres-work-mem-unit (config fixed) was started and its postmaster "
     "killed with SIGKILL, leaving postmaster.pid; a `sleep` run as postgres stands in for the process "
     "that reused the PID, and its PID was written into the file's first line; then postgres was "
     "started again. Its stderr verbatim."),
]

HEALTHY_CMD = "sudo bash corpora/tools/capture_healthy.sh /tmp/cap (Debian 12, root; own network namespace)"

# Plain cases whose alarming lines must not be diagnosed (healthy, or another cause):
# (case, capture file, causes, negative_for, description, how it was produced)
NEGATIVE = [
    ("healthy-postgres-first-start-localhost-bind-notices", "postgres-first-start.out", [],
     ["port-conflict", "bind-address-unavailable", "competing-instances", "stale-lock", "permission-denied"],
     "PostgreSQL 15 first start: initdb, set-up server, then listen_addresses=localhost logs 'could not bind' "
     "twice (EADDRINUSE with the 'another postmaster' HINT, EADDRNOTAVAIL for ::1) and is ready; healthy",
     "initdb (Debian postgresql-15), a socket-only pg_ctl start to create the app's role and database and a "
     "fast stop (what the docker image's entrypoint does), then postgres -c listen_addresses=localhost; "
     "initdb, pg_ctl, psql and the server's stderr appended to one file, verbatim. The capture runs in its "
     "own network namespace whose loopback has IPv6 disabled, with a container-style /etc/hosts bind-mounted "
     "there: localhost is also ::1, and a second line names localhost again. So the postmaster binds "
     "127.0.0.1, fails the duplicate 127.0.0.1 with EADDRINUSE (PostgreSQL 15 adds the HINT 'Is another "
     "postmaster already running on port 5432?' only for EADDRINUSE) and ::1 with EADDRNOTAVAIL, and is "
     "ready to accept connections from the same postmaster PID. A fast shutdown at the end."),
    ("healthy-uvicorn-waits-for-postgres-and-redis-then-restart", "uvicorn-carts-waits-for-db-and-redis.out", [],
     ["db-unreachable", "cache-unreachable", "unhandled-exception", "state-lost-on-restart", "competing-instances"],
     "uvicorn app starts before PostgreSQL and Redis: connection refused (traceback logged once), retries "
     "once a second, connects, serves; a deliberate restart; a cart deleted before it answers 404 after it",
     "App tools/apps/healthy/carts_app.py (Debian python3-uvicorn 0.17.6, fastapi 0.92, psycopg2 2.9.5, "
     "redis-py 4.3.4) started ~3 s before PostgreSQL and ~5 s before redis-server; its start-up hook retries "
     "each connection once a second and logs the first failure with its traceback (WARNING). curl creates "
     "two carts, reads them, deletes cart 1; SIGTERM and a new start (a deploy); cart 1 answers 404 twice "
     "(rightly: it was deleted), cart 2 answers 200. uvicorn's stdout+stderr of both runs, appended, verbatim."),
    ("healthy-python-optional-imports-deprecation-warnings", "python-report-worker-warnings.out", [],
     ["import-error", "missing-dependency", "missing-config", "event-loop-misuse"],
     "batch worker run with -W default -X dev: 'No module named ujson/lz4; falling back', REPORT_BUCKET "
     "not set so a default is used, imp DeprecationWarning, asyncio debug lines; exits normally",
     "tools/apps/healthy/report_worker.py run as /usr/bin/python3 -W default -X dev (Python 3.11.2); it "
     "imports optional modules that are not installed and logs the fallback, reads an unset setting with a "
     "default, imports the deprecated imp module and runs an asyncio job loop; stdout+stderr verbatim."),
    ("healthy-redis-first-start-low-ulimit-warnings", "redis-first-start-low-ulimit.out", [],
     ["fd-exhaustion", "missing-config", "oom-kill"],
     "redis-server 7.0 without a config file under a 1024-descriptor limit: maxclients reduced for the "
     "low ulimit, overcommit warning, ready; a requested shutdown saves the RDB",
     "redis-server (Debian 7.0.15) started with no arguments as user redis after ulimit -Sn 1024; ulimit "
     "-Hn 1024 (so it cannot raise the limit to 10032), in an empty data directory; redis-cli shutdown at "
     "the end. The same server the carts and sessions captures wait for. Output verbatim."),
    ("healthy-java-gc-allocation-failure-handled-exception", "java-catalog-gc-heap-flags.out", [],
     ["app-out-of-memory", "unhandled-exception", "missing-config"],
     "JVM with -XX:+HeapDumpOnOutOfMemoryError/-XX:+ExitOnOutOfMemoryError, Serial GC 'Pause Young "
     "(Allocation Failure)' lines, a NoSuchFileException stack logged at WARNING (defaults used), then serves",
     "tools/apps/healthy/CatalogService.java compiled with javac 17 and run with java -XX:+PrintCommandLineFlags "
     "-XX:+UseSerialGC -Xmx64m -XX:+HeapDumpOnOutOfMemoryError -XX:+ExitOnOutOfMemoryError -Xlog:gc (OpenJDK "
     "17.0.15); the optional overrides file is missing (java.util.logging WARNING with the stack trace), "
     "the cache warm-up triggers young collections, three requests are served; output verbatim."),
    ("healthy-node-waits-for-redis-deprecation-warning", "node-sessions-waits-for-redis.out", [],
     ["cache-unreachable", "unhandled-exception", "import-error", "missing-dependency"],
     "Node 20 service retries Redis once a second (connect ECONNREFUSED 127.0.0.1:6379 with the error "
     "object logged), gets PONG, DEP0005 Buffer() warning, listens; optional native module missing",
     "tools/apps/healthy/sessions.js run with node v20.20.2 ~5 s before redis-server starts; it sends a RESP "
     "PING over a plain socket, logs each failure with console.error(err) and retries once a second; "
     "require('bufferutil') fails (MODULE_NOT_FOUND) and a JavaScript fallback is used; SIGTERM at the end. "
     "Output verbatim."),
    ("fd-exhaustion-go-accept-retry-burst-recovered-panic", "go-edge-accept-emfile-burst.out", ["fd-exhaustion"],
     ["unhandled-exception", "segfault"],
     "Go net/http server: a handler's nil pointer dereference is recovered and logged; a burst of connections "
     "hits its 64-descriptor limit, 'http: Accept error ... too many open files; retrying in 5ms..1s', then it "
     "serves again",
     "tools/apps/healthy/edge.go built with Debian's go 1.19 and run under ulimit -Sn 64 / -Hn 64 (Go 1.19 "
     "raises the soft limit to the hard one); /inventory dereferences a nil pointer (net/http recovers the "
     "panic and logs 'http: panic serving ...' with the goroutine's stack); a Python client then holds 120 "
     "connections for 1.5 s, and later requests are served. Output verbatim. The descriptor limit was "
     "really hit, so fd-exhaustion is the right finding even though the server recovered; the recovered "
     "panic is neither a crash nor a segfault."),
    ("healthy-maintenance-disk-usage-report-logrotate", "maintenance-disk-report.out", [],
     ["disk-full", "permission-denied"],
     "nightly maintenance job: df -h at 88 % over its threshold, old exports deleted (0 %), logrotate -v "
     "rotates and compresses the app log (with its world-readable state file warning)",
     "A bash job (written by capture_healthy.sh) run on an 8 MiB tmpfs holding seven 1 MiB exports dated "
     "2026-11-02..08: df -h, find -mtime +14 -print -delete, df -h, logrotate -v (Debian logrotate 3.21) "
     "with a state file saying the log was last rotated two days before; output verbatim."),
]

PREFIXED = [
    # (case, capture file, prefix kind, service, causes, description, how it was produced)
    ("unhandled-exception-java-caused-by-compose", "java-caused-by.out", "compose", "pool", ["unhandled-exception"],
     "Java 17 exception escaping main with a Caused by: chain and '... 2 more', in docker compose logs",
     "tools/apps/tracebacks/Pool.java (IllegalStateException wrapping a ConnectException) compiled with "
     "javac 17 and run; stderr recorded, then every line prefixed the way docker compose logs shows a "
     "service's output."),
    ("unhandled-exception-go-nil-pointer-k8s-cri", "go-nil-pointer.out", "cri", "", ["unhandled-exception"],
     "Go 1.19 nil pointer dereference panic (signal line, goroutine header, inlined frame) in a Kubernetes CRI container log",
     "tools/apps/tracebacks/worker.go built with Debian's go 1.19 and run; stderr recorded, then every "
     "line prefixed the way the kubelet writes a container's stderr."),
]

JOURNAL = [
    # (case, causes, restart loop, period, description, notes)
    ("port-conflict-uvicorn-manual-copy-journal-short", ["port-conflict", "competing-instances"], True, 14.4,
     "seed 002: lumiera-whatsapp.service restarts every ~14.4 s because a manually started uvicorn (PID 3368901) holds port 8000; journalctl -o short",
     "Scenario of seed 002. Real: every application line (uvicorn 0.17.6 start-up, loguru FSM lines, "
     "ERROR [Errno 98] ... ('0.0.0.0', 8000), shutdown lines, the manual copy's SIGTERM shutdown) comes "
     "from tools/captured/uvicorn-*.out; only PIDs and the loguru stamps were rewritten to the entry time. "
     "Assembled: the timeline (11 failing cycles, restart counter 38..48, RestartSec=10 plus ~3.3 s "
     "start-up), systemd 255 manager lines with their real wording, MESSAGE_IDs and fields, the manual "
     "copy's journal identity (run.sh runs it under systemd-cat -t whatsapp-api in session-1187.scope). "
     "At 12:30:47 the manual copy is killed; the next start (PID 3372972) binds and stays up."),
    ("port-conflict-uvicorn-manual-copy-journal-json", ["port-conflict", "competing-instances"], True, 14.4,
     "seed 002 (same journal as port-conflict-uvicorn-manual-copy-journal-short), rendered with journalctl -o json (one JSON object per line, all trusted fields)",
     "Same journal.export as port-conflict-uvicorn-manual-copy-journal-short, rendered with -o json. "
     "The __CURSOR seqnum id is chosen by systemd-journal-remote, so it changes on every rebuild."),
    ("port-conflict-system-vs-user-unit-journal-short", ["port-conflict", "competing-instances"], True, None,
     "seed 003: benchai.service (systemd[1]) and user unit llm-router.service (systemd[1234]) fight over port 8085; counter 471..478, then roles swap",
     "Scenario of seed 003. Real: router output from tools/captured/router-*.out (uvicorn.run() of "
     "tools/apps/llm_router.py on 8085: [STARTUP], ERROR [Errno 98] ... ('0.0.0.0', 8085), [CLEANUP] in "
     "the shutdown handler, SIGTERM shutdown). Assembled: benchai.service fails 7 times (~12.7 s period, "
     "RestartSec=10) while user-unit PID 48211 holds the port; the operator kills 48211; benchai's "
     "pending start wins the port; the user unit (Restart=always, RestartSec=3) then loops every ~5.5 s "
     "(counter 3..7). Two loops with different periods, so no expect_period_s."),
    ("oom-kill-uvicorn-backend-journal-short-iso", ["oom-kill"], False, None,
     "seed 001: kontali-backend.service (uvicorn, PID 12345) dies silently: kernel OOM report, then systemd result 'oom-kill', one restart",
     "Scenario of seed 001. Real: uvicorn start-up lines and access-log format from tools/captured/"
     "uvicorn-first-instance.out. Assembled: kernel lines (python3 invoked oom-killer ..., call trace, "
     "Mem-Info, task table, oom-kill: constraint line, Out of memory: Killed process 12345 (python3) "
     "total-vm:2048000kB ...) written after mm/oom_kill.c and mm/show_mem.c of Linux 6.8 (no kernel "
     "log can be produced in this container); systemd 255 lines incl. 'A process of this unit has been "
     "killed by the OOM killer.' (MESSAGE_ID fe6faa94e7774663a0da52717891d8ef). Restart=on-failure: a "
     "single restart, then stable, so no loop."),
    ("oom-kill-uvicorn-backend-journal-catalog-x", ["oom-kill"], False, None,
     "seed 001 OOM kill rendered with journalctl -x -n 40: the tail of the kernel report, then systemd lines each followed by catalog text",
     "Same journal.export as oom-kill-uvicorn-backend-journal-short-iso, rendered with -o short -x -n 40 "
     "after journalctl --update-catalog (Debian 12 systemd 252 catalog, lines prefixed with U+2591 and "
     "a space). The catalog text is real, including its own oddities (the literal @UNIT in the OOM "
     "entry). -n 40 starts the window inside the kernel's task table."),
    ("import-error-modulenotfound-restart-loop-journal-short", ["missing-dependency", "import-error"], True, 5.9,
     "seed 000: chatos-backend.service loops every ~5.9 s (RestartSec=5) on ModuleNotFoundError: No module named 'keycloak'; journalctl -n 200 cuts the first traceback",
     "Scenario of seed 000. Real: the 47-line uvicorn traceback from tools/captured/uvicorn-modulenotfound.out "
     "with paths rewritten (/srv/app/chatos -> /data/ChatOS-v2.0, dist-packages -> the .venv's "
     "site-packages). Assembled: 4 failing cycles (counter 211..215, ~0.9 s import + RestartSec=5). "
     "Rendered with journalctl -o short -n 200, so the window starts in the middle of a traceback."),
    ("healthy-operator-restart-with-timers-journal-short-precise", [], False, None,
     "healthy invoicer.service: one operator 'sudo systemctl restart', a 5-minute oneshot health probe (Starting/Finished) and cron; no loop, no cause",
     "Real: uvicorn start/stop lines from tools/captured/uvicorn-first-instance.out. Assembled: 35 minutes "
     "of a healthy host: cron (pam_unix session lines + CMD) every 5 min, a timer-driven oneshot "
     "invoicer-healthcheck.service (Starting/Deactivated successfully/Finished) every 5 min, access logs, "
     "and one deliberate restart at 10:17:42 (sudo line, Stopping, graceful uvicorn shutdown, Deactivated "
     "successfully, Stopped, Consumed, Started, new PID). Rendered with -o short-precise. There is no "
     "'Starting invoicer.service' line: for Type=simple units systemd goes straight from inactive to "
     "active and skips the Starting message (see job_perform_on_unit in src/core/job.c)."),
    ("unhandled-exception-interleaved-instances-journal-short", ["unhandled-exception"], True, 5.5,
     "ingest@eu and ingest@us crash at the same moment with the same chained Python traceback (JSONDecodeError, then RuntimeError) after every restart; their lines interleave",
     "Real: the traceback from tools/captured/python-chained-checkpoint.out (tools/apps/tracebacks/ingest.py "
     "reading an empty checkpoint file; pyenv's stdlib path rewritten to /usr/lib/python3.11, the "
     "checkpoint path to each instance's own). Assembled: two instances of a template unit "
     "(Restart=on-failure, RestartSec=5) started together five times; each writes its traceback to its "
     "own stdout stream, so journald interleaves the two processes' lines entry by entry. Ten crashes, "
     "one fingerprint."),
    ("bad-exec-path-start-limit-hit-journal-short", ["bad-exec-path", "start-limit-hit"], True, None,
     "report-worker.service ExecStart binary missing after a redeploy: 203/EXEC five times within a second, then Start request repeated too quickly",
     "Assembled (no real systemd can run here): Type=simple unit, Restart=on-failure with default "
     "RestartSec=100ms and StartLimitBurst=5 in 10 s. Per attempt: Started, the forked child's 'Failed to "
     "locate executable ...' and 'Failed at step EXEC spawning ...' (MESSAGE_ID "
     "641257651c1b4ec9a8624d7a40a9e1e7), Main process exited status=203/EXEC, Failed with result "
     "'exit-code'; after restart counter 5: Start request repeated too quickly, Failed with result "
     "'exit-code' (the first failure result is kept), Failed to start (MESSAGE_ID "
     "be02cf6855d2428ba40df7e9d022f03d). The child lines use the systemd 252 identity systemd[child PID]; "
     "newer systemd versions name the child differently. All in one second: no period."),
    ("oom-kill-port-conflict-three-hosts-journal-short-iso", ["oom-kill", "port-conflict"], True, 13.0,
     "three machines' journals merged on a log host: web-01 loops every ~13 s on port 8000 held by a copy started by hand, worker-01 is OOM-killed once, web-02 is healthy",
     "A fleet's journals as a log host collects them (systemd-journal-remote, --split-mode=none: one "
     "journal file, the machines' entries interleaved by time, journalctl printing a '-- Boot ... --' "
     "line whenever the machine changes). Real: uvicorn start-up, shutdown, ERROR [Errno 98] ... "
     "('0.0.0.0', 8000) and access-log lines from tools/captured/uvicorn-*.out (PIDs rewritten, loguru "
     "lines left out). Assembled: web-01 (shop-api.service) is stopped with sudo at 09:55, a copy is "
     "started by hand under systemd-cat -t shop-api-debug in session-412.scope and keeps port 8000; the "
     "deploy user starts the unit at 10:02 and it fails every ~13 s (RestartSec=10 plus ~2.6 s "
     "start-up, restart counter 1..12) to the end of the log. worker-01 (report-builder.service, uvicorn "
     "on 127.0.0.1:8100): the kernel OOM report of oom-kill-uvicorn-backend-journal-short-iso for PID "
     "51234 and this unit's cgroup, systemd's oom-kill lines, one restart (Restart=on-failure), then "
     "stable. web-02 runs the same shop-api.service healthily: traffic, a 5-minute health-probe timer "
     "(Starting/Deactivated successfully/Finished) and cron. The golden runner checks the causes per "
     "host (expect_hosts)."),
    ("orphan-process-wrapper-killmode-process-journal-short", ["orphan-process", "port-conflict"], True, 7.6,
     "geo-api.service runs uvicorn under a /bin/sh wrapper with KillMode=process: a deploy restart leaves the old uvicorn (PID 40121) in the cgroup on port 8000; every new start fails to bind",
     "Real: uvicorn start-up, ERROR [Errno 98] ... ('0.0.0.0', 8000), shutdown and access-log lines from "
     "tools/captured/uvicorn-*.out (PIDs rewritten, the app's loguru lines left out). Assembled: ExecStart= "
     "is a /bin/sh script that runs uvicorn without exec, KillMode=process, SyslogIdentifier=geo-api, "
     "Restart=always, RestartSec=5. The deploy user's 'systemctl restart' stops only the wrapper: 'Unit "
     "process 40121 (python3) remains running after unit stopped.', then before every start 'Found "
     "left-over process 40121 (python3) in control group while starting unit. Ignoring.' with 'This "
     "usually indicates unclean termination of a previous run, or service implementation deficiencies.' "
     "in the same journal entry (systemd 252 logs both in one call; journalctl indents the second line). "
     "systemd's own lines use systemd 252 wording (Debian 12), checked against the format strings in /usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so; MESSAGE_IDs from sd-messages.h. journald stamps a stdout stream with the PID that opened it, so uvicorn's lines carry the "
     "wrapper's PID (the survivor's access lines keep the old wrapper PID 40117). 12 failing starts "
     "(~7.6 s: ~2.5 s start-up plus RestartSec=5); an operator kills 40121 with sudo and the next start "
     "binds. orphan-process leads (it explains the port conflict); no competing-instances: the other copy "
     "is the unit's own left-over process."),
    ("start-timeout-type-notify-uvicorn-journal-short", ["start-timeout"], True, 100.1,
     "quotes-api.service is switched to Type=notify; uvicorn never sends READY=1, so each start is terminated after TimeoutStartSec=90s although the server answers requests; loops every ~100 s",
     "Real: uvicorn start-up and SIGTERM shutdown lines from tools/captured/uvicorn-first-instance.out "
     "(PIDs rewritten, the app's loguru lines left out) and uvicorn's access-log format. Assembled: the unit "
     "ran as Type=simple; an operator runs 'systemctl daemon-reload' (systemd logs 'Reloading.') and "
     "'systemctl restart' after Type=notify was copied into it. Each start: 'Starting ...' (Type=notify "
     "stays activating), uvicorn up within ~2.7 s and serving /healthz and /v1/quotes, then after 90 s "
     "'quotes-api.service: start operation timed out. Terminating.', uvicorn's graceful shutdown (exit 0 "
     "on SIGTERM: systemd logs no 'Main process exited' line for a clean exit), 'Failed with result "
     "'timeout'.', 'Failed to start ...' (MESSAGE_ID be02cf6855d2428ba40df7e9d022f03d), then "
     "Restart=on-failure with RestartSec=10. systemd's own lines use systemd 252 wording (Debian 12), checked against the format strings in /usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so; MESSAGE_IDs from sd-messages.h. Four timeouts, the fifth start is under way at the "
     "end."),
    ("stop-timeout-mailer-ignores-sigterm-journal-short-iso", ["stop-timeout"], False, None,
     "mailer.service's SIGTERM handler waits without a timeout for deliveries stuck on a silent relay: each 'systemctl restart' takes 90 s and ends in SIGKILL",
     "Real: the worker's lines from tools/captured/python-mailer-ignores-sigterm.out "
     "(tools/apps/lifecycle/mailer.py against a relay that accepts and never answers; its SIGTERM handler "
     "joins the delivery threads, so only SIGKILL ends it), verbatim in every run: the same three messages "
     "are redelivered after each kill. Assembled: an operator restarts the unit twice (sudo lines); each "
     "time 'Stopping ...', the worker's 'SIGTERM received, waiting for 3 in-flight deliveries to finish', "
     "90 s later (TimeoutStopSec= default) 'State 'stop-sigterm' timed out. Killing.', 'Killing process N "
     "(python3) with signal SIGKILL.', 'Main process exited, code=killed, status=9/KILL', 'Failed with "
     "result 'timeout'.', 'Stopped ...', 'Started ...'. systemd's own lines use systemd 252 wording (Debian 12), checked against the format strings in /usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so; MESSAGE_IDs from sd-messages.h. Two operator restarts 40 minutes "
     "apart are not a restart loop, and the 'timeout' result is not a start timeout."),
    ("sandbox-setup-failed-readwritepaths-missing-journal-short", ["sandbox-setup-failed"], True, 5.0,
     "a hardening drop-in lists ReadWritePaths=/var/cache/reports, which does not exist on the host: reports.service fails with 226/NAMESPACE every ~5 s and its program never runs",
     "Real: uvicorn shutdown and access-log lines of the running service from "
     "tools/captured/uvicorn-first-instance.out (PID rewritten). Assembled: after 'systemctl daemon-reload' "
     "(a drop-in with ProtectSystem=strict and ReadWritePaths=/var/lib/reports /var/cache/reports) and "
     "'systemctl restart', every start is 'Started ...' (Type=simple), then the forked child's own lines "
     "(systemd 252 logs them as systemd[child PID], _COMM '(python3)'): 'Failed to set up mount "
     "namespacing: /run/systemd/unit-root/var/cache/reports: No such file or directory' and 'Failed at "
     "step NAMESPACE spawning /opt/reports/venv/bin/python3: No such file or directory' (MESSAGE_ID "
     "641257651c1b4ec9a8624d7a40a9e1e7), then 'Main process exited, code=exited, status=226/NAMESPACE' and "
     "'Failed with result 'exit-code'.'; Restart=on-failure, RestartSec=5 (too slow for the default start "
     "limit of 5 starts in 10 s, so it loops). systemd's own lines use systemd 252 wording (Debian 12), checked against the format strings in /usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so; MESSAGE_IDs from sd-messages.h. systemd 252 names the path inside the root it "
     "builds for the unit (/run/systemd/unit-root/...); the report must name /var/cache/reports."),
]

JOURNAL.append(
    ("healthy-gateway-boot-deploy-slow-stop-timers-journal-short-iso", [], False, None,
     "healthy edge gateway: root mounted ro then remounted r/w, OOM killer daemon started, a sandbox notice, "
     "unit-file warnings on daemon-reload, an optional ExecStartPre= binary skipped, a 94 s warm-up, a "
     "deliberate restart, an 8 s drain on stop, a 30 s health timer",
     "Real: the uvicorn start-up and shutdown lines of the carts API (tools/captured/"
     "uvicorn-carts-waits-for-db-and-redis.out, its second run, PIDs and stamps rewritten). Assembled: the "
     "rest of 21 minutes after a boot, with systemd 255 wording and MESSAGE_IDs: the kernel's ext4 mount "
     "('mounted filesystem ... ro with ordered data mode', then 're-mounted ... r/w', fs/ext4/super.c of "
     "Linux 6.8) around systemd-remount-fs.service; 'Started systemd-oomd.service - Userspace "
     "Out-Of-Memory (OOM) Killer.'; the forked child's 'PrivateNetwork=yes is configured, but the kernel "
     "does not support network namespaces, ignoring.' for systemd-hostnamed (a vendor kernel without "
     "network namespaces); a daemon-reload with 'Configuration file ... is marked executable ... "
     "Proceeding anyway.' and 'Unknown key name 'MemoryZSwapWriteback' in section 'Service', ignoring.' (a "
     "setting newer than systemd 255); gw-api.service's optional ExecStartPre=-/usr/local/bin/gw-migrate, "
     "absent, logged by the child as 'Executable ... missing, skipping: No such file or directory' "
     "(MESSAGE_ID 641257651c1b4ec9a8624d7a40a9e1e7, priority info) before every start; a Type=oneshot "
     "warm-up that takes 94 s of its 10-minute TimeoutStartSec=, during which journald logs 'Under memory "
     "pressure, flushing caches.'; a 30-second health-probe timer (Starting/Deactivated "
     "successfully/Finished); a deploy's 'systemctl restart gw-api' (graceful uvicorn shutdown, new PID); "
     "'systemctl stop gw-worker', which drains three jobs in 8.4 s (TimeoutStopSec=90s) and ends with "
     "Deactivated successfully/Stopped. Nothing fails: no cause, no loop."),
)

NEGATIVE_FOR = {
    "healthy-gateway-boot-deploy-slow-stop-timers-journal-short-iso":
        ["start-limit-hit", "bad-exec-path", "orphan-process", "start-timeout", "stop-timeout",
         "sandbox-setup-failed", "invalid-config", "oom-kill", "read-only-filesystem", "competing-instances"],
}

# Journal cases of several machines: the causes each host's findings must name.
HOSTS = {
    "oom-kill-port-conflict-three-hosts-journal-short-iso":
        [("web-01", ["port-conflict"]), ("web-02", []), ("worker-01", ["oom-kill"])],
}

JARGS = {
    "port-conflict-uvicorn-manual-copy-journal-short": "-o short",
    "port-conflict-uvicorn-manual-copy-journal-json": "-o json",
    "port-conflict-system-vs-user-unit-journal-short": "-o short",
    "oom-kill-uvicorn-backend-journal-short-iso": "-o short-iso",
    "oom-kill-uvicorn-backend-journal-catalog-x": "-o short -x -n 40",
    "import-error-modulenotfound-restart-loop-journal-short": "-o short -n 200",
    "healthy-operator-restart-with-timers-journal-short-precise": "-o short-precise",
    "bad-exec-path-start-limit-hit-journal-short": "-o short",
    "unhandled-exception-interleaved-instances-journal-short": "-o short",
    "oom-kill-port-conflict-three-hosts-journal-short-iso": "-o short-iso",
    "orphan-process-wrapper-killmode-process-journal-short": "-o short",
    "start-timeout-type-notify-uvicorn-journal-short": "-o short",
    "stop-timeout-mailer-ignores-sigterm-journal-short-iso": "-o short-iso",
    "sandbox-setup-failed-readwritepaths-missing-journal-short": "-o short",
    "healthy-gateway-boot-deploy-slow-stop-timers-journal-short-iso": "-o short-iso",
}


ARCHIVES = [
    # (case, case whose input.log is packed, archive name, member directory, live member,
    #  causes, loop, period, description)
    ("port-conflict-uvicorn-manual-copy-support-bundle-tar",
     "port-conflict-uvicorn-manual-copy-journal-short", "support-bundle.tar", "var/log/lumiera",
     "whatsapp.log", ["port-conflict", "competing-instances"], True, 14.4,
     "seed 002 journal as a support bundle: a tar whose older half is the gzipped rotated member "
     "whatsapp.log.1.gz, newer half the live whatsapp.log; the loop spans both members"),
]


HOST_BUNDLES = [
    # (case, journal case whose input.log is split by host, archive name, bundle directory,
    #  host whose journal is rotated, causes, loop, period, description)
    ("oom-kill-port-conflict-three-hosts-support-bundle-tar",
     "oom-kill-port-conflict-three-hosts-journal-short-iso", "support-bundle.tar", "fleet-2026-03-10",
     "web-01", ["oom-kill", "port-conflict"], True, 13.0,
     "the three-host journal as a support bundle with a directory per host (web-01's journal rotated "
     "and gzipped in two); each host's causes stay its own"),
]


def tar_member(archive, name, data):
    info = tarfile.TarInfo(name)
    info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "root", "root"
    if data is None:
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(info)
    else:
        info.size, info.mode = len(data), 0o644
        archive.addfile(info, io.BytesIO(data))


def write_archive(case, source, archive_name, directory, live, causes, loop, period, desc):
    """Packs SOURCE/input.log split in two: the older half as the rotated, gzipped LIVE.1.gz,
    the newer half as LIVE, after the directory entry (POSIX ustar headers)."""
    with open(os.path.join(CORPORA, source, "input.log"), "rb") as f:
        lines = f.read().splitlines(keepends=True)
    older, newer = b"".join(lines[:len(lines) // 2]), b"".join(lines[len(lines) // 2:])
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        tar_member(archive, directory + "/", None)
        tar_member(archive, "%s/%s" % (directory, live), newer)
        tar_member(archive, "%s/%s.1.gz" % (directory, live), gzip.compress(older, 9, mtime=0))
    d = os.path.join(CORPORA, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, archive_name), "wb") as f:
        f.write(packed.getvalue())
    notes = wrap("The lines of %s/input.log, not edited (see that case's notes for what is real): "
                 "lines 1-%d gzipped as the member %s/%s.1.gz, lines %d-%d as %s/%s, packed with Python's "
                 "tarfile (ustar, mtime 0, root:root; the member gzipped with mtime 0) by python3 "
                 "corpora/tools/write_cases.py. Source names in the report are archive:member; the "
                 "golden runner also reads the archive from stdin and gzipped (a .tar.gz)."
                 % (source, len(lines) // 2, directory, live, len(lines) // 2 + 1, len(lines), directory, live))
    write(case, desc, causes, loop, period, notes, input_name=archive_name)


def write_host_bundle(case, source, archive_name, directory, rotated, causes, loop, period, desc):
    """Packs SOURCE/input.log (journalctl -o short-iso of several machines) as one
    DIRECTORY/HOST/journal.log per host, in the order the hosts first appear; ROTATED's older
    half becomes journal.log.1.gz (gzipped, after the live member)."""
    with open(os.path.join(CORPORA, source, "input.log"), "rb") as f:
        lines = f.read().splitlines(keepends=True)
    by_host = {}
    for line in lines:
        if line.startswith(b"-- "):         # journalctl's '-- Boot ... --' separators
            continue
        by_host.setdefault(line.split(b" ", 2)[1].decode(), []).append(line)
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        tar_member(archive, directory + "/", None)
        for host, own in by_host.items():
            tar_member(archive, "%s/%s/" % (directory, host), None)
            if host == rotated:
                older, newer = own[:len(own) // 2], own[len(own) // 2:]
                tar_member(archive, "%s/%s/journal.log" % (directory, host), b"".join(newer))
                tar_member(archive, "%s/%s/journal.log.1.gz" % (directory, host),
                           gzip.compress(b"".join(older), 9, mtime=0))
            else:
                tar_member(archive, "%s/%s/journal.log" % (directory, host), b"".join(own))
    d = os.path.join(CORPORA, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, archive_name), "wb") as f:
        f.write(packed.getvalue())
    notes = wrap("The lines of %s/input.log, not edited (see that case's notes for what is real), "
                 "split by the host field into %s/HOST/journal.log for %s (what `journalctl "
                 "_HOSTNAME=HOST -o short-iso` prints for each: one boot each, so no '-- Boot' lines); "
                 "the older half of %s's lines gzipped as journal.log.1.gz after its live member. "
                 "Packed with Python's tarfile (ustar, mtime 0, root:root; gzip with mtime 0) by python3 "
                 "corpora/tools/write_cases.py. Source names in the report are archive:member; the "
                 "golden runner also reads the archive from stdin and gzipped (a .tar.gz)."
                 % (source, directory, ", ".join(by_host), rotated))
    write(case, desc, causes, loop, period, notes, input_name=archive_name, hosts=HOSTS.get(source))


def q(s):
    assert '"' not in s and "\\" not in s, s
    return '"%s"' % s


def notes_block(s):
    assert '"""' not in s and "\\" not in s, s
    return '"""\n%s\n"""' % s


def write(case, description, causes, loop, period, notes, input_name=None, hosts=None, negative_for=None):
    d = os.path.join(CORPORA, case)
    os.makedirs(d, exist_ok=True)
    lines = [
        "description = %s" % q(description),
        "args = []",
    ]
    if input_name is not None:
        lines.append("input = %s" % q(input_name))
    lines += [
        "expect_causes = [%s]" % ", ".join(q(c) for c in causes),
        "expect_restart_loop = %s" % ("true" if loop else "false"),
    ]
    if period is not None:
        lines.append("expect_period_s = %.1f" % period)
    if negative_for:
        lines.append("negative_for = [%s]" % ", ".join(q(c) for c in negative_for))
    if hosts is not None:
        lines.append("expect_hosts = { %s }" % ", ".join(
            "%s = [%s]" % (host, ", ".join(q(c) for c in found)) for host, found in hosts))
    lines.append("notes = %s" % notes_block(notes))
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)
    with open(os.path.join(d, "case.toml"), "w", encoding="utf-8") as f:
        f.write(text)


def wrap(s, width=96):
    out, line = [], ""
    for word in s.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = word if not line else line + " " + word
    out.append(line)
    return "\n".join(out)


def main():
    for case, cap, causes, desc, how in PLAIN:
        os.makedirs(os.path.join(CORPORA, case), exist_ok=True)
        shutil.copyfile(os.path.join(CAPTURED, cap), os.path.join(CORPORA, case, "input.log"))
        notes = wrap("Real program output, not edited. Produced by: %s (file tools/captured/%s). %s"
                     % (CAPTURE_CMD, cap, how))
        write(case, desc, causes, False, None, notes)
    for case, cap, causes, negative, desc, how in NEGATIVE:
        os.makedirs(os.path.join(CORPORA, case), exist_ok=True)
        shutil.copyfile(os.path.join(CAPTURED, cap), os.path.join(CORPORA, case, "input.log"))
        notes = wrap("Real program output, not edited. Produced by: %s (file tools/captured/%s). %s"
                     % (HEALTHY_CMD, cap, how))
        write(case, desc, causes, False, None, notes, negative_for=negative)
    for case, cap, causes, desc, how, cmd in PLAIN_OTHER + [l + (LIFECYCLE_CMD,) for l in LIFECYCLE]:
        os.makedirs(os.path.join(CORPORA, case), exist_ok=True)
        shutil.copyfile(os.path.join(CAPTURED, cap), os.path.join(CORPORA, case, "input.log"))
        notes = wrap("Real program output, not edited. Produced by: %s (file tools/captured/%s). %s"
                     % (cmd, cap, how))
        write(case, desc, causes, False, None, notes)
    for case, cap, kind, service, causes, desc, how in PREFIXED:
        os.makedirs(os.path.join(CORPORA, case), exist_ok=True)
        prefix, what = PREFIXES[kind]
        with open(os.path.join(CAPTURED, cap), encoding="utf-8") as f:
            lines = f.read().splitlines()
        with open(os.path.join(CORPORA, case, "input.log"), "w", encoding="utf-8") as f:
            for i, line in enumerate(lines):
                f.write(prefix.format(service=service, n=i // 100000, us=i * 37) + line + "\n")
        notes = wrap("Real program output; only the container prefix was added (%s). Produced by: %s (file "
                     "tools/captured/%s). %s" % (what, TRACEBACK_CMD, cap, how))
        write(case, desc, causes, False, None, notes)
    for case, causes, loop, period, desc, notes in JOURNAL:
        cmd = JOURNAL_CMD.format(case=case, jargs=JARGS[case])
        write(case, desc, causes, loop, period, wrap("%s Produced by: %s. The case keeps journal.export so "
                                                     "tests can rebuild the journal and render every output "
                                                     "mode." % (notes, cmd)), hosts=HOSTS.get(case),
              negative_for=NEGATIVE_FOR.get(case))
    for archive_case in ARCHIVES:
        write_archive(*archive_case)
    for bundle_case in HOST_BUNDLES:
        write_host_bundle(*bundle_case)
    print("%d cases" % (len(PLAIN) + len(NEGATIVE) + len(PLAIN_OTHER) + len(LIFECYCLE) + len(PREFIXED) + len(JOURNAL) + len(ARCHIVES)
                        + len(HOST_BUNDLES)), file=sys.stderr)


if __name__ == "__main__":
    main()
