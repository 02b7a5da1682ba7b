#!/usr/bin/env python3
"""Assemble the journal-based golden cases from real program output.

The application lines come verbatim from corpora/tools/captured/*.out (written by
capture_real_errors.sh and capture_lifecycle_errors.sh); only PIDs, wall-clock stamps and
install paths are substituted. systemd's own lines use systemd 255's wording, MESSAGE_IDs and
fields (the left-over process, timeout and namespace lines: systemd 252's, as in Debian 12's
libsystemd-core-252.so); kernel OOM lines follow mm/oom_kill.c / mm/show_mem.c of Linux 6.8.

For each case this writes <case>/journal.export (Journal Export Format). With --render it also
turns that into a real journal file with systemd-journal-remote and writes <case>/input.log
with the real journalctl (TZ=UTC):

    python3 corpora/tools/build_journals.py --render

Python 3 standard library only. Deterministic: same export every run.
"""
import argparse
import os
import random
import re
import struct
import subprocess
import sys
import tempfile
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
CORPORA = os.path.dirname(HERE)
CAPTURED = os.path.join(HERE, "captured")
JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"

# MESSAGE_IDs from systemd's sd-messages.h (checked against /usr/lib/systemd/catalog/systemd.catalog)
MID_STARTING = "7d4958e842da4a758f6c1cdc7b36dcc5"
MID_STARTED = "39f53479d3a045ac8e11786248231fbf"
MID_STOPPING = "de5b426a63be47a7b6ac3eaac82e2f6f"
MID_STOPPED = "9d1aaa27d60140bd96365438aad20286"
MID_PROCESS_EXIT = "98e322203f7a4ed290d09fe03c09fe15"
MID_FAILURE_RESULT = "d9b373ed55a64feb8242e02dbe79a49c"
MID_RESTART_SCHEDULED = "5eb03494b6584870a536b337290809b3"
MID_RESOURCES = "ae8f7b866b0347b9af31fe1c80b127c0"
MID_SUCCESS = "7ad2d189f7e94e70a38c781354912448"
MID_OOM = "fe6faa94e7774663a0da52717891d8ef"
MID_START_FAILED = "be02cf6855d2428ba40df7e9d022f03d"
MID_SPAWN_FAILED = "641257651c1b4ec9a8624d7a40a9e1e7"


def captured(name):
    with open(os.path.join(CAPTURED, name), encoding="utf-8") as f:
        return f.read().splitlines()


def ts(s):
    """'2026-01-16 12:28:18.123' (UTC) -> epoch seconds (float)."""
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in s else "%Y-%m-%d %H:%M:%S"
    return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc).timestamp()


def hexid(rng):
    return "%032x" % rng.getrandbits(128)


def export_field(name, value):
    """One field in the Journal Export Format: NAME=value, or for a value with a newline (a
    multi-line MESSAGE) the binary form: NAME, newline, little-endian 64-bit size, data."""
    data = value.encode("utf-8")
    if b"\n" not in data:
        return b"%s=%s\n" % (name.encode(), data)
    return name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"


class Journal:
    def __init__(self, seed, hostname, boot_at):
        self.rng = random.Random(seed)
        self.hostname = hostname
        self.boot_at = boot_at
        self.boot_id = hexid(self.rng)
        self.machine_id = hexid(self.rng)
        self.seqnum_id = hexid(self.rng)
        self.entries = []

    # -- low level ---------------------------------------------------------------------------
    def add(self, t, fields):
        usec = int(round(t * 1_000_000))
        mono = usec - int(self.boot_at * 1_000_000)
        e = {
            "__REALTIME_TIMESTAMP": str(usec),
            "__MONOTONIC_TIMESTAMP": str(mono),
            "_BOOT_ID": self.boot_id,
        }
        e.update(fields)
        e["_MACHINE_ID"] = self.machine_id
        e["_HOSTNAME"] = self.hostname
        self.entries.append(e)

    def export_entries(self):
        """(realtime, entry text) for every entry in time order, each entry ending with the
        blank line that ends an entry in the Journal Export Format."""
        self.entries.sort(key=lambda e: int(e["__REALTIME_TIMESTAMP"]))
        out = []
        for i, e in enumerate(self.entries, 1):
            rt, mono = int(e["__REALTIME_TIMESTAMP"]), int(e["__MONOTONIC_TIMESTAMP"])
            cursor = "s=%s;i=%x;b=%s;m=%x;t=%x;x=%016x" % (
                self.seqnum_id, 0x4a2f10 + i, self.boot_id, mono, rt, self.rng.getrandbits(64))
            out.append((rt, b"".join(export_field(k, v) for k, v in
                                     [("__CURSOR", cursor)] + list(e.items())) + b"\n"))
        return out

    def export(self):
        return b"".join(data for _, data in self.export_entries())


class Fleet:
    """The journals of several machines as one export, entries merged by time: what a log
    host running systemd-journal-remote (--split-mode=none) collects from a fleet."""

    def __init__(self, *journals):
        self.journals = journals

    def export(self):
        entries = [entry for j in self.journals for entry in j.export_entries()]
        entries.sort(key=lambda entry: entry[0])
        return b"".join(data for _, data in entries)


class Manager:
    """systemd (PID 1) or a user manager (systemd --user)."""

    def __init__(self, j, pid=1, uid=0, user=None):
        self.j, self.pid, self.uid, self.user = j, pid, uid, user
        self.invocations = {}

    def invocation(self, unit, new=False):
        if new or unit not in self.invocations:
            self.invocations[unit] = hexid(self.j.rng)
        return self.invocations[unit]

    def log(self, t, unit, message, priority, mid, code, extra=None):
        f = {
            "PRIORITY": str(priority),
            "SYSLOG_FACILITY": "3",
            "TID": str(self.pid),
            "CODE_FILE": code[0],
            "CODE_LINE": str(code[1]),
            "CODE_FUNC": code[2],
            "SYSLOG_IDENTIFIER": "systemd",
            "_PID": str(self.pid),
            "_UID": str(self.uid),
            "_GID": str(self.uid),
            "_COMM": "systemd",
            "_EXE": "/usr/lib/systemd/systemd",
            "_CAP_EFFECTIVE": "1ffffffffff" if self.uid == 0 else "0",
            "_TRANSPORT": "journal",
        }
        if mid:
            f["MESSAGE_ID"] = mid
        if unit is None:            # the manager's own messages (daemon-reload ...)
            f.update({"_CMDLINE": "/sbin/init", "_SYSTEMD_CGROUP": "/init.scope",
                      "_SYSTEMD_UNIT": "init.scope", "_SYSTEMD_SLICE": "-.slice"})
        elif self.user is None:
            f.update({"_CMDLINE": "/sbin/init", "_SYSTEMD_CGROUP": "/init.scope",
                      "_SYSTEMD_UNIT": "init.scope", "_SYSTEMD_SLICE": "-.slice"})
            if unit:
                f.update({"UNIT": unit, "INVOCATION_ID": self.invocation(unit)})
        else:
            base = "/user.slice/user-%d.slice/user@%d.service" % (self.uid, self.uid)
            f.update({"_CMDLINE": "/usr/lib/systemd/systemd --user",
                      "_SYSTEMD_CGROUP": base + "/init.scope",
                      "_SYSTEMD_UNIT": "user@%d.service" % self.uid,
                      "_SYSTEMD_USER_UNIT": "init.scope", "_SYSTEMD_SLICE": "user-%d.slice" % self.uid,
                      "_SYSTEMD_USER_SLICE": "-.slice", "_SYSTEMD_OWNER_UID": str(self.uid),
                      "USER_UNIT": unit, "USER_INVOCATION_ID": self.invocation(unit)})
        f.update(extra or {})
        f["MESSAGE"] = message
        f["_SOURCE_REALTIME_TIMESTAMP"] = str(int(round(t * 1_000_000)) - 37)
        self.j.add(t, f)

    # -- systemd 255 wordings ---------------------------------------------------------------
    def started(self, t, unit, desc, job_id):
        self.invocation(unit, new=True)
        self.log(t, unit, "Started %s - %s." % (unit, desc), 6, MID_STARTED,
                 ("src/core/job.c", 768, "job_emit_done_message"),
                 {"JOB_ID": str(job_id), "JOB_TYPE": "start", "JOB_RESULT": "done"})

    def starting(self, t, unit, desc, job_id):
        self.invocation(unit, new=True)
        self.log(t, unit, "Starting %s - %s..." % (unit, desc), 6, MID_STARTING,
                 ("src/core/unit.c", 5818, "unit_status_log_starting_stopping_reloading"),
                 {"JOB_ID": str(job_id), "JOB_TYPE": "start"})

    def finished(self, t, unit, desc, job_id):
        self.log(t, unit, "Finished %s - %s." % (unit, desc), 6, MID_STARTED,
                 ("src/core/job.c", 768, "job_emit_done_message"),
                 {"JOB_ID": str(job_id), "JOB_TYPE": "start", "JOB_RESULT": "done"})

    def stopping(self, t, unit, desc, job_id):
        self.log(t, unit, "Stopping %s - %s..." % (unit, desc), 6, MID_STOPPING,
                 ("src/core/unit.c", 5818, "unit_status_log_starting_stopping_reloading"),
                 {"JOB_ID": str(job_id), "JOB_TYPE": "stop"})

    def stopped(self, t, unit, desc, job_id):
        self.log(t, unit, "Stopped %s - %s." % (unit, desc), 6, MID_STOPPED,
                 ("src/core/job.c", 768, "job_emit_done_message"),
                 {"JOB_ID": str(job_id), "JOB_TYPE": "restart" if job_id else "stop", "JOB_RESULT": "done"})

    def main_exited(self, t, unit, code, status):
        names = {1: "FAILURE", 9: "KILL", 15: "TERM", 203: "EXEC", 226: "NAMESPACE"}
        prio = 5 if code == "exited" else 4
        self.log(t, unit, "%s: Main process exited, code=%s, status=%d/%s" % (unit, code, status, names[status]),
                 prio, MID_PROCESS_EXIT, ("src/core/service.c", 3775, "service_sigchld_event"),
                 {"COMMAND": "ExecStart", "EXIT_CODE": code, "EXIT_STATUS": str(status)})

    def failed(self, t, unit, result):
        self.log(t, unit, "%s: Failed with result '%s'." % (unit, result), 4, MID_FAILURE_RESULT,
                 ("src/core/unit.c", 5876, "unit_log_failure"), {"UNIT_RESULT": result})

    def deactivated(self, t, unit):
        self.log(t, unit, "%s: Deactivated successfully." % unit, 6, MID_SUCCESS,
                 ("src/core/unit.c", 5857, "unit_log_success"))

    def consumed(self, t, unit, cpu):
        usec = int(cpu * 1_000_000)
        if cpu >= 60:
            txt = "%dmin %.3fs" % (cpu // 60, cpu % 60)
        else:
            txt = "%.3fs" % cpu
        self.log(t, unit, "%s: Consumed %s CPU time." % (unit, txt), 6, MID_RESOURCES,
                 ("src/core/unit.c", 2335, "unit_log_resources"), {"CPU_USAGE_NSEC": str(usec * 1000)})

    def scheduled_restart(self, t, unit, n):
        self.log(t, unit, "%s: Scheduled restart job, restart counter is at %d." % (unit, n), 6,
                 MID_RESTART_SCHEDULED, ("src/core/service.c", 1295, "service_enter_restart"),
                 {"N_RESTARTS": str(n)})

    def start_failed(self, t, unit, desc, job_id):
        self.log(t, unit, "Failed to start %s - %s." % (unit, desc), 3, MID_START_FAILED,
                 ("src/core/job.c", 768, "job_emit_done_message"),
                 {"JOB_ID": str(job_id), "JOB_TYPE": "start", "JOB_RESULT": "failed"})

    def start_limit(self, t, unit):
        self.log(t, unit, "%s: Start request repeated too quickly." % unit, 4, None,
                 ("src/core/unit.c", 1918, "unit_test_start_limit"))

    # -- systemd 252 wordings for left-over processes, timeouts and spawn failures (checked
    # against the format strings in Debian 12's /usr/lib/x86_64-linux-gnu/systemd/libsystemd-core-252.so)
    def leftover_at_start(self, t, unit, pid, comm):
        """One journal entry with two lines: systemd 252 logs both in one call."""
        self.log(t, unit, "%s: Found left-over process %d (%s) in control group while starting unit. Ignoring.\n"
                 "This usually indicates unclean termination of a previous run, or service implementation "
                 "deficiencies." % (unit, pid, comm), 4, None,
                 ("src/core/unit.c", 5368, "unit_log_leftover_process_start"))

    def leftover_at_stop(self, t, unit, pid, comm):
        self.log(t, unit, "%s: Unit process %d (%s) remains running after unit stopped." % (unit, pid, comm), 5,
                 None, ("src/core/unit.c", 5385, "unit_log_leftover_process_stop"))

    def start_timed_out(self, t, unit):
        self.log(t, unit, "%s: start operation timed out. Terminating." % unit, 4, None,
                 ("src/core/service.c", 4103, "service_dispatch_timer"))

    def stop_sigterm_timed_out(self, t, unit):
        self.log(t, unit, "%s: State 'stop-sigterm' timed out. Killing." % unit, 4, None,
                 ("src/core/service.c", 4151, "service_dispatch_timer"))

    def killing(self, t, unit, pid, comm, signal="KILL"):
        self.log(t, unit, "%s: Killing process %d (%s) with signal SIG%s." % (unit, pid, comm, signal), 5, None,
                 ("src/core/unit.c", 4657, "log_kill"))

    def oom_killed(self, t, unit):
        self.log(t, unit, "%s: A process of this unit has been killed by the OOM killer." % unit, 5, MID_OOM,
                 ("src/core/unit.c", 3791, "unit_check_oom"))


class Proc:
    """A process whose stdout/stderr is connected to journald (a unit's or systemd-cat's)."""

    def __init__(self, j, pid, ident, comm, exe, cmdline, unit=None, uid=1000, user_unit=None,
                 cgroup=None, transport="stdout"):
        self.j, self.pid, self.ident = j, pid, ident
        self.fields = {"_UID": str(uid), "_GID": str(uid), "_COMM": comm, "_EXE": exe,
                       "_CMDLINE": cmdline, "_CAP_EFFECTIVE": "0", "_TRANSPORT": transport,
                       "_STREAM_ID": hexid(j.rng)}
        if user_unit:
            self.fields.update({"_SYSTEMD_CGROUP": cgroup, "_SYSTEMD_UNIT": "user@%d.service" % uid,
                                "_SYSTEMD_USER_UNIT": user_unit, "_SYSTEMD_SLICE": "user-%d.slice" % uid,
                                "_SYSTEMD_USER_SLICE": "app.slice", "_SYSTEMD_OWNER_UID": str(uid)})
        elif unit:
            self.fields.update({"_SYSTEMD_CGROUP": cgroup or "/system.slice/" + unit,
                                "_SYSTEMD_UNIT": unit,
                                "_SYSTEMD_SLICE": "user-%d.slice" % uid if unit.endswith(".scope") else "system.slice"})
            if unit.endswith(".scope"):
                self.fields["_SYSTEMD_OWNER_UID"] = str(uid)
                self.fields["_SYSTEMD_SESSION"] = unit[len("session-"):-len(".scope")]

    def line(self, t, msg, priority=6, invocation=None):
        f = {"PRIORITY": str(priority), "SYSLOG_FACILITY": "3", "SYSLOG_IDENTIFIER": self.ident,
             "_PID": str(self.pid)}
        f.update(self.fields)
        if invocation:
            f["_SYSTEMD_INVOCATION_ID"] = invocation
        f["MESSAGE"] = msg
        self.j.add(t, f)

    def lines(self, t, msgs, step=0.0004, invocation=None):
        for m in msgs:
            self.line(t, m, invocation=invocation)
            t += step
        return t


def kernel(j, t, msg, priority=4):
    j.add(t, {"PRIORITY": str(priority), "SYSLOG_FACILITY": "0", "SYSLOG_IDENTIFIER": "kernel",
              "_TRANSPORT": "kernel",
              "_SOURCE_MONOTONIC_TIMESTAMP": str(int(t * 1e6) - int(j.boot_at * 1e6) - 1500),
              "MESSAGE": msg})


def with_pid(lines, old_pid, new_pid):
    return [l.replace("[%s]" % old_pid, "[%d]" % new_pid) for l in lines]


def pid_in(lines):
    for l in lines:
        m = re.search(r"Started server process \[(\d+)\]", l)
        if m:
            return m.group(1)
    raise ValueError("no server pid in capture")


def loguru_at(line, t):
    """Re-stamp a loguru '{time:YYYY-MM-DD HH:mm:ss} | msg' line to the entry's own time."""
    stamp = datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    return re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \|", stamp + " |", line)


def access(client, port, method, path, status):
    reason = {200: "OK", 201: "Created", 204: "No Content", 404: "Not Found"}[status]
    return 'INFO:     %s:%d - "%s %s HTTP/1.1" %d %s' % (client, port, method, path, status, reason)


# =============================================================================================
# Case: seed 002 -- lumiera-whatsapp.service restart loop, port 8000 held by a manual uvicorn
# =============================================================================================
def case_lumiera():
    j = Journal("lumiera-2026-01-16", "ceeai-prod", ts("2026-01-04 07:11:52.418"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "lumiera-whatsapp.service", "Lumiera WhatsApp Copilot API"
    venv = "/home/ceeai/whatsapp_api/venv"
    first = captured("uvicorn-first-instance.out")
    second = captured("uvicorn-second-instance-eaddrinuse.out")
    cap_first_pid, cap_second_pid = pid_in(first), pid_in(second)

    # The manual copy: started by ./run.sh from an SSH session at 12:19; run.sh runs uvicorn under
    # `systemd-cat -t whatsapp-api`, so its output lands in the journal under session-1187.scope.
    manual = Proc(j, 3368901, "whatsapp-api", "python", "/usr/bin/python3.11",
                  venv + "/bin/python -m uvicorn src.main:app --host 0.0.0.0 --port 8000",
                  unit="session-1187.scope", uid=1001,
                  cgroup="/user.slice/user-1001.slice/session-1187.scope")
    t = ts("2026-01-16 12:27:41.902")
    manual.line(t, access("127.0.0.1", 51872, "POST", "/webhook/whatsapp", 200))
    manual.line(t + 0.12, "2026-01-16 12:27:42 | FSM state for +4791234567: AWAITING_CONFIRMATION -> IDLE")

    cycle_starts = ["12:28:14.731", "12:28:28.902", "12:28:43.066", "12:28:57.514", "12:29:12.120",
                    "12:29:26.640", "12:29:41.157", "12:29:55.577", "12:30:10.061", "12:30:24.549",
                    "12:30:39.012"]
    pid = 3371771
    job = 461203
    counter = 38
    manual_traffic = {2: ("POST", "/webhook/whatsapp", 200), 4: ("GET", "/health", 200),
                      6: ("POST", "/webhook/whatsapp", 200), 9: ("GET", "/health", 200)}
    # the previous cycle's tail
    t0 = ts("2026-01-16 " + cycle_starts[0])
    pid1.scheduled_restart(t0 - 0.0021, unit, counter)
    pid1.stopped(t0 - 0.0012, unit, desc, job)
    for i, start in enumerate(cycle_starts):
        t0 = ts("2026-01-16 " + start)
        pid += rng.randint(60, 140)
        job += rng.randint(3, 9)
        pid1.started(t0, unit, desc, job)
        inv = pid1.invocation(unit)
        app = Proc(j, pid, "python", "python", "/usr/bin/python3.11",
                   venv + "/bin/python -m uvicorn src.main:app --host 0.0.0.0 --port 8000",
                   unit=unit, uid=1001)
        boot = 3.31 + rng.uniform(-0.25, 0.3)        # import time of FastAPI app (CPU bound)
        t = t0 + boot
        for line in with_pid(second, cap_second_pid, pid):
            if re.match(r"^\d{4}-", line):
                line = loguru_at(line, t)
                t += 0.0009
            elif line.startswith("ERROR:"):
                t += 0.0031
            app.line(t, line, invocation=inv)
            t += 0.0004
        t += 0.152
        pid1.main_exited(t, unit, "exited", 1)
        pid1.failed(t + 0.0002, unit, "exit-code")
        pid1.consumed(t + 0.0004, unit, boot * 0.93 + 0.21)
        if i in manual_traffic:
            m, p, s = manual_traffic[i]
            manual.line(t + 4.4, access("127.0.0.1", rng.randint(40000, 60999), m, p, s))
        counter += 1
        if i + 1 < len(cycle_starts):
            nxt = ts("2026-01-16 " + cycle_starts[i + 1])
            pid1.scheduled_restart(nxt - 0.0021, unit, counter)
            pid1.stopped(nxt - 0.0012, unit, desc, job)

    # The fix: the operator kills the manual copy at 12:31:4x; the unit's next start binds.
    kill_t = ts("2026-01-16 12:30:47.288")
    mt = kill_t
    shut = first[first.index("INFO:     Shutting down"):]
    for line in with_pid(shut, cap_first_pid, manual.pid):
        manual.line(mt, line)
        mt += 0.0011
    t0 = ts("2026-01-16 12:30:53.505")
    pid1.scheduled_restart(t0 - 0.0021, unit, counter)
    pid1.stopped(t0 - 0.0012, unit, desc, job)
    pid = 3372972
    job += 5
    pid1.started(t0, unit, desc, job)
    inv = pid1.invocation(unit)
    app = Proc(j, pid, "python", "python", "/usr/bin/python3.11",
               venv + "/bin/python -m uvicorn src.main:app --host 0.0.0.0 --port 8000", unit=unit, uid=1001)
    t = t0 + 3.42
    start = first[:first.index("INFO:     Shutting down")]
    start = [l for l in start if "GET /health" not in l]
    for line in with_pid(start, cap_first_pid, pid):
        if re.match(r"^\d{4}-", line):
            line = loguru_at(line, t)
        app.line(t, line, invocation=inv)
        t += 0.0011
    for k, (dt, m, p, s) in enumerate([(14.2, "GET", "/health", 200), (31.7, "POST", "/webhook/whatsapp", 200),
                                        (33.0, "POST", "/webhook/whatsapp", 200), (74.4, "GET", "/health", 200)]):
        app.line(t + dt, access("127.0.0.1", rng.randint(40000, 60999), m, p, s), invocation=inv)
    return j


# =============================================================================================
# Case: seed 003 -- benchai.service vs user unit llm-router.service fighting over port 8085
# =============================================================================================
def case_benchai():
    j = Journal("benchai-2025-12-25", "benchai-ws", ts("2025-12-21 09:02:17.550"))
    rng = j.rng
    pid1 = Manager(j)
    user = Manager(j, pid=1234, uid=1000, user="user")
    sunit, sdesc = "benchai.service", "BenchAI LLM Router"
    uunit, udesc = "llm-router.service", "LLM Router (dev)"
    cmd = "/usr/bin/python3 /home/user/llama.cpp/router/llm_router.py"
    ok = captured("router-first-instance-sigterm.out")
    bad = captured("router-second-instance-eaddrinuse.out")
    ok_pid, bad_pid = pid_in(ok), pid_in(bad)
    ok_start = [l for l in ok[:ok.index("INFO:     Shutting down")] if "GET /health" not in l]
    ok_stop = ok[ok.index("INFO:     Shutting down"):]

    def sysproc(pid):
        return Proc(j, pid, "python3", "python3", "/usr/bin/python3.12", cmd, unit=sunit, uid=1000)

    def userproc(pid):
        return Proc(j, pid, "python3", "python3", "/usr/bin/python3.12", cmd, uid=1000, user_unit=uunit,
                    cgroup="/user.slice/user-1000.slice/user@1000.service/app.slice/" + uunit)

    def failing_run(mgr, proc_for, unit, t0, pid, inv):
        p = proc_for(pid)
        t = t0 + 2.41 + rng.uniform(-0.2, 0.2)
        for line in with_pid(bad, bad_pid, pid):
            if line.startswith("ERROR:"):
                t += 0.0042
            p.line(t, line, invocation=inv)
            t += 0.0005
        t += 0.208
        mgr.main_exited(t, unit, "exited", 1)
        mgr.failed(t + 0.0002, unit, "exit-code")
        mgr.consumed(t + 0.0004, unit, 2.31 + rng.uniform(0, 0.3))
        return t

    # the user unit's router (PID 48211) has held 8085 since the morning; its health poller hits it
    holder = userproc(48211)
    holder_inv = user.invocation(uunit)
    pids = [731806]

    def next_pid():
        pids[0] += rng.randint(20, 90)
        return pids[0]

    # benchai.service fails every ~12.8 s (RestartSec=10 + ~2.6 s start-up)
    t0 = ts("2025-12-25 14:06:03.118")
    counter, job = 471, 88412
    pid1.scheduled_restart(t0 - 0.0019, sunit, counter)
    pid1.stopped(t0 - 0.0011, sunit, sdesc, job)
    for _ in range(7):
        job += rng.randint(2, 7)
        pid1.started(t0, sunit, sdesc, job)
        end = failing_run(pid1, sysproc, sunit, t0, next_pid(), pid1.invocation(sunit))
        counter += 1
        t0 = end + 10.0 + 0.0007
        pid1.scheduled_restart(t0 - 0.0019, sunit, counter)
        pid1.stopped(t0 - 0.0011, sunit, sdesc, job)
    # the operator kills 48211 (the "rogue" PID on 8085) while benchai.service waits RestartSec
    kill_at = t0 - 1.214
    health = ts("2025-12-25 14:06:05.000")
    while health < kill_at:
        holder.line(health + rng.uniform(0, 0.05), access("127.0.0.1", rng.randint(40000, 60999), "GET", "/health", 200),
                    invocation=holder_inv)
        health += 30

    # uvicorn exits 0 on SIGTERM; Restart=always, RestartSec=3 brings the user unit back ...
    t = kill_at
    for line in with_pid(ok_stop, ok_pid, holder.pid):
        holder.line(t, line, invocation=holder_inv)
        t += 0.0013
    t += 0.09
    user.deactivated(t, uunit)
    user.consumed(t + 0.0003, uunit, 4 * 60 + 17.82)
    ujob = 412
    ucounter = 3
    # ... but benchai.service's pending start (t0) comes first this time and gets the port.
    job += 4
    pid = next_pid()
    pid1.started(t0, sunit, sdesc, job)
    sp = sysproc(pid)
    st = t0 + 2.47
    for line in with_pid(ok_start, ok_pid, pid):
        sp.line(st, line, invocation=pid1.invocation(sunit))
        st += 0.0011
    sp.line(st + 18.3, access("127.0.0.1", 41766, "GET", "/health", 200), invocation=pid1.invocation(sunit))

    # the user unit now loses every time: restart counter 3, 4, 5 ... (RestartSec=3)
    ut = t + 3.0
    for _ in range(5):
        user.scheduled_restart(ut - 0.0017, uunit, ucounter)
        user.stopped(ut - 0.0009, uunit, udesc, ujob)
        ujob += rng.randint(1, 4)
        upid = next_pid()
        user.started(ut, uunit, udesc, ujob)
        end = failing_run(user, userproc, uunit, ut, upid, user.invocation(uunit))
        ucounter += 1
        ut = end + 3.0 + 0.0006
    return j


# =============================================================================================
# Case: seed 001 -- kontali-backend.service silently OOM-killed by the kernel
# =============================================================================================
OOM_KERNEL = """\
python3 invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0
CPU: 1 PID: 12345 Comm: python3 Not tainted 6.8.0-1021-aws #23-Ubuntu
Hardware name: Amazon EC2 t3.small/, BIOS 1.0 10/16/2017
Call Trace:
 <TASK>
 dump_stack_lvl+0x76/0xa0
 dump_stack+0x10/0x20
 dump_header+0x47/0x1f0
 oom_kill_process+0x118/0x280
 ? oom_evaluate_task+0x143/0x1e0
 out_of_memory+0x103/0x350
 __alloc_pages_may_oom+0x10c/0x1d0
 __alloc_pages_slowpath.constprop.0+0x420/0x9f0
 __alloc_pages+0x31f/0x350
 alloc_pages_mpol+0x91/0x210
 folio_alloc+0x1c/0x60
 __filemap_get_folio+0x14a/0x300
 filemap_fault+0x15c/0x8e0
 __do_fault+0x3b/0x1c0
 do_fault+0x2a9/0x4d0
 __handle_mm_fault+0x7d2/0xd90
 handle_mm_fault+0x18a/0x380
 do_user_addr_fault+0x169/0x670
 exc_page_fault+0x83/0x1b0
 asm_exc_page_fault+0x27/0x30
RIP: 0033:0x7f3c2b6a1e40
Code: Unable to access opcode bytes at 0x7f3c2b6a1e16.
RSP: 002b:00007ffd6b1f7a18 EFLAGS: 00010246
RAX: 00007f3c1a210010 RBX: 0000000000000000 RCX: 0000000000000000
RDX: 0000000000000000 RSI: 0000000000000000 RDI: 00007f3c1a210010
RBP: 00007ffd6b1f7a80 R08: 0000000000000000 R09: 0000000000000000
R10: 0000000000000022 R11: 0000000000000246 R12: 0000000000100000
R13: 00005612c2e4b2a0 R14: 00007f3c1a210010 R15: 0000000000000000
 </TASK>
Mem-Info:
active_anon:420183 inactive_anon:30716 isolated_anon:0
 active_file:89 inactive_file:112 isolated_file:0
 unevictable:0 dirty:0 writeback:0
 slab_reclaimable:6021 slab_unreclaimable:11870
 mapped:291 shmem:1211 pagetables:2816
 sec_pagetables:0 bounce:0
 kernel_misc_reclaimable:0
 free:12733 free_pcp:61 free_cma:0
Node 0 active_anon:1680732kB inactive_anon:122864kB active_file:356kB inactive_file:448kB unevictable:0kB isolated(anon):0kB isolated(file):0kB mapped:1164kB dirty:0kB writeback:0kB shmem:4844kB shmem_thp:0kB shmem_pmdmapped:0kB anon_thp:0kB writeback_tmp:0kB kernel_stack:2848kB pagetables:11264kB sec_pagetables:0kB all_unreclaimable? yes
Node 0 DMA free:7424kB boost:0kB min:360kB low:448kB high:536kB reserved_highatomic:0KB active_anon:7200kB inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB present:15992kB managed:15360kB mlocked:0kB bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:0kB
lowmem_reserve[]: 0 1888 1888 1888 1888
Node 0 DMA32 free:43508kB boost:0kB min:44696kB low:55868kB high:67040kB reserved_highatomic:0KB active_anon:1673532kB inactive_anon:122864kB active_file:356kB inactive_file:448kB unevictable:0kB writepending:0kB present:2043760kB managed:1954412kB mlocked:0kB bounce:0kB free_pcp:244kB local_pcp:0kB free_cma:0kB
lowmem_reserve[]: 0 0 0 0 0
Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 1*256kB (U) 0*512kB 1*1024kB (U) 1*2048kB (M) 1*4096kB (M) = 7424kB
Node 0 DMA32: 1211*4kB (UME) 653*8kB (UME) 330*16kB (UME) 178*32kB (UME) 84*64kB (UME) 39*128kB (UME) 14*256kB (UM) 3*512kB (M) 1*1024kB (M) 0*2048kB 0*4096kB = 43508kB
Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB
1408 total pagecache pages
0 pages in swap cache
Free swap  = 0kB
Total swap = 0kB
514938 pages RAM
0 pages HighMem/MovableOnly
22492 pages reserved
0 pages hwpoisoned
Tasks state (memory values in pages):
[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name
[    298]     0   298    12417      448      192      256        0   106496        0          -250 systemd-journal
[    341]     0   341     6251      307      160      147        0    73728        0         -1000 systemd-udevd
[    583]   101   583     4529      256      128      128        0    69632        0             0 systemd-resolve
[    702]     0   702    58764      403      224      179        0    94208        0             0 polkitd
[    745]   112   745    55170     3210     2944      266        0   208896        0          -900 postgres
[    761]   113   761    14987      812      640      172        0   118784        0             0 redis-server
[    817]     0   817     3858      320      160      160        0    73728        0         -1000 sshd
[    902]  1000   902     4671      416      256      160        0    81920        0           100 systemd
[   1340]   112  1340    55601     1092      832      260        0   139264        0             0 postgres
[  12345]  1000 12345   512000   412900   412100      800        0  3686400        0             0 python3
oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/kontali-backend.service,task=python3,pid=12345,uid=1000
Out of memory: Killed process 12345 (python3) total-vm:2048000kB, anon-rss:1648400kB, file-rss:3200kB, shmem-rss:0kB, UID:1000 pgtables:3600kB oom_score_adj:0"""


def case_kontali():
    j = Journal("kontali-2026-02-08", "ip-172-31-9-44", ts("2026-02-08 08:14:02.911"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "kontali-backend.service", "Kontali ERP Backend (FastAPI)"
    cmd = "/home/ubuntu/.openclaw/workspace/ai-erp/backend/venv/bin/python3 -m uvicorn app.main:app --host 0.0.0.0 --port 8000 --workers 1"
    first = captured("uvicorn-first-instance.out")
    cap_pid = pid_in(first)
    inv = pid1.invocation(unit)
    app = Proc(j, 12345, "python3", "python3", "/usr/bin/python3.12", cmd, unit=unit, uid=1000)
    t = ts("2026-02-08 21:31:07.000")
    paths = ["/api/clients?page=1", "/api/clients/118/invoices", "/api/reports/ledger?year=2025",
             "/api/clients?page=2", "/health", "/api/reports/ledger?year=2024", "/api/reports/vat?period=2025-Q4"]
    while t < ts("2026-02-08 21:41:50"):
        p = rng.choice(paths)
        app.line(t, access("10.0.1.17", rng.randint(40000, 60999), "GET", p, 200), invocation=inv)
        t += rng.uniform(18, 75)
    # last request never answered; the kernel kills the worker
    t = ts("2026-02-08 21:42:03.118")
    app.line(t - 6.2, 'INFO:     10.0.1.17:53114 - "GET /api/reports/ledger?year=2023&detail=full HTTP/1.1" 200 OK', invocation=inv)
    lines = OOM_KERNEL.splitlines()
    for k, line in enumerate(lines):
        prio = 3 if line.startswith("Out of memory") else (6 if line.startswith("oom-kill:") else 4)
        kernel(j, t + k * 0.00002, line, prio)
    t += len(lines) * 0.00002 + 0.0412
    pid1.oom_killed(t, unit)
    pid1.main_exited(t + 0.0031, unit, "killed", 9)
    pid1.failed(t + 0.0034, unit, "oom-kill")
    pid1.consumed(t + 0.0036, unit, 3 * 60 + 41.207)
    # Restart=on-failure, RestartSec=5: one restart, then stable
    t += 5.0
    pid1.scheduled_restart(t, unit, 1)
    pid1.stopped(t + 0.0008, unit, desc, 7711)
    pid1.started(t + 0.0016, unit, desc, 7712)
    inv = pid1.invocation(unit)
    app = Proc(j, 23817, "python3", "python3", "/usr/bin/python3.12", cmd, unit=unit, uid=1000)
    st = t + 2.61
    start = [l for l in first[:first.index("INFO:     Shutting down")] if "GET /health" not in l and not re.match(r"^\d{4}-", l)]
    for line in with_pid(start, cap_pid, 23817):
        app.line(st, line, invocation=inv)
        st += 0.0012
    for dt in (41.0, 95.4, 133.2):
        app.line(st + dt, access("10.0.1.17", rng.randint(40000, 60999), "GET", rng.choice(paths), 200), invocation=inv)
    return j


# =============================================================================================
# Case: seed 000 -- chatos-backend.service, ModuleNotFoundError: No module named 'keycloak'
# =============================================================================================
def case_chatos():
    j = Journal("chatos-2026-01-09", "chatos-srv", ts("2026-01-09 06:40:10.004"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "chatos-backend.service", "ChatOS Backend API"
    root = "/data/ChatOS-v2.0"
    cmd = root + "/.venv/bin/python -m uvicorn chatos_backend.app:app --host 127.0.0.1 --port 8000"
    tb = [l.replace("/srv/app/chatos", root)
           .replace("/usr/lib/python3/dist-packages", root + "/.venv/lib/python3.11/site-packages")
          for l in captured("uvicorn-modulenotfound.out")]
    t0 = ts("2026-01-09 14:03:11.442")
    counter, job, pid = 211, 30511, 402117
    pid1.scheduled_restart(t0 - 0.0018, unit, counter)
    pid1.stopped(t0 - 0.0010, unit, desc, job)
    for i in range(4):
        job += rng.randint(2, 5)
        pid += rng.randint(30, 120)
        pid1.started(t0, unit, desc, job)
        inv = pid1.invocation(unit)
        p = Proc(j, pid, "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=1000)
        t = t0 + 0.86 + rng.uniform(-0.08, 0.1)
        for line in tb:
            p.line(t, line, invocation=inv)
            t += 0.00003
        t += 0.061
        pid1.main_exited(t, unit, "exited", 1)
        pid1.failed(t + 0.0002, unit, "exit-code")
        pid1.consumed(t + 0.0004, unit, 0.71 + rng.uniform(0, 0.1))
        counter += 1
        t0 = t + 5.0 + 0.0004      # RestartSec=5
        pid1.scheduled_restart(t0 - 0.0018, unit, counter)
        pid1.stopped(t0 - 0.0010, unit, desc, job)
    return j


# =============================================================================================
# Case: healthy -- invoicer.service, one operator restart, timers and cron around it
# =============================================================================================
def case_healthy():
    j = Journal("invoicer-2026-03-02", "web-02", ts("2026-02-27 03:12:40.101"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "invoicer.service", "Invoicer API"
    hunit, hdesc = "invoicer-healthcheck.service", "Invoicer health probe"
    cmd = "/opt/invoicer/venv/bin/python -m uvicorn invoicer.main:app --host 127.0.0.1 --port 8000"
    first = captured("uvicorn-first-instance.out")
    cap_pid = pid_in(first)
    start = [l for l in first[:first.index("INFO:     Shutting down")] if "GET /health" not in l and not re.match(r"^\d{4}-", l)]
    stop = first[first.index("INFO:     Shutting down"):]
    app = Proc(j, 88120, "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=998)
    inv = pid1.invocation(unit)
    job = 15502
    restart_at = ts("2026-03-02 10:17:42.730")
    t = ts("2026-03-02 10:00:00.000")
    end = ts("2026-03-02 10:35:30.000")
    pids = [120000]

    def next_pid(lo=40, hi=90):
        pids[0] += rng.randint(lo, hi)
        return pids[0]
    while t < end:
        minute = int((t - ts("2026-03-02 10:00:00")) // 60)
        # cron: every 5 minutes a queue flush as user invoicer
        if minute % 5 == 0:
            c = Proc(j, next_pid(), "CRON", "cron", "/usr/sbin/cron", "/usr/sbin/CRON -f -P", unit="cron.service",
                     uid=0, transport="syslog")
            c.line(t + 1.02, "pam_unix(cron:session): session opened for user invoicer(uid=998) by (uid=0)")
            c.line(t + 1.03, "(invoicer) CMD (/opt/invoicer/bin/flush-queue --quiet)")
            c.line(t + 1.61, "pam_unix(cron:session): session closed for user invoicer")
        # timer: health probe every 5 minutes (oneshot, 'Starting' / 'Finished' every time)
        if minute % 5 == 2:
            job += rng.randint(3, 8)
            pt = t + 14.3 + rng.uniform(0, 0.3)
            pid1.starting(pt, hunit, hdesc, job)
            pr = Proc(j, next_pid(), "invoicer-health", "curl", "/usr/bin/curl",
                      "/usr/bin/curl -fsS --max-time 5 http://127.0.0.1:8000/health", unit=hunit, uid=998)
            srv = app
            pr.line(pt + 0.041, '{"status":"ok","db":"ok","queue_depth":%d}' % rng.randint(0, 4))
            if not (restart_at - 1 < pt + 0.03 < restart_at + 4):
                srv.line(pt + 0.03, access("127.0.0.1", rng.randint(40000, 60999), "GET", "/health", 200), invocation=inv)
            pid1.deactivated(pt + 0.052, hunit)
            pid1.finished(pt + 0.054, hunit, hdesc, job)
        # ordinary traffic
        if rng.random() < 0.55 and not (restart_at - 1 < t + 30 < restart_at + 4):
            path = rng.choice(["/api/invoices?status=open", "/api/invoices/20931", "/api/customers/77",
                               "/api/invoices/20931/pdf"])
            app.line(t + 30 + rng.uniform(0, 20), access("10.20.0.5", rng.randint(40000, 60999), "GET", path, 200),
                     invocation=inv)
        t += 60
        if abs(t - (restart_at - restart_at % 60)) < 1:
            pass
        # operator restart (after deploying a new build)
        if t - 60 <= restart_at < t:
            sudo = Proc(j, next_pid(), "sudo", "sudo", "/usr/bin/sudo", "sudo systemctl restart invoicer",
                        unit="session-88.scope", uid=1003, transport="syslog",
                        cgroup="/user.slice/user-1003.slice/session-88.scope")
            sudo.line(restart_at - 0.022, "    alice : TTY=pts/1 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart invoicer")
            sudo.line(restart_at - 0.016, "pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1003)")
            job += 7
            pid1.stopping(restart_at, unit, desc, job)
            st = restart_at + 0.003
            for line in with_pid(stop, cap_pid, app.pid):
                app.line(st, line, invocation=inv)
                st += 0.0021
            st += 0.09
            pid1.deactivated(st, unit)
            pid1.stopped(st + 0.0003, unit, desc, job)
            pid1.consumed(st + 0.0006, unit, 41.618)
            pid1.started(st + 0.0041, unit, desc, job)
            inv = pid1.invocation(unit)
            sudo.line(st + 0.0063, "pam_unix(sudo:session): session closed for user root")
            app = Proc(j, next_pid(3, 9), "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=998)
            st += 2.71
            for line in with_pid(start, cap_pid, app.pid):
                app.line(st, line.replace("0.0.0.0", "127.0.0.1"), invocation=inv)
                st += 0.0012
    return j


# =============================================================================================
# Case: ExecStart binary gone after a redeploy -> 203/EXEC, five quick restarts, start limit
# =============================================================================================
def case_bad_exec():
    j = Journal("report-worker-2026-02-17", "batch-01", ts("2026-02-11 05:20:44.012"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "report-worker.service", "Nightly report worker"
    exe = "/opt/reporting/venv/bin/report-worker"
    t = ts("2026-02-17 02:00:00.004")
    job = 90211
    pid = 733410
    for n in range(6):
        if n:
            t += 0.1 + rng.uniform(0.0003, 0.0009)          # RestartSec=100ms (default)
            pid1.scheduled_restart(t, unit, n)
            pid1.stopped(t + 0.0004, unit, desc, job)
            t += 0.0011
        if n == 5:
            pid1.start_limit(t, unit)
            pid1.failed(t + 0.0002, unit, "exit-code")
            pid1.start_failed(t + 0.0004, unit, desc, job)
            break
        job += 1 if n else 0
        pid += rng.randint(2, 9)
        pid1.started(t, unit, desc, job)
        # the forked child logs the exec failure itself (systemd 252: identifier systemd, child PID)
        child = Manager(j, pid=pid, uid=0)
        child.invocations = pid1.invocations
        child.log(t + 0.0009, unit, "%s: Failed to locate executable %s: No such file or directory" % (unit, exe),
                  3, None, ("src/core/execute.c", 4813, "exec_child"), {"_COMM": "(r-worker)"})
        child.log(t + 0.0011, unit, "%s: Failed at step EXEC spawning %s: No such file or directory" % (unit, exe),
                  3, "641257651c1b4ec9a8624d7a40a9e1e7", ("src/core/execute.c", 5457, "exec_spawn"),
                  {"_COMM": "(r-worker)", "EXECUTABLE": exe})
        t += 0.0032
        pid1.main_exited(t, unit, "exited", 203)
        pid1.failed(t + 0.0002, unit, "exit-code")
    return j


# =============================================================================================
# Case: two instances of a template unit crash at the same moment with the same chained
# traceback; their lines interleave in the journal
# =============================================================================================
def case_ingest():
    j = Journal("ingest-2026-04-07", "etl-03", ts("2026-04-01 09:02:11.310"))
    rng = j.rng
    pid1 = Manager(j)
    desc = "Event ingest (%i)"
    tb = [l.replace("/root/.pyenv/versions/3.11.7/lib/python3.11", "/usr/lib/python3.11")
          for l in captured("python-chained-checkpoint.out")]
    units = {"ingest@eu.service": "eu", "ingest@us.service": "us"}
    t0 = ts("2026-04-07 03:00:00.012")
    job, pid = 51230, 880412
    counters = {u: 0 for u in units}
    for cycle in range(5):
        procs = {}
        for unit, region in units.items():
            job += rng.randint(1, 3)
            pid += rng.randint(15, 60)
            pid1.started(t0 + rng.uniform(0, 0.004), unit, desc.replace("%i", region), job)
            cmd = "/usr/bin/python3 /srv/app/ingest/ingest.py /srv/app/ingest/%s/state.json" % region
            procs[unit] = Proc(j, pid, "python3", "python3", "/usr/bin/python3.11", cmd, unit=unit, uid=998)
        # both read their (equally truncated) checkpoint and die within the same milliseconds
        t = t0 + 0.412 + rng.uniform(0, 0.02)
        for line in tb:
            for unit, region in units.items():
                procs[unit].line(t, line.replace("/srv/app/ingest/state.json",
                                                 "/srv/app/ingest/%s/state.json" % region),
                                 priority=3, invocation=pid1.invocation(unit))
                t += 0.00002 + rng.uniform(0, 0.00002)
        t += 0.035
        for unit in units:
            pid1.main_exited(t, unit, "exited", 1)
            pid1.failed(t + 0.0002, unit, "exit-code")
            pid1.consumed(t + 0.0004, unit, 0.29 + rng.uniform(0, 0.04))
            t += 0.0011
        t0 = t + 5.0                 # RestartSec=5
        for unit, region in units.items():
            counters[unit] += 1
            pid1.scheduled_restart(t0 - 0.0018, unit, counters[unit])
            pid1.stopped(t0 - 0.0010, unit, desc.replace("%i", region), job)
            t0 += 0.0007
    return j


# =============================================================================================
# Case: a fleet's journals merged on a log host -- web-01 loops on a port held by a copy started
# by hand, worker-01 is OOM-killed once, web-02 is healthy
# =============================================================================================
def oom_report(pid, unit):
    """The kernel OOM report of case_kontali for another 5-digit PID and another unit."""
    assert len(str(pid)) == 5
    return (OOM_KERNEL.replace("12345", str(pid))
            .replace("/system.slice/kontali-backend.service", "/system.slice/" + unit))


def shop_api_healthcheck(j, pid1, app, inv, t, job, next_pid, rng):
    """One run of the 5-minute shop-api-healthcheck.service timer job against APP."""
    hunit, hdesc = "shop-api-healthcheck.service", "Shop API health probe"
    pid1.starting(t, hunit, hdesc, job)
    probe = Proc(j, next_pid(), "shop-api-health", "curl", "/usr/bin/curl",
                 "/usr/bin/curl -fsS --max-time 5 http://127.0.0.1:8000/health", unit=hunit, uid=998)
    app.line(t + 0.03, access("127.0.0.1", rng.randint(40000, 60999), "GET", "/health", 200), invocation=inv)
    probe.line(t + 0.041, '{"status":"ok","db":"ok"}')
    pid1.deactivated(t + 0.052, hunit)
    pid1.finished(t + 0.054, hunit, hdesc, job)


def case_fleet():
    day = "2026-03-10 "
    first = captured("uvicorn-first-instance.out")
    second = captured("uvicorn-second-instance-eaddrinuse.out")
    cap_first, cap_second = pid_in(first), pid_in(second)
    plain = lambda lines: [l for l in lines if not re.match(r"^\d{4}-", l) and "GET /health" not in l]
    start_ok = plain(first[:first.index("INFO:     Shutting down")])
    stop_ok = first[first.index("INFO:     Shutting down"):]
    start_bad = plain(second)
    unit, desc = "shop-api.service", "Shop API"
    venv = "/opt/shop-api/venv"
    cmd = venv + "/bin/python -m uvicorn shop.main:app --host 0.0.0.0 --port 8000 --workers 1"
    paths = ["/api/products?page=1", "/api/products/4471", "/api/cart", "/api/products?page=2",
             "/api/orders/88213", "/api/products/1290"]
    start, end = ts(day + "09:50:00"), ts(day + "10:04:50")

    def traffic(proc, inv, t0, t1, rng, gap=(9, 31)):
        t = t0 + rng.uniform(0, gap[0])
        while t < t1:
            proc.line(t, access("10.0.2.10", rng.randint(40000, 60999), "GET", rng.choice(paths), 200),
                      invocation=inv)
            t += rng.uniform(*gap)

    def pid_counter(rng, pid):
        pids = [pid]

        def next_pid(lo=30, hi=140):
            pids[0] += rng.randint(lo, hi)
            return pids[0]
        return next_pid

    # -- web-01: shop-api stopped for debugging, a copy started by hand under systemd-cat keeps
    # port 8000; the deploy at 10:02 starts the unit, which fails to bind every ~13 s.
    web1 = Journal("fleet-web-01-2026-03-10", "web-01", ts("2026-03-02 06:12:40.330"))
    rng = web1.rng
    pid1 = Manager(web1)
    next_pid = pid_counter(rng, 731200)
    old = Proc(web1, 702311, "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=998)
    inv = pid1.invocation(unit)
    traffic(old, inv, start, ts(day + "09:55:02"), rng)
    stop_at = ts(day + "09:55:02.417")
    sudo = Proc(web1, next_pid(), "sudo", "sudo", "/usr/bin/sudo", "sudo systemctl stop shop-api",
                unit="session-412.scope", uid=1002, transport="syslog",
                cgroup="/user.slice/user-1002.slice/session-412.scope")
    sudo.line(stop_at - 0.021, "   marta : TTY=pts/0 ; PWD=/home/marta ; USER=root ; COMMAND=/usr/bin/systemctl stop shop-api")
    sudo.line(stop_at - 0.015, "pam_unix(sudo:session): session opened for user root(uid=0) by marta(uid=1002)")
    job = 230411
    pid1.stopping(stop_at, unit, desc, job)
    t = stop_at + 0.004
    for line in with_pid(stop_ok, cap_first, old.pid):
        old.line(t, line, invocation=inv)
        t += 0.0021
    pid1.deactivated(t + 0.09, unit)
    pid1.stopped(t + 0.0903, unit, desc, job)
    pid1.consumed(t + 0.0906, unit, 6 * 60 + 12.804)
    sudo.line(t + 0.0951, "pam_unix(sudo:session): session closed for user root")
    # the copy started by hand (./run-debug.sh: uvicorn under systemd-cat -t shop-api-debug)
    manual = Proc(web1, next_pid(), "shop-api-debug", "python", "/usr/bin/python3.11", cmd,
                  unit="session-412.scope", uid=1002,
                  cgroup="/user.slice/user-1002.slice/session-412.scope")
    t = ts(day + "09:55:41.208")
    for line in with_pid(start_ok, cap_first, manual.pid):
        manual.line(t, line)
        t += 0.0011
    traffic(manual, None, t + 5, end, rng, gap=(14, 45))
    # the deploy pipeline starts the unit again (Restart=always, RestartSec=10)
    t0 = ts(day + "10:02:03.551")
    deploy = Proc(web1, next_pid(), "sudo", "sudo", "/usr/bin/sudo", "sudo systemctl start shop-api",
                  unit="session-419.scope", uid=1005, transport="syslog",
                  cgroup="/user.slice/user-1005.slice/session-419.scope")
    deploy.line(t0 - 0.019, "  deploy : PWD=/srv/deploy ; USER=root ; COMMAND=/usr/bin/systemctl start shop-api")
    counter = 0
    while t0 < end:
        if counter:
            pid1.scheduled_restart(t0 - 0.0021, unit, counter)
            pid1.stopped(t0 - 0.0012, unit, desc, job)
        job += rng.randint(3, 8)
        pid1.started(t0, unit, desc, job)
        inv = pid1.invocation(unit)
        app = Proc(web1, next_pid(), "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=998)
        t = t0 + 2.62 + rng.uniform(-0.2, 0.25)
        for line in with_pid(start_bad, cap_second, app.pid):
            if line.startswith("ERROR:"):
                t += 0.0031
            app.line(t, line, invocation=inv)
            t += 0.0004
        t += 0.148
        pid1.main_exited(t, unit, "exited", 1)
        pid1.failed(t + 0.0002, unit, "exit-code")
        pid1.consumed(t + 0.0004, unit, 2.41 + rng.uniform(0, 0.3))
        counter += 1
        t0 = t + 10.0 + 0.0006

    # -- web-02: the same service, healthy: traffic, the health-probe timer, cron
    web2 = Journal("fleet-web-02-2026-03-10", "web-02", ts("2026-03-02 06:12:51.912"))
    rng = web2.rng
    pid1 = Manager(web2)
    next_pid = pid_counter(rng, 640100)
    app = Proc(web2, 611902, "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=998)
    inv = pid1.invocation(unit)
    traffic(app, inv, start, end, rng)
    job = 188020
    t = start
    while t < end:
        minute = int((t - start) // 60)
        if minute % 5 == 0:
            c = Proc(web2, next_pid(), "CRON", "cron", "/usr/sbin/cron", "/usr/sbin/CRON -f -P",
                     unit="cron.service", uid=0, transport="syslog")
            c.line(t + 1.02, "pam_unix(cron:session): session opened for user shop(uid=998) by (uid=0)")
            c.line(t + 1.03, "(shop) CMD (/opt/shop-api/bin/expire-carts --quiet)")
            c.line(t + 1.44, "pam_unix(cron:session): session closed for user shop")
        if minute % 5 == 2:
            job += rng.randint(3, 8)
            shop_api_healthcheck(web2, pid1, app, inv, t + 14.3 + rng.uniform(0, 0.3), job, next_pid, rng)
        t += 60

    # -- worker-01: report-builder (uvicorn on 127.0.0.1:8100) OOM-killed on a big export,
    # restarted once (Restart=on-failure, RestartSec=5), then stable
    worker = Journal("fleet-worker-01-2026-03-10", "worker-01", ts("2026-03-09 22:40:07.005"))
    rng = worker.rng
    pid1 = Manager(worker)
    runit, rdesc = "report-builder.service", "Report builder"
    rcmd = "/opt/report-builder/venv/bin/python3 -m uvicorn reports.main:app --host 127.0.0.1 --port 8100"
    kpid = 51234
    rapp = Proc(worker, kpid, "python3", "python3", "/usr/bin/python3.11", rcmd, unit=runit, uid=997)
    inv = pid1.invocation(runit)
    t = start + rng.uniform(0, 20)
    exports = ["/reports/sales?month=2026-02", "/reports/stock", "/reports/sales?month=2026-01",
               "/reports/returns?month=2026-02"]
    kill_at = ts(day + "09:59:31.604")
    while t < kill_at - 40:
        rapp.line(t, access("10.0.2.21", rng.randint(40000, 60999), "GET", rng.choice(exports), 200), invocation=inv)
        t += rng.uniform(25, 70)
    rapp.line(kill_at - 7.9, 'INFO:     10.0.2.21:50518 - "GET /reports/sales?year=2025&detail=full HTTP/1.1" 200 OK',
              invocation=inv)
    lines = oom_report(kpid, runit).splitlines()
    for k, line in enumerate(lines):
        prio = 3 if line.startswith("Out of memory") else (6 if line.startswith("oom-kill:") else 4)
        kernel(worker, kill_at + k * 0.00002, line, prio)
    t = kill_at + len(lines) * 0.00002 + 0.0388
    pid1.oom_killed(t, runit)
    pid1.main_exited(t + 0.0029, runit, "killed", 9)
    pid1.failed(t + 0.0032, runit, "oom-kill")
    pid1.consumed(t + 0.0035, runit, 11 * 60 + 3.662)
    t += 5.0
    pid1.scheduled_restart(t, runit, 1)
    pid1.stopped(t + 0.0008, runit, rdesc, 50217)
    pid1.started(t + 0.0016, runit, rdesc, 50218)
    inv = pid1.invocation(runit)
    rapp = Proc(worker, 52807, "python3", "python3", "/usr/bin/python3.11", rcmd, unit=runit, uid=997)
    st = t + 2.73
    for line in with_pid(start_ok, cap_first, rapp.pid):
        rapp.line(st, line.replace("0.0.0.0:8000", "127.0.0.1:8100"), invocation=inv)
        st += 0.0012
    t = st + rng.uniform(20, 40)
    while t < end:
        rapp.line(t, access("10.0.2.21", rng.randint(40000, 60999), "GET", rng.choice(exports), 200), invocation=inv)
        t += rng.uniform(25, 70)
    return Fleet(web1, web2, worker)



def uvicorn_lines(name):
    """A uvicorn capture without the app's own loguru lines: (start-up lines, shutdown lines,
    the capture's PID)."""
    lines = [l for l in captured(name) if not re.match(r"^\d{4}-", l) and "GET /health" not in l]
    if "INFO:     Shutting down" in lines:
        cut = lines.index("INFO:     Shutting down")
        return lines[:cut], lines[cut:], pid_in(lines)
    return lines, [], pid_in(lines)


def sudo_command(j, t, pid, user, uid, session, command):
    """The two lines sudo logs when USER runs COMMAND (and the session-close line later)."""
    sudo = Proc(j, pid, "sudo", "sudo", "/usr/bin/sudo", "sudo " + command.replace("/usr/bin/", ""),
                unit="session-%d.scope" % session, uid=uid, transport="syslog",
                cgroup="/user.slice/user-%d.slice/session-%d.scope" % (uid, session))
    sudo.line(t - 0.021, "%8s : TTY=pts/0 ; PWD=/home/%s ; USER=root ; COMMAND=%s" % (user, user, command))
    sudo.line(t - 0.015, "pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)" % (user, uid))
    return sudo


def reloading(pid1, t):
    pid1.log(t, None, "Reloading.", 6, None, ("src/core/main.c", 1980, "invoke_main_loop"))


# =============================================================================================
# Case: a wrapper script and KillMode=process leave the old uvicorn running in the unit's
# cgroup; every new start finds it, fails to bind, and the unit loops
# =============================================================================================
def case_orphan():
    j = Journal("geo-api-2026-05-12", "geo-01", ts("2026-05-04 07:40:13.207"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "geo-api.service", "Geocoding API"
    start_ok, stop_ok, cap_ok = uvicorn_lines("uvicorn-first-instance.out")
    start_bad, _, cap_bad = uvicorn_lines("uvicorn-second-instance-eaddrinuse.out")
    wrapper = "/bin/sh /opt/geo-api/bin/start-api"
    cmd = "/opt/geo-api/venv/bin/python3 -m uvicorn geo.main:app --host 0.0.0.0 --port 8000"
    paths = ["/v1/geocode?q=Storgata+12%2C+Oslo", "/v1/reverse?lat=59.91&lon=10.75", "/v1/geocode?q=Bryggen%2C+Bergen",
             "/v1/reverse?lat=63.43&lon=10.39", "/v1/geocode?q=Torget+1%2C+Troms%C3%B8"]

    # ExecStart=/opt/geo-api/bin/start-api (a /bin/sh script that runs uvicorn without exec),
    # SyslogIdentifier=geo-api, KillMode=process. journald stamps a stdout stream with the PID
    # that opened it: the wrapper's, so uvicorn's lines carry the wrapper PID.
    def run(sh_pid):
        return Proc(j, sh_pid, "geo-api", "start-api", "/usr/bin/dash", wrapper, unit=unit, uid=996)

    old_sh, old_py = 40117, 40121
    old = run(old_sh)
    inv_old = pid1.invocation(unit)
    t = ts("2026-05-12 09:10:02.114")
    deploy_at = ts("2026-05-12 09:14:37.650")
    while t < deploy_at - 3:
        old.line(t, access("10.0.5.20", rng.randint(40000, 60999), "GET", rng.choice(paths), 200), invocation=inv_old)
        t += rng.uniform(4, 19)
    # the deploy: restart after a new build; SIGTERM goes to the wrapper only
    sudo = sudo_command(j, deploy_at, 40977, "deploy", 1005, 231, "/usr/bin/systemctl restart geo-api")
    job = 71402
    pid1.stopping(deploy_at, unit, desc, job)
    t = deploy_at + 0.0131
    pid1.deactivated(t, unit)
    pid1.leftover_at_stop(t + 0.0002, unit, old_py, "python3")
    pid1.stopped(t + 0.0004, unit, desc, job)
    pid1.consumed(t + 0.0006, unit, 38 * 60 + 12.406)
    sudo.line(t + 0.0051, "pam_unix(sudo:session): session closed for user root")
    t0 = t + 0.0021
    sh_pid = 41230
    for counter in range(12):
        if counter:
            pid1.scheduled_restart(t0 - 0.0019, unit, counter)
            pid1.stopped(t0 - 0.0011, unit, desc, job)
        job += rng.randint(1, 4)
        pid1.leftover_at_start(t0 - 0.0004, unit, old_py, "python3")
        pid1.started(t0, unit, desc, job)
        inv = pid1.invocation(unit)
        app = run(sh_pid)
        t = t0 + 2.48 + rng.uniform(-0.2, 0.2)
        for line in with_pid(start_bad, cap_bad, sh_pid + 3):
            if line.startswith("ERROR:"):
                t += 0.0034
            app.line(t, line, invocation=inv)
            t += 0.0004
        t += 0.141
        pid1.main_exited(t, unit, "exited", 1)
        pid1.failed(t + 0.0002, unit, "exit-code")
        pid1.leftover_at_stop(t + 0.0003, unit, old_py, "python3")
        pid1.consumed(t + 0.0005, unit, 2.18 + rng.uniform(0, 0.3))
        sh_pid += rng.randint(20, 70)
        t0 = t + 5.0 + 0.0006                 # RestartSec=5
    fix_at = t + 1.914                        # while the unit waits RestartSec
    # the survivor keeps serving on port 8000 through its old stream (old wrapper PID, old invocation)
    orphan_t = deploy_at + rng.uniform(2, 6)
    while orphan_t < fix_at - 0.5:
        old.line(orphan_t, access("10.0.5.20", rng.randint(40000, 60999), "GET", rng.choice(paths), 200),
                 invocation=inv_old)
        orphan_t += rng.uniform(4, 19)
    pid1.scheduled_restart(t0 - 0.0019, unit, 12)
    pid1.stopped(t0 - 0.0011, unit, desc, job)
    job += rng.randint(1, 4)
    # the operator finds the survivor and stops it; the pending start then binds
    sudo = sudo_command(j, fix_at, sh_pid - 7, "marta", 1002, 232, "/usr/bin/kill 40121")
    t = fix_at + 0.004
    for line in with_pid(stop_ok, cap_ok, old_py):
        old.line(t, line, invocation=inv_old)
        t += 0.0019
    sudo.line(t + 0.002, "pam_unix(sudo:session): session closed for user root")
    pid1.started(t0, unit, desc, job)
    inv = pid1.invocation(unit)
    app = run(sh_pid)
    t = t0 + 2.51
    for line in with_pid(start_ok, cap_ok, sh_pid + 3):
        app.line(t, line, invocation=inv)
        t += 0.0011
    t += rng.uniform(3, 6)
    while t < t0 + 60:
        app.line(t, access("10.0.5.20", rng.randint(40000, 60999), "GET", rng.choice(paths), 200), invocation=inv)
        t += rng.uniform(4, 19)
    return j


# =============================================================================================
# Case: Type=notify copied into a uvicorn unit: uvicorn never sends READY=1, so every start
# times out after TimeoutStartSec=90s although the server answers requests
# =============================================================================================
def case_start_timeout():
    j = Journal("quotes-api-2026-04-21", "api-03", ts("2026-04-14 06:02:19.881"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "quotes-api.service", "Quotes API"
    cmd = "/opt/quotes-api/venv/bin/python -m uvicorn quotes.main:app --host 0.0.0.0 --port 8000"
    start_ok, stop_ok, cap = uvicorn_lines("uvicorn-first-instance.out")
    symbols = ["NHY", "EQNR", "DNB", "ORK", "TEL", "MOWI", "YAR"]

    def traffic(app, inv, t, until):
        while t < until:
            if rng.random() < 0.3:
                app.line(t, access("10.0.4.2", rng.randint(40000, 60999), "GET", "/healthz", 200), invocation=inv)
            else:
                app.line(t, access("10.0.4.11", rng.randint(40000, 60999), "GET",
                                   "/v1/quotes?symbol=" + rng.choice(symbols), 200), invocation=inv)
            t += rng.uniform(3, 14)

    # running as Type=simple since the morning
    app = Proc(j, 512877, "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=994)
    inv = pid1.invocation(unit)
    deploy_at = ts("2026-04-21 13:02:44.318")
    traffic(app, inv, ts("2026-04-21 13:00:05.000"), deploy_at - 20)
    # the unit file now says Type=notify (copied from another service); daemon-reload, restart
    sudo = sudo_command(j, deploy_at - 6.117, 530410, "erik", 1004, 87, "/usr/bin/systemctl daemon-reload")
    reloading(pid1, deploy_at - 6.101)
    sudo.line(deploy_at - 5.822, "pam_unix(sudo:session): session closed for user root")
    sudo = sudo_command(j, deploy_at, 530433, "erik", 1004, 87, "/usr/bin/systemctl restart quotes-api")
    job = 40211
    pid1.stopping(deploy_at, unit, desc, job)
    t = deploy_at + 0.003
    for line in with_pid(stop_ok, cap, app.pid):
        app.line(t, line, invocation=inv)
        t += 0.0021
    t += 0.081
    pid1.deactivated(t, unit)
    pid1.stopped(t + 0.0003, unit, desc, job)
    pid1.consumed(t + 0.0006, unit, 5 * 60 + 41.093)
    t0 = t + 0.0031
    pid = 530441
    counter = 0
    for cycle in range(4):
        if counter:
            pid1.scheduled_restart(t0 - 0.0021, unit, counter)
            pid1.stopped(t0 - 0.0013, unit, desc, job)
        job += rng.randint(2, 6)
        pid1.starting(t0, unit, desc, job)
        inv = pid1.invocation(unit)
        app = Proc(j, pid, "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=994)
        t = t0 + 2.71 + rng.uniform(-0.2, 0.2)
        for line in with_pid(start_ok, cap, pid):
            app.line(t, line, invocation=inv)
            t += 0.0011
        timeout_at = t0 + 90.0 + 0.0004        # TimeoutStartSec=90s (the default)
        traffic(app, inv, t + rng.uniform(1, 4), timeout_at)
        pid1.start_timed_out(timeout_at, unit)
        t = timeout_at + 0.0041
        for line in with_pid(stop_ok, cap, pid):
            app.line(t, line, invocation=inv)
            t += 0.0021
        t += 0.078
        pid1.failed(t, unit, "timeout")
        pid1.start_failed(t + 0.0002, unit, desc, job)
        pid1.consumed(t + 0.0004, unit, 2.64 + rng.uniform(0, 0.3))
        if cycle == 0:      # `systemctl restart` waited for the start job, which failed
            sudo.line(t + 0.0031, "pam_unix(sudo:session): session closed for user root")
        counter += 1
        pid += rng.randint(300, 900)
        t0 = t + 10.0 + 0.0005                 # RestartSec=10
    pid1.scheduled_restart(t0 - 0.0021, unit, counter)
    pid1.stopped(t0 - 0.0013, unit, desc, job)
    pid1.starting(t0, unit, desc, job + 3)
    return j


# =============================================================================================
# Case: a mail worker whose SIGTERM handler waits forever for stuck deliveries: every restart
# takes TimeoutStopSec=90s and ends in SIGKILL
# =============================================================================================
def case_stop_timeout():
    j = Journal("mailer-2026-06-03", "mail-02", ts("2026-05-29 04:51:33.902"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "mailer.service", "Outbound mailer"
    cmd = "/usr/bin/python3 /opt/mailer/mailer.py"
    cap = captured("python-mailer-ignores-sigterm.out")
    term = [l for l in cap if "SIGTERM received" in l]
    start = cap[:cap.index(term[0])]          # 'mailer started' and the three deliveries

    def run(pid, t0, job):
        """Type=simple: Started, then the worker's start-up lines, verbatim from the capture."""
        pid1.started(t0, unit, desc, job)
        inv = pid1.invocation(unit)
        app = Proc(j, pid, "python3", "python3", "/usr/bin/python3.11", cmd, unit=unit, uid=993)
        t = t0 + 0.311 + rng.uniform(0, 0.05)
        for line in start:
            app.line(t, line, invocation=inv)
            t += 0.0008 + rng.uniform(0, 0.0005)
        return app, inv

    job, pid = 93120, 77120
    app, inv = run(pid, ts("2026-06-03 08:40:07.412"), job)
    # the relay (127.0.0.1:2525) accepts connections and never greets; an operator restarts the
    # mailer twice; its SIGTERM handler waits for the stuck deliveries, so each stop ends in SIGKILL
    for restart_at, session in [(ts("2026-06-03 08:52:10.571"), 412), (ts("2026-06-03 09:31:48.027"), 415)]:
        sudo = sudo_command(j, restart_at, pid + 911, "ingrid", 1006, session, "/usr/bin/systemctl restart mailer")
        job += rng.randint(20, 60)
        pid1.stopping(restart_at, unit, desc, job)
        for line in term:
            app.line(restart_at + 0.0012, line, invocation=inv)
        t = restart_at + 90.0 + 0.0003        # TimeoutStopSec=90s (the default)
        pid1.stop_sigterm_timed_out(t, unit)
        pid1.killing(t + 0.0002, unit, app.pid, "python3")
        t += 0.0031
        pid1.main_exited(t, unit, "killed", 9)
        pid1.failed(t + 0.0003, unit, "timeout")
        pid1.stopped(t + 0.0006, unit, desc, job)
        pid1.consumed(t + 0.0008, unit, 0.41 + rng.uniform(0, 0.2))
        pid += rng.randint(800, 3000)
        app, inv = run(pid, t + 0.0031, job)
        sudo.line(t + 0.0047, "pam_unix(sudo:session): session closed for user root")
    return j


# =============================================================================================
# Case: hardening drop-in with ReadWritePaths= naming a directory that does not exist:
# 226/NAMESPACE on every start, the program never runs
# =============================================================================================
def case_sandbox():
    j = Journal("reports-2026-03-24", "report-01", ts("2026-03-17 05:30:01.440"))
    rng = j.rng
    pid1 = Manager(j)
    unit, desc = "reports.service", "Report API"
    exe = "/opt/reports/venv/bin/python3"
    cmd = exe + " -m uvicorn reports.main:app --host 127.0.0.1 --port 8100"
    start_ok, stop_ok, cap = uvicorn_lines("uvicorn-first-instance.out")
    pages = ["/reports/sales?month=2026-02", "/reports/stock", "/reports/returns?month=2026-02", "/reports/sales?month=2026-03"]
    app = Proc(j, 88341, "python3", "python3", "/usr/bin/python3.11", cmd, unit=unit, uid=997)
    inv = pid1.invocation(unit)
    t = ts("2026-03-24 10:11:00.000")
    restart_at = ts("2026-03-24 10:20:13.552")
    while t < restart_at - 30:
        app.line(t, access("10.0.2.21", rng.randint(40000, 60999), "GET", rng.choice(pages), 200), invocation=inv)
        t += rng.uniform(25, 80)
    # a hardening drop-in (ProtectSystem=strict, ReadWritePaths=/var/lib/reports /var/cache/reports);
    # /var/cache/reports was never created on this host
    sudo = sudo_command(j, restart_at - 9.402, 91207, "ops", 1001, 55, "/usr/bin/systemctl daemon-reload")
    reloading(pid1, restart_at - 9.388)
    sudo.line(restart_at - 9.121, "pam_unix(sudo:session): session closed for user root")
    sudo = sudo_command(j, restart_at, 91230, "ops", 1001, 55, "/usr/bin/systemctl restart reports")
    job = 20877
    pid1.stopping(restart_at, unit, desc, job)
    t = restart_at + 0.0029
    for line in with_pid(stop_ok, cap, app.pid):
        app.line(t, line, invocation=inv)
        t += 0.0021
    t += 0.092
    pid1.deactivated(t, unit)
    pid1.stopped(t + 0.0003, unit, desc, job)
    pid1.consumed(t + 0.0005, unit, 2 * 60 + 17.554)
    t0 = t + 0.0038
    pid = 91236
    for n in range(9):
        if n:
            pid1.scheduled_restart(t0 - 0.0017, unit, n)
            pid1.stopped(t0 - 0.0009, unit, desc, job)
        job += 1
        pid1.started(t0, unit, desc, job)
        if n == 0:
            sudo.line(t0 + 0.0011, "pam_unix(sudo:session): session closed for user root")
        # the forked child logs the namespace failure itself (systemd 252: identifier systemd, child PID)
        child = Manager(j, pid=pid, uid=0)
        child.invocations = pid1.invocations
        child.log(t0 + 0.0021, unit, "%s: Failed to set up mount namespacing: /run/systemd/unit-root/var/cache/reports: "
                  "No such file or directory" % unit, 3, None, ("src/core/execute.c", 4695, "exec_child"),
                  {"_COMM": "(python3)", "ERRNO": "2"})
        child.log(t0 + 0.0023, unit, "%s: Failed at step NAMESPACE spawning %s: No such file or directory" % (unit, exe),
                  3, "641257651c1b4ec9a8624d7a40a9e1e7", ("src/core/execute.c", 5457, "exec_spawn"),
                  {"_COMM": "(python3)", "ERRNO": "2", "EXECUTABLE": exe})
        t = t0 + 0.0041
        pid1.main_exited(t, unit, "exited", 226)
        pid1.failed(t + 0.0002, unit, "exit-code")
        pid += rng.randint(3, 12)
        t0 = t + 5.0 + 0.0004                 # Restart=on-failure, RestartSec=5
    return j


# =============================================================================================
# Case: healthy -- an edge gateway's journal: boot (root mounted ro, then remounted r/w), the
# OOM killer daemon, a sandbox notice, a unit-file warning on daemon-reload, an optional
# ExecStartPre= binary missing, a slow but successful warm-up, a deliberate restart, a
# deliberate stop that drains for 8 s, a 30-second health timer
# =============================================================================================
def case_gateway():
    j = Journal("gateway-2026-03-16", "edge-gw-01", ts("2026-03-16 06:58:02.114"))
    rng = j.rng
    pid1 = Manager(j)
    pids = [412]

    def next_pid(lo=3, hi=40):
        pids[0] += rng.randint(lo, hi)
        return pids[0]

    carts = captured("uvicorn-carts-waits-for-db-and-redis.out")
    runs = [i for i, l in enumerate(carts) if l.startswith("INFO:     Started server process")]
    second = carts[runs[1]:]                      # the run that finds its database up at once
    cap_pid = re.search(r"\[(\d+)\]", second[0]).group(1)
    app_start = [l for l in second[:second.index("INFO:     Shutting down")] if '"GET ' not in l]
    app_stop = second[second.index("INFO:     Shutting down"):]

    def restamp(line, t):
        stamp = datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S,") + "%03d" % (int(t * 1000) % 1000)
        return re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", stamp, line)

    uuid = "8d2e6b1a-53c4-4f0e-9a61-2f7c0b9e4d15"
    boot = j.boot_at + 1.2
    kernel(j, boot, "EXT4-fs (mmcblk0p2): mounted filesystem %s ro with ordered data mode. Quota mode: none." % uuid, 6)
    t = boot + 0.41
    pid1.starting(t, "systemd-remount-fs.service", "Remount Root and Kernel File Systems", 7)
    kernel(j, t + 0.012, "EXT4-fs (mmcblk0p2): re-mounted %s r/w. Quota mode: none." % uuid, 6)
    pid1.finished(t + 0.019, "systemd-remount-fs.service", "Remount Root and Kernel File Systems", 7)
    t += 1.73
    pid1.starting(t, "systemd-oomd.service", "Userspace Out-Of-Memory (OOM) Killer", 61)
    pid1.started(t + 0.088, "systemd-oomd.service", "Userspace Out-Of-Memory (OOM) Killer", 61)
    t += 2.4
    pid1.starting(t, "systemd-hostnamed.service", "Hostname Service", 88)
    child = Manager(j, pid=next_pid(), uid=0)
    child.invocations = pid1.invocations
    child.log(t + 0.004, "systemd-hostnamed.service",
              "systemd-hostnamed.service: PrivateNetwork=yes is configured, but the kernel does not support "
              "network namespaces, ignoring.", 4, None, ("src/core/exec-invoke.c", 4310, "exec_invoke"))
    pid1.started(t + 0.061, "systemd-hostnamed.service", "Hostname Service", 88)

    # gw-api.service: uvicorn on 127.0.0.1:8000; ExecStartPre=-/usr/local/bin/gw-migrate is an
    # optional hook that this image does not ship ('-': a missing executable is skipped).
    unit, desc = "gw-api.service", "Gateway API"
    cmd = "/opt/gw-api/venv/bin/python -m uvicorn carts_app:app --host 127.0.0.1 --port 8000"
    hook = "/usr/local/bin/gw-migrate"
    job = 131

    def start_api(t, job):
        # Type=simple: no 'Starting' line (see case_healthy)
        child = Manager(j, pid=next_pid(), uid=0)
        child.invocations = pid1.invocations
        child.log(t + 0.002, unit, "%s: Executable %s missing, skipping: No such file or directory" % (unit, hook),
                  6, MID_SPAWN_FAILED, ("src/core/exec-invoke.c", 4622, "exec_invoke"), {"EXECUTABLE": hook})
        pid1.started(t + 0.006, unit, desc, job)
        inv = pid1.invocation(unit)
        app = Proc(j, next_pid(), "python", "python", "/usr/bin/python3.11", cmd, unit=unit, uid=998)
        st = t + 1.84
        for line in with_pid(app_start, cap_pid, app.pid):
            app.line(st, restamp(line, st), invocation=inv)
            st += 0.0011
        return app, inv, st

    kunit, kdesc = "gw-worker.service", "Gateway job worker"
    pid1.started(boot + 9.41, kunit, kdesc, 129)
    t = boot + 9.6
    app, inv, t = start_api(t, job)

    # gw-cache-warmup.service: Type=oneshot, TimeoutStartSec=10min; takes 94 s this time
    wunit, wdesc = "gw-cache-warmup.service", "Gateway route cache warm-up"
    wt = boot + 11.02
    pid1.starting(wt, wunit, wdesc, 140)
    warm = Proc(j, next_pid(), "gw-cache-warmup", "gw-cache-warmup", "/opt/gw-api/venv/bin/python3",
                "/opt/gw-api/venv/bin/python3 -m gw.warmup --timeout 600", unit=wunit, uid=998)
    warm.line(wt + 0.62, "warming 48213 routes from /var/lib/gw/routes.db (timeout 600 s)")
    for k, done in enumerate((12000, 24000, 36000, 48213)):
        warm.line(wt + 0.62 + 23.1 * (k + 1), "warmed %d/48213 routes" % done)
    journald = Proc(j, 231, "systemd-journald", "systemd-journal", "/usr/lib/systemd/systemd-journald",
                    "/usr/lib/systemd/systemd-journald", unit="systemd-journald.service", uid=0,
                    transport="driver")
    journald.line(wt + 51.7, "Under memory pressure, flushing caches.")
    wt += 0.62 + 23.1 * 4 + 0.9
    pid1.deactivated(wt, wunit)
    pid1.finished(wt + 0.0004, wunit, wdesc, 140)
    pid1.consumed(wt + 0.0007, wunit, 82.418)

    # a 30-second health timer (oneshot: Starting / Deactivated successfully / Finished)
    hunit, hdesc = "gw-healthcheck.service", "Gateway health probe"
    end = boot + 21 * 60
    ht = boot + 30.0
    hjob = 200
    restart_at, reload_at, stop_at = boot + 7 * 60 + 12.3, boot + 7 * 60 + 2.1, boot + 15 * 60 + 41.7
    while ht < end:
        hjob += rng.randint(2, 6)
        if not (restart_at - 1 < ht < restart_at + 4):
            pid1.starting(ht, hunit, hdesc, hjob)
            probe = Proc(j, next_pid(), "gw-health", "curl", "/usr/bin/curl",
                         "/usr/bin/curl -fsS --max-time 5 http://127.0.0.1:8000/health", unit=hunit, uid=998)
            app.line(ht + 0.021, access("127.0.0.1", rng.randint(40000, 60999), "GET", "/health", 200),
                     invocation=inv)
            probe.line(ht + 0.029, '{"status":"ok"}')
            pid1.deactivated(ht + 0.041, hunit)
            pid1.finished(ht + 0.0413, hunit, hdesc, hjob)
        ht += 30.0 + rng.uniform(0, 0.4)

    # a deploy: new unit file (still marked executable; it names a setting this systemd does not
    # know yet), daemon-reload, then a deliberate restart of the API
    sudo = Proc(j, next_pid(), "sudo", "sudo", "/usr/bin/sudo", "sudo systemctl daemon-reload",
                unit="session-5.scope", uid=1001, transport="syslog",
                cgroup="/user.slice/user-1001.slice/session-5.scope")
    sudo.line(reload_at - 0.02, "  deploy : PWD=/srv/deploy ; USER=root ; COMMAND=/usr/bin/systemctl daemon-reload")
    pid1.log(reload_at, None, "Reloading requested from client PID %d ('systemctl') (unit session-5.scope)..." % (sudo.pid + 1),
             6, None, ("src/core/dbus-manager.c", 1566, "method_reload"))
    pid1.log(reload_at + 0.001, None, "Reloading...", 6, None, ("src/core/main.c", 3052, "invoke_main_loop"))
    pid1.log(reload_at + 0.118, None, "Configuration file /etc/systemd/system/gw-api.service is marked executable. "
             "Please remove executable permission bits. Proceeding anyway.", 4, None,
             ("src/basic/fs-util.c", 389, "stat_warn_permissions"))
    pid1.log(reload_at + 0.121, unit, "/etc/systemd/system/gw-api.service:17: Unknown key name 'MemoryZSwapWriteback' "
             "in section 'Service', ignoring.", 4, None, ("src/shared/conf-parser.c", 156, "next_assignment"))
    pid1.log(reload_at + 0.296, None, "Reloading finished in 295 ms.", 6, None, ("src/core/main.c", 3077, "invoke_main_loop"))
    sudo = Proc(j, next_pid(), "sudo", "sudo", "/usr/bin/sudo", "sudo systemctl restart gw-api",
                unit="session-5.scope", uid=1001, transport="syslog",
                cgroup="/user.slice/user-1001.slice/session-5.scope")
    sudo.line(restart_at - 0.021, "  deploy : PWD=/srv/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart gw-api")
    job = 411
    pid1.stopping(restart_at, unit, desc, job)
    st = restart_at + 0.003
    for line in with_pid(app_stop, cap_pid, app.pid):
        app.line(st, restamp(line, st), invocation=inv)
        st += 0.05 if "Waiting" in line else 0.0011
    pid1.deactivated(st + 0.09, unit)
    pid1.stopped(st + 0.0903, unit, desc, job)
    pid1.consumed(st + 0.0906, unit, 6.118)
    app, inv, _ = start_api(st + 0.0941, job)

    # gw-worker.service: a queue worker, stopped on purpose (maintenance); it finishes its
    # in-flight jobs within 8.4 s, well inside TimeoutStopSec=90s
    worker = Proc(j, 1187, "gw-worker", "gw-worker", "/opt/gw-api/venv/bin/python3",
                  "/opt/gw-api/venv/bin/python3 -m gw.worker", unit=kunit, uid=998)
    kinv = pid1.invocation(kunit)
    for k in range(5):
        worker.line(boot + 60 + k * 171.3, "job %d done in %.2fs" % (9140 + k, rng.uniform(0.4, 2.2)), invocation=kinv)
    sudo = Proc(j, next_pid(), "sudo", "sudo", "/usr/bin/sudo", "sudo systemctl stop gw-worker",
                unit="session-5.scope", uid=1001, transport="syslog",
                cgroup="/user.slice/user-1001.slice/session-5.scope")
    sudo.line(stop_at - 0.02, "  deploy : PWD=/srv/deploy ; USER=root ; COMMAND=/usr/bin/systemctl stop gw-worker")
    pid1.stopping(stop_at, kunit, kdesc, 520)
    worker.line(stop_at + 0.004, "SIGTERM received: finishing 3 in-flight jobs, not taking new ones", invocation=kinv)
    for k, dt in enumerate((2.8, 5.9, 8.3)):
        worker.line(stop_at + dt, "job %d done in %.2fs" % (9145 + k, dt + 0.6), invocation=kinv)
    worker.line(stop_at + 8.37, "drained, exiting", invocation=kinv)
    pid1.deactivated(stop_at + 8.41, kunit)
    pid1.log(stop_at + 8.4103, kunit, "Stopped %s - %s." % (kunit, kdesc), 6, MID_STOPPED,
             ("src/core/job.c", 768, "job_emit_done_message"),
             {"JOB_ID": "520", "JOB_TYPE": "stop", "JOB_RESULT": "done"})
    pid1.consumed(stop_at + 8.4106, kunit, 14.87)
    return j


CASES = {
    # case folder -> (builder, journalctl arguments)
    "port-conflict-uvicorn-manual-copy-journal-short": (case_lumiera, ["-o", "short"]),
    "port-conflict-uvicorn-manual-copy-journal-json": (case_lumiera, ["-o", "json"]),
    "port-conflict-system-vs-user-unit-journal-short": (case_benchai, ["-o", "short"]),
    "oom-kill-uvicorn-backend-journal-short-iso": (case_kontali, ["-o", "short-iso"]),
    "oom-kill-uvicorn-backend-journal-catalog-x": (case_kontali, ["-o", "short", "-x", "-n", "40"]),
    "import-error-modulenotfound-restart-loop-journal-short": (case_chatos, ["-o", "short", "-n", "200"]),
    "healthy-operator-restart-with-timers-journal-short-precise": (case_healthy, ["-o", "short-precise"]),
    "bad-exec-path-start-limit-hit-journal-short": (case_bad_exec, ["-o", "short"]),
    "unhandled-exception-interleaved-instances-journal-short": (case_ingest, ["-o", "short"]),
    "oom-kill-port-conflict-three-hosts-journal-short-iso": (case_fleet, ["-o", "short-iso"]),
    "orphan-process-wrapper-killmode-process-journal-short": (case_orphan, ["-o", "short"]),
    "start-timeout-type-notify-uvicorn-journal-short": (case_start_timeout, ["-o", "short"]),
    "stop-timeout-mailer-ignores-sigterm-journal-short-iso": (case_stop_timeout, ["-o", "short-iso"]),
    "sandbox-setup-failed-readwritepaths-missing-journal-short": (case_sandbox, ["-o", "short"]),
    "healthy-gateway-boot-deploy-slow-stop-timers-journal-short-iso": (case_gateway, ["-o", "short-iso"]),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--render", action="store_true", help="also write input.log via journal-remote + journalctl")
    ap.add_argument("cases", nargs="*", help="case folder names (default: all)")
    args = ap.parse_args()
    for name in args.cases or CASES:
        builder, jargs = CASES[name]
        d = os.path.join(CORPORA, name)
        os.makedirs(d, exist_ok=True)
        export = os.path.join(d, "journal.export")
        with open(export, "wb") as f:
            f.write(builder().export())
        if args.render:
            if "-x" in jargs:       # catalog explanations need the catalog database
                subprocess.run(["journalctl", "--update-catalog"], check=True)
            with tempfile.TemporaryDirectory() as tmp:
                jf = os.path.join(tmp, "case.journal")
                subprocess.run([JOURNAL_REMOTE, "-o", jf, export], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                env = dict(os.environ, TZ="UTC", SYSTEMD_COLORS="0", SYSTEMD_PAGER="")
                out = subprocess.run(["journalctl", "--file", jf, "--no-pager"] + jargs,
                                     check=True, capture_output=True, env=env).stdout
            with open(os.path.join(d, "input.log"), "wb") as f:
                f.write(out)
        print(name, file=sys.stderr)


if __name__ == "__main__":
    main()
