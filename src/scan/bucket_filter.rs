//! The block prefilter for a large literal set: a bucketed shift-or search in the manner of
//! Hyperscan's FDR, whose cost per byte does not grow with the number of literals.
//!
//! Each literal is reduced to a *window* of at most [`WINDOW`] bytes (the whole literal, or
//! its least common stretch), and the literals are dealt into [`BUCKETS`] buckets, short
//! windows together. The search keeps one 64-bit state: for each of the 8 window positions
//! and each of the 8 buckets, one bit saying whether some window of that bucket could match
//! up to that position. Each input byte costs one table lookup, a shift and an OR; a bucket
//! still alive at the last position marks a *candidate*, which the caller confirms on its
//! line (the filter over-approximates: literals of one bucket mix, and characters are
//! hashed), so a found position is only a hint, never a proof.
//!
//! Characters are looked up as a 12-bit pair: the previous byte whole and the low nibble of
//! the current one. ASCII case lives in bit 5, outside the nibble, so a case-insensitive
//! literal needs only both cases of the previous byte.

/// Buckets of literals: one bit each in a window position's lane.
pub const BUCKETS: usize = 8;
/// Window positions per literal: one lane of [`BUCKETS`] bits each in a 64-bit entry. It is
/// also the number of input bytes the search takes per step.
pub const WINDOW: usize = 64 / BUCKETS;
const DOMAIN: usize = 1 << 12;

/// The compiled filter.
#[derive(Clone)]
pub struct BucketFilter {
    /// For each 12-bit character, per window position (byte lane) and bucket (bit): 0 when
    /// some window of the bucket has this character at this position.
    table: Box<[u64]>,
    /// The literals, to confirm a candidate end exactly.
    literals: Vec<Confirm>,
    /// Literal indexes by [`confirm_key`] of their window's last two bytes: the literals of
    /// key `k` are `by_key[key_start[k]..key_start[k + 1]]`.
    key_start: Box<[u32]>,
    by_key: Box<[u32]>,
}

/// One literal as the confirmation step checks it.
#[derive(Debug, Clone)]
struct Confirm {
    /// Index in the list the filter was built from.
    id: u32,
    text: Box<[u8]>,
    fold: bool,
    /// Where its window ends, counted from the literal's first byte.
    window_end: usize,
    bucket: u32,
    /// The (up to) 8 bytes ending at the window's end, as [`Confirm::quick_check`] compares
    /// them: the little-endian word of those bytes with the case bit set where case is
    /// ignored, which bits count, and the case bits to set in the input's word.
    tail: u64,
    tail_mask: u64,
    tail_case: u64,
}

const KEYS: usize = 1 << 12;

const BUCKET_MASK: u32 = (1 << BUCKETS) - 1;

/// The lane of window position `position`: lanes run backwards, so that shifting an input
/// byte's entry by its offset lines every position up at the window's end.
#[inline]
fn lane(position: usize) -> usize {
    WINDOW - 1 - position
}

/// One step over `WINDOW` input bytes (`bytes[0]` is the byte before them). Returns the
/// state of the windows ending at these bytes (lane `k`: ending at byte `k`; a 0 bit is a
/// bucket still alive) and the carry into the next step.
#[inline(always)]
fn step(table: &[u64; DOMAIN], bytes: &[u8; WINDOW + 1], carry: u64) -> (u64, u64) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    // SAFETY: the only requirement is SSE2, which this build's target guarantees (cfg).
    return unsafe { step_sse2(table, bytes, carry) };
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    step_portable(table, bytes, carry)
}

/// The 12-bit character of the byte at `k + 1` (after `bytes[k]`): one little-endian load.
#[inline(always)]
fn character(bytes: &[u8; WINDOW + 1], k: usize) -> usize {
    let pair: [u8; 2] = bytes[k..k + 2].try_into().expect("two bytes");
    usize::from(u16::from_le_bytes(pair) & 0x0FFF)
}

/// SSE2 (in every x86-64): each entry is shifted by its offset in one 128-bit register, so
/// the carry needs no second shift.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "sse2")]
#[inline]
fn step_sse2(table: &[u64; DOMAIN], bytes: &[u8; WINDOW + 1], carry: u64) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_cvtsi128_si64, _mm_cvtsi64_si128, _mm_or_si128, _mm_slli_si128, _mm_srli_si128,
    };
    #[target_feature(enable = "sse2")]
    fn entry_at(table: &[u64; DOMAIN], bytes: &[u8; WINDOW + 1], k: usize) -> __m128i {
        _mm_cvtsi64_si128(table[character(bytes, k)] as i64)
    }
    let entry = |k: usize| entry_at(table, bytes, k);
    let a = _mm_or_si128(entry(0), _mm_slli_si128::<1>(entry(1)));
    let b = _mm_or_si128(_mm_slli_si128::<2>(entry(2)), _mm_slli_si128::<3>(entry(3)));
    let c = _mm_or_si128(_mm_slli_si128::<4>(entry(4)), _mm_slli_si128::<5>(entry(5)));
    let d = _mm_or_si128(_mm_slli_si128::<6>(entry(6)), _mm_slli_si128::<7>(entry(7)));
    let all = _mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d));
    let low = _mm_cvtsi128_si64(all) as u64 | carry;
    let high = _mm_cvtsi128_si64(_mm_srli_si128::<8>(all)) as u64;
    (low, high)
}

#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn step_portable(table: &[u64; DOMAIN], bytes: &[u8; WINDOW + 1], carry: u64) -> (u64, u64) {
    let mut low = carry;
    let mut high = 0u64;
    for k in 0..WINDOW {
        let entry = table[character(bytes, k)];
        let shift = k * BUCKETS;
        low |= entry << shift;
        if shift > 0 {
            high |= entry >> (64 - shift);
        }
    }
    (low, high)
}

/// The confirmation key of a window ending at byte `last` after `previous`: case-blind.
#[inline]
fn confirm_key(previous: u8, last: u8) -> usize {
    (usize::from(previous.to_ascii_lowercase() & 0x3F) << 6)
        | usize::from(last.to_ascii_lowercase() & 0x3F)
}

impl std::fmt::Debug for BucketFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BucketFilter").finish_non_exhaustive()
    }
}

/// A literal to find: its bytes and whether ASCII case is ignored.
#[derive(Debug, Clone, Copy)]
pub struct FilterLiteral<'a> {
    pub text: &'a [u8],
    pub case_insensitive: bool,
}

impl BucketFilter {
    /// Builds the filter. Empty literals are ignored (they would make every position a
    /// candidate); the caller must not rely on the filter for them.
    pub fn new(literals: &[FilterLiteral<'_>]) -> Self {
        let mut confirms: Vec<Confirm> = literals
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.text.is_empty())
            .map(|(id, l)| {
                let window = least_common_window(l.text);
                Confirm::new(id as u32, l.text, l.case_insensitive, window.end - 1)
            })
            .collect();
        // Short windows together: a short window leaves its bucket's leading positions open,
        // so short windows share few literals per bucket.
        confirms.sort_by(|a, b| {
            (a.window().len(), a.window(), a.fold).cmp(&(b.window().len(), b.window(), b.fold))
        });
        let weight = |c: &Confirm| 1usize << (WINDOW - c.window().len()).min(5);
        let per_bucket = confirms
            .iter()
            .map(weight)
            .sum::<usize>()
            .div_ceil(BUCKETS)
            .max(1);
        let mut table = vec![!0u64; DOMAIN].into_boxed_slice();
        let (mut bucket, mut filled) = (0, 0);
        for confirm in &mut confirms {
            filled += weight(confirm);
            if filled > per_bucket && bucket + 1 < BUCKETS {
                bucket += 1;
                filled = weight(confirm);
            }
            confirm.bucket = bucket as u32;
            let window = confirm.window();
            let first_position = WINDOW - window.len();
            // Positions before a short window accept anything.
            for position in 0..first_position {
                let bit = !(1u64 << (lane(position) * BUCKETS + bucket));
                table.iter_mut().for_each(|entry| *entry &= bit);
            }
            for (k, &current) in window.iter().enumerate() {
                let bit = !(1u64 << (lane(first_position + k) * BUCKETS + bucket));
                let nibble = usize::from(current & 0x0F) << 8;
                if k == 0 {
                    // The byte before the window can be anything.
                    for previous in 0..256 {
                        table[nibble | previous] &= bit;
                    }
                } else {
                    for previous in case_variants(window[k - 1], confirm.fold) {
                        table[nibble | usize::from(previous)] &= bit;
                    }
                }
            }
        }
        let (key_start, by_key) = index_by_key(&confirms);
        Self {
            table,
            literals: confirms,
            key_start,
            by_key,
        }
    }

    /// Calls `found` for each occurrence of a literal in `haystack`, in ascending order of
    /// position, with a position inside the occurrence (where its window ends) and the
    /// literal's index in the list the filter was built from. A line holding several
    /// literals is reported once for each.
    pub fn for_each_match(&self, haystack: &[u8], mut found: impl FnMut(usize, u32)) {
        let table: &[u64; DOMAIN] = self.table[..].try_into().expect("table has DOMAIN entries");
        // Before the start, as if after a run of newlines: only a short window's open
        // positions are alive there.
        let (_, mut carry) = step(table, &[b'\n'; WINDOW + 1], !0);
        let mut report = |base: usize, conf: u64, limit: usize| {
            let mut conf = conf;
            while conf != 0 {
                let lane = conf.trailing_zeros() as usize / BUCKETS;
                let alive = (conf >> (lane * BUCKETS)) as u32 & BUCKET_MASK;
                conf &= !(u64::from(BUCKET_MASK) << (lane * BUCKETS));
                let end = base + lane;
                if end < limit {
                    self.confirm(haystack, end, alive, &mut found);
                }
            }
        };
        let mut base = 0;
        if haystack.len() > WINDOW {
            // The first step: the byte before the start is a newline.
            let mut first = [b'\n'; WINDOW + 1];
            first[1..].copy_from_slice(&haystack[..WINDOW]);
            let (accumulated, next) = step(table, &first, carry);
            carry = next;
            if accumulated != !0 {
                report(0, !accumulated, haystack.len());
            }
            base = WINDOW;
            while base + WINDOW <= haystack.len() {
                let bytes: &[u8; WINDOW + 1] = haystack[base - 1..base + WINDOW]
                    .try_into()
                    .expect("WINDOW + 1 bytes");
                let (accumulated, next) = step(table, bytes, carry);
                carry = next;
                if accumulated != !0 {
                    report(base, !accumulated, haystack.len());
                }
                base += WINDOW;
            }
        }
        if base < haystack.len() {
            // The last, partial step, padded with newlines.
            let mut last = [b'\n'; WINDOW + 1];
            let rest = &haystack[base..];
            if base > 0 {
                last[0] = haystack[base - 1];
            }
            last[1..=rest.len()].copy_from_slice(rest);
            let (accumulated, _) = step(table, &last, carry);
            if accumulated != !0 {
                report(base, !accumulated, haystack.len());
            }
        }
    }

    /// Reports each literal of a bucket in `alive` whose window ends at `end`.
    #[cold]
    fn confirm(&self, haystack: &[u8], end: usize, alive: u32, found: &mut impl FnMut(usize, u32)) {
        let previous = if end == 0 { b'\n' } else { haystack[end - 1] };
        let key = confirm_key(previous, haystack[end]);
        let ids = &self.by_key[self.key_start[key] as usize..self.key_start[key + 1] as usize];
        // The 8 bytes ending at `end`, for a check of each literal's tail in a few
        // instructions before its whole text is compared.
        let word = end
            .checked_sub(7)
            .map(|start| u64::from_le_bytes(haystack[start..=end].try_into().expect("8 bytes")));
        for &index in ids {
            let literal = &self.literals[index as usize];
            if alive & (1 << literal.bucket) == 0 || end < literal.window_end {
                continue;
            }
            if word.is_some_and(|word| !literal.quick_check(word)) {
                continue;
            }
            let start = end - literal.window_end;
            let Some(text) = haystack.get(start..start + literal.text.len()) else {
                continue;
            };
            let equal = if literal.fold {
                text.eq_ignore_ascii_case(&literal.text)
            } else {
                *text == *literal.text
            };
            if equal {
                found(end, literal.id);
            }
        }
    }
}

impl Confirm {
    fn new(id: u32, text: &[u8], fold: bool, window_end: usize) -> Self {
        let (mut tail, mut tail_mask, mut tail_case) = (0u64, 0u64, 0u64);
        // Byte `window_end - k` is byte `7 - k` of the word that ends there.
        for k in 0..8.min(window_end + 1) {
            let byte = text[window_end - k];
            let shift = 8 * (7 - k);
            let case = if fold && byte.is_ascii_alphabetic() {
                0x20
            } else {
                0
            };
            tail |= u64::from(byte | case) << shift;
            tail_mask |= 0xFF << shift;
            tail_case |= u64::from(case) << shift;
        }
        Self {
            id,
            text: text.into(),
            fold,
            window_end,
            bucket: 0,
            tail,
            tail_mask,
            tail_case,
        }
    }

    /// Whether the 8 input bytes ending where the window ends (`word`, little-endian) can
    /// be this literal's: a necessary condition, in three instructions.
    #[inline]
    fn quick_check(&self, word: u64) -> bool {
        (word | self.tail_case) & self.tail_mask == self.tail
    }

    fn window(&self) -> &[u8] {
        let start = (self.window_end + 1).saturating_sub(WINDOW);
        &self.text[start..=self.window_end]
    }
}

/// The literals grouped by the confirmation key of their window's end. A one-byte window
/// is filed under every byte before it.
fn index_by_key(literals: &[Confirm]) -> (Box<[u32]>, Box<[u32]>) {
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); KEYS];
    for (id, literal) in literals.iter().enumerate() {
        let window = literal.window();
        let last = window[window.len() - 1];
        if window.len() >= 2 {
            lists[confirm_key(window[window.len() - 2], last)].push(id as u32);
        } else {
            let mut keys: Vec<usize> = (0..=255u8).map(|p| confirm_key(p, last)).collect();
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                lists[key].push(id as u32);
            }
        }
    }
    let mut starts = Vec::with_capacity(KEYS + 1);
    let mut ids = Vec::new();
    for list in lists {
        starts.push(ids.len() as u32);
        ids.extend(list);
    }
    starts.push(ids.len() as u32);
    (starts.into_boxed_slice(), ids.into_boxed_slice())
}

/// Both ASCII cases of `byte` when case is ignored, else the byte itself.
fn case_variants(byte: u8, fold: bool) -> impl Iterator<Item = u8> {
    let other = if fold && byte.is_ascii_alphabetic() {
        Some(byte ^ 0x20)
    } else {
        None
    };
    std::iter::once(byte).chain(other)
}

/// The window of at most [`WINDOW`] bytes of `literal` whose bytes are least common in log
/// text (a rough rank: lowercase letters, digits and blanks are common).
fn least_common_window(literal: &[u8]) -> std::ops::Range<usize> {
    if literal.len() <= WINDOW {
        return 0..literal.len();
    }
    let commonness = |byte: &u8| -> u32 {
        match byte {
            b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b' ' => 4,
            b'a'..=b'z' | b'0'..=b'9' => 3,
            b'.' | b':' | b'-' | b'_' | b'/' | b'=' | b',' => 2,
            _ => 1,
        }
    };
    let mut best = 0..WINDOW;
    let mut best_score = u32::MAX;
    for (start, window) in literal.windows(WINDOW).enumerate() {
        let score = window.iter().map(commonness).sum();
        if score < best_score {
            best = start..start + WINDOW;
            best_score = score;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(literals: &[(&str, bool)]) -> BucketFilter {
        let literals: Vec<FilterLiteral> = literals
            .iter()
            .map(|&(text, case_insensitive)| FilterLiteral {
                text: text.as_bytes(),
                case_insensitive,
            })
            .collect();
        BucketFilter::new(&literals)
    }

    fn all_ends(filter: &BucketFilter, haystack: &str) -> Vec<usize> {
        let mut ends = Vec::new();
        filter.for_each_match(haystack.as_bytes(), |end, _| ends.push(end));
        ends
    }

    fn finds(filter: &BucketFilter, haystack: &[u8]) -> bool {
        let mut found = false;
        filter.for_each_match(haystack, |_, _| found = true);
        found
    }

    #[test]
    fn finds_short_and_long_literals_and_no_line_without_one() {
        let f = filter(&[
            ("Address already in use", false),
            ("OOM", false),
            ("restart counter is at", false),
        ]);
        let text = "quiet line\nbind: Address already in use\nkernel OOM here\nnothing\n\
                    x.service: Scheduled restart job, restart counter is at 7.\n";
        let ends = all_ends(&f, text);
        let lines: Vec<&str> = ends
            .iter()
            .map(|&e| {
                let start = text[..e].rfind('\n').map_or(0, |i| i + 1);
                let end = text[e..].find('\n').map_or(text.len(), |i| e + i);
                &text[start..end]
            })
            .collect();
        assert_eq!(
            lines,
            [
                "bind: Address already in use",
                "kernel OOM here",
                "x.service: Scheduled restart job, restart counter is at 7."
            ]
        );
    }

    #[test]
    fn case_insensitive_literals_match_any_case() {
        let f = filter(&[("out of memory", true)]);
        assert!(finds(&f, b"Kernel: OUT OF MEMORY now"));
        assert!(finds(&f, b"Out Of Memory"));
        let exact = filter(&[("out of memory", false)]);
        assert!(!finds(&exact, b"OUT OF MEMORY"));
    }

    #[test]
    fn a_literal_at_the_very_start_or_end_is_found() {
        let f = filter(&[("panic: ", false), ("OOM", false)]);
        assert_eq!(all_ends(&f, "panic: x"), [6]);
        assert_eq!(all_ends(&f, "OOM"), [2]);
        assert_eq!(all_ends(&f, "go panic: "), [9]);
        assert_eq!(all_ends(&f, "nothing\npanic: "), [14]);
        assert_eq!(all_ends(&f, "nothing\npanic"), [0usize; 0]);
    }

    #[test]
    fn many_literals_are_all_found() {
        let literals: Vec<String> = (0..600).map(|i| format!("needle-{i:03}-x")).collect();
        let pairs: Vec<(&str, bool)> = literals.iter().map(|l| (l.as_str(), i_fold(l))).collect();
        let f = filter(&pairs);
        for literal in &literals {
            let line = format!("some prefix {literal} and suffix");
            assert!(finds(&f, line.as_bytes()), "{literal}");
        }
    }

    fn i_fold(text: &str) -> bool {
        text.len() % 2 == 0
    }

    /// The (line, literal) pairs a plain search finds.
    fn naive_pairs(literals: &[(Vec<u8>, bool)], haystack: &[u8]) -> Vec<(usize, u32)> {
        let mut pairs = Vec::new();
        for (line_index, line) in haystack.split(|&b| b == b'\n').enumerate() {
            for (id, (text, fold)) in literals.iter().enumerate() {
                let found = line.windows(text.len()).any(|w| {
                    if *fold {
                        w.eq_ignore_ascii_case(text)
                    } else {
                        w == &text[..]
                    }
                });
                if found {
                    pairs.push((line_index, id as u32));
                }
            }
        }
        pairs
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        #[test]
        fn finds_exactly_what_a_plain_search_finds(
            literals in proptest::collection::vec(
                (proptest::collection::vec(proptest::sample::select(b"abAB: x\"".to_vec()), 1..12),
                 proptest::bool::ANY),
                1..80,
            ),
            haystack in proptest::collection::vec(
                proptest::sample::select(b"abAB: x\"\n".to_vec()), 0..400),
        ) {
            let list: Vec<FilterLiteral> = literals
                .iter()
                .map(|(text, fold)| FilterLiteral { text, case_insensitive: *fold })
                .collect();
            let filter = BucketFilter::new(&list);
            let mut found = Vec::new();
            filter.for_each_match(&haystack, |end, id| {
                let line = haystack[..end].iter().filter(|&&b| b == b'\n').count();
                found.push((line, id));
            });
            found.sort_unstable();
            found.dedup();
            let mut expected = naive_pairs(&literals, &haystack);
            expected.sort_unstable();
            proptest::prop_assert_eq!(found, expected);
        }
    }
}
