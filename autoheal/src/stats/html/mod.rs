//! The stats as one self-contained HTML page: charts and tables that need nothing from the
//! network to be viewed or printed (inline CSS, inline SVG, one small inline script, and a
//! Content Security Policy that refuses everything else).
//!
//! The page is built from a small, generic model: a [`Page`] holds [`Section`]s, a section holds
//! [`Block`]s, and a block is a [`Chart`] (bars per category, or a time series) or a [`Table`].
//! [`Page::from_local`] builds what the local history can give; [`render_page`] turns any page
//! into HTML. Every text of the model is escaped when rendered: issue titles are untrusted.
//!
//! # Adding charts
//!
//! A chart is data: build one with [`Chart::bars`] or [`Chart::time_series`], give it its
//! points with [`Chart::with_point`], and put it on the page with [`Page::put_chart`]. A chart
//! whose [`id`](Chart::id) is already on the page replaces it there; otherwise it is added at
//! the end of the section named. [`Page::from_local`] leaves placeholders for the figures read
//! from the GitHub repository ([`TIME_TO_CLOSE`] and [`FIX_OUTCOMES`] in the [`REPOSITORY`]
//! section): they render a "no data" note until a chart of the same id replaces them.
//!
//! ```
//! use autoheal::stats::html::{Chart, FIX_OUTCOMES, Page, REPOSITORY, render_page};
//! use autoheal::stats::{Stats, StatsOptions};
//!
//! let stats = Stats::from_entries(&[], &StatsOptions::at(1_700_000_000_000));
//! let mut page = Page::from_local(&stats, 20);
//! assert!(render_page(&page).contains("no data: run with --repo"));
//!
//! page.put_chart(
//!     REPOSITORY,
//!     Chart::bars(FIX_OUTCOMES, "Fix pull requests", "outcome", "pull requests")
//!         .with_point("merged", 7.0)
//!         .with_point("closed unmerged", 2.0)
//!         .with_point("recurred after merge", 1.0),
//! );
//! let html = render_page(&page);
//! assert!(html.contains(r#"data-label="merged" data-value="7""#));
//! ```

mod escape;
mod local;
mod page;
mod svg;

pub use escape::escape;
pub use page::{render_page, write_page};

/// The section of the figures recorded on this machine.
pub const LOCAL: &str = "local";
/// The section of the figures read from the GitHub repository (`stats --repo`).
pub const REPOSITORY: &str = "repository";
/// Failures per day.
pub const OCCURRENCES: &str = "occurrences";
/// Failures per diagnosis rule.
pub const BY_RULE: &str = "by-rule";
/// Failures per outcome of their report.
pub const BY_OUTCOME: &str = "by-outcome";
/// The most frequent failures (a table).
pub const TOP_FAILURES: &str = "top-failures";
/// How long issues stayed open (from the repository).
pub const TIME_TO_CLOSE: &str = "time-to-close";
/// What became of the fix pull requests (from the repository).
pub const FIX_OUTCOMES: &str = "fix-outcomes";

/// The note of a repository chart that has no data yet.
pub const NEEDS_REPO: &str = "no data: run with --repo to read these figures from GitHub";

/// A whole page. See the [module docs](self).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The page's title and first heading.
    pub title: String,
    /// When the figures were read (shown as given, e.g. RFC 3339).
    pub generated_at: String,
    /// Headline figures, name and value, shown above the sections.
    pub summary: Vec<(String, String)>,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl Page {
    /// An empty page.
    pub fn new(title: impl Into<String>, generated_at: impl Into<String>) -> Page {
        Page {
            title: title.into(),
            generated_at: generated_at.into(),
            summary: Vec::new(),
            sections: Vec::new(),
        }
    }

    /// The section `id`, if the page has it.
    pub fn section_mut(&mut self, id: &str) -> Option<&mut Section> {
        self.sections.iter_mut().find(|section| section.id == id)
    }

    /// The chart `id`, wherever it is on the page.
    pub fn chart(&self, id: &str) -> Option<&Chart> {
        self.sections
            .iter()
            .flat_map(|section| &section.blocks)
            .find_map(|block| match block {
                Block::Chart(chart) if chart.id == id => Some(chart),
                _ => None,
            })
    }

    /// Put `chart` on the page: in place of the chart of the same id, or else at the end of
    /// section `section` (a new section headed with its id when the page has none of that id).
    pub fn put_chart(&mut self, section: &str, chart: Chart) {
        let existing = self
            .sections
            .iter_mut()
            .flat_map(|section| &mut section.blocks)
            .find_map(|block| match block {
                Block::Chart(old) if old.id == chart.id => Some(old),
                _ => None,
            });
        if let Some(old) = existing {
            *old = chart;
            return;
        }
        if self.section_mut(section).is_none() {
            self.sections.push(Section::new(section, section));
        }
        if let Some(target) = self.section_mut(section) {
            target.blocks.push(Block::Chart(chart));
        }
    }
}

/// A part of the page with a heading.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Section {
    /// Its anchor, unique on the page.
    pub id: String,
    /// Its heading.
    pub heading: String,
    /// A sentence under the heading (none when empty).
    pub intro: String,
    /// Its charts and tables, in order.
    pub blocks: Vec<Block>,
}

impl Section {
    /// An empty section.
    pub fn new(id: impl Into<String>, heading: impl Into<String>) -> Section {
        Section {
            id: id.into(),
            heading: heading.into(),
            intro: String::new(),
            blocks: Vec::new(),
        }
    }

    /// With a sentence under the heading.
    #[must_use]
    pub fn with_intro(mut self, intro: impl Into<String>) -> Section {
        self.intro = intro.into();
        self
    }
}

/// A chart or a table.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Block {
    /// A chart.
    Chart(Chart),
    /// A table.
    Table(Table),
}

/// How a chart draws its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChartKind {
    /// One horizontal bar per category, its label beside it: counts per rule, per outcome, per
    /// duration bucket.
    Bars,
    /// One column per time step, the oldest on the left: counts per day.
    TimeSeries,
}

/// One value of a chart.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Point {
    /// The category or the time step.
    pub label: String,
    /// The value, at least 0 (a negative or non-finite value draws as 0).
    pub value: f64,
}

/// A chart: a kind, its captions and axis labels, and its points. See the
/// [module docs](self) for how one is added to a page.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Chart {
    /// Its anchor, unique on the page; [`Page::put_chart`] replaces by it.
    pub id: String,
    /// How it draws.
    pub kind: ChartKind,
    /// Its caption's headline.
    pub title: String,
    /// A sentence saying what it counts (none when empty).
    pub description: String,
    /// What the categories or time steps are ("day (UTC)", "diagnosis rule").
    pub category_axis: String,
    /// What the values count ("failures").
    pub value_axis: String,
    /// The values, in the order drawn.
    pub points: Vec<Point>,
    /// What the chart says instead when it has no points.
    pub no_data: String,
}

impl Chart {
    /// A bar chart without points yet.
    pub fn bars(
        id: impl Into<String>,
        title: impl Into<String>,
        category_axis: impl Into<String>,
        value_axis: impl Into<String>,
    ) -> Chart {
        Chart::new(ChartKind::Bars, id, title, category_axis, value_axis)
    }

    /// A time series without points yet.
    pub fn time_series(
        id: impl Into<String>,
        title: impl Into<String>,
        time_axis: impl Into<String>,
        value_axis: impl Into<String>,
    ) -> Chart {
        Chart::new(ChartKind::TimeSeries, id, title, time_axis, value_axis)
    }

    fn new(
        kind: ChartKind,
        id: impl Into<String>,
        title: impl Into<String>,
        category_axis: impl Into<String>,
        value_axis: impl Into<String>,
    ) -> Chart {
        Chart {
            id: id.into(),
            kind,
            title: title.into(),
            description: String::new(),
            category_axis: category_axis.into(),
            value_axis: value_axis.into(),
            points: Vec::new(),
            no_data: "no data".to_string(),
        }
    }

    /// With a sentence saying what it counts.
    #[must_use]
    pub fn describe(mut self, description: impl Into<String>) -> Chart {
        self.description = description.into();
        self
    }

    /// With one more point.
    #[must_use]
    pub fn with_point(mut self, label: impl Into<String>, value: f64) -> Chart {
        self.points.push(Point {
            label: label.into(),
            value,
        });
        self
    }

    /// With what it says when it has no points.
    #[must_use]
    pub fn when_empty(mut self, note: impl Into<String>) -> Chart {
        self.no_data = note.into();
        self
    }
}

/// A table of text, numbers and links.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Table {
    /// Its anchor, unique on the page.
    pub id: String,
    /// Its caption.
    pub caption: String,
    /// The column headings.
    pub columns: Vec<String>,
    /// The rows, each a cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// What it says instead when it has no rows.
    pub no_data: String,
}

impl Table {
    /// A table without rows yet.
    pub fn new(id: impl Into<String>, caption: impl Into<String>, columns: &[&str]) -> Table {
        Table {
            id: id.into(),
            caption: caption.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            no_data: "no data".to_string(),
        }
    }
}

/// One cell of a [`Table`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number, right-aligned, with its value in a `data-value` attribute.
    Number(f64),
    /// A link: its text and its address (only `http:` and `https:` addresses become links;
    /// any other shows as text).
    Link(String, String),
}

#[cfg(test)]
mod tests;
