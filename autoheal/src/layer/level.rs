//! Which events the layer keeps, and how it tells tracing so.
//!
//! The layer sits behind a per-layer filter ([`KeptLevel`]) rather than filtering inside
//! `on_event`: a per-layer filter's interest is combined with the other layers' by
//! `tracing_subscriber`, so a callsite no layer wants is disabled at the macro (it costs what it
//! costs without autoheal), while a callsite another layer wants still reaches that layer. A
//! layer without a filter cannot say "never" for itself alone: its interest and level hint
//! would be taken for the whole subscriber's.
//!
//! The level is the one set on the layer with
//! [`ContextLayerExt::with_level`](super::ContextLayerExt::with_level) if any, else the
//! process-wide one that [`init`](crate::init()) sets from the `log_level` key ([`set_level`]),
//! `INFO` until then. Changing the process-wide level rebuilds tracing's interest cache, so that
//! callsites disabled at the old level are enabled at the new one, and the other way round.

use std::sync::atomic::{AtomicU8, Ordering};

use tracing::level_filters::LevelFilter;
use tracing::subscriber::Interest;
use tracing::{Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Filter};

/// The level kept when neither the layer nor the configuration says otherwise.
pub(crate) const DEFAULT_LEVEL: LevelFilter = LevelFilter::INFO;

/// The configured level, as [`encode`] writes it: `INFO` ([`DEFAULT_LEVEL`]) until set.
static CONFIGURED: AtomicU8 = AtomicU8::new(3);

/// Keep events at `level` and coarser in every layer made by [`layer`](super::layer) whose own
/// level was not set with [`ContextLayerExt::with_level`](super::ContextLayerExt::with_level).
///
/// [`init`](crate::init()) calls it with the configuration's `log_level`: the layer is usually
/// built before the configuration is read. Callsites already registered are asked again, so
/// the new level applies to the next event, on every thread. Call it where the subscriber
/// holding the layer is the default (a global one, usually): when a single subscriber is
/// registered, tracing asks only the calling thread's default while rebuilding.
pub(crate) fn set_level(level: LevelFilter) {
    let previous = CONFIGURED.swap(encode(level), Ordering::Relaxed);
    if previous != encode(level) {
        tracing::callsite::rebuild_interest_cache();
        super::forget_span_prefixes();
    }
}

/// The level [`set_level`] last set (`INFO` before any).
pub(crate) fn configured_level() -> LevelFilter {
    decode(CONFIGURED.load(Ordering::Relaxed))
}

fn encode(level: LevelFilter) -> u8 {
    [
        LevelFilter::ERROR,
        LevelFilter::WARN,
        LevelFilter::INFO,
        LevelFilter::DEBUG,
        LevelFilter::TRACE,
    ]
    .into_iter()
    .take_while(|coarser| *coarser <= level)
    .fold(0, |code, _| code + 1)
}

fn decode(code: u8) -> LevelFilter {
    match code {
        0 => LevelFilter::OFF,
        1 => LevelFilter::ERROR,
        2 => LevelFilter::WARN,
        3 => LevelFilter::INFO,
        4 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    }
}

/// The per-layer filter of the context layer: events and spans at its level and coarser.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeptLevel {
    /// Set by [`ContextLayerExt::with_level`](super::ContextLayerExt::with_level); `None`
    /// follows the configuration.
    pinned: Option<LevelFilter>,
}

impl KeptLevel {
    /// Keep `level` whatever the configuration says.
    pub(super) fn pin(&mut self, level: LevelFilter) {
        self.pinned = Some(level);
    }

    /// The level in force now.
    pub(super) fn level(&self) -> LevelFilter {
        self.pinned.unwrap_or_else(configured_level)
    }
}

impl<S: Subscriber> Filter<S> for KeptLevel {
    fn enabled(&self, metadata: &Metadata<'_>, _: &Context<'_, S>) -> bool {
        *metadata.level() <= self.level()
    }

    fn callsite_enabled(&self, metadata: &'static Metadata<'static>) -> Interest {
        // Always or never, never "sometimes": the answer depends on the level alone, and a
        // level change rebuilds the interest cache.
        if *metadata.level() <= self.level() {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(self.level())
    }
}
