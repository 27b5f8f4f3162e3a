//! What a log view would drop, dropped before it is sent.
//!
//! A log view keeps its last few thousand lines of scrollback. Shown "everything" of a
//! million-line log, it would draw a million lines to keep ten thousand, and the lines would
//! cross to the page at the speed the page draws. Instead the engine is read at its own
//! speed: what the view cannot take yet waits in a [`LogBacklog`], which keeps only the lines
//! the view would keep and counts the others, so the view can say what it skipped and page
//! back to it.

use crate::streams::logs::LogBatch;

/// The newest lines of a log that are waiting for the view, at most `keep` of them once taken,
/// and how many older ones were skipped.
#[derive(Debug)]
pub struct LogBacklog {
    keep: u32,
    waiting: LogBatch,
    skipped: u64,
}

impl LogBacklog {
    pub fn new(keep: u32) -> Self {
        Self {
            keep: keep.max(1),
            waiting: LogBatch::default(),
            skipped: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.waiting.count == 0 && self.skipped == 0
    }

    /// Whether lines were dropped since the last take, or will be when it is taken: more
    /// arrived than the view keeps.
    pub fn is_dropping(&self) -> bool {
        self.skipped > 0 || self.waiting.count > self.keep
    }

    /// Adds `batch` after the lines waiting. Memory stays within twice `keep` lines: older
    /// lines are dropped in runs, not one batch at a time.
    pub fn push(&mut self, batch: LogBatch) {
        self.waiting.append(batch);
        if self.waiting.count > self.keep.saturating_mul(2) {
            self.trim();
        }
    }

    /// The lines skipped since the last take, and the newest `keep` lines waiting (empty when
    /// none wait). Leaves the backlog empty.
    pub fn take(&mut self) -> (u64, LogBatch) {
        self.trim();
        let skipped = std::mem::take(&mut self.skipped);
        (skipped, std::mem::take(&mut self.waiting))
    }

    fn trim(&mut self) {
        let over = self.waiting.count.saturating_sub(self.keep);
        if over > 0 {
            self.waiting.drop_first(over);
            self.skipped += u64::from(over);
        }
    }
}

impl LogBatch {
    /// Adds the lines of `other` after this batch's.
    pub fn append(&mut self, other: LogBatch) {
        let offset = self.count;
        self.stderr
            .extend(other.stderr.into_iter().map(|line| line + offset));
        self.sources.extend(other.sources);
        self.times.extend(other.times);
        self.text.push_str(&other.text);
        self.count += other.count;
    }

    /// Removes the first `lines` lines (all of them, if it has fewer).
    pub fn drop_first(&mut self, lines: u32) {
        let lines = lines.min(self.count);
        if lines == 0 {
            return;
        }
        let cut = self.end_of_lines(lines);
        self.text.drain(..cut);
        self.stderr.retain(|&line| line >= lines);
        for line in &mut self.stderr {
            *line -= lines;
        }
        // Per-line details are either empty (not asked for) or one per line.
        let per_line = |details_len: usize| details_len.min(lines as usize);
        self.sources.drain(..per_line(self.sources.len()));
        self.times.drain(..per_line(self.times.len()));
        self.count -= lines;
    }

    /// Where the text of the first `lines` lines ends, in bytes.
    fn end_of_lines(&self, lines: u32) -> usize {
        match lines {
            0 => 0,
            n => self
                .text
                .match_indices('\n')
                .nth(n as usize - 1)
                .map_or(self.text.len(), |(at, _)| at + 1),
        }
    }

    /// Keeps only the first `lines` lines.
    pub fn keep_first(&mut self, lines: u32) {
        if lines >= self.count {
            return;
        }
        let cut = self.end_of_lines(lines);
        self.text.truncate(cut);
        self.stderr.retain(|&line| line < lines);
        self.sources.truncate(lines as usize);
        self.times.truncate(lines as usize);
        self.count = lines;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines `from..to` of a log, every third on stderr, from two containers, with times.
    fn lines(from: u32, to: u32) -> LogBatch {
        let mut batch = LogBatch::default();
        for n in from..to {
            let index = n - from;
            batch.text.push_str(&format!("line {n}\n"));
            if n % 3 == 0 {
                batch.stderr.push(index);
            }
            batch.sources.push((n % 2) as u16);
            batch.times.push(format!("t{n}"));
            batch.count += 1;
        }
        batch
    }

    #[test]
    fn keeps_the_newest_lines_and_counts_the_rest() {
        let mut backlog = LogBacklog::new(10);
        assert!(backlog.is_empty());
        backlog.push(lines(0, 10));
        assert!(!backlog.is_dropping(), "as many as the view keeps");
        backlog.push(lines(10, 11));
        assert!(
            backlog.is_dropping(),
            "one more than the view keeps, not trimmed yet"
        );
        backlog.take();
        for start in (0..1000).step_by(7) {
            backlog.push(lines(start, (start + 7).min(1000)));
            assert!(backlog.waiting.count <= 20, "bounded by twice what is kept");
        }
        let (skipped, kept) = backlog.take();
        assert_eq!(skipped, 990);
        assert_eq!(kept, lines(990, 1000), "the same lines, details and all");
        assert!(backlog.is_empty() && !backlog.is_dropping());

        backlog.push(lines(1000, 1003));
        assert_eq!(
            backlog.take(),
            (0, lines(1000, 1003)),
            "nothing skipped since"
        );
    }

    #[test]
    fn appending_and_dropping_keep_each_line_s_details() {
        let mut batch = lines(0, 5);
        batch.append(lines(5, 12));
        assert_eq!(batch, lines(0, 12));
        batch.drop_first(4);
        assert_eq!(batch, lines(4, 12));
        batch.keep_first(5);
        assert_eq!(batch, lines(4, 9));
        batch.drop_first(100);
        assert_eq!(batch, LogBatch::default());

        // Without per-line details (one container, no times) only the text is cut.
        let mut plain = LogBatch {
            text: "a\nb\nc\n".to_owned(),
            count: 3,
            ..LogBatch::default()
        };
        plain.drop_first(2);
        assert_eq!(plain.text, "c\n");
        assert_eq!(plain.count, 1);
    }
}
