//! Span context: each span's formatted fields live in its extensions in the registry, written
//! when the span is created or records a value, and read for every log line and for the span
//! stack of a report.

use std::fmt::Write as _;

use tracing::Subscriber;
use tracing::span::{Attributes, Record};
use tracing_subscriber::Registry;
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use super::format::{Bounded, MAX_LINE_BYTES, SpanVisitor, truncate_line, write_span_label};

/// The formatted fields of a span (`k=v k2=v2`), kept in its extensions. Spans finer than the
/// layer's level have none and show by name only.
pub(super) struct SpanFields(String);

/// The fields of a new span, formatted.
pub(super) fn fields_of_new_span(attrs: &Attributes<'_>) -> SpanFields {
    let mut fields = String::new();
    attrs.record(&mut SpanVisitor(&mut fields));
    truncate_line(&mut fields, MAX_LINE_BYTES);
    SpanFields(fields)
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
    let Some(SpanFields(fields)) = extensions.get_mut::<SpanFields>() else {
        return;
    };
    if !fields.is_empty() {
        let _ = Bounded(fields).write_char(' ');
    }
    let _ = Bounded(fields).write_str(&added);
    truncate_line(fields, MAX_LINE_BYTES);
}

/// Write `span{k=v}` for `span`, with the fields kept for it, if any.
fn write_label<S>(out: &mut String, span: &SpanRef<'_, S>)
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let extensions = span.extensions();
    let fields = extensions
        .get::<SpanFields>()
        .map_or("", |SpanFields(fields)| fields.as_str());
    write_span_label(out, span.name(), fields);
}

/// Write the spans around an event, outermost first, as `outer{k=v}:inner: `; nothing when the
/// event is outside any span.
pub(super) fn write_event_scope<S>(
    out: &mut String,
    scope: Option<tracing_subscriber::registry::Scope<'_, S>>,
) where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let Some(scope) = scope else { return };
    for span in scope.from_root() {
        write_label(out, &span);
        out.push(':');
    }
    out.push(' ');
}

/// The current thread's span stack, outermost first, as `name{field=value ...}`; empty when the
/// current dispatcher has no `tracing_subscriber::Registry` (found through any layers wrapped
/// around it) or no span is entered.
pub(super) fn current_spans() -> Vec<String> {
    tracing::dispatcher::get_default(|dispatch| {
        let Some(registry) = dispatch.downcast_ref::<Registry>() else {
            return Vec::new();
        };
        let current = dispatch.current_span();
        let Some(span) = current.id().and_then(|id| registry.span(id)) else {
            return Vec::new();
        };
        span.scope()
            .from_root()
            .map(|span| {
                let mut label = String::new();
                write_label(&mut label, &span);
                label
            })
            .collect()
    })
}
