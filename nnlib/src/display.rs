//! Arrays as HTML and text tables.
//!
//! A [`Table`] shows a 1-D or 2-D array with a fixed number of decimals and
//! optional row and column headers. In the evcxr Jupyter kernel a cell whose
//! last expression is a table shows it as HTML ([`Table::evcxr_display`]);
//! `println!("{table}")` prints the same table as aligned text.
//!
//! Like numpy, an array of more than 1,000 values is abbreviated to its first
//! and last 3 rows and columns, with `...` between; [`Table::full`] shows
//! every value.
//!
//! ```
//! use nnlib::display::Table;
//! use ndarray::array;
//! let t = Table::new(array![[0.0, 0.3125], [1.0, 0.5]].view())
//!     .decimals(2)
//!     .column_headers(["Pix1", "Pix2"])?;
//! assert_eq!(t.to_string(), "Pix1  Pix2\n0.00  0.31\n1.00  0.50");
//! # Ok::<(), nnlib::Error>(())
//! ```

use std::fmt;

use ndarray::{ArrayView1, ArrayView2};

use crate::error::{Error, Result, fmt_shape};

/// Arrays with more values than this are abbreviated (numpy's `threshold`).
pub const SUMMARY_THRESHOLD: usize = 1000;

/// Rows and columns kept at each end of an abbreviated axis (numpy's `edgeitems`).
pub const EDGE_ITEMS: usize = 3;

/// The text an abbreviated row or column shows.
const ELLIPSIS: &str = "...";

/// A number a [`Table`] can show: `f32`, `f64` and the integer types.
pub trait TableValue: Copy {
    /// The value as a cell of the table.
    fn cell(self) -> Cell;
}

/// One value of a table: floats are shown with the table's decimals,
/// integers as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A floating-point value.
    Float(f64),
    /// An integer value.
    Int(i128),
}

impl Cell {
    fn format(self, decimals: usize) -> String {
        match self {
            Cell::Float(v) if v.is_nan() => "nan".into(),
            Cell::Float(v) if v.is_infinite() => if v > 0.0 { "inf" } else { "-inf" }.into(),
            Cell::Float(v) => {
                let s = format!("{v:.decimals$}");
                // -0.00 reads as a mistake; numpy prints it as 0.00 too.
                if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
                    s[1..].to_string()
                } else {
                    s
                }
            }
            Cell::Int(v) => v.to_string(),
        }
    }
}

impl TableValue for f32 {
    fn cell(self) -> Cell {
        Cell::Float(self as f64)
    }
}
impl TableValue for f64 {
    fn cell(self) -> Cell {
        Cell::Float(self)
    }
}
macro_rules! int_value {
    ($($t:ty),*) => {$(
        impl TableValue for $t {
            fn cell(self) -> Cell {
                Cell::Int(self as i128)
            }
        }
    )*};
}
int_value!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// A 1-D or 2-D array shown as a table (HTML in Jupyter, text with `Display`).
///
/// Defaults: 4 decimals, no headers, abbreviated past 1,000 values. A 1-D
/// array is shown as one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The array's shape: `[n]` or `[rows, cols]`.
    shape: Vec<usize>,
    /// Indices of the rows shown; `None` marks the elided rows.
    rows: Vec<Option<usize>>,
    /// Indices of the columns shown; `None` marks the elided columns.
    cols: Vec<Option<usize>>,
    /// The shown values, one `Vec` per shown (non-elided) row.
    values: Vec<Vec<Cell>>,
    decimals: usize,
    row_headers: Option<Vec<String>>,
    column_headers: Option<Vec<String>>,
}

/// The indices of an axis of length `n` that are shown.
fn kept(n: usize, abbreviate: bool) -> Vec<Option<usize>> {
    if abbreviate && n > 2 * EDGE_ITEMS {
        (0..EDGE_ITEMS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGE_ITEMS..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    }
}

impl Table {
    /// A table of a 2-D array, abbreviated like numpy when it has more than
    /// [`SUMMARY_THRESHOLD`] values.
    pub fn new<T: TableValue>(array: ArrayView2<T>) -> Table {
        Table::build(array, false, array.len() > SUMMARY_THRESHOLD)
    }

    /// A table of a 2-D array showing every value, however many.
    pub fn full<T: TableValue>(array: ArrayView2<T>) -> Table {
        Table::build(array, false, false)
    }

    /// A one-row table of a 1-D array, abbreviated like numpy when it has
    /// more than [`SUMMARY_THRESHOLD`] values.
    pub fn from_1d<T: TableValue>(array: ArrayView1<T>) -> Table {
        let n = array.len();
        let as_row = array.insert_axis(ndarray::Axis(0));
        Table::build(as_row, true, n > SUMMARY_THRESHOLD)
    }

    fn build<T: TableValue>(array: ArrayView2<T>, one_d: bool, abbreviate: bool) -> Table {
        let (r, c) = array.dim();
        let rows = kept(r, abbreviate);
        let cols = kept(c, abbreviate);
        let values = rows
            .iter()
            .flatten()
            .map(|&i| {
                cols.iter()
                    .flatten()
                    .map(|&j| array[[i, j]].cell())
                    .collect()
            })
            .collect();
        Table {
            shape: if one_d { vec![c] } else { vec![r, c] },
            rows,
            cols,
            values,
            decimals: 4,
            row_headers: None,
            column_headers: None,
        }
    }

    /// Sets the decimals of floating-point values (default 4).
    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = decimals;
        self
    }

    fn n_rows(&self) -> usize {
        if self.shape.len() == 1 {
            1
        } else {
            self.shape[0]
        }
    }

    fn n_cols(&self) -> usize {
        *self.shape.last().unwrap_or(&0)
    }

    /// Sets the column headers, one per column of the array.
    ///
    /// # Errors
    /// [`Error::Shape`] if there are not exactly as many headers as columns.
    pub fn column_headers<S: ToString>(
        mut self,
        headers: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        self.column_headers = Some(self.headers(headers, "column", self.n_cols())?);
        Ok(self)
    }

    /// Sets the row headers, one per row of the array (a 1-D array has one row).
    ///
    /// # Errors
    /// [`Error::Shape`] if there are not exactly as many headers as rows.
    pub fn row_headers<S: ToString>(
        mut self,
        headers: impl IntoIterator<Item = S>,
    ) -> Result<Self> {
        self.row_headers = Some(self.headers(headers, "row", self.n_rows())?);
        Ok(self)
    }

    /// The headers as strings, checked to be `count`, one per `what` (row or column).
    fn headers<S: ToString>(
        &self,
        headers: impl IntoIterator<Item = S>,
        what: &str,
        count: usize,
    ) -> Result<Vec<String>> {
        let h: Vec<String> = headers.into_iter().map(|s| s.to_string()).collect();
        if h.len() != count {
            return Err(Error::shape(
                format!("table {what} headers"),
                &[h.len()],
                &self.shape,
                format!("one header per {what}: {count} expected"),
            ));
        }
        Ok(h)
    }

    /// The shape of the array shown, numpy style: `[n]` or `[rows, cols]`.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Whether some rows or columns are left out.
    pub fn is_abbreviated(&self) -> bool {
        self.rows.contains(&None) || self.cols.contains(&None)
    }

    /// The shown header row (empty when there are no column headers).
    fn header_cells(&self) -> Option<Vec<String>> {
        self.column_headers.as_ref().map(|h| {
            self.cols
                .iter()
                .map(|c| c.map_or(ELLIPSIS.to_string(), |j| h[j].clone()))
                .collect()
        })
    }

    /// The shown rows: `(row header, cells)`, with elided rows and columns as `...`.
    fn body(&self) -> Vec<(Option<String>, Vec<String>)> {
        let mut values = self.values.iter();
        self.rows
            .iter()
            .map(|r| {
                let header = self
                    .row_headers
                    .as_ref()
                    .map(|h| r.map_or(ELLIPSIS.to_string(), |i| h[i].clone()));
                let cells = match r {
                    None => vec![ELLIPSIS.to_string(); self.cols.len()],
                    Some(_) => {
                        let mut v = values.next().into_iter().flatten();
                        self.cols
                            .iter()
                            .map(|c| match c {
                                None => ELLIPSIS.to_string(),
                                Some(_) => v
                                    .next()
                                    .map_or_else(String::new, |x| x.format(self.decimals)),
                            })
                            .collect()
                    }
                };
                (header, cells)
            })
            .collect()
    }

    /// The table as an HTML `<table>`.
    pub fn to_html(&self) -> String {
        let mut s = String::from("<table class=\"nnlib-table\">\n");
        if self.is_abbreviated() {
            s += &format!("<caption>shape {}</caption>\n", fmt_shape(&self.shape));
        }
        if let Some(h) = self.header_cells() {
            s += "<thead><tr>";
            if self.row_headers.is_some() {
                s += "<th></th>";
            }
            for c in h {
                s += &format!("<th>{}</th>", escape(&c));
            }
            s += "</tr></thead>\n";
        }
        s += "<tbody>\n";
        for (header, cells) in self.body() {
            s += "<tr>";
            if let Some(h) = header {
                s += &format!("<th>{}</th>", escape(&h));
            }
            for c in cells {
                s += &format!("<td>{c}</td>");
            }
            s += "</tr>\n";
        }
        s += "</tbody>\n</table>";
        s
    }

    /// The text the evcxr kernel reads as an inline `text/html` output.
    pub fn evcxr_content(&self) -> String {
        format!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT\n",
            self.to_html()
        )
    }

    /// Shows the table inline in Jupyter (evcxr kernel) as HTML.
    pub fn evcxr_display(&self) {
        print!("{}", self.evcxr_content());
    }
}

/// Escapes the characters HTML gives meaning to.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl fmt::Display for Table {
    /// Aligned text: values right-aligned in columns two spaces apart, row
    /// headers left-aligned, and a `shape (...)` line when abbreviated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = self.body();
        let header = self.header_cells();
        let ncols = self.cols.len();
        let width = |s: &str| s.chars().count();
        let mut col_w = vec![0; ncols];
        for row in header.iter().chain(body.iter().map(|(_, c)| c)) {
            for (w, c) in col_w.iter_mut().zip(row) {
                *w = (*w).max(width(c));
            }
        }
        let head_w = body
            .iter()
            .filter_map(|(h, _)| h.as_deref())
            .map(width)
            .max();
        let mut lines = Vec::new();
        let line = |h: Option<&str>, cells: &[String]| {
            let mut parts = Vec::new();
            if let Some(hw) = head_w {
                parts.push(format!("{:<hw$}", h.unwrap_or("")));
            }
            for (c, w) in cells.iter().zip(&col_w) {
                parts.push(format!("{c:>w$}"));
            }
            parts.join("  ").trim_end().to_string()
        };
        if let Some(h) = &header {
            lines.push(line(None, h));
        }
        for (h, cells) in &body {
            lines.push(line(h.as_deref(), cells));
        }
        if self.is_abbreviated() {
            lines.push(format!("shape {}", fmt_shape(&self.shape)));
        }
        write!(f, "{}", lines.join("\n"))
    }
}
