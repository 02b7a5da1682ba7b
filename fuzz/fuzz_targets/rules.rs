//! Rule loading: any text as a rule file either loads or gives `file:line:col` errors, never
//! a panic; a rule set that loads compiles into a scanner that can scan a few lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logsleuth::rules::RuleSetBuilder;
use logsleuth::scan::ScannerBuilder;

const LOG: &[u8] = b"Jan 16 12:28:18 web app[7]: OSError: [Errno 98] Address already in use\n\
{\"MESSAGE\":\"error: connection refused\",\"_PID\":\"9\"}\n\
plain text line with nothing in it\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let built = RuleSetBuilder::new()
        .builtin(false)
        .add_text("fuzz.toml", text)
        .build();
    match built {
        Ok(rules) => {
            let scanner = ScannerBuilder::new().build(&rules);
            let _ = scanner.scan(LOG, 1);
        }
        Err(errors) => {
            for error in &errors.0 {
                assert!(error.to_string().starts_with("fuzz.toml"));
            }
        }
    }
});
