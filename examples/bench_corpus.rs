//! Writes the whole-process benchmark's corpus: a deterministic journal (`journalctl -o
//! short` style) of a busy web host, mostly quiet lines from a dozen programs, about 0.5 %
//! failure lines, and two incidents (a port-conflict restart loop every 14 s, an OOM kill).
//!
//!     cargo run --release --example bench_corpus -- 1G /tmp/logsleuth-bench.log [SEED]
//!
//! Sizes take K, M or G suffixes. `benches/compare.sh` runs it when its corpus is missing.

use std::fs::File;
use std::io::{BufWriter, Write};

/// A small, fast, deterministic generator (xorshift64*).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const PATHS: &[&str] = &[
    "/api/v1/orders",
    "/api/v1/products?page=2",
    "/api/v1/customers/8812",
    "/healthz",
    "/static/app.js",
    "/api/v1/search?q=shoes",
    "/login",
    "/api/v1/cart/items",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "curl/8.5.0",
    "python-requests/2.31.0",
    "kube-probe/1.28",
];

fn quiet_line(random: &mut Random, out: &mut String) {
    let ip = format!(
        "{}.{}.{}.{}",
        random.below(223) + 1,
        random.below(256),
        random.below(256),
        random.below(256)
    );
    match random.below(20) {
        0..=6 => {
            let status = match random.below(40) {
                0 => 404,
                1..=3 => 304,
                4..=5 => 301,
                _ => 200,
            };
            out.push_str(&format!(
                "nginx[1978]: {ip} - - [16/Jan/2026:00:00:00 +0000] \"GET {} HTTP/1.1\" {status} {} \"-\" \"{}\" rt=0.{:03}",
                random.pick(PATHS),
                random.below(90_000),
                random.pick(AGENTS),
                random.below(1000)
            ));
        }
        7..=9 => out.push_str(&format!(
            "uvicorn[2462]: INFO:     127.0.0.1:{} - \"{} {} HTTP/1.1\" 200 OK",
            random.below(60_000) + 1024,
            random.pick(&["GET", "POST", "PUT"]),
            random.pick(PATHS)
        )),
        10 => out.push_str(&format!(
            "uvicorn[2462]: 2026-01-16 00:00:00,{:03} INFO [app.db.session] order {} created for customer {}",
            random.below(1000),
            random.below(900_000),
            random.below(90_000)
        )),
        11 => out.push_str(&format!(
            "worker[3310]: 2026-01-16 00:00:00.{:03} | INFO     | jobs:run:88 - processed batch {} in 0.{} s",
            random.below(1000),
            random.below(90_000),
            random.below(100)
        )),
        12 => out.push_str(&format!(
            "postgres[21322]: 2026-01-16 00:00:00.{:03} UTC [21322] LOG:  checkpoint complete: wrote {} buffers",
            random.below(1000),
            random.below(5000)
        )),
        13 => out.push_str(&format!(
            "sshd[{}]: Accepted publickey for deploy from {ip} port {} ssh2: ED25519 SHA256:Qm9vYmFy",
            random.below(400_000),
            random.below(60_000)
        )),
        14 => out.push_str(&format!(
            "CRON[{}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
            random.below(400_000)
        )),
        15 => out.push_str(&format!(
            "kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc SRC={ip} DST=10.0.0.5 LEN=44 PROTO=TCP SPT={} DPT=23",
            random.below(60_000)
        )),
        16 => out.push_str(&format!(
            "dockerd[2561]: time=\"2026-01-16T00:00:00.{:06}Z\" level=info msg=\"shim disconnected\" id={:08x} namespace=moby",
            random.below(1_000_000),
            random.next() as u32
        )),
        17 => out.push_str(&format!(
            "gateway[3035]: time=2026-01-16T00:00:00.{:03}Z level=info msg=\"connection pool\" open={} idle=4 inuse=2",
            random.below(1000),
            random.below(100)
        )),
        18 => out.push_str(&format!(
            "java[2547]: 2026-01-16 00:00:00.{:03}  INFO 2547 --- [nio-8080-exec-{}] c.e.shop.OrderController : order {} shipped",
            random.below(1000),
            random.below(10),
            random.below(900_000)
        )),
        _ if random.below(10) == 0 => out.push_str(
            "systemd[1]: Finished sysstat-collect.service - system activity accounting tool.",
        ),
        _ => out.push_str(&format!(
            "systemd-logind[612]: New session {} of user deploy.",
            random.below(90_000)
        )),
    }
}

fn failure_line(random: &mut Random, out: &mut String) {
    out.push_str(random.pick(&[
        "uvicorn[2462]: sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"10.0.0.7\", port 5432 failed: Connection refused",
        "worker[3310]: redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused.",
        "uvicorn[2462]: PermissionError: [Errno 13] Permission denied: '/var/lib/api/uploads/tmp'",
        "postgres[21322]: 2026-01-16 00:00:00.000 UTC [21322] FATAL:  password authentication failed for user \"app\"",
        "java[2547]: java.lang.OutOfMemoryError: Java heap space",
        "gateway[3035]: panic: runtime error: invalid memory address or nil pointer dereference",
        "uvicorn[2462]: OSError: [Errno 28] No space left on device",
        "nginx[1978]: 2026/01/16 00:00:00 [error] 1978#1978: *81 connect() failed (111: Connection refused) while connecting to upstream",
    ]));
}

/// One restart of the looping unit: the bind error, the exit and systemd's restart.
fn restart_cycle(pid: u64, out: &mut Vec<String>) {
    for line in [
        format!("uvicorn[{pid}]: INFO:     Started server process [{pid}]"),
        format!("uvicorn[{pid}]: INFO:     Waiting for application startup."),
        format!("uvicorn[{pid}]: ERROR:    [Errno 98] error while attempting to bind on address ('0.0.0.0', 8000): address already in use"),
        "systemd[1]: api.service: Main process exited, code=exited, status=1/FAILURE".to_string(),
        "systemd[1]: api.service: Failed with result 'exit-code'.".to_string(),
        format!("systemd[1]: api.service: Scheduled restart job, restart counter is at {}.", pid % 1000),
        "systemd[1]: Started api.service - API server.".to_string(),
    ] {
        out.push(line);
    }
}

fn parse_size(text: &str) -> Option<u64> {
    let (digits, unit) = text.split_at(text.trim_end_matches(['K', 'M', 'G', 'k', 'm', 'g']).len());
    let base: u64 = digits.parse().ok()?;
    let scale = match unit.to_ascii_uppercase().as_str() {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    Some(base * scale)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(size), Some(path)) = (args.get(1).and_then(|s| parse_size(s)), args.get(2)) else {
        eprintln!("usage: bench_corpus SIZE[K|M|G] OUTPUT [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1u64);
    let mut random = Random(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut written = 0u64;
    let mut second = 0u64; // seconds since Jan 16 00:00:00
    let mut line = String::with_capacity(512);
    let mut pending: Vec<String> = Vec::new();
    let loop_start = size / 3;
    let mut next_restart = 0u64;
    let mut restarts = 0u64;
    while written < size {
        if random.below(40) == 0 {
            second += 1;
        }
        line.clear();
        let stamp = second % (24 * 3600);
        line.push_str(&format!(
            "Jan 16 {:02}:{:02}:{:02} web-01 ",
            stamp / 3600,
            stamp / 60 % 60,
            stamp % 60
        ));
        // The incident: a restart loop every 14 s for 200 cycles, a third of the way in.
        if written >= loop_start && restarts < 200 && second >= next_restart {
            if next_restart == 0 {
                next_restart = second;
            }
            restart_cycle(30_000 + restarts * 7, &mut pending);
            restarts += 1;
            next_restart += 14;
            if restarts == 100 {
                pending.push(
                    "kernel: Out of memory: Killed process 37024 (python3) total-vm:8241804kB, anon-rss:7612340kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15204kB oom_score_adj:0".to_string(),
                );
            }
        }
        if let Some(event) = pending.first().cloned() {
            pending.remove(0);
            line.push_str(&event);
        } else if random.below(200) == 0 {
            failure_line(&mut random, &mut line);
        } else {
            quiet_line(&mut random, &mut line);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
    }
    out.flush()
}
