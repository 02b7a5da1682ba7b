//! Checking every signal's examples and counter-examples against the real scanner.
//!
//! An example line goes through the same path as a log line (prefilter literals, envelope,
//! regex), so an example that a signal's literals would miss fails here too.

use super::model::RuleSet;
use crate::scan::Scanner;

/// One example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    pub file: String,
    pub signal: String,
    pub problem: String,
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: signal `{}`: {}",
            self.file, self.signal, self.problem
        )
    }
}

/// Runs every example and counter-example of `rules` through `scanner`.
pub fn check_examples(rules: &RuleSet, scanner: &Scanner) -> Vec<ExampleFailure> {
    let mut failures = Vec::new();
    for (idx, signal) in rules.signals.iter().enumerate() {
        let mut fail = |problem: String| {
            failures.push(ExampleFailure {
                file: signal.origin.clone(),
                signal: signal.id.clone(),
                problem,
            })
        };
        for (n, example) in signal.examples.iter().enumerate() {
            let (hits, _) = scanner.scan(example.line.as_bytes(), 1);
            let found = hits
                .iter()
                .flat_map(|h| &h.matches)
                .find(|m| m.signal as usize == idx);
            let Some(found) = found else {
                fail(format!(
                    "example {} does not match: {:?}",
                    n + 1,
                    example.line
                ));
                continue;
            };
            for (name, want) in &example.captures {
                match found.capture(name) {
                    Some(got) if got == want => {}
                    got => fail(format!(
                        "example {}: capture `{name}` is {:?}, expected {want:?}",
                        n + 1,
                        got.unwrap_or("<none>")
                    )),
                }
            }
        }
        for (n, counter) in signal.counter_examples.iter().enumerate() {
            let (hits, _) = scanner.scan(counter.as_bytes(), 1);
            if hits
                .iter()
                .flat_map(|h| &h.matches)
                .any(|m| m.signal as usize == idx)
            {
                fail(format!(
                    "counter-example {} matches but must not: {:?}",
                    n + 1,
                    counter
                ));
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSetBuilder;
    use crate::scan::ScannerBuilder;

    #[test]
    fn every_built_in_example_and_counter_example_holds() {
        let rules = RuleSetBuilder::new().build().expect("built-in rules load");
        let failures = check_examples(&rules, &ScannerBuilder::new().build(&rules));
        let shown: Vec<String> = failures.iter().map(ToString::to_string).collect();
        assert!(shown.is_empty(), "{}", shown.join("\n"));
    }

    #[test]
    fn every_signal_has_examples_and_every_cause_is_reachable() {
        let rules = RuleSetBuilder::new().build().expect("built-in rules load");
        for signal in &rules.signals {
            assert!(
                !signal.examples.is_empty(),
                "signal `{}` has no example",
                signal.id
            );
        }
        assert!(rules.causes.len() >= 20);
    }
}
