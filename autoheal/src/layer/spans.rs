//! Span context: what the layer keeps of each span, in the span's extensions in the registry.
//!
//! A span's fields are formatted once, when it is created (and again when it records a value),
//! as `fmt`'s `FormattedFields` are; every event inside it copies that text. Each span also
//! carries the number of its span tree (the spans under one root span, a request in a service,
//! say), given to the root when it is created and inherited by the spans under it, so that a
//! report can put the failing work's own lines first.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::Subscriber;
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::Registry;
use tracing_subscriber::registry::{LookupSpan, Scope, SpanRef};

use super::format::{
    Bounded, MAX_LINE_BYTES, NO_TREE, SpanVisitor, truncate_line, write_span_label,
};

/// Numbers span trees; never [`NO_TREE`]. Unlike span IDs, which the registry reuses once a
/// span closes, a tree number is never given twice.
static NEXT_TREE: AtomicU64 = AtomicU64::new(NO_TREE + 1);

/// What the layer keeps of a span, in its extensions.
pub(super) struct SpanContext {
    /// Its fields, formatted: `k=v k2=v2`.
    fields: String,
    /// Its span tree.
    tree: u64,
}

/// Record what the layer keeps of the new span `span`: its fields, formatted, and its tree,
/// the parent's (the nearest parent the layer keeps) or a new one for a root.
pub(super) fn keep_new_span<S>(span: &SpanRef<'_, S>, attrs: &Attributes<'_>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let mut fields = String::new();
    attrs.record(&mut SpanVisitor(&mut fields));
    truncate_line(&mut fields, MAX_LINE_BYTES);
    let tree = span
        .parent()
        .and_then(|parent| parent.extensions().get::<SpanContext>().map(|c| c.tree))
        .unwrap_or_else(|| NEXT_TREE.fetch_add(1, Ordering::Relaxed));
    // `replace`, not `insert`: a second context layer on the same subscriber would make
    // `insert` panic.
    span.extensions_mut().replace(SpanContext { fields, tree });
}

/// Add the values `span` records after its creation to the fields kept for it.
///
/// The values are formatted before the extensions are locked: a `Debug` impl that logs inside
/// this span must find them unlocked.
pub(super) fn record_later_values<S>(span: &SpanRef<'_, S>, values: &Record<'_>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let mut added = String::new();
    values.record(&mut SpanVisitor(&mut added));
    if added.is_empty() {
        return;
    }
    let mut extensions = span.extensions_mut();
    let Some(SpanContext { fields, .. }) = extensions.get_mut::<SpanContext>() else {
        return;
    };
    if !fields.is_empty() {
        let _ = Bounded(fields).write_char(' ');
    }
    let _ = Bounded(fields).write_str(&added);
    truncate_line(fields, MAX_LINE_BYTES);
}

/// A span as it was when it closed: what a report needs of it once it is gone.
struct ClosedSpan {
    /// Its name.
    name: &'static str,
    /// The span it was entered in (the nearest the layer keeps), if any.
    parent: Option<Id>,
    /// Its fields, formatted.
    fields: String,
}

thread_local! {
    /// The span this thread closed last. `#[tracing::instrument]` written above `#[auto_heal]`
    /// wraps the function in a span that is exited and closed before the failure reaches the
    /// capture; the capture finds it here (see [`take_closed_function_span`]).
    static LAST_CLOSED: RefCell<Option<ClosedSpan>> = const { RefCell::new(None) };
}

/// Keep what the layer knew of `span`, closing now, as this thread's last closed span. Its
/// fields move out of its extensions, which are about to be dropped, so nothing is copied.
pub(super) fn keep_closed_span<S>(span: &SpanRef<'_, S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let Some(SpanContext { fields, .. }) = span.extensions_mut().remove::<SpanContext>() else {
        return;
    };
    let closed = ClosedSpan {
        name: span.name(),
        parent: span.parent().map(|parent| parent.id()),
        fields,
    };
    let _ = LAST_CLOSED.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = Some(closed);
        }
    });
}

/// Forget this thread's last closed span: a function whose span may close before its failure
/// is captured starts with this, so that only a span closed since can be taken for its own.
pub fn forget_closed_span() {
    let _ = LAST_CLOSED.try_with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            *slot = None;
        }
    });
}

/// The label (`name{k=v}`) of the span named `name` that this thread closed last, since
/// [`forget_closed_span`], if it was entered directly in the current span (or outside any):
/// the span of the function that just failed, when `#[tracing::instrument]` wraps
/// `#[auto_heal]`. A span of a callee closes inside the function's own, so the function's
/// is the last to close; one with another name (the function's own span disabled, a callee's
/// not) is not taken for it.
pub(crate) fn take_closed_function_span(name: &str) -> Option<String> {
    let closed = LAST_CLOSED
        .try_with(|slot| slot.try_borrow_mut().ok()?.take())
        .ok()
        .flatten()?;
    if closed.name != name {
        return None;
    }
    let current =
        tracing::dispatcher::get_default(|dispatch| dispatch.current_span().id().cloned());
    if closed.parent != current {
        return None;
    }
    let mut label = String::new();
    write_span_label(&mut label, closed.name, &closed.fields);
    Some(label)
}

/// Write `span{k=v}` for `span`, with the fields kept for it (none when the layer does not
/// keep the span); answer its tree, if kept.
fn write_label<S>(out: &mut String, span: &SpanRef<'_, S>) -> Option<u64>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let extensions = span.extensions();
    let context = extensions.get::<SpanContext>();
    write_span_label(out, span.name(), context.map_or("", |c| c.fields.as_str()));
    context.map(|c| c.tree)
}

/// Write the spans around an event, outermost first, as `outer{k=v}:inner: `; nothing when the
/// event is outside any span. Answers the event's span tree ([`NO_TREE`] outside any span).
pub(super) fn write_event_scope<S>(out: &mut String, scope: Option<Scope<'_, S>>) -> u64
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let Some(scope) = scope else { return NO_TREE };
    let mut tree = None;
    for span in scope.from_root() {
        let label_tree = write_label(out, &span);
        tree = tree.or(label_tree);
        out.push(':');
    }
    out.push(' ');
    tree.unwrap_or(NO_TREE)
}

/// Run `f` with the registry of the current dispatcher and the current thread's span, if any.
/// The registry is found through any layers wrapped around it.
fn with_current_span<R>(f: impl FnOnce(SpanRef<'_, Registry>) -> R) -> Option<R> {
    let mut f = Some(f);
    tracing::dispatcher::get_default(|dispatch| {
        let registry = dispatch.downcast_ref::<Registry>()?;
        let current = dispatch.current_span();
        let span = current.id().and_then(|id| registry.span(id))?;
        f.take().map(|f| f(span))
    })
}

/// The current thread's span stack, outermost first, as `name{field=value ...}`; empty when the
/// current dispatcher has no `tracing_subscriber::Registry` (found through any layers wrapped
/// around it) or no span is entered.
pub(super) fn current_spans() -> Vec<String> {
    with_current_span(|span| {
        span.scope()
            .from_root()
            .map(|span| {
                let mut label = String::new();
                write_label(&mut label, &span);
                label
            })
            .collect()
    })
    .unwrap_or_default()
}

/// The span tree of the current thread's span: that of the nearest span the layer keeps,
/// outward; `None` outside any such span.
pub(super) fn current_tree() -> Option<u64> {
    with_current_span(|span| {
        span.scope()
            .find_map(|span| span.extensions().get::<SpanContext>().map(|c| c.tree))
    })
    .flatten()
}
