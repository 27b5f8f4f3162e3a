//! What /proc says of processes: memory, CPU time, start time, children.

/// The kernel's USER_HZ: /proc counts CPU time and start times in these ticks.
const TICKS_PER_SECOND: f64 = 100.0;

/// A `Name:   123 kB` line's number from a /proc file such as status or smaps_rollup.
pub fn kib_field(path: &str, field: &str) -> f64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0.0)
}

/// Field `n` of /proc/<pid>/stat, numbered as proc(5) does (1 is the pid).
pub fn stat_field(pid: u32, n: usize) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(n - 3)?.parse().ok()
}

/// CPU seconds (user + system) a process has used.
pub fn cpu_seconds(pid: u32) -> f64 {
    let ticks = |n| stat_field(pid, n).unwrap_or_default() as f64;
    (ticks(14) + ticks(15)) / TICKS_PER_SECOND
}

pub fn pids() -> impl Iterator<Item = u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
}

/// `roots` and every process below them.
pub fn with_descendants(roots: impl IntoIterator<Item = u32>) -> Vec<u32> {
    let parents: Vec<(u32, u64)> = pids()
        .filter_map(|pid| Some((pid, stat_field(pid, 4)?)))
        .collect();
    let mut tree: Vec<u32> = roots.into_iter().collect();
    let mut index = 0;
    while index < tree.len() {
        let parent = u64::from(tree[index]);
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        index += 1;
    }
    tree
}
