use std::io::BufRead;
fn main() {
    let mut p = logsleuth::record::EnvelopeParser::new();
    for line in std::io::stdin().lock().split(b'\n') {
        let line = line.unwrap();
        let e = p.parse(&line);
        println!("{:?} ts={:?} ident={:?} pid={:?} lvl={:?} msg={:?}", e.format, e.timestamp_us, e.identifier.map(|i| String::from_utf8_lossy(&i).into_owned()), e.pid, e.level, String::from_utf8_lossy(&e.message));
    }
}
