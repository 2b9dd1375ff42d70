//! A chart as inline SVG: every bar or column an element that carries its label and value
//! (`data-label`, `data-value`, and a `<title>` tooltip), axes with ticks and names, values
//! written beside the bars so the chart reads without colour.

use std::fmt::Write as _;

use super::escape::{escape, number, shorten};
use super::{Chart, ChartKind};

/// The width of every chart, in SVG units (scaled to the page's width by CSS).
const WIDTH: f64 = 720.0;
/// About the width of a character of the charts' 11-unit text.
const CHAR_WIDTH: f64 = 6.5;

/// `chart` (which has points) as an `<svg>` element.
pub(super) fn chart_svg(chart: &Chart) -> String {
    match chart.kind {
        ChartKind::Bars => bars(chart),
        ChartKind::TimeSeries => columns(chart),
    }
}

/// A point's value as drawn: at least 0.
fn drawn(value: f64) -> f64 {
    if value.is_finite() {
        value.max(0.0)
    } else {
        0.0
    }
}

/// The axis's tick step and its end: a step of 1, 2 or 5 times a power of ten that divides
/// `0..=max` into at most five parts (whole numbers only for values of at least 1).
pub(super) fn ticks(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 1.0);
    }
    let rough = max / 5.0;
    let power = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power);
    let step = if max >= 1.0 {
        step.max(1.0).round()
    } else {
        step
    };
    (step, (max / step).ceil() * step)
}

/// The opening of a chart's `<svg>`, named by its caption for assistive technology.
fn open(out: &mut String, chart: &Chart, height: f64) {
    let id = escape(&chart.id);
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}-svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" aria-labelledby="{id}-caption" data-kind="{kind}" xmlns="http://www.w3.org/2000/svg">"#,
        kind = match chart.kind {
            ChartKind::Bars => "bars",
            ChartKind::TimeSeries => "time-series",
        }
    );
}

/// One data element: a rectangle with its label, value and tooltip.
fn bar(out: &mut String, label: &str, value: f64, unit: &str, rect: [f64; 4]) {
    let [x, y, w, h] = rect;
    let label = escape(label);
    let value = number(value);
    let _ = write!(
        out,
        r#"<rect class="datum" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" data-label="{label}" data-value="{value}"><title>{label}: {value} {unit}</title></rect>"#,
        unit = escape(unit),
    );
}

/// Horizontal bars, one row per category: the label on the left, the value after the bar, the
/// value axis below with its ticks and name.
fn bars(chart: &Chart) -> String {
    const LABEL_WIDTH: f64 = 210.0;
    const ROW: f64 = 28.0;
    const TOP: f64 = 26.0;
    const BOTTOM: f64 = 48.0;
    let plot_width = WIDTH - LABEL_WIDTH - 70.0;
    let height = TOP + ROW * chart.points.len() as f64 + BOTTOM;
    let max = chart
        .points
        .iter()
        .map(|p| drawn(p.value))
        .fold(0.0, f64::max);
    let (step, end) = ticks(max);
    let scale = plot_width / end;
    let mut out = String::new();
    open(&mut out, chart, height);
    let _ = write!(
        out,
        r#"<text class="axis-name" x="{x}" y="16" text-anchor="end">{name}</text>"#,
        x = LABEL_WIDTH - 8.0,
        name = escape(&chart.category_axis)
    );
    let axis_y = TOP + ROW * chart.points.len() as f64;
    let mut tick = 0.0;
    while tick <= end + step / 2.0 {
        let x = LABEL_WIDTH + tick * scale;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{axis_y}"/><text class="tick" x="{x:.1}" y="{ty}" text-anchor="middle">{t}</text>"#,
            ty = axis_y + 16.0,
            t = number(tick),
        );
        tick += step;
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LABEL_WIDTH}" y1="{TOP}" x2="{LABEL_WIDTH}" y2="{axis_y}"/><line class="axis" x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{x2}" y2="{axis_y}"/><text class="axis-name" x="{cx}" y="{ny}" text-anchor="middle">{name}</text>"#,
        x2 = LABEL_WIDTH + plot_width,
        cx = LABEL_WIDTH + plot_width / 2.0,
        ny = axis_y + 38.0,
        name = escape(&chart.value_axis),
    );
    for (row, point) in chart.points.iter().enumerate() {
        let y = TOP + ROW * row as f64;
        let width = drawn(point.value) * scale;
        let _ = write!(
            out,
            r#"<text class="label" x="{lx}" y="{ly:.1}" text-anchor="end">{label}</text>"#,
            lx = LABEL_WIDTH - 8.0,
            ly = y + 18.0,
            label = escape(&shorten(&point.label, 32)),
        );
        bar(
            &mut out,
            &point.label,
            point.value,
            &chart.value_axis,
            [LABEL_WIDTH, y + 5.0, width, 18.0],
        );
        let _ = write!(
            out,
            r#"<text class="value" x="{vx:.1}" y="{ly:.1}">{v}</text>"#,
            vx = LABEL_WIDTH + width + 6.0,
            ly = y + 18.0,
            v = number(point.value),
        );
    }
    out.push_str("</svg>");
    out
}

/// Columns over time, the oldest on the left: the value axis on the left with its ticks, the
/// time axis below with as many labels as fit, each non-zero value written above its column.
fn columns(chart: &Chart) -> String {
    const HEIGHT: f64 = 300.0;
    const LEFT: f64 = 64.0;
    // Room for half of the last step's label, centred under its column.
    const RIGHT: f64 = 40.0;
    const BOTTOM: f64 = 56.0;
    let plot_width = WIDTH - LEFT - RIGHT;
    let count = chart.points.len().max(1);
    let slot = plot_width / count as f64;
    // Values too wide for their column stand upright above it, with room made at the top.
    let value_width = chart
        .points
        .iter()
        .map(|p| number(p.value).len())
        .max()
        .unwrap_or(0) as f64
        * CHAR_WIDTH;
    let upright = value_width + 2.0 > slot;
    let top = if upright { 12.0 + value_width } else { 20.0 };
    let plot_height = HEIGHT - top - BOTTOM;
    let max = chart
        .points
        .iter()
        .map(|p| drawn(p.value))
        .fold(0.0, f64::max);
    let (step, end) = ticks(max);
    let scale = plot_height / end;
    let axis_y = top + plot_height;
    let mut out = String::new();
    open(&mut out, chart, HEIGHT);
    let mut tick = 0.0;
    while tick <= end + step / 2.0 {
        let y = axis_y - tick * scale;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}"/><text class="tick" x="{tx}" y="{ty:.1}" text-anchor="end">{t}</text>"#,
            x2 = LEFT + plot_width,
            tx = LEFT - 6.0,
            ty = y + 4.0,
            t = number(tick),
        );
        tick += step;
    }
    let _ = write!(
        out,
        r#"<line class="axis" x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{axis_y}"/><line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{x2}" y2="{axis_y}"/><text class="axis-name" transform="translate(16 {cy}) rotate(-90)" text-anchor="middle">{vname}</text><text class="axis-name" x="{cx}" y="{ny}" text-anchor="middle">{cname}</text>"#,
        x2 = LEFT + plot_width,
        cy = top + plot_height / 2.0,
        cx = LEFT + plot_width / 2.0,
        ny = HEIGHT - 8.0,
        vname = escape(&chart.value_axis),
        cname = escape(&chart.category_axis),
    );
    // Label every n-th step, so that labels do not overlap.
    let widest = chart
        .points
        .iter()
        .map(|p| p.label.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let every = ((widest * CHAR_WIDTH + 12.0) / slot).ceil().max(1.0) as usize;
    for (at, point) in chart.points.iter().enumerate() {
        let x = LEFT + slot * at as f64;
        let height = drawn(point.value) * scale;
        bar(
            &mut out,
            &point.label,
            point.value,
            &chart.value_axis,
            [x + slot * 0.15, axis_y - height, slot * 0.7, height],
        );
        let center = x + slot / 2.0;
        if drawn(point.value) > 0.0 && upright {
            let _ = write!(
                out,
                r#"<text class="value" transform="translate({x:.1} {y:.1}) rotate(-90)">{v}</text>"#,
                x = center + 4.0,
                y = axis_y - height - 4.0,
                v = number(point.value),
            );
        } else if drawn(point.value) > 0.0 {
            let _ = write!(
                out,
                r#"<text class="value" x="{center:.1}" y="{vy:.1}" text-anchor="middle">{v}</text>"#,
                vy = axis_y - height - 4.0,
                v = number(point.value),
            );
        }
        // The last step is always labelled; the others every n-th back from it.
        if (count - 1 - at).is_multiple_of(every) {
            let _ = write!(
                out,
                r#"<line class="axis" x1="{center:.1}" y1="{axis_y}" x2="{center:.1}" y2="{ty}"/><text class="tick" x="{center:.1}" y="{ly}" text-anchor="middle">{label}</text>"#,
                ty = axis_y + 4.0,
                ly = axis_y + 18.0,
                label = escape(&shorten(&point.label, 16)),
            );
        }
    }
    out.push_str("</svg>");
    out
}
