//! A [`Page`] as one HTML document: inline CSS and SVG, one inline script, and a Content
//! Security Policy that lets only those two run (by their SHA-256), so the page loads nothing
//! from anywhere when it is viewed.

use std::fmt::Write as _;

use super::escape::{base64, escape, number, web_address};
use super::svg::chart_svg;
use super::{Block, Cell, Chart, Page, Section, Table};

/// The page's style: system fonts, a width that suits a laptop screen, and print rules that
/// keep each chart on one page.
const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1d232b; --muted: #5a6470; --bar: #2f5f8f; --grid: #d5dbe2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 36px 0 8px; border-bottom: 1px solid var(--grid); padding-bottom: 4px; }
.generated, .intro { color: var(--muted); margin: 0 0 12px; }
.summary { display: flex; flex-wrap: wrap; gap: 12px 32px; margin: 16px 0; }
.summary div { min-width: 120px; }
.summary dt { color: var(--muted); font-size: 0.85rem; }
.summary dd { margin: 0; font-size: 1.35rem; font-weight: 600; }
nav ul { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 18px; }
figure { margin: 20px 0 28px; }
figcaption { margin-bottom: 8px; }
figcaption strong { display: block; font-size: 1.05rem; }
figcaption span { color: var(--muted); }
svg.chart { width: 100%; max-width: 720px; height: auto; display: block; }
svg .datum { fill: var(--bar); }
svg .datum:hover { fill: #16324f; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .axis { stroke: var(--ink); stroke-width: 1; }
svg text { fill: var(--ink); font-size: 12px; }
svg .tick { fill: var(--muted); font-size: 11px; }
svg .axis-name { font-weight: 600; }
svg .value { font-size: 11px; }
.no-data { border: 1px dashed var(--muted); color: var(--muted); padding: 18px; margin: 0; max-width: 720px; }
.readout { min-height: 1.4em; color: var(--muted); margin: 4px 0 0; font-size: 0.9rem; }
.table-scroll { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
table.data th, table.data td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--grid); vertical-align: top; }
table.data th { border-bottom: 2px solid var(--ink); }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.text { overflow-wrap: anywhere; min-width: 14em; }
table.data td.short { white-space: nowrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@page { margin: 14mm; }
@media print {
  main { max-width: none; padding: 0; }
  nav, .readout { display: none; }
  figure, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; }
  svg .datum { fill: #333; }
  .table-scroll { overflow: visible; }
  table.data { font-size: 0.75rem; }
  table.data td.short { white-space: normal; }
}
"#;

/// The page's script: clicking or pointing at a bar writes its label and value under the chart
/// (tooltips do not show on touch screens), and, last, a mark that the script ran through.
/// The page reads completely without it.
const SCRIPT: &str = r#"
(function () {
  "use strict";
  document.querySelectorAll("figure[data-chart]").forEach(function (figure) {
    var readout = figure.querySelector(".readout");
    figure.querySelectorAll(".datum").forEach(function (datum) {
      function show() {
        readout.textContent = datum.getAttribute("data-label") + ": " + datum.getAttribute("data-value");
      }
      datum.addEventListener("mouseenter", show);
      datum.addEventListener("click", show);
    });
  });
  document.documentElement.setAttribute("data-page-script", "ran");
})();
"#;

/// The SHA-256 of `text` as a Content Security Policy source (`'sha256-...'`).
fn csp_hash(text: &str) -> String {
    let mut digest = crate::sha256::Sha256::new();
    digest.update(text);
    format!("'sha256-{}'", base64(&digest.finalize()))
}

/// `page` as one self-contained HTML document.
pub fn render_page(page: &Page) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = escape(&page.title);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {style}; script-src {script}; base-uri 'none'; form-action 'none'\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<header>\n<h1>{title}</h1>\n\
         <p class=\"generated\">Generated <time>{generated}</time></p>\n",
        style = csp_hash(STYLE),
        script = csp_hash(SCRIPT),
        generated = escape(&page.generated_at),
    );
    if !page.summary.is_empty() {
        out.push_str("<dl class=\"summary\">\n");
        for (name, value) in &page.summary {
            let _ = writeln!(
                out,
                "<div><dt>{}</dt><dd>{}</dd></div>",
                escape(name),
                escape(value)
            );
        }
        out.push_str("</dl>\n");
    }
    out.push_str("</header>\n<nav aria-label=\"Contents\"><ul>\n");
    for section in &page.sections {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            escape(&section.id),
            escape(&section.heading)
        );
    }
    out.push_str("</ul></nav>\n");
    for section in &page.sections {
        render_section(&mut out, section);
    }
    let _ = write!(
        out,
        "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    );
    out
}

fn render_section(out: &mut String, section: &Section) {
    let id = escape(&section.id);
    let _ = writeln!(
        out,
        "<section id=\"{id}\" aria-labelledby=\"{id}-heading\">\n<h2 id=\"{id}-heading\">{}</h2>",
        escape(&section.heading)
    );
    if !section.intro.is_empty() {
        let _ = writeln!(out, "<p class=\"intro\">{}</p>", escape(&section.intro));
    }
    for block in &section.blocks {
        match block {
            Block::Chart(chart) => render_chart(out, chart),
            Block::Table(table) => render_table(out, table),
        }
    }
    out.push_str("</section>\n");
}

/// A chart as a `<figure>`: its caption, the SVG (or the note that it has no data), a line the
/// script writes the pointed-at value into, and the same data as a table for screen readers.
fn render_chart(out: &mut String, chart: &Chart) {
    let id = escape(&chart.id);
    let _ = write!(
        out,
        "<figure id=\"{id}\" data-chart=\"{id}\" data-points=\"{points}\">\n\
         <figcaption id=\"{id}-caption\"><strong>{title}</strong>",
        points = chart.points.len(),
        title = escape(&chart.title),
    );
    if !chart.description.is_empty() {
        let _ = write!(out, "<span>{}</span>", escape(&chart.description));
    }
    out.push_str("</figcaption>\n");
    if chart.points.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"no-data\" data-no-data=\"true\">{}</p>\n</figure>",
            escape(&chart.no_data)
        );
        return;
    }
    out.push_str(&chart_svg(chart));
    let _ = write!(
        out,
        "\n<p class=\"readout\" aria-live=\"polite\"></p>\n<table class=\"visually-hidden\">\
         <caption>{title}</caption><thead><tr><th scope=\"col\">{category}</th>\
         <th scope=\"col\">{value}</th></tr></thead><tbody>",
        title = escape(&chart.title),
        category = escape(&chart.category_axis),
        value = escape(&chart.value_axis),
    );
    for point in &chart.points {
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            escape(&point.label),
            number(point.value)
        );
    }
    out.push_str("</tbody></table>\n</figure>\n");
}

fn render_table(out: &mut String, table: &Table) {
    let id = escape(&table.id);
    let _ = write!(
        out,
        "<figure id=\"{id}\" data-table=\"{id}\" data-rows=\"{rows}\">\n\
         <figcaption id=\"{id}-caption\"><strong>{caption}</strong></figcaption>\n",
        rows = table.rows.len(),
        caption = escape(&table.caption),
    );
    if table.rows.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"no-data\" data-no-data=\"true\">{}</p>\n</figure>",
            escape(&table.no_data)
        );
        return;
    }
    let _ = write!(
        out,
        "<div class=\"table-scroll\"><table class=\"data\" aria-labelledby=\"{id}-caption\"><thead><tr>"
    );
    for column in &table.columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            render_cell(out, cell);
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n</figure>\n");
}

/// The longest text cell kept on one line.
const SHORT_TEXT: usize = 24;

fn render_cell(out: &mut String, cell: &Cell) {
    match cell {
        Cell::Text(text) => {
            // Short text (a date, a name) stays on one line; long text wraps anywhere.
            let class = if text.chars().count() <= SHORT_TEXT {
                "short"
            } else {
                "text"
            };
            let _ = write!(out, "<td class=\"{class}\">{}</td>", escape(text));
        }
        Cell::Number(value) => {
            let value = number(*value);
            let _ = write!(out, "<td class=\"num\" data-value=\"{value}\">{value}</td>");
        }
        Cell::Link(text, url) => match web_address(url) {
            Some(url) => {
                let _ = write!(
                    out,
                    "<td><a href=\"{}\" rel=\"noreferrer\">{}</a></td>",
                    escape(url),
                    escape(text)
                );
            }
            None => {
                let _ = write!(out, "<td>{}</td>", escape(text));
            }
        },
    }
}

/// Write `page` to `path` as HTML: to a temporary file beside it first, renamed over `path`
/// once whole, so that an interrupted write never leaves half a page (nor destroys the last).
///
/// # Errors
///
/// When the file cannot be written (its directory missing or not writable, the disk full).
pub fn write_page(page: &Page, path: &std::path::Path) -> crate::Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    };
    if !directory.is_dir() {
        return Err(crate::Error::Command {
            message: format!(
                "cannot write the stats page to {}: the directory {} does not exist \
                 (create it, or give a FILE in an existing directory)",
                path.display(),
                directory.display()
            ),
        });
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = std::path::PathBuf::from(temporary);
    let written = std::fs::write(&temporary, render_page(page))
        .map_err(|error| crate::Error::io("write the stats page", path, error))
        .and_then(|()| {
            std::fs::rename(&temporary, path)
                .map_err(|error| crate::Error::io("write the stats page", path, error))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}
