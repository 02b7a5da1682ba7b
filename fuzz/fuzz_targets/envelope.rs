//! Envelope parsing: any line, of any format or none, parses without panicking, and the
//! message it yields is a part of the line or (JSON records) a decoded value of bounded size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsleuth::record::EnvelopeParser;

fuzz_target!(|data: &[u8]| {
    // The same parser over every line, as for a source: it carries the year it learnt.
    let mut parser = EnvelopeParser::new();
    for line in data.split(|&b| b == b'\n') {
        let envelope = parser.parse(line);
        // A decoded JSON string is never longer than its escaped form.
        assert!(envelope.message.len() <= line.len());
    }
    // A fresh parser with a reference year, over the whole input as one line.
    let _ = EnvelopeParser::new().with_reference_year(2026).parse(data);
});
