//! The year given to year-less stamps (`Mar 06 02:30:04`, dmesg `[Feb 5 06:51]`).
//!
//! Rule, in order: the reference year set with
//! [`EnvelopeParser::with_reference_year`](super::EnvelopeParser::with_reference_year);
//! else the first year hint (from [`EnvelopeParser::note_year_hint`](super::EnvelopeParser::note_year_hint)
//! or from the first full-dated stamp parsed, whichever comes first); else the current UTC
//! year. The year is fixed at the first year-less stamp and then only moves forward: when a
//! stamp's month is more than 6 months before the previous year-less stamp's month
//! (Dec → Jan), the year is incremented. A jump of more than 6 months forward (Jan → Dec)
//! never decrements it. If the first year-less stamp had to use the current year and a hint
//! arrives later, the hint replaces that provisional year for the following lines.

use super::time::current_utc_year;

#[derive(Debug, Default, Clone)]
pub(crate) struct YearClock {
    reference: Option<i32>,
    hint: Option<i32>,
    running: Option<RunningYear>,
    /// How many year-less stamps have been resolved (tells callers whether a parse used one).
    yearless_stamps: u64,
}

#[derive(Debug, Clone, Copy)]
struct RunningYear {
    year: i32,
    last_month: u8,
    /// The year came from the wall clock, not from a reference or hint.
    provisional: bool,
}

impl YearClock {
    pub(crate) fn set_reference(&mut self, year: i32) {
        self.reference = Some(year);
        self.running = None;
    }

    /// Records a year hint; only the first one counts.
    pub(crate) fn note_hint(&mut self, year: i32) {
        if self.hint.is_some() || !(1..=9999).contains(&year) {
            return;
        }
        self.hint = Some(year);
        if self.reference.is_some() {
            return;
        }
        if let Some(running) = self.running.as_mut().filter(|r| r.provisional) {
            running.year = year;
            running.provisional = false;
        }
    }

    /// Number of year-less stamps resolved so far.
    pub(crate) fn yearless_stamps(&self) -> u64 {
        self.yearless_stamps
    }

    /// The running year while it is still the wall-clock guess.
    pub(crate) fn provisional_year(&self) -> Option<i32> {
        self.running.filter(|r| r.provisional).map(|r| r.year)
    }

    /// The running year for year-less stamps, once one has been resolved.
    pub(crate) fn running_year(&self) -> Option<i32> {
        self.running.map(|r| r.year)
    }

    /// The year for a year-less stamp in `month` (1-12), advancing on rollover.
    pub(crate) fn year_for(&mut self, month: u8) -> i32 {
        self.yearless_stamps += 1;
        if let Some(running) = self.running.as_mut() {
            if running.last_month > month.saturating_add(6) {
                running.year += 1;
            }
            running.last_month = month;
            return running.year;
        }
        let (year, provisional) = match self.reference.or(self.hint) {
            Some(year) => (year, false),
            None => (current_utc_year(), true),
        };
        self.running = Some(RunningYear {
            year,
            last_month: month,
            provisional,
        });
        year
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollover_forward_only() {
        let mut clock = YearClock::default();
        clock.set_reference(2025);
        assert_eq!(clock.year_for(11), 2025);
        assert_eq!(clock.year_for(12), 2025);
        assert_eq!(clock.year_for(1), 2026);
        assert_eq!(clock.year_for(7), 2026);
        assert_eq!(clock.year_for(1), 2026, "6 months back is not a rollover");
        assert_eq!(clock.year_for(12), 2026, "forward jump never decrements");
    }

    #[test]
    fn hint_then_provisional_replacement() {
        let mut clock = YearClock::default();
        clock.note_hint(2019);
        clock.note_hint(2020);
        assert_eq!(clock.year_for(3), 2019);

        let mut late = YearClock::default();
        assert_eq!(late.year_for(3), current_utc_year());
        late.note_hint(2015);
        assert_eq!(late.year_for(3), 2015);

        let mut referenced = YearClock::default();
        referenced.set_reference(2001);
        referenced.note_hint(2015);
        assert_eq!(referenced.year_for(3), 2001);
    }
}
