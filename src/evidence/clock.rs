//! A clock reading of an evidence line in 8 bytes: microseconds, or none. An
//! `Option<i64>` takes 16, and every evidence line has two of them (wall time and time
//! since boot).

use serde::Serialize;

/// Microseconds on some clock (since the epoch, since boot), or no reading; serialized as
/// the number or `null`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Clock(i64);

impl Clock {
    /// No reading. (`i64::MIN` microseconds, 292,000 years before the epoch, is never a
    /// log's time.)
    pub const NONE: Clock = Clock(i64::MIN);

    pub fn get(self) -> Option<i64> {
        (self != Self::NONE).then_some(self.0)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::NONE
    }
}

impl From<Option<i64>> for Clock {
    fn from(reading: Option<i64>) -> Self {
        reading.map_or(Self::NONE, Clock)
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

impl Serialize for Clock {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.get().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reading_comes_back_and_none_is_none() {
        for reading in [
            Some(0),
            Some(-1),
            Some(1_768_566_498_000_000),
            Some(i64::MAX),
            None,
        ] {
            assert_eq!(Clock::from(reading).get(), reading);
        }
        assert_eq!(serde_json::to_string(&Clock::NONE).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Clock::from(Some(5))).unwrap(), "5");
    }
}
