//! Shared by the benchmarks: the criterion configuration, with a quick mode.

#![allow(dead_code)]

use std::time::Duration;

use criterion::Criterion;

/// `AUTOHEAL_BENCH_QUICK=1` (or criterion's own `--quick`) keeps a full `cargo bench` run
/// within a few minutes on two cores; the default takes criterion's usual care.
pub fn criterion() -> Criterion {
    let quick = std::env::var_os("AUTOHEAL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0");
    let base = Criterion::default().configure_from_args();
    if quick {
        base.sample_size(10)
            .warm_up_time(Duration::from_millis(200))
            .measurement_time(Duration::from_millis(600))
    } else {
        base
    }
}

/// Whether the quick mode is on.
pub fn quick() -> bool {
    std::env::var_os("AUTOHEAL_BENCH_QUICK").is_some_and(|v| !v.is_empty() && v != "0")
}
