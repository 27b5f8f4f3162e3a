//! Live resource usage of running containers, about once a second each.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{ContainerBlkioStats, ContainerStatsResponse};
use bollard::query_parameters::StatsOptionsBuilder;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::engine::object_refs;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::streams::batch::{batched, BatchLimits};

/// Samples of many containers arrive out of phase; a few per second keeps the charts smooth
/// without a message per sample.
const STATS_BATCH: BatchLimits = BatchLimits {
    max_items: 1024,
    max_bytes: 256 * 1024,
    max_delay: Duration::from_millis(250),
};

/// One container's usage over the last interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StatsSample {
    pub id: String,
    /// Unix milliseconds, by the engine's clock.
    pub time_ms: i64,
    /// 100 is one core fully used; a container using two cores shows 200.
    pub cpu_percent: f64,
    /// Used memory, without the page cache the kernel can drop (as `docker stats` shows it).
    pub memory_bytes: i64,
    pub memory_limit_bytes: i64,
    pub net_rx_per_sec: f64,
    pub net_tx_per_sec: f64,
    pub block_read_per_sec: f64,
    pub block_write_per_sec: f64,
    pub pids: i64,
}

/// Counters of the previous sample, for rates.
struct Previous {
    time_ms: i64,
    net_rx: u64,
    net_tx: u64,
    block_read: u64,
    block_write: u64,
}

impl Engine {
    /// Samples of the running containers `ids`, in batches. A container that stops ends its
    /// part; dropping the stream closes every engine connection it holds.
    pub fn stats(&self, ids: &[String]) -> Result<BoxStream<'static, Result<Vec<StatsSample>>>> {
        object_refs::containers("stats", ids)?;
        let options = StatsOptionsBuilder::new().stream(true).build();
        let per_container = ids.iter().map(|id| {
            let endpoint = self.endpoint().to_owned();
            let mut previous: Option<Previous> = None;
            let id = id.clone();
            self.docker()
                .stats(&id, Some(options.clone()))
                .filter_map(move |response| {
                    let sample = match response {
                        Ok(response) => sample_of(&id, &response, &mut previous).map(Ok),
                        Err(err) => Some(Err(Error::from_engine(&endpoint, err))),
                    };
                    std::future::ready(sample)
                })
                .boxed()
        });
        let samples = futures_util::stream::select_all(per_container);
        Ok(batched(samples, STATS_BATCH, |_| 200)
            .map(|batch| batch.into_iter().collect::<Result<Vec<StatsSample>>>())
            .boxed())
    }
}

/// Turns an engine sample into ours. The first sample of a stream has no previous counters,
/// so it gives no rates; it is kept only for its CPU (the engine sends the previous CPU
/// counters with every sample).
fn sample_of(
    id: &str,
    response: &ContainerStatsResponse,
    previous: &mut Option<Previous>,
) -> Option<StatsSample> {
    let time_ms = response.read.as_deref().and_then(unix_ms)?;
    let cpu = response.cpu_stats.as_ref()?;
    let precpu = response.precpu_stats.as_ref();
    let total = cpu.cpu_usage.as_ref()?.total_usage.unwrap_or(0);
    let pre_total = precpu
        .and_then(|p| p.cpu_usage.as_ref())
        .and_then(|u| u.total_usage)
        .unwrap_or(0);
    let system = cpu.system_cpu_usage.unwrap_or(0);
    let pre_system = precpu.and_then(|p| p.system_cpu_usage).unwrap_or(0);
    let cpus = cpu
        .online_cpus
        .filter(|n| *n > 0)
        .map(f64::from)
        .or_else(|| {
            cpu.cpu_usage
                .as_ref()
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|per| per.len() as f64)
        })
        .unwrap_or(1.0);
    let cpu_delta = total.saturating_sub(pre_total) as f64;
    let system_delta = system.saturating_sub(pre_system) as f64;
    let cpu_percent = if system_delta > 0.0 && pre_system > 0 {
        cpu_delta / system_delta * cpus * 100.0
    } else {
        0.0
    };

    let memory = response.memory_stats.as_ref();
    let usage = memory.and_then(|m| m.usage).unwrap_or(0);
    let cache = memory
        .and_then(|m| m.stats.as_ref())
        .and_then(|s| {
            // cgroup v2 names it inactive_file, v1 total_inactive_file.
            s.get("inactive_file")
                .or_else(|| s.get("total_inactive_file"))
                .copied()
        })
        .unwrap_or(0);
    let memory_bytes = usage.saturating_sub(cache);
    let memory_limit = memory.and_then(|m| m.limit).unwrap_or(0);

    let (net_rx, net_tx) = response
        .networks
        .as_ref()
        .map(|networks| {
            networks.values().fold((0u64, 0u64), |(rx, tx), n| {
                (
                    rx.saturating_add(n.rx_bytes.unwrap_or(0)),
                    tx.saturating_add(n.tx_bytes.unwrap_or(0)),
                )
            })
        })
        .unwrap_or((0, 0));
    let (block_read, block_write) = block_io(response.blkio_stats.as_ref());

    let now = Previous {
        time_ms,
        net_rx,
        net_tx,
        block_read,
        block_write,
    };
    let rate = |current: u64, before: u64, seconds: f64| {
        if seconds > 0.0 {
            current.saturating_sub(before) as f64 / seconds
        } else {
            0.0
        }
    };
    let sample = previous.as_ref().map(|before| {
        let seconds = time_ms.saturating_sub(before.time_ms) as f64 / 1000.0;
        StatsSample {
            id: id.to_owned(),
            time_ms,
            cpu_percent,
            memory_bytes: i64::try_from(memory_bytes).unwrap_or(i64::MAX),
            memory_limit_bytes: i64::try_from(memory_limit).unwrap_or(i64::MAX),
            net_rx_per_sec: rate(net_rx, before.net_rx, seconds),
            net_tx_per_sec: rate(net_tx, before.net_tx, seconds),
            block_read_per_sec: rate(block_read, before.block_read, seconds),
            block_write_per_sec: rate(block_write, before.block_write, seconds),
            pids: response
                .pids_stats
                .as_ref()
                .and_then(|p| p.current)
                .and_then(|p| i64::try_from(p).ok())
                .unwrap_or(0),
        }
    });
    *previous = Some(now);
    sample
}

/// Bytes read and written, summed over devices.
fn block_io(blkio: Option<&ContainerBlkioStats>) -> (u64, u64) {
    let entries = blkio
        .and_then(|b| b.io_service_bytes_recursive.as_ref())
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut by_op: HashMap<String, u64> = HashMap::new();
    for entry in entries {
        if let (Some(op), Some(value)) = (&entry.op, entry.value) {
            let sum = by_op.entry(op.to_lowercase()).or_default();
            *sum = sum.saturating_add(value);
        }
    }
    (
        by_op.get("read").copied().unwrap_or(0),
        by_op.get("write").copied().unwrap_or(0),
    )
}

fn unix_ms(rfc3339: &str) -> Option<i64> {
    let at = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{
        ContainerBlkioStatEntry, ContainerCpuStats, ContainerCpuUsage, ContainerMemoryStats,
        ContainerNetworkStats,
    };

    fn response(
        second: u32,
        cpu_total: u64,
        system: u64,
        rx: u64,
        read: u64,
    ) -> ContainerStatsResponse {
        let cpu = |total, system| ContainerCpuStats {
            cpu_usage: Some(ContainerCpuUsage {
                total_usage: Some(total),
                ..Default::default()
            }),
            system_cpu_usage: Some(system),
            online_cpus: Some(4),
            ..Default::default()
        };
        ContainerStatsResponse {
            read: Some(format!("2026-11-22T10:00:{second:02}Z")),
            cpu_stats: Some(cpu(cpu_total, system)),
            precpu_stats: Some(cpu(
                cpu_total.saturating_sub(500),
                system.saturating_sub(2000),
            )),
            memory_stats: Some(ContainerMemoryStats {
                usage: Some(100 << 20),
                limit: Some(1 << 30),
                stats: Some(HashMap::from([("inactive_file".into(), 40 << 20)])),
                ..Default::default()
            }),
            networks: Some(HashMap::from([(
                "eth0".into(),
                ContainerNetworkStats {
                    rx_bytes: Some(rx),
                    tx_bytes: Some(0),
                    ..Default::default()
                },
            )])),
            blkio_stats: Some(ContainerBlkioStats {
                io_service_bytes_recursive: Some(vec![ContainerBlkioStatEntry {
                    op: Some("Read".into()),
                    value: Some(read),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn cpu_counts_every_core_and_rates_come_from_successive_samples() {
        let mut previous = None;
        assert_eq!(
            sample_of("c", &response(0, 10_000, 100_000, 1000, 0), &mut previous),
            None
        );
        let sample = sample_of(
            "c",
            &response(2, 20_000, 200_000, 5000, 8192),
            &mut previous,
        )
        .expect("the second sample has rates");
        // 500 of 2000 system ticks on a 4-CPU machine: one full core.
        assert!(
            (sample.cpu_percent - 100.0).abs() < 1e-9,
            "{}",
            sample.cpu_percent
        );
        assert_eq!(sample.memory_bytes, 60 << 20, "page cache left out");
        assert_eq!(sample.memory_limit_bytes, 1 << 30);
        assert!(
            (sample.net_rx_per_sec - 2000.0).abs() < 1e-9,
            "4000 bytes in 2 s"
        );
        assert!((sample.block_read_per_sec - 4096.0).abs() < 1e-9);
    }

    #[test]
    fn huge_numbers_from_the_engine_neither_panic_nor_wrap() {
        let mut huge = response(2, u64::MAX, u64::MAX, u64::MAX, u64::MAX);
        let networks = huge.networks.as_mut().unwrap();
        let eth0 = networks["eth0"].clone();
        networks.insert("eth1".into(), eth0);
        let blkio = huge.blkio_stats.as_mut().unwrap();
        let read = blkio.io_service_bytes_recursive.as_ref().unwrap()[0].clone();
        blkio
            .io_service_bytes_recursive
            .as_mut()
            .unwrap()
            .push(read);
        let mut previous = None;
        sample_of("c", &response(0, 0, 0, 0, 0), &mut previous);
        let sample = sample_of("c", &huge, &mut previous).expect("a sample");
        assert!(sample.net_rx_per_sec.is_finite() && sample.net_rx_per_sec > 0.0);
        assert!(sample.block_read_per_sec.is_finite());
        assert!(sample.cpu_percent.is_finite());
    }
}
