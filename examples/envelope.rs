//! Shows how logsleuth reads each line's envelope: `cargo run --example envelope < app.log`.
//! Useful when writing a rule: the rule's regex runs on the `message` shown here.

use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    let mut parser = logsleuth::record::EnvelopeParser::new();
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().split(b'\n') {
        let line = line?;
        let envelope = parser.parse(&line);
        let text = |bytes: Option<&[u8]>| bytes.map(|b| String::from_utf8_lossy(b).into_owned());
        writeln!(
            out,
            "{:?} time={:?} host={:?} ident={:?} unit={:?} pid={:?} level={:?} message={:?}",
            envelope.format,
            envelope.timestamp_us.map(logsleuth::detect::format_time),
            text(envelope.host),
            text(envelope.identifier),
            text(envelope.unit.as_deref()),
            envelope.pid,
            envelope.level,
            String::from_utf8_lossy(&envelope.message),
        )?;
    }
    Ok(())
}
