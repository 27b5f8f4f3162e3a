//! Whether a figure sampled over a long run stayed flat: the soak tests' one rule. Samples from
//! the warm-up on are split in thirds; the median of the last third must be within a bound of
//! the median of the first. Medians, so that a figure that jitters (a blocking thread that
//! comes and goes) or saws (a heap between garbage collections) is judged by its level, while a
//! leak, which raises the level, is not missed.

/// How far a soaked figure's level may move: the issue's ±10 %.
pub const FLAT: f64 = 0.10;

/// A figure's level early and late in the run, and its whole range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    pub early: u64,
    pub late: u64,
    pub min: u64,
    pub max: u64,
}

impl Trend {
    /// `values` in the order sampled, the warm-up already left out. `None` with fewer than
    /// three samples.
    pub fn of(values: &[u64]) -> Option<Self> {
        if values.len() < 3 {
            return None;
        }
        let third = values.len() / 3;
        Some(Self {
            early: median(&values[..third]),
            late: median(&values[values.len() - third..]),
            min: *values.iter().min()?,
            max: *values.iter().max()?,
        })
    }

    /// How far the late level is from the early one, as a fraction (+0.05 is 5 % higher).
    pub fn change(&self) -> f64 {
        self.late as f64 / self.early.max(1) as f64 - 1.0
    }

    pub fn flat_within(&self, bound: f64) -> bool {
        self.change().abs() <= bound
    }

    /// Whether the figure held within [`FLAT`], and the line that says so.
    pub fn judged(&self, unit: &str) -> (bool, String) {
        (
            self.flat_within(FLAT),
            format!("{} (bound ±{:.0} %)", self.describe(unit), FLAT * 100.0),
        )
    }

    /// `early → late (±x %), range min–max`, for the printed figures.
    pub fn describe(&self, unit: &str) -> String {
        format!(
            "{}{unit} → {}{unit} ({:+.1} %), range {}–{}{unit}",
            self.early,
            self.late,
            self.change() * 100.0,
            self.min,
            self.max
        )
    }
}

fn median(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::Trend;

    #[test]
    fn jitter_and_a_sawtooth_are_flat_and_a_climb_is_not() {
        let jitter = [24, 26, 24, 24, 26, 24, 26, 24, 24];
        assert!(Trend::of(&jitter).unwrap().flat_within(0.10));
        let saw = [430, 450, 520, 440, 430, 510, 440, 430, 515];
        assert!(Trend::of(&saw).unwrap().flat_within(0.10));
        let leak = [100, 104, 108, 112, 116, 120, 124, 128, 132];
        let trend = Trend::of(&leak).unwrap();
        assert!(!trend.flat_within(0.10), "{trend:?}");
        assert_eq!(Trend::of(&[1, 2]), None);
    }
}
