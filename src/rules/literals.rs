//! Deriving the scanner's literals from a regex: texts of which every match contains one.
//!
//! The walk over the regex's syntax tree keeps, for each node, a set of strings one of which
//! every match of the node contains. A concatenation picks its most selective child, an
//! alternation unions its branches, and an ASCII case pair such as `[Aa]` counts as the
//! letter with case-insensitive matching. When no good set exists (a branch with no fixed
//! text, literals shorter than three bytes, too many alternatives) the signal falls back
//! to the scanner's regex path.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Largest number of alternatives worth feeding to the prefilter for one signal.
const MAX_ALTERNATIVES: usize = 24;
/// Shortest literal that is selective enough.
const MIN_LEN: usize = 3;

/// Literals derived from a regex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedLiterals {
    pub literals: Vec<String>,
    /// Some literal came from case-insensitive text and must be matched ignoring case.
    pub case_insensitive: bool,
}

/// A required-text set with a flag for case folding.
#[derive(Debug, Clone)]
struct Required {
    texts: Vec<Vec<u8>>,
    folded: bool,
}

impl Required {
    /// Higher is better: long shortest literal, few alternatives.
    fn quality(&self) -> usize {
        let shortest = self.texts.iter().map(Vec::len).min().unwrap_or(0);
        (shortest.min(16) * 100).saturating_sub(self.texts.len())
    }
}

/// Derives literals for `pattern`, or `None` when the scanner must use the regex fallback.
pub fn derive_literals(pattern: &str) -> Option<DerivedLiterals> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let required = required(&hir)?;
    if required.texts.iter().any(|t| t.len() < MIN_LEN) || required.texts.len() > MAX_ALTERNATIVES {
        return None;
    }
    let mut literals: Vec<String> = Vec::new();
    for text in required.texts {
        let text = String::from_utf8(text).ok()?;
        if !literals.contains(&text) {
            literals.push(text);
        }
    }
    Some(DerivedLiterals {
        literals,
        case_insensitive: required.folded,
    })
}

fn required(hir: &Hir) -> Option<Required> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(Required {
            texts: vec![lit.0.to_vec()],
            folded: false,
        }),
        HirKind::Class(class) => case_pair(class).map(|b| Required {
            texts: vec![vec![b]],
            folded: true,
        }),
        HirKind::Capture(cap) => required(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => required(&rep.sub),
        HirKind::Concat(children) => concat(children),
        HirKind::Alternation(branches) => {
            let mut texts = Vec::new();
            let mut folded = false;
            for branch in branches {
                let r = required(branch)?;
                folded |= r.folded;
                texts.extend(r.texts);
                if texts.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(Required { texts, folded })
        }
        _ => None,
    }
}

/// Joins runs of single-text children into longer texts, then picks the best candidate.
fn concat(children: &[Hir]) -> Option<Required> {
    let mut best: Option<Required> = None;
    let mut run: Vec<u8> = Vec::new();
    let mut run_folded = false;
    let consider = |candidate: Required, best: &mut Option<Required>| {
        if best
            .as_ref()
            .is_none_or(|b| candidate.quality() > b.quality())
        {
            *best = Some(candidate);
        }
    };
    for child in children {
        match required(child) {
            Some(r) if r.texts.len() == 1 && is_exact(child) => {
                run.extend_from_slice(&r.texts[0]);
                run_folded |= r.folded;
            }
            other => {
                if !run.is_empty() {
                    let text = std::mem::take(&mut run);
                    consider(
                        Required {
                            texts: vec![text],
                            folded: run_folded,
                        },
                        &mut best,
                    );
                    run_folded = false;
                }
                if let Some(r) = other {
                    consider(r, &mut best);
                }
            }
        }
    }
    if !run.is_empty() {
        consider(
            Required {
                texts: vec![run],
                folded: run_folded,
            },
            &mut best,
        );
    }
    best
}

/// Whether the node always matches exactly its single required text (so neighbours can be
/// joined to it).
fn is_exact(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(_) => true,
        HirKind::Class(class) => case_pair(class).is_some(),
        HirKind::Capture(cap) => is_exact(&cap.sub),
        _ => false,
    }
}

/// `[Aa]` (what `(?i)a` becomes) as the lower-case letter.
fn case_pair(class: &Class) -> Option<u8> {
    let ranges: Vec<(u32, u32)> = match class {
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .map(|r| (r.start() as u32, r.end() as u32))
            .collect(),
    };
    let singles: Vec<u32> = ranges
        .iter()
        .filter(|(a, b)| a == b)
        .map(|(a, _)| *a)
        .collect();
    if singles.len() != ranges.len() {
        return None;
    }
    match singles.as_slice() {
        [a, b] if *a < 128 && *b < 128 => {
            let (a, b) = (*a as u8, *b as u8);
            (a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b)).then(|| a.to_ascii_lowercase())
        }
        // `(?i)k` also allows the Kelvin sign; `(?i)s` the long s.
        [a, b, c] if *a < 128 && *b < 128 && *c >= 128 => {
            let (a, b) = (*a as u8, *b as u8);
            (a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(&b)).then(|| a.to_ascii_lowercase())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(pattern: &str) -> Option<(Vec<&'static str>, bool)> {
        derive_literals(pattern).map(|d| {
            (
                d.literals
                    .into_iter()
                    .map(|s| &*Box::leak(s.into_boxed_str()))
                    .collect(),
                d.case_insensitive,
            )
        })
    }

    #[test]
    fn plain_text_is_its_own_literal() {
        assert_eq!(
            lits(r"Address already in use"),
            Some((vec!["Address already in use"], false))
        );
    }

    #[test]
    fn the_longest_fixed_part_of_a_concatenation_wins() {
        assert_eq!(
            lits(r"^(?P<unit>\S+): Scheduled restart job, restart counter is at (?P<n>\d+)"),
            Some((
                vec![": Scheduled restart job, restart counter is at "],
                false
            ))
        );
    }

    #[test]
    fn alternations_give_one_literal_per_branch() {
        assert_eq!(
            lits(r"(EADDRINUSE|Address already in use)"),
            Some((vec!["EADDRINUSE", "Address already in use"], false))
        );
    }

    #[test]
    fn case_insensitive_text_is_folded() {
        assert_eq!(
            lits(r"(?i)out of memory"),
            Some((vec!["out of memory"], true))
        );
    }

    #[test]
    fn patterns_without_fixed_text_fall_back() {
        assert_eq!(lits(r"\d+\.\d+"), None);
        assert_eq!(lits(r"(foo|\d+)"), None);
        assert_eq!(lits(r"ab"), None);
        assert_eq!(lits(r"(x)?yz"), None);
    }
}
