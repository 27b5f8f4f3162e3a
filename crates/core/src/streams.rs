//! What flows from an engine for as long as a view shows it: logs, terminals, stats and
//! events, batched for the front ends and carried across a host's outages.

pub mod backlog;
pub mod batch;
pub mod events;
pub mod exec;
pub mod logs;
pub mod resume;
pub mod since;
pub mod stats;
