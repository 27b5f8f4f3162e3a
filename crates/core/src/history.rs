//! What Berth remembers in sqlite: the history database (stats, events, the activity log) and
//! the saved hosts' own database.

pub mod activity;
pub mod container_lists;
pub mod store;
