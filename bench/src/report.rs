//! The benchmark's results: each figure recorded as a row beside its peer from the same run and
//! its target, printed as it is measured, and at the end printed as one table (the README's)
//! and kept as JSON in `bench/results/<commit>.json`, so runs of different commits compare.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use serde_json::json;

/// What a figure must reach.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// Berth's figure over the peer's at most this.
    RatioAtMost(f64),
    /// Berth's figure over the peer's at least this.
    RatioAtLeast(f64),
    /// Berth's figure below this, in its unit.
    Below(f64),
    /// Berth's figure at least this, in its unit.
    AtLeast(f64),
}

#[derive(Debug, Clone)]
pub struct Row {
    pub section: &'static str,
    pub measure: String,
    pub berth: f64,
    pub unit: &'static str,
    /// The peer's name and figure, in the same unit.
    pub peer: Option<(String, f64)>,
    pub target: Option<Target>,
    /// How it was measured, briefly.
    pub note: String,
}

impl Row {
    pub fn new(
        section: &'static str,
        measure: impl Into<String>,
        berth: f64,
        unit: &'static str,
    ) -> Self {
        Self {
            section,
            measure: measure.into(),
            berth,
            unit,
            peer: None,
            target: None,
            note: String::new(),
        }
    }

    pub fn peer(mut self, name: impl Into<String>, figure: f64) -> Self {
        self.peer = Some((name.into(), figure));
        self
    }

    pub fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    pub fn ratio(&self) -> Option<f64> {
        self.peer.as_ref().map(|(_, peer)| self.berth / peer)
    }

    /// Whether the target is met; `None` without a target.
    pub fn met(&self) -> Option<bool> {
        let ratio = self.ratio();
        Some(match self.target? {
            Target::RatioAtMost(most) => ratio? <= most,
            Target::RatioAtLeast(least) => ratio? >= least,
            Target::Below(limit) => self.berth < limit,
            Target::AtLeast(least) => self.berth >= least,
        })
    }

    fn target_text(&self) -> String {
        match self.target {
            None => String::new(),
            Some(Target::RatioAtMost(most)) => format!("≤ {most}×"),
            Some(Target::RatioAtLeast(least)) => format!("≥ {least}×"),
            Some(Target::Below(limit)) => format!("< {} {}", figure(limit), self.unit),
            Some(Target::AtLeast(least)) => format!("≥ {} {}", figure(least), self.unit),
        }
    }

    fn verdict(&self) -> &'static str {
        match self.met() {
            None => "",
            Some(true) => "met",
            Some(false) => "NOT MET",
        }
    }

    /// Records the row (and prints it).
    pub fn record(self) {
        let peer = self.peer.as_ref().map_or(String::new(), |(name, value)| {
            format!("   {name} {} {}", figure(*value), self.unit)
        });
        let ratio = self
            .ratio()
            .map_or(String::new(), |r| format!("   {r:.2}×"));
        let target = match self.target {
            Some(_) => format!("   target {}: {}", self.target_text(), self.verdict()),
            None => String::new(),
        };
        println!(
            "  {:<44} Berth {} {}{peer}{ratio}{target}",
            self.measure,
            figure(self.berth),
            self.unit
        );
        if !self.note.is_empty() {
            println!("  {:<44} ({})", "", self.note);
        }
        lock().push(self);
    }
}

static ROWS: Mutex<Vec<Row>> = Mutex::new(Vec::new());

fn lock() -> std::sync::MutexGuard<'static, Vec<Row>> {
    ROWS.lock().unwrap_or_else(|p| p.into_inner())
}

/// A figure with as many decimals as its size deserves.
fn figure(value: f64) -> String {
    match value.abs() {
        v if v >= 1000.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        _ => format!("{value:.2}"),
    }
}

/// The commit measured, and whether the tree had changes beside it.
fn commit() -> (String, bool) {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|out| out.status.success())
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    let clean =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| s.is_empty());
    (commit, clean)
}

/// Prints every row as one Markdown table headed by the commit, and writes them as JSON to
/// `bench/results/<commit>.json` (`-dirty` when the tree had changes). Returns the file.
pub fn finish(sections: &[String]) -> PathBuf {
    let rows = lock().clone();
    let (commit, clean) = commit();
    let name = if clean {
        commit.clone()
    } else {
        format!("{commit}-dirty")
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();

    let mut table = format!(
        "\nAll rows: one run of commit {commit}{}, {cores} cores\n\n",
        if clean {
            ""
        } else {
            " (with uncommitted changes)"
        }
    );
    table.push_str(
        "| Measure | Berth | Peer (same run) | Ratio | Target | |\n|---|---|---|---|---|---|\n",
    );
    for row in &rows {
        let peer = row.peer.as_ref().map_or("—".to_owned(), |(name, value)| {
            format!("{name}: {} {}", figure(*value), row.unit)
        });
        let ratio = row.ratio().map_or("—".to_owned(), |r| format!("{r:.2}×"));
        let _ = writeln!(
            table,
            "| {}: {} | {} {} | {peer} | {ratio} | {} | {} |",
            row.section,
            row.measure,
            figure(row.berth),
            row.unit,
            row.target_text(),
            row.verdict()
        );
    }
    println!("{table}");

    let json_rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            json!({
                "section": row.section,
                "measure": row.measure,
                "berth": row.berth,
                "unit": row.unit,
                "peer": row.peer.as_ref().map(|(name, value)| json!({"name": name, "value": value})),
                "ratio": row.ratio(),
                "target": row.target_text(),
                "met": row.met(),
                "note": row.note,
            })
        })
        .collect();
    let report = json!({
        "commit": commit,
        "tree_clean": clean,
        "unix_time": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        "machine": {"cores": cores, "kernel": kernel.trim()},
        "sections": if sections.is_empty() { vec!["all".to_owned()] } else { sections.to_vec() },
        "rows": json_rows,
    });
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results");
    std::fs::create_dir_all(&folder).expect("bench/results can be made");
    let path = folder.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&report).unwrap() + "\n")
        .expect("the results are written");
    println!("Kept as {}", path.display());
    path
}
