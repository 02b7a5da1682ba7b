//! Tests of the whole envelope parser, one group per line shape. Expected stamps were
//! computed independently with `date -u -d '<date> UTC' +%s`.

use super::*;

const S: i64 = 1_000_000;
/// date -u -d "2026-03-06 02:30:04 UTC" +%s
const TS_2026_03_06: i64 = 1_772_764_204;

/// Expected fields; `None` in an `Option<Option<_>>` field means "not checked".
#[derive(Default)]
struct Want {
    format: Option<LineFormat>,
    timestamp_us: Option<Option<i64>>,
    monotonic_s: Option<Option<f64>>,
    host: Option<Option<&'static str>>,
    identifier: Option<Option<&'static str>>,
    unit: Option<Option<&'static str>>,
    pid: Option<Option<u32>>,
    level: Option<Option<Level>>,
    message_id: Option<Option<&'static str>>,
    message: Option<&'static str>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn check_env(line: &str, env: &Envelope<'_>, want: &Want) {
    if let Some(f) = want.format {
        assert_eq!(env.format, f, "format of {line:?}");
    }
    if let Some(t) = want.timestamp_us {
        assert_eq!(env.timestamp_us, t, "timestamp of {line:?}");
    }
    if let Some(m) = want.monotonic_s {
        assert_eq!(env.monotonic_s, m, "monotonic of {line:?}");
    }
    let as_str = |v: Option<&[u8]>| v.map(text);
    if let Some(h) = want.host {
        assert_eq!(as_str(env.host), h.map(String::from), "host of {line:?}");
    }
    if let Some(i) = want.identifier {
        assert_eq!(
            as_str(env.identifier),
            i.map(String::from),
            "identifier of {line:?}"
        );
    }
    if let Some(u) = want.unit {
        assert_eq!(
            as_str(env.unit.as_deref()),
            u.map(String::from),
            "unit of {line:?}"
        );
    }
    if let Some(p) = want.pid {
        assert_eq!(env.pid, p, "pid of {line:?}");
    }
    if let Some(l) = want.level {
        assert_eq!(env.level, l, "level of {line:?}");
    }
    if let Some(m) = want.message_id {
        assert_eq!(
            as_str(env.message_id.as_deref()),
            m.map(String::from),
            "message_id of {line:?}"
        );
    }
    if let Some(m) = want.message {
        assert_eq!(text(&env.message), m, "message of {line:?}");
    }
}

/// Parses `line` with a fresh parser whose reference year is 2026.
fn check(line: &str, want: Want) {
    let mut parser = EnvelopeParser::new().with_reference_year(2026);
    let env = parser.parse(line.as_bytes());
    check_env(line, &env, &want);
}

fn us(secs: i64) -> Option<Option<i64>> {
    Some(Some(secs * S))
}

// ---------------------------------------------------------------- journal / syslog

#[test]
fn journal_short() {
    check(
        "Mar 06 02:30:04 c1 systemd[1]: r101.service: control process exited, code=exited status=1",
        Want {
            format: Some(LineFormat::SyslogShort),
            timestamp_us: us(TS_2026_03_06),
            host: Some(Some("c1")),
            identifier: Some(Some("systemd")),
            pid: Some(Some(1)),
            unit: Some(Some("r101.service")),
            level: Some(None),
            message: Some("r101.service: control process exited, code=exited status=1"),
            ..Want::default()
        },
    );
}

#[test]
fn journal_short_with_known_year() {
    let mut parser = EnvelopeParser::new().with_reference_year(2015);
    let env = parser.parse(b"Mar 06 02:30:04 c1 systemd[1]: Starting r101-bablefish.1.web.1...");
    check_env(
        "2015",
        &env,
        &Want {
            timestamp_us: us(1_425_609_004),
            unit: Some(None),
            message: Some("Starting r101-bablefish.1.web.1..."),
            ..Want::default()
        },
    );
}

#[test]
fn short_padded_day_kernel_monotonic() {
    let mut parser = EnvelopeParser::new().with_reference_year(2025);
    let line =
        "Mar  2 17:35:10 server1 kernel: [2858609.598568] Killed process 11726, UID 498, (mysqld)";
    let env = parser.parse(line.as_bytes());
    check_env(
        line,
        &env,
        &Want {
            format: Some(LineFormat::SyslogShort),
            timestamp_us: us(1_740_936_910),
            monotonic_s: Some(Some(2_858_609.598_568)),
            host: Some(Some("server1")),
            identifier: Some(Some("kernel")),
            pid: Some(None),
            message: Some("Killed process 11726, UID 498, (mysqld)"),
            ..Want::default()
        },
    );
}

#[test]
fn short_precise_and_leading_whitespace() {
    let mut parser = EnvelopeParser::new().with_reference_year(2025);
    let env = parser.parse(b"  May 15 23:09:30.250000 host app[7]: hi\r");
    check_env(
        "precise",
        &env,
        &Want {
            format: Some(LineFormat::SyslogShort),
            timestamp_us: Some(Some(1_747_350_570 * S + 250_000)),
            identifier: Some(Some("app")),
            pid: Some(Some(7)),
            message: Some("hi"),
            ..Want::default()
        },
    );
}

#[test]
fn localized_months_in_short_lines() {
    let mut parser = EnvelopeParser::new().with_reference_year(2019);
    let env = parser.parse(b"mar 07 13:28:11 ubuntu-miniflux systemd[1]: miniflux.service: Failed with result 'exit-code'.");
    assert_eq!(env.timestamp_us, Some(1_551_965_291 * S));
    assert_eq!(env.unit.as_deref(), Some(&b"miniflux.service"[..]));
    for (month, line) in [
        (12, "Dez 24 01:15:27 h a: x"),
        (12, "d\u{e9}c. 24 01:15:27 h a: x"),
        (5, "Mai 24 01:15:27 h a: x"),
        (10, "okt 24 01:15:27 h a: x"),
        (8, "ago 24 01:15:27 h a: x"),
    ] {
        let mut parser = EnvelopeParser::new().with_reference_year(2025);
        let env = parser.parse(line.as_bytes());
        let want = time::civil_to_us(2025, month, 24, (3600 + 15 * 60 + 27) * S);
        assert_eq!(env.timestamp_us, Some(want), "{line}");
        assert_eq!(env.format, LineFormat::SyslogShort, "{line}");
    }
}

#[test]
fn ident_without_host_and_no_ident() {
    check(
        "Jan 16 12:28:18 sshd[99]: Accepted",
        Want {
            host: Some(None),
            identifier: Some(Some("sshd")),
            pid: Some(Some(99)),
            message: Some("Accepted"),
            ..Want::default()
        },
    );
    check(
        "Jan 16 12:28:18 host -- MARK --",
        Want {
            format: Some(LineFormat::SyslogShort),
            host: Some(Some("host")),
            identifier: Some(None),
            message: Some("-- MARK --"),
            ..Want::default()
        },
    );
    check(
        "Jan 16 12:28:18 host my app: text",
        Want {
            identifier: Some(None),
            message: Some("my app: text"),
            ..Want::default()
        },
    );
}

#[test]
fn bare_tag_without_stamp() {
    check(
        "systemd[1965636]: ntpd-rs.service: Failed to determine user credentials: No such process",
        Want {
            format: Some(LineFormat::SyslogShort),
            timestamp_us: Some(None),
            identifier: Some(Some("systemd")),
            pid: Some(Some(1_965_636)),
            unit: Some(Some("ntpd-rs.service")),
            message: Some("ntpd-rs.service: Failed to determine user credentials: No such process"),
            ..Want::default()
        },
    );
}

#[test]
fn short_iso_variants() {
    let base = 1_768_566_498;
    for stamp in [
        "2026-01-16T12:28:18+0000",
        "2026-01-16T12:28:18+00:00",
        "2026-01-16T12:28:18Z",
        "2026-01-16T13:28:18+01:00",
    ] {
        let line = format!("{stamp} web nginx[123]: started");
        check(
            &line,
            Want {
                format: Some(LineFormat::SyslogIso),
                timestamp_us: us(base),
                host: Some(Some("web")),
                identifier: Some(Some("nginx")),
                pid: Some(Some(123)),
                message: Some("started"),
                ..Want::default()
            },
        );
    }
    check(
        "2026-01-16T12:28:18.654321+0000 web kernel: [  1.500000] boot",
        Want {
            format: Some(LineFormat::SyslogIso),
            timestamp_us: Some(Some(base * S + 654_321)),
            monotonic_s: Some(Some(1.5)),
            message: Some("boot"),
            ..Want::default()
        },
    );
}

#[test]
fn short_full() {
    check(
        "Fri 2026-01-16 13:28:18 CET web nginx[123]: started",
        Want {
            format: Some(LineFormat::SyslogIso),
            timestamp_us: us(1_768_566_498),
            host: Some(Some("web")),
            identifier: Some(Some("nginx")),
            pid: Some(Some(123)),
            message: Some("started"),
            ..Want::default()
        },
    );
}

#[test]
fn short_unix() {
    check(
        "1700000000.123456 host app[5]: msg",
        Want {
            format: Some(LineFormat::SyslogUnix),
            timestamp_us: Some(Some(1_700_000_000 * S + 123_456)),
            host: Some(Some("host")),
            identifier: Some(Some("app")),
            pid: Some(Some(5)),
            message: Some("msg"),
            ..Want::default()
        },
    );
}

#[test]
fn rfc5424() {
    check(
        "<34>1 2026-01-16T12:28:18.003Z mymachine.example.com su 1234 ID47 - 'su root' failed",
        Want {
            format: Some(LineFormat::Rfc5424),
            timestamp_us: Some(Some(1_768_566_498 * S + 3_000)),
            host: Some(Some("mymachine.example.com")),
            identifier: Some(Some("su")),
            pid: Some(Some(1234)),
            level: Some(Some(Level::Critical)),
            message_id: Some(Some("ID47")),
            message: Some("'su root' failed"),
            ..Want::default()
        },
    );
    check(
        r#"<165>1 2026-01-16T12:28:18Z host evntslog - - [exampleSDID@32473 iut="3" eventSource="App\]"] An event"#,
        Want {
            format: Some(LineFormat::Rfc5424),
            pid: Some(None),
            message_id: Some(None),
            level: Some(Some(Level::Notice)),
            message: Some("An event"),
            ..Want::default()
        },
    );
    let line = "<11>1 - - - - - -".to_string();
    check(
        &line,
        Want {
            format: Some(LineFormat::Rfc5424),
            timestamp_us: Some(None),
            host: Some(None),
            level: Some(Some(Level::Error)),
            message: Some(""),
            ..Want::default()
        },
    );
}

#[test]
fn rfc5424_strips_bom() {
    let line = "<14>1 2026-01-16T12:28:18Z h app - - - \u{feff}hello";
    check(
        line,
        Want {
            message: Some("hello"),
            level: Some(Some(Level::Info)),
            ..Want::default()
        },
    );
}

#[test]
fn rfc3164_with_pri() {
    check(
        "<34>Jan 16 12:28:18 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
        Want {
            format: Some(LineFormat::SyslogShort),
            timestamp_us: us(1_768_566_498),
            host: Some(Some("mymachine")),
            identifier: Some(Some("su")),
            level: Some(Some(Level::Critical)),
            message: Some("'su root' failed for lonvick on /dev/pts/8"),
            ..Want::default()
        },
    );
}

// ---------------------------------------------------------------- journal json

#[test]
fn journal_json_realworld_shape() {
    let line = r#"{ "__CURSOR" : "s=1;i=2", "__REALTIME_TIMESTAMP" : "1554810639076876", "__MONOTONIC_TIMESTAMP" : "357925416876", "PRIORITY" : "6", "_PID" : "1927", "_COMM" : "dockerd", "_SYSTEMD_UNIT" : "docker.service", "_HOSTNAME" : "ip-127-0-0-1", "SYSLOG_IDENTIFIER" : "content-public-read@sha256:c78c", "MESSAGE" : "INFO  [2019-04-09 11:50:39,076] com.ft.Svc: transaction_id=tid_3 Calling" }"#;
    check(
        line,
        Want {
            format: Some(LineFormat::JournalJson),
            timestamp_us: Some(Some(1_554_810_639_076_876)),
            monotonic_s: Some(Some(357_925.416_876)),
            host: Some(Some("ip-127-0-0-1")),
            identifier: Some(Some("content-public-read@sha256:c78c")),
            unit: Some(Some("docker.service")),
            pid: Some(Some(1927)),
            level: Some(Some(Level::Info)),
            message: Some(
                "INFO  [2019-04-09 11:50:39,076] com.ft.Svc: transaction_id=tid_3 Calling",
            ),
            ..Want::default()
        },
    );
}

#[test]
fn journal_json_escapes_bytes_and_inner_level() {
    let line = r#"{"__REALTIME_TIMESTAMP":"1768566498000001","PRIORITY":"6","_PID":"12","_COMM":"python3","UNIT":"api.service","MESSAGE_ID":"fc2e22bc6ee647b6b90729ab34a250b1","MESSAGE":"ERROR:root:bad \"thing\"\u00e9"}"#;
    check(
        line,
        Want {
            format: Some(LineFormat::JournalJson),
            timestamp_us: Some(Some(1_768_566_498_000_001)),
            identifier: Some(Some("python3")),
            unit: Some(Some("api.service")),
            level: Some(Some(Level::Error)),
            message_id: Some(Some("fc2e22bc6ee647b6b90729ab34a250b1")),
            message: Some("ERROR:root:bad \"thing\"\u{e9}"),
            ..Want::default()
        },
    );
    let bytes_line = r#"{"__REALTIME_TIMESTAMP":"1","_SYSTEMD_USER_UNIT":"toshy.service","PRIORITY":"2","MESSAGE":[104,105,255]}"#;
    let mut parser = EnvelopeParser::new();
    let env = parser.parse(bytes_line.as_bytes());
    assert_eq!(&*env.message, b"hi\xff");
    assert_eq!(env.unit.as_deref(), Some(&b"toshy.service"[..]));
    assert_eq!(env.level, Some(Level::Critical));
}

// ---------------------------------------------------------------- catalog / status

#[test]
fn catalog_lines() {
    for (line, message) in [
        (
            "\u{2591}\u{2591} Subject: A start job for unit x.service has failed",
            "Subject: A start job for unit x.service has failed",
        ),
        ("\u{2591}\u{2591}", ""),
        (
            "-- Logs begin at Fri 2015-03-06 02:02:25 UTC. --",
            "Logs begin at Fri 2015-03-06 02:02:25 UTC. --",
        ),
        ("-- Boot 0123456789abcdef --", "Boot 0123456789abcdef --"),
        ("-- No entries --", "No entries --"),
    ] {
        check(
            line,
            Want {
                format: Some(LineFormat::Catalog),
                level: Some(None),
                timestamp_us: Some(None),
                message: Some(message),
                ..Want::default()
            },
        );
    }
}

#[test]
fn logs_begin_gives_the_year() {
    let mut parser = EnvelopeParser::new();
    parser.parse(b"-- Logs begin at Fri 2015-03-06 02:02:25 UTC. --");
    let env = parser.parse(b"Mar 06 02:30:04 c1 systemd[1]: Stopping r101-bablefish.1.web.1...");
    assert_eq!(env.timestamp_us, Some(1_425_609_004 * S));
}

#[test]
fn systemctl_status_lines() {
    let mut parser = EnvelopeParser::new();
    let lines = [
        "* miniflux.service - Miniflux Feed Reader",
        "   Loaded: loaded (/lib/systemd/system/miniflux.service; enabled; vendor preset: enabled)",
        "   Active: failed (Result: exit-code) since Thu 2019-03-07 13:28:11 CET; 12min ago",
        "  Process: 822 ExecStart=/usr/bin/miniflux (code=exited, status=1/FAILURE)",
        " Main PID: 822 (code=exited, status=1/FAILURE)",
        "",
        "mar 07 13:28:11 ubuntu-miniflux systemd[1]: miniflux.service: Start request repeated too quickly.",
    ];
    let envs: Vec<_> = lines
        .iter()
        .map(|l| parser.parse(l.as_bytes()).format)
        .collect();
    assert_eq!(
        envs,
        [
            LineFormat::SystemctlStatus,
            LineFormat::SystemctlStatus,
            LineFormat::SystemctlStatus,
            LineFormat::SystemctlStatus,
            LineFormat::SystemctlStatus,
            LineFormat::Plain,
            LineFormat::SyslogShort,
        ]
    );
    let mut parser = EnvelopeParser::new();
    let header = parser.parse(lines[0].as_bytes());
    assert_eq!(header.unit.as_deref(), Some(&b"miniflux.service"[..]));
    let active = parser.parse(lines[2].as_bytes());
    assert_eq!(active.timestamp_us, Some(1_551_961_691 * S));
    assert_eq!(active.level, Some(Level::Error));
    let process = parser.parse(lines[3].as_bytes());
    assert_eq!(
        (process.pid, process.level),
        (Some(822), Some(Level::Error))
    );
    let main_pid = parser.parse(lines[4].as_bytes());
    assert_eq!(main_pid.pid, Some(822));
    assert_eq!(
        &*main_pid.message,
        b"Main PID: 822 (code=exited, status=1/FAILURE)"
    );
    // The Active: year (2019) is the hint for the journal lines that follow.
    let journal = parser.parse(lines[6].as_bytes());
    assert_eq!(journal.timestamp_us, Some(1_551_965_291 * S));
}

#[test]
fn systemctl_status_markers_and_tree() {
    check(
        "\u{25cf} nginx.service - A high performance web server",
        Want {
            format: Some(LineFormat::SystemctlStatus),
            unit: Some(Some("nginx.service")),
            ..Want::default()
        },
    );
    check(
        "\u{d7} postgresql.service - PostgreSQL Server",
        Want {
            format: Some(LineFormat::SystemctlStatus),
            unit: Some(Some("postgresql.service")),
            ..Want::default()
        },
    );
    check(
        "           \u{251c}\u{2500}10657 nginx: master process /usr/sbin/nginx",
        Want {
            format: Some(LineFormat::SystemctlStatus),
            pid: Some(Some(10657)),
            ..Want::default()
        },
    );
    check(
        "             \u{2514}\u{2500}285098 /usr/sbin/rsyslogd -n",
        Want {
            pid: Some(Some(285_098)),
            ..Want::default()
        },
    );
    check(
        "   CGroup: /system.slice/nginx.service",
        Want {
            format: Some(LineFormat::SystemctlStatus),
            ..Want::default()
        },
    );
    check(
        "TriggeredBy: \u{25cf} syslog.socket",
        Want {
            format: Some(LineFormat::SystemctlStatus),
            ..Want::default()
        },
    );
    check(
        "    Process: 2890762 ExecStart=/etc/init.d/nfdump start (code=exited, status=0/SUCCESS)",
        Want {
            pid: Some(Some(2_890_762)),
            level: Some(None),
            ..Want::default()
        },
    );
    // Unindented keys are ordinary text.
    check(
        "Status: all good",
        Want {
            format: Some(LineFormat::Plain),
            ..Want::default()
        },
    );
}

// ---------------------------------------------------------------- dmesg

#[test]
fn dmesg_shapes() {
    check(
        "[20242.280621] oned[1301]: segfault at 0 ip 0000000000000000",
        Want {
            format: Some(LineFormat::Dmesg),
            monotonic_s: Some(Some(20_242.280_621)),
            timestamp_us: Some(None),
            message: Some("oned[1301]: segfault at 0 ip 0000000000000000"),
            ..Want::default()
        },
    );
    check(
        "[    0.000000] Linux version",
        Want {
            monotonic_s: Some(Some(0.0)),
            message: Some("Linux version"),
            ..Want::default()
        },
    );
    check(
        "[  +0.000018] Code: 0f 1e fa",
        Want {
            format: Some(LineFormat::Dmesg),
            monotonic_s: Some(None),
            timestamp_us: Some(None),
            message: Some("Code: 0f 1e fa"),
            ..Want::default()
        },
    );
    check(
        "[Thu Dec  7 00:05:14 2017] Memory cgroup out of memory: Kill process 24572 (java)",
        Want {
            format: Some(LineFormat::DmesgHuman),
            timestamp_us: us(1_512_605_114),
            message: Some("Memory cgroup out of memory: Kill process 24572 (java)"),
            ..Want::default()
        },
    );
    check(
        "[Feb 5 06:51] lact[523318]: segfault at 79968bc00910",
        Want {
            format: Some(LineFormat::DmesgHuman),
            timestamp_us: us(1_770_274_260),
            message: Some("lact[523318]: segfault at 79968bc00910"),
            ..Want::default()
        },
    );
    check(
        "2026-01-16T12:28:18,123456+00:00 eth0: link up",
        Want {
            format: Some(LineFormat::Dmesg),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_456)),
            message: Some("eth0: link up"),
            ..Want::default()
        },
    );
}

#[test]
fn dmesg_ctime_gives_year_hint() {
    let mut parser = EnvelopeParser::new();
    parser.parse(b"[Thu Dec  7 00:05:14 2017] x");
    let env = parser.parse(b"[Dec 7 00:13] y");
    assert_eq!(
        env.timestamp_us,
        Some(time::civil_to_us(2017, 12, 7, 13 * 60 * S))
    );
}

// ---------------------------------------------------------------- containers

#[test]
fn docker_compose_prefixes() {
    check("test-backend-1       | ERROR:__main__:(psycopg2.OperationalError) could not translate host name", Want {
        format: Some(LineFormat::DockerCompose),
        identifier: Some(Some("test-backend-1")),
        level: Some(Some(Level::Error)),
        timestamp_us: Some(None),
        message: Some("ERROR:__main__:(psycopg2.OperationalError) could not translate host name"),
        ..Want::default()
    });
    check(
        "web_1  | 2026-01-16 12:28:18,123 - app - WARNING - slow",
        Want {
            format: Some(LineFormat::DockerCompose),
            identifier: Some(Some("web_1")),
            level: Some(Some(Level::Warning)),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_000)),
            message: Some("2026-01-16 12:28:18,123 - app - WARNING - slow"),
            ..Want::default()
        },
    );
    check(
        "test-celeryworker-1  |",
        Want {
            format: Some(LineFormat::DockerCompose),
            identifier: Some(Some("test-celeryworker-1")),
            message: Some(""),
            ..Want::default()
        },
    );
    check(
        "[0] Error: connect ECONNREFUSED 127.0.0.1:6379",
        Want {
            format: Some(LineFormat::DockerCompose),
            identifier: Some(Some("0")),
            level: Some(Some(Level::Error)),
            message: Some("Error: connect ECONNREFUSED 127.0.0.1:6379"),
            ..Want::default()
        },
    );
    check(
        "myapp-1  | INFO:     Started server process [123]",
        Want {
            identifier: Some(Some("myapp-1")),
            level: Some(Some(Level::Info)),
            ..Want::default()
        },
    );
}

#[test]
fn docker_json_file() {
    check(
        r#"{"log":"2026-01-16 12:28:18.123 | ERROR    | app:main:12 - boom\n","stream":"stderr","time":"2026-01-16T12:28:19.123456789Z"}"#,
        Want {
            format: Some(LineFormat::DockerJson),
            timestamp_us: Some(Some(1_768_566_499 * S + 123_456)),
            level: Some(Some(Level::Error)),
            message: Some("2026-01-16 12:28:18.123 | ERROR    | app:main:12 - boom"),
            ..Want::default()
        },
    );
}

#[test]
fn kubernetes_cri() {
    check(
        "2026-01-16T12:28:18.123456789Z stderr F panic: runtime error: index out of range",
        Want {
            format: Some(LineFormat::Cri),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_456)),
            level: Some(Some(Level::Critical)),
            message: Some("panic: runtime error: index out of range"),
            ..Want::default()
        },
    );
    check(
        "2026-01-16T12:28:18Z stdout P partial",
        Want {
            format: Some(LineFormat::Cri),
            message: Some("partial"),
            ..Want::default()
        },
    );
}

// ---------------------------------------------------------------- application lines

#[test]
fn python_logging() {
    check(
        "ERROR:root:something failed",
        Want {
            format: Some(LineFormat::App),
            level: Some(Some(Level::Error)),
            identifier: Some(Some("root")),
            timestamp_us: Some(None),
            message: Some("something failed"),
            ..Want::default()
        },
    );
    check(
        "2026-01-16 12:28:18,123 - uvicorn.error - ERROR - boom",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_000)),
            level: Some(Some(Level::Error)),
            message: Some("boom"),
            ..Want::default()
        },
    );
    check(
        "[2026-01-16 12:28:18,123] ERROR in app: Exception on / [GET]",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_000)),
            level: Some(Some(Level::Error)),
            identifier: Some(Some("app")),
            message: Some("Exception on / [GET]"),
            ..Want::default()
        },
    );
}

#[test]
fn loguru() {
    check(
        "2026-01-16 12:28:18.123 | ERROR    | mod:func:12 - boom",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_000)),
            level: Some(Some(Level::Error)),
            message: Some("mod:func:12 - boom"),
            ..Want::default()
        },
    );
    check(
        "2026-01-16 12:28:18 | started worker",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: us(1_768_566_498),
            level: Some(None),
            message: Some("started worker"),
            ..Want::default()
        },
    );
}

#[test]
fn uvicorn_and_gunicorn() {
    check(
        "INFO:     Started server process [123]",
        Want {
            format: Some(LineFormat::App),
            level: Some(Some(Level::Info)),
            timestamp_us: Some(None),
            message: Some("Started server process [123]"),
            ..Want::default()
        },
    );
    check("ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use", Want {
        level: Some(Some(Level::Error)),
        message: Some("[Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use"),
        ..Want::default()
    });
    check(
        "[2026-01-16 12:28:18 +0000] [123] [ERROR] Connection in use: ('0.0.0.0', 8000)",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: us(1_768_566_498),
            pid: Some(Some(123)),
            level: Some(Some(Level::Error)),
            message: Some("Connection in use: ('0.0.0.0', 8000)"),
            ..Want::default()
        },
    );
}

#[test]
fn go_log_and_nested_go_log() {
    check("2018/04/12 07:32:43 http: Accept error: accept tcp 127.0.0.1:9980: accept4: too many open files; retrying in 1s", Want {
        format: Some(LineFormat::App),
        timestamp_us: us(1_523_518_363),
        level: Some(None),
        message: Some("http: Accept error: accept tcp 127.0.0.1:9980: accept4: too many open files; retrying in 1s"),
        ..Want::default()
    });
    let mut parser = EnvelopeParser::new().with_reference_year(2026);
    let env = parser
        .parse(b"Sep 01 23:00:19 beszel netpulse[1734]: 2026/09/01 23:00:20 [netpulse] v2.24.0");
    assert_eq!(env.format, LineFormat::SyslogShort);
    assert_eq!(
        env.timestamp_us,
        Some(1_788_303_619 * S),
        "outer stamp is kept"
    );
    assert_eq!(&*env.message, b"2026/09/01 23:00:20 [netpulse] v2.24.0");
}

#[test]
fn postgresql() {
    check(
        "2017-10-30 18:49:49.589 UTC [42] LOG:  listening on IPv4 address \"127.0.0.1\", port 5432",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: Some(Some(1_509_389_389 * S + 589_000)),
            pid: Some(Some(42)),
            level: Some(Some(Level::Info)),
            message: Some("listening on IPv4 address \"127.0.0.1\", port 5432"),
            ..Want::default()
        },
    );
    check(
        "PANIC:  could not write to file \"pg_xlog/xlogtemp.46426\": No space left on device",
        Want {
            format: Some(LineFormat::App),
            level: Some(Some(Level::Critical)),
            message: Some(
                "could not write to file \"pg_xlog/xlogtemp.46426\": No space left on device",
            ),
            ..Want::default()
        },
    );
    check(
        "DETAIL:  Could not write to file",
        Want {
            format: Some(LineFormat::App),
            level: Some(None),
            message: Some("Could not write to file"),
            ..Want::default()
        },
    );
    check(
        "2017-10-30 18:49:49.589 UTC [42] FATAL:  role \"x\" does not exist",
        Want {
            level: Some(Some(Level::Critical)),
            ..Want::default()
        },
    );
}

#[test]
fn nginx_error_log() {
    check("2026/01/16 12:28:18 [emerg] 123#123: bind() to 0.0.0.0:80 failed (98: Address already in use)", Want {
        format: Some(LineFormat::App),
        timestamp_us: us(1_768_566_498),
        level: Some(Some(Level::Critical)),
        pid: Some(Some(123)),
        message: Some("bind() to 0.0.0.0:80 failed (98: Address already in use)"),
        ..Want::default()
    });
    check(
        "nginx: [emerg] bind() to 0.0.0.0:1935 failed (98: Address already in use)",
        Want {
            format: Some(LineFormat::App),
            identifier: Some(Some("nginx")),
            level: Some(Some(Level::Critical)),
            message: Some("bind() to 0.0.0.0:1935 failed (98: Address already in use)"),
            ..Want::default()
        },
    );
}

#[test]
fn spring_boot_and_logback() {
    check(
        "2026-01-16 12:28:18.123  INFO 123 --- [main] c.e.App : Started",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_000)),
            level: Some(Some(Level::Info)),
            pid: Some(Some(123)),
            ..Want::default()
        },
    );
    check("2026-01-16T12:28:18.123Z ERROR 123 --- [main] o.s.boot.SpringApplication : Application run failed", Want {
        format: Some(LineFormat::App),
        timestamp_us: Some(Some(1_768_566_498 * S + 123_000)),
        level: Some(Some(Level::Error)),
        pid: Some(Some(123)),
        ..Want::default()
    });
    check("12:03:35.493 [nioEventLoopGroup-2-1] WARN  io.netty.channel.DefaultChannelPipeline - An exceptionCaught() event", Want {
        format: Some(LineFormat::App),
        timestamp_us: Some(None),
        level: Some(Some(Level::Warning)),
        message: Some("io.netty.channel.DefaultChannelPipeline - An exceptionCaught() event"),
        ..Want::default()
    });
    let mut parser = EnvelopeParser::new().with_reference_year(2024);
    let env = parser.parse(b"Dec  7 12:03:35 dapnet java[16463]: 12:03:35.493 [main] ERROR x - y");
    assert_eq!(env.timestamp_us, Some(1_733_573_015 * S));
    assert_eq!((env.pid, env.level), (Some(16463), Some(Level::Error)));
}

#[test]
fn node_and_generic_iso() {
    check(
        "2026-01-16T12:28:18.123Z Server listening on 3000",
        Want {
            format: Some(LineFormat::App),
            timestamp_us: Some(Some(1_768_566_498 * S + 123_000)),
            level: Some(None),
            message: Some("Server listening on 3000"),
            ..Want::default()
        },
    );
    check(
        "npm ERR! code ELIFECYCLE",
        Want {
            format: Some(LineFormat::App),
            identifier: Some(Some("npm")),
            level: Some(Some(Level::Error)),
            message: Some("code ELIFECYCLE"),
            ..Want::default()
        },
    );
    check(
        "ERR 2023-10-31 09:12:23.172+00:00 5/7 Starting node and protocols failed",
        Want {
            format: Some(LineFormat::App),
            level: Some(Some(Level::Error)),
            timestamp_us: Some(Some(1_698_743_543 * S + 172_000)),
            message: Some("5/7 Starting node and protocols failed"),
            ..Want::default()
        },
    );
}

#[test]
fn logfmt_lines() {
    check(
        r#"time="2026-01-16T12:28:18Z" level=error msg="listen tcp :8080: bind: address already in use""#,
        Want {
            format: Some(LineFormat::Logfmt),
            timestamp_us: us(1_768_566_498),
            level: Some(Some(Level::Error)),
            message: Some("listen tcp :8080: bind: address already in use"),
            ..Want::default()
        },
    );
    check(
        r#"ts=1700000000.5 level=warn msg="say \"hi\"" pid=9"#,
        Want {
            format: Some(LineFormat::Logfmt),
            timestamp_us: Some(Some(1_700_000_000 * S + 500_000)),
            level: Some(Some(Level::Warning)),
            pid: Some(Some(9)),
            message: Some("say \"hi\""),
            ..Want::default()
        },
    );
    // `hostname` is the machine; a bare `host` is the request's (Heroku's router).
    check(
        r#"at=error code=H10 desc="App crashed" method=GET path="/" host=shop.example.com hostname=web-01"#,
        Want {
            format: Some(LineFormat::Logfmt),
            host: Some(Some("web-01")),
            ..Want::default()
        },
    );
    check(
        r#"at=error code=H10 desc="App crashed" method=GET path="/" host=shop.example.com"#,
        Want {
            format: Some(LineFormat::Logfmt),
            host: Some(None),
            ..Want::default()
        },
    );
    let line = "level=info caller=main.go:12 component=api";
    check(
        line,
        Want {
            format: Some(LineFormat::Logfmt),
            level: Some(Some(Level::Info)),
            identifier: Some(Some("api")),
            message: Some(line),
            ..Want::default()
        },
    );
    check(
        "a=b c=d",
        Want {
            format: Some(LineFormat::Plain),
            ..Want::default()
        },
    );
}

#[test]
fn json_application_lines() {
    check(
        r#"{"level":"error","msg":"db down \"x\"","time":"2026-01-16T12:28:18Z","pid":77}"#,
        Want {
            format: Some(LineFormat::JsonApp),
            timestamp_us: us(1_768_566_498),
            level: Some(Some(Level::Error)),
            pid: Some(Some(77)),
            message: Some("db down \"x\""),
            ..Want::default()
        },
    );
    check(
        r#"{"level":50,"time":1768566498123,"pid":3,"hostname":"h","name":"api","msg":"boom"}"#,
        Want {
            format: Some(LineFormat::JsonApp),
            timestamp_us: Some(Some(1_768_566_498_123_000)),
            level: Some(Some(Level::Error)),
            host: Some(Some("h")),
            identifier: Some(Some("api")),
            message: Some("boom"),
            ..Want::default()
        },
    );
    // The cause in the logger's error field is part of the message: zap's `error`, pino's
    // `err` object (its `message`); an error the message already holds is not repeated.
    check(
        r#"{"level":"error","ts":1768566498.5,"msg":"failed to connect","error":"dial tcp 10.96.14.203:27017: connect: connection refused"}"#,
        Want {
            format: Some(LineFormat::JsonApp),
            message: Some(
                "failed to connect: dial tcp 10.96.14.203:27017: connect: connection refused",
            ),
            ..Want::default()
        },
    );
    check(
        r#"{"level":50,"time":1768566498123,"msg":"redis client error","err":{"type":"Error","message":"connect ECONNREFUSED 127.0.0.1:6379","stack":"Error: connect ECONNREFUSED\n    at x"}}"#,
        Want {
            format: Some(LineFormat::JsonApp),
            message: Some("redis client error: connect ECONNREFUSED 127.0.0.1:6379"),
            ..Want::default()
        },
    );
    check(
        r#"{"level":"error","msg":"boom: disk full","error":"disk full"}"#,
        Want {
            message: Some("boom: disk full"),
            ..Want::default()
        },
    );
    // nginx's JSON access log: `host` is the request's Host header, not the machine.
    check(
        r#"{"time":"2026-01-16T12:28:18Z","host":"shop.example.com","status":"502","message":"GET /"}"#,
        Want {
            format: Some(LineFormat::JsonApp),
            host: Some(None),
            ..Want::default()
        },
    );
    check(
        r#"{"@timestamp":"2026-01-16T12:28:18.5Z","severity":"WARNING","event":"slow","extra":{"a":[1,2]}}"#,
        Want {
            format: Some(LineFormat::JsonApp),
            timestamp_us: Some(Some(1_768_566_498 * S + 500_000)),
            level: Some(Some(Level::Warning)),
            message: Some("slow"),
            ..Want::default()
        },
    );
    check(
        r#"{"unrelated": true}"#,
        Want {
            format: Some(LineFormat::Plain),
            ..Want::default()
        },
    );
}

#[test]
fn nested_loguru_in_journal() {
    let mut parser = EnvelopeParser::new().with_reference_year(2026);
    let line = "Jan 16 12:28:18 host python3[12]: 2026-01-16 12:28:17 | INFO | started";
    let env = parser.parse(line.as_bytes());
    check_env(
        line,
        &env,
        &Want {
            format: Some(LineFormat::SyslogShort),
            timestamp_us: us(1_768_566_498),
            pid: Some(Some(12)),
            level: Some(Some(Level::Info)),
            message: Some("2026-01-16 12:28:17 | INFO | started"),
            ..Want::default()
        },
    );
    let uvicorn = parser
        .parse(b"Jan 16 12:28:18 host uvicorn[12]: ERROR:    [Errno 98] address already in use");
    assert_eq!(uvicorn.level, Some(Level::Error));
}

// ---------------------------------------------------------------- parser state

#[test]
fn year_rollover_dec_to_jan() {
    let mut parser = EnvelopeParser::new().with_reference_year(2025);
    let dec = parser.parse(b"Dec 31 23:59:59 h a: x");
    let jan = parser.parse(b"Jan  1 00:00:01 h a: y");
    assert_eq!(dec.timestamp_us, Some(1_767_225_599 * S));
    assert_eq!(jan.timestamp_us, Some(1_767_225_601 * S));
    // Going back to December does not go back a year.
    let dec_again = parser.parse(b"Dec 31 23:59:59 h a: z");
    assert_eq!(
        dec_again.timestamp_us,
        Some(time::civil_to_us(2026, 12, 31, 86_399 * S))
    );
}

#[test]
fn year_from_hint_and_from_clock() {
    let mut hinted = EnvelopeParser::new();
    hinted.note_year_hint(2015);
    let env = hinted.parse(b"Mar 06 02:30:04 c1 systemd[1]: x");
    assert_eq!(env.timestamp_us, Some(1_425_609_004 * S));

    let mut from_stamp = EnvelopeParser::new();
    from_stamp.parse(b"2015-01-01T00:00:00Z host app[1]: first");
    let env = from_stamp.parse(b"Mar 06 02:30:04 c1 systemd[1]: x");
    assert_eq!(env.timestamp_us, Some(1_425_609_004 * S));

    let mut unhinted = EnvelopeParser::new();
    let env = unhinted.parse(b"Mar 06 02:30:04 c1 systemd[1]: x");
    let year = time::current_utc_year();
    assert_eq!(
        env.timestamp_us,
        Some(time::civil_to_us(year, 3, 6, (2 * 3600 + 30 * 60 + 4) * S))
    );
}

#[test]
fn inner_full_date_fixes_the_guessed_year() {
    let mut parser = EnvelopeParser::new();
    let first = parser.parse(
        b" Oct 31 09:12:23 nwaku-fsn2 wakunode2[608759]: ERR 2023-10-31 09:12:23.172+00:00 5/7 Starting node",
    );
    assert_eq!(first.timestamp_us, Some(1_698_743_543 * S));
    assert_eq!(first.level, Some(Level::Error));
    let next = parser
        .parse(b"Oct 31 09:12:28 nwaku-fsn2 systemd[1]: nwaku.service: Scheduled restart job");
    assert_eq!(next.timestamp_us, Some(1_698_743_548 * S));
}

#[test]
fn journal_json_stamp_is_a_year_hint() {
    let mut parser = EnvelopeParser::new();
    parser.parse(br#"{"__REALTIME_TIMESTAMP":"1554810639076876","MESSAGE":"x"}"#);
    let env = parser.parse(b"Apr 09 11:50:39 h a: y");
    assert_eq!(env.timestamp_us, Some(1_554_810_639 * S));
}

#[test]
fn formats_fall_back_within_one_parser() {
    let mut parser = EnvelopeParser::new().with_reference_year(2026);
    let lines: [(&str, LineFormat); 9] = [
        ("Jan 16 12:28:18 h a[1]: x", LineFormat::SyslogShort),
        ("Traceback (most recent call last):", LineFormat::Plain),
        ("Jan 16 12:28:19 h a[1]: y", LineFormat::SyslogShort),
        ("[  1.000000] k", LineFormat::Dmesg),
        ("ERROR:root:z", LineFormat::App),
        ("Jan 16 12:28:20 h a[1]: y", LineFormat::SyslogShort),
        (
            r#"{"MESSAGE":"m","__REALTIME_TIMESTAMP":"5"}"#,
            LineFormat::JournalJson,
        ),
        ("-- Reboot --", LineFormat::Catalog),
        ("web_1  | ok", LineFormat::DockerCompose),
    ];
    for (line, format) in lines {
        assert_eq!(parser.parse(line.as_bytes()).format, format, "{line}");
    }
}

#[test]
fn plain_and_odd_lines() {
    for line in [
        "",
        "   ",
        "Traceback (most recent call last):",
        "    at Object.exports._errnoException (util.js:1022:11)",
        "[nodemon] app crashed - waiting for file changes before starting...",
        "March 2020 was a long month",
        "{not json",
        "<999>bad pri",
        "1700000000.5",
    ] {
        check(
            line,
            Want {
                format: Some(LineFormat::Plain),
                message: Some(line),
                ..Want::default()
            },
        );
    }
    let invalid = b"Jan 16 12:28:18 h\xff\xfe app[1]: \xc3\x28 bad utf8";
    let env = EnvelopeParser::new().parse(invalid);
    assert_eq!(env.format, LineFormat::SyslogShort);
    assert_eq!(env.host, Some(&b"h\xff\xfe"[..]));
    assert_eq!(&*env.message, b"\xc3\x28 bad utf8");
}

#[test]
fn common_formats_do_not_allocate() {
    for line in [
        "Mar 06 02:30:04 c1 systemd[1]: x.service: Failed",
        "2026-01-16 12:28:18,123 - a - ERROR - b",
        r#"{"log":"plain","stream":"stdout","time":"2026-01-16T12:28:18Z"}"#,
        r#"level=error msg="no escapes""#,
        "web_1  | ERROR: x",
    ] {
        let env = EnvelopeParser::new().parse(line.as_bytes());
        assert!(matches!(env.message, Cow::Borrowed(_)), "{line}");
    }
}

// ---------------------------------------------------------------- robustness

const EXAMPLES: &[&str] = &[
    "Mar 06 02:30:04 c1 systemd[1]: r101.service: control process exited",
    "Mar  2 17:35:10 server1 kernel: [2858609.598568] Killed process 11726",
    "d\u{e9}c. 24 01:15:27.123456 h a: x",
    "2026-01-16T12:28:18+0000 web nginx[123]: started",
    "1700000000.123456 host app[5]: msg",
    "Fri 2026-01-16 13:28:18 CET web nginx[123]: started",
    "<34>1 2026-01-16T12:28:18.003Z host su 1234 ID47 [a b=\"c\\]\"] msg",
    "<34>Jan 16 12:28:18 mymachine su: failed",
    r#"{"__REALTIME_TIMESTAMP":"1","MESSAGE":[104,105],"_PID":"3","MESSAGE_ID":"a\u00e9"}"#,
    r#"{"log":"x\n","stream":"stderr","time":"2026-01-16T12:28:18.123456789Z"}"#,
    r#"{"level":"error","msg":"a\"b","time":1700000000}"#,
    "\u{2591}\u{2591} Subject: x",
    "-- Logs begin at Fri 2015-03-06 02:02:25 UTC. --",
    "\u{25cf} nginx.service - Desc",
    "   Active: failed (Result: exit-code) since Thu 2019-03-07 13:28:11 CET; 12min ago",
    "  Process: 822 ExecStart=/usr/bin/miniflux (code=exited, status=1/FAILURE)",
    "           \u{251c}\u{2500}10657 nginx",
    "[  123.456789] msg",
    "[  +0.000018] msg",
    "[Thu Dec  7 00:05:14 2017] msg",
    "[Feb 5 06:51] msg",
    "2026-01-16T12:28:18,123456+00:00 msg",
    "\x1b[36mweb_1  |\x1b[0m msg",
    "[0] msg",
    "2026-01-16T12:28:18.123456789Z stderr F msg",
    "ERROR:root:msg",
    "[2026-01-16 12:28:18,123] ERROR in app: msg",
    "2026-01-16 12:28:18.123 | ERROR    | mod:func:12 - msg",
    "INFO:     Started server process [123]",
    "[2026-01-16 12:28:18 +0000] [123] [ERROR] msg",
    "2018/04/12 07:32:43 msg",
    "2017-10-30 18:49:49.589 UTC [42] LOG:  msg",
    "2026/01/16 12:28:18 [emerg] 123#123: msg",
    "nginx: [emerg] msg",
    "12:03:35.493 [thread] WARN  logger - msg",
    r#"time="2026-01-16T12:28:18Z" level=error msg="a \"b\"""#,
    "ERR 2023-10-31 09:12:23.172+00:00 msg",
    "INFO  [2019-04-09 11:50:39,076] x: y",
    "npm ERR! code",
];

#[test]
fn truncated_prefixes_never_panic() {
    for example in EXAMPLES {
        let bytes = example.as_bytes();
        let mut parser = EnvelopeParser::new();
        for end in 0..=bytes.len() {
            let env = parser.parse(&bytes[..end]);
            assert!(env.message.len() <= end.max(bytes.len()) * 2);
            let _ = EnvelopeParser::new().parse(&bytes[end..]);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    // xorshift: deterministic, no dependency.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet: &[u8] = b" :[]{}\"\\-|.,0123456789TZ+<>=abcMarJan\xe2\x96\x91\xc3\xa9\x1b\t\r";
    let mut parser = EnvelopeParser::new();
    for _ in 0..20_000 {
        let len = usize::try_from(next() % 80).unwrap_or(0);
        let line: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if r % 3 == 0 {
                    (r >> 8) as u8
                } else {
                    alphabet[usize::try_from((r >> 8) % alphabet.len() as u64).unwrap_or(0)]
                }
            })
            .collect();
        let _ = parser.parse(&line);
    }
    for example in EXAMPLES {
        // Mutate single bytes of every example too.
        let mut bytes = example.as_bytes().to_vec();
        for i in 0..bytes.len() {
            let saved = bytes[i];
            bytes[i] = (next() >> 16) as u8;
            let _ = parser.parse(&bytes);
            bytes[i] = saved;
        }
    }
}
