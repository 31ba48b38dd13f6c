//! Line charts, function plots and grids of them.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::backend::FinePath;
use super::{
    Area, FigureData, PALETTE, PixelRect, PlotValue, area_rect, collect, draw_text, fill_rect,
    fmt_num, plot_err, render, rgb, stroke_rect, text_size,
};
use crate::error::{Error, Result};
use crate::plot::Figure;

/// Series with at most this many points get a marker on each point.
const MARKER_LIMIT: usize = 40;

/// One named line of a chart, as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The name shown in the legend.
    pub name: String,
    /// The x values.
    pub xs: Vec<f64>,
    /// The y values (NaN or infinite values leave a gap in the line).
    pub ys: Vec<f64>,
    /// The line's colour `[r, g, b]`.
    pub color: [u8; 3],
}

/// What a line chart or function plot panel was drawn from, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartData {
    /// The panel's title.
    pub title: String,
    /// The x axis label.
    pub x_label: String,
    /// The y axis label.
    pub y_label: String,
    /// The lines, in drawing order.
    pub series: Vec<Series>,
    /// The x range shown, `(min, max)`.
    pub x_range: (f64, f64),
    /// The y range shown, `(min, max)`.
    pub y_range: (f64, f64),
    /// The plotting area inside the axes, in figure pixels.
    pub plot_area: PixelRect,
    /// The legend box, in figure pixels.
    pub legend: Option<PixelRect>,
    /// Whether the y axis has a logarithmic scale.
    pub log_y: bool,
    /// Pixel columns of `x_range.0` and `x_range.1`.
    x_px: (f64, f64),
    /// Pixel rows of `y_range.0` and `y_range.1`.
    y_px: (f64, f64),
}

impl ChartData {
    /// The figure pixel `(x, y)` where the data point `(x, y)` is drawn.
    ///
    /// The mapping is linear: `px = px_min + (x - x_min) / (x_max - x_min) * (px_max - px_min)`,
    /// and the same for `y`, or for `log10 y` on a logarithmic y axis.
    pub fn to_pixel(&self, x: f64, y: f64) -> (i32, i32) {
        let fx = (x - self.x_range.0) / (self.x_range.1 - self.x_range.0);
        let fy = if self.log_y {
            (y / self.y_range.0).log10() / (self.y_range.1 / self.y_range.0).log10()
        } else {
            (y - self.y_range.0) / (self.y_range.1 - self.y_range.0)
        };
        (
            (self.x_px.0 + fx * (self.x_px.1 - self.x_px.0)).round() as i32,
            (self.y_px.0 + fy * (self.y_px.1 - self.y_px.0)).round() as i32,
        )
    }
}

/// The settings shared by line charts and function plots.
#[derive(Debug, Clone)]
struct Spec {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<(String, Vec<f64>, Vec<f64>)>,
    size: (u32, u32),
    x_range: Option<(f64, f64)>,
    y_range: Option<(f64, f64)>,
    zero_axes: bool,
    markers: bool,
    log_y: bool,
    integer_x: bool,
    error: Option<String>,
}

impl Spec {
    fn new(title: &str) -> Spec {
        Spec {
            title: title.to_string(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            size: (640, 400),
            x_range: None,
            y_range: None,
            zero_axes: false,
            markers: true,
            log_y: false,
            integer_x: false,
            error: None,
        }
    }
}

/// A line chart of named series with a legend: loss per epoch, accuracy per
/// iteration, several models on one chart.
///
/// Defaults: 640x400 pixels, x values `1, 2, ..., n` for [`series`](LineChart::series),
/// axis ranges fitted to the data, a marker on each point when a series has at
/// most 40 points, and the legend in a corner free of data (or beside the
/// chart when no corner is free).
///
/// ```
/// use nnlib::plot::LineChart;
/// let fig = LineChart::new("Accuracy")
///     .x_label("iteration")
///     .series("train", &[0.5, 0.7, 0.8])
///     .series("test", vec![0.45f32, 0.6, 0.65])
///     .render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LineChart(Spec);

impl LineChart {
    /// A chart with a title and no series yet.
    pub fn new(title: &str) -> LineChart {
        let mut s = Spec::new(title);
        s.x_label = "epoch".into();
        LineChart(s)
    }

    /// Sets the x axis label (default `"epoch"`).
    pub fn x_label(mut self, label: &str) -> Self {
        self.0.x_label = label.to_string();
        self
    }

    /// Sets the y axis label (default none).
    pub fn y_label(mut self, label: &str) -> Self {
        self.0.y_label = label.to_string();
        self
    }

    /// Sets the size in pixels (default 640x400).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.0.size = (width, height);
        self
    }

    /// Fixes the y range instead of fitting it to the data.
    pub fn y_range(mut self, min: f64, max: f64) -> Self {
        self.0.y_range = Some((min, max));
        self
    }

    /// Turns the point markers on or off (default: on for series of at most 40 points).
    pub fn markers(mut self, on: bool) -> Self {
        self.0.markers = on;
        self
    }

    /// Draws the y axis on a logarithmic scale, with ticks at 1, 2 and 5
    /// times powers of ten (or every integer multiple when the range is
    /// narrow): a loss that falls from 6 to 0.2 shows its late progress
    /// instead of a flat line. Every finite y value must then be positive.
    ///
    /// ```
    /// use nnlib::plot::LineChart;
    /// let fig = LineChart::new("Loss").log_y().series("train", &[6.5, 1.2, 0.4, 0.21]).render()?;
    /// # Ok::<(), nnlib::Error>(())
    /// ```
    pub fn log_y(mut self) -> Self {
        self.0.log_y = true;
        self
    }

    /// Adds a series of y values at x = 1, 2, ..., n (epochs, iterations).
    pub fn series<V: PlotValue>(mut self, name: &str, ys: impl IntoIterator<Item = V>) -> Self {
        let ys = collect(ys);
        let xs = (1..=ys.len()).map(|i| i as f64).collect();
        self.0.series.push((name.to_string(), xs, ys));
        self
    }

    /// Adds a series of `(x, y)` points; `xs` and `ys` must have the same length.
    pub fn series_xy<V: PlotValue, W: PlotValue>(
        mut self,
        name: &str,
        xs: impl IntoIterator<Item = V>,
        ys: impl IntoIterator<Item = W>,
    ) -> Self {
        self.0
            .series
            .push((name.to_string(), collect(xs), collect(ys)));
        self
    }

    /// Adds a series in place (for loops); see [`series`](LineChart::series).
    pub fn push<V: PlotValue>(&mut self, name: &str, ys: impl IntoIterator<Item = V>) {
        let this = std::mem::replace(self, LineChart::new(""));
        *self = this.series(name, ys);
    }

    /// Draws the chart.
    ///
    /// Errors: no series, an empty series, `xs` and `ys` of different
    /// lengths, a series with no finite value, or a size outside
    /// [`SIZE_LIMITS`](super::SIZE_LIMITS).
    pub fn render(&self) -> Result<Figure> {
        let mut spec = self.0.clone();
        spec.integer_x = spec
            .series
            .iter()
            .all(|(_, xs, _)| xs.iter().all(|x| x.fract() == 0.0));
        render_single("line chart", &spec)
    }
}

/// A plot of functions `f(x)` over a range, e.g. an activation and its
/// derivative, with the axes x = 0 and y = 0 drawn when in range.
///
/// A function given with [`function`](FunctionPlot::function) is sampled at
/// 401 evenly spaced points (see [`points`](FunctionPlot::points)); the figure
/// keeps only the samples.
///
/// ```
/// use nnlib::plot::FunctionPlot;
/// let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
/// let fig = FunctionPlot::new("Sigmoid", -6.0, 6.0)
///     .function("σ(x)", sigmoid)
///     .function("σ'(x)", |x| sigmoid(x) * (1.0 - sigmoid(x)))
///     .render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FunctionPlot {
    spec: Spec,
    x_min: f64,
    x_max: f64,
    points: usize,
}

impl FunctionPlot {
    /// A plot of the range `x_min..=x_max` with no functions yet.
    pub fn new(title: &str, x_min: f64, x_max: f64) -> FunctionPlot {
        let mut spec = Spec::new(title);
        spec.x_label = "x".into();
        spec.zero_axes = true;
        spec.markers = false;
        if !(x_min.is_finite() && x_max.is_finite() && x_min < x_max) {
            spec.error = Some(format!("{x_min}..{x_max}"));
        } else {
            spec.x_range = Some((x_min, x_max));
        }
        FunctionPlot {
            spec,
            x_min,
            x_max,
            points: 401,
        }
    }

    /// Sets the number of sample points for the functions added after it
    /// (default 401; at least 2).
    pub fn points(mut self, n: usize) -> Self {
        self.points = n.max(2);
        self
    }

    /// Sets the x axis label (default `"x"`).
    pub fn x_label(mut self, label: &str) -> Self {
        self.spec.x_label = label.to_string();
        self
    }

    /// Sets the y axis label (default none).
    pub fn y_label(mut self, label: &str) -> Self {
        self.spec.y_label = label.to_string();
        self
    }

    /// Sets the size in pixels (default 640x400).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.spec.size = (width, height);
        self
    }

    /// Fixes the y range instead of fitting it to the data.
    pub fn y_range(mut self, min: f64, max: f64) -> Self {
        self.spec.y_range = Some((min, max));
        self
    }

    /// The x values a function added now is sampled at:
    /// `x_i = x_min + i (x_max - x_min) / (points - 1)`.
    pub fn xs(&self) -> Vec<f64> {
        let n = self.points;
        (0..n)
            .map(|i| self.x_min + (self.x_max - self.x_min) * i as f64 / (n - 1) as f64)
            .collect()
    }

    /// Adds a function, sampled at [`xs`](FunctionPlot::xs).
    pub fn function(mut self, name: &str, f: impl Fn(f64) -> f64) -> Self {
        let xs = self.xs();
        let ys = xs.iter().map(|&x| f(x)).collect();
        self.spec.series.push((name.to_string(), xs, ys));
        self
    }

    /// Adds a function given by its samples `(xs[i], ys[i])`.
    pub fn samples<V: PlotValue, W: PlotValue>(
        mut self,
        name: &str,
        xs: impl IntoIterator<Item = V>,
        ys: impl IntoIterator<Item = W>,
    ) -> Self {
        self.spec
            .series
            .push((name.to_string(), collect(xs), collect(ys)));
        self
    }

    /// Draws the plot. Errors as for [`LineChart::render`], and an empty or
    /// non-finite x range.
    pub fn render(&self) -> Result<Figure> {
        render_single("function plot", &self.spec)
    }
}

/// One panel of a [`Subplots`] grid: a [`LineChart`] or a [`FunctionPlot`].
#[derive(Debug, Clone)]
pub struct Panel(Spec);

impl From<LineChart> for Panel {
    fn from(c: LineChart) -> Panel {
        let mut spec = c.0;
        spec.integer_x = spec
            .series
            .iter()
            .all(|(_, xs, _)| xs.iter().all(|x| x.fract() == 0.0));
        Panel(spec)
    }
}

impl From<FunctionPlot> for Panel {
    fn from(p: FunctionPlot) -> Panel {
        Panel(p.spec)
    }
}

/// A grid of line charts and function plots drawn as one image (a notebook
/// cell shows only its last image, so panels that belong together go here).
///
/// Panels fill the grid row by row. The default size is 320x250 pixels per
/// panel (at most 1280 wide) plus a title line.
///
/// ```
/// use nnlib::plot::{FunctionPlot, Subplots};
/// let fig = Subplots::new(1, 2)
///     .title("Activations")
///     .panel(FunctionPlot::new("tanh", -4.0, 4.0).function("tanh", f64::tanh))
///     .panel(FunctionPlot::new("ReLU", -4.0, 4.0).function("relu", |x| x.max(0.0)))
///     .render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Subplots {
    rows: usize,
    cols: usize,
    title: String,
    size: Option<(u32, u32)>,
    panels: Vec<Panel>,
}

impl Subplots {
    /// An empty grid of `rows` x `cols` panels.
    pub fn new(rows: usize, cols: usize) -> Subplots {
        Subplots {
            rows,
            cols,
            title: String::new(),
            size: None,
            panels: Vec::new(),
        }
    }

    /// Sets the title above the grid (default none).
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// Sets the size of the whole figure in pixels.
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width, height));
        self
    }

    /// Adds the next panel.
    pub fn panel(mut self, panel: impl Into<Panel>) -> Self {
        self.panels.push(panel.into());
        self
    }

    /// Adds the next panel in place (for loops).
    pub fn push(&mut self, panel: impl Into<Panel>) {
        self.panels.push(panel.into());
    }

    /// Draws the grid. Errors: no panels, more panels than cells, a zero
    /// row or column count, or any panel's error.
    pub fn render(&self) -> Result<Figure> {
        let cells = self.rows * self.cols;
        if cells == 0 {
            return Err(Error::invalid(
                "subplots grid",
                "at least 1 row and 1 column",
                format!("{} x {}", self.rows, self.cols),
            ));
        }
        if self.panels.is_empty() || self.panels.len() > cells {
            return Err(Error::invalid(
                "subplots panels",
                format!(
                    "1 to {cells} panels for a {} x {} grid",
                    self.rows, self.cols
                ),
                format!("{} panels", self.panels.len()),
            ));
        }
        for p in &self.panels {
            validate(&p.0)?;
        }
        let title_h = if self.title.is_empty() { 0 } else { 34 };
        let (w, h) = self.size.unwrap_or((
            (self.cols as u32 * 320).min(1280),
            self.rows as u32 * 250 + title_h,
        ));
        render("subplots", w, h, |root| {
            let body = if self.title.is_empty() {
                root.clone()
            } else {
                root.titled(&self.title, super::font(20.0))
                    .map_err(plot_err)?
            };
            let cells = body.split_evenly((self.rows, self.cols));
            let mut charts = Vec::new();
            for (p, cell) in self.panels.iter().zip(cells.iter()) {
                charts.push(draw_panel(cell, &p.0, true)?);
            }
            Ok(FigureData::Charts(charts))
        })
    }
}

fn render_single(what: &str, spec: &Spec) -> Result<Figure> {
    validate(spec)?;
    render(what, spec.size.0, spec.size.1, |root| {
        Ok(FigureData::Charts(vec![draw_panel(root, spec, false)?]))
    })
}

/// Checks a chart's series before drawing.
fn validate(spec: &Spec) -> Result<()> {
    let what = if spec.title.is_empty() {
        "chart".to_string()
    } else {
        format!("chart \"{}\"", spec.title)
    };
    if let Some(range) = &spec.error {
        return Err(Error::invalid(
            format!("{what}: x range"),
            "finite x_min < x_max",
            range.clone(),
        ));
    }
    if spec.series.is_empty() {
        return Err(Error::invalid(
            format!("{what}: series"),
            "at least one series",
            "none",
        ));
    }
    for (name, xs, ys) in &spec.series {
        if xs.len() != ys.len() {
            return Err(Error::shape(
                format!("{what}: series \"{name}\""),
                &[xs.len()],
                &[ys.len()],
                "xs and ys must have the same length",
            ));
        }
        if ys.is_empty() {
            return Err(Error::invalid(
                format!("{what}: series \"{name}\""),
                "at least one point",
                "an empty series",
            ));
        }
        if !xs
            .iter()
            .zip(ys)
            .any(|(x, y)| x.is_finite() && y.is_finite())
        {
            return Err(Error::invalid(
                format!("{what}: series \"{name}\""),
                "at least one finite point",
                "only NaN or infinite values",
            ));
        }
    }
    if spec.log_y {
        for (name, _, ys) in &spec.series {
            if let Some(v) = ys.iter().find(|v| v.is_finite() && **v <= 0.0) {
                return Err(Error::invalid(
                    format!("{what}: series \"{name}\" on a logarithmic y axis"),
                    "positive values",
                    v.to_string(),
                ));
            }
        }
        if let Some((lo, _)) = spec.y_range
            && lo <= 0.0
        {
            return Err(Error::invalid(
                format!("{what}: y range on a logarithmic axis"),
                "a positive min",
                lo.to_string(),
            ));
        }
    }
    if let Some((lo, hi)) = spec.y_range
        && !(lo.is_finite() && hi.is_finite() && lo < hi)
    {
        return Err(Error::invalid(
            format!("{what}: y range"),
            "finite min < max",
            format!("{lo}..{hi}"),
        ));
    }
    Ok(())
}

/// The finite `(min, max)` of some values, widened when they are all equal.
fn data_range<'a>(values: impl Iterator<Item = &'a f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo == hi {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - d, hi + d)
    } else {
        (lo, hi)
    }
}

/// Decimals for tick labels of a range: enough to tell ticks apart.
fn tick_decimals(lo: f64, hi: f64) -> usize {
    let span = hi - lo;
    (2.0 - span.log10().floor()).clamp(0.0, 12.0) as usize
}

/// Font sizes: (title, axis labels, ticks, legend).
fn font_sizes(compact: bool) -> (f64, f64, f64, f64) {
    if compact {
        (15.0, 13.0, 11.0, 12.0)
    } else {
        (18.0, 14.0, 12.0, 13.0)
    }
}

/// Draws one chart into `area`, with the legend inside a free corner or,
/// when none is free, beside the plot.
fn draw_panel(area: &Area, spec: &Spec, compact: bool) -> Result<ChartData> {
    if let Some(data) = draw_chart(area, spec, compact, false)? {
        return Ok(data);
    }
    area.fill(&WHITE).map_err(plot_err)?;
    draw_chart(area, spec, compact, true)?
        .ok_or_else(|| Error::Plot("the legend could not be placed".into()))
}

/// Draws a chart; returns `None` when the legend is to go inside but every
/// corner holds data.
fn draw_chart(
    area: &Area,
    spec: &Spec,
    compact: bool,
    legend_outside: bool,
) -> Result<Option<ChartData>> {
    let (title_size, label_size, tick_size, legend_size) = font_sizes(compact);
    let series: Vec<Series> = spec
        .series
        .iter()
        .enumerate()
        .map(|(i, (name, xs, ys))| Series {
            name: name.clone(),
            xs: xs.clone(),
            ys: ys.clone(),
            color: PALETTE[i % PALETTE.len()],
        })
        .collect();

    // Ranges: x exactly the data (or the given range), y padded by 5 %.
    let (x_lo, x_hi) = spec.x_range.unwrap_or_else(|| {
        data_range(series.iter().flat_map(|s| {
            s.xs.iter()
                .zip(&s.ys)
                .filter(|(_, y)| y.is_finite())
                .map(|(x, _)| x)
        }))
    });
    // On a logarithmic axis the chart's own y coordinate is log10 y.
    let log_y = spec.log_y;
    let ty = |y: f64| if log_y { y.log10() } else { y };
    let (y_lo, y_hi) = spec.y_range.unwrap_or_else(|| {
        let in_x = series.iter().flat_map(|s| {
            s.xs.iter()
                .zip(&s.ys)
                .filter(move |(x, _)| **x >= x_lo && **x <= x_hi)
                .map(|(_, y)| y)
        });
        if log_y {
            let logs: Vec<f64> = in_x.map(|y| y.log10()).collect();
            let (lo, hi) = data_range(logs.iter());
            let pad = (hi - lo) * 0.05;
            (10f64.powf(lo - pad), 10f64.powf(hi + pad))
        } else {
            let (lo, hi) = data_range(in_x);
            let pad = (hi - lo) * 0.05;
            (lo - pad, hi + pad)
        }
    });
    let x_dec = tick_decimals(x_lo, x_hi);
    let y_dec = tick_decimals(y_lo, y_hi);
    let y_ticks = if log_y {
        log_ticks(y_lo, y_hi, if compact { 6 } else { 8 })
    } else {
        Vec::new()
    };

    // Legend size.
    let row_h = legend_size as i32 + 6;
    let name_w = series
        .iter()
        .map(|s| text_size(area, &s.name, legend_size).0)
        .max()
        .unwrap_or(0);
    let legend_w = name_w + 44;
    let legend_h = row_h * series.len() as i32 + 10;

    let (plot_area_da, legend_da) = if legend_outside {
        let w = area.dim_in_pixel().0 as i32;
        let (l, r) = area.split_horizontally((w - legend_w - 14).max(w / 2));
        (l, Some(r))
    } else {
        (area.clone(), None)
    };

    // Width of the y tick labels.
    let y_tick_w = if log_y {
        y_ticks
            .iter()
            .map(|(_, label)| text_size(area, label, tick_size).0)
            .max()
            .unwrap_or(20)
    } else {
        [y_lo, y_hi, (y_lo + y_hi) / 2.0, (3.0 * y_lo + y_hi) / 4.0]
            .iter()
            .map(|&v| text_size(area, &fmt_num(v, y_dec), tick_size).0)
            .max()
            .unwrap_or(20)
    };

    let mut builder = ChartBuilder::on(&plot_area_da);
    builder
        .margin_top(8)
        .margin_bottom(6)
        .margin_left(6)
        .margin_right(if legend_outside { 4 } else { 18 })
        .x_label_area_size(if spec.x_label.is_empty() {
            24
        } else {
            22 + label_size as i32 + 4
        })
        .y_label_area_size(
            y_tick_w
                + 12
                + if spec.y_label.is_empty() {
                    0
                } else {
                    label_size as i32 + 10
                },
        );
    if !spec.title.is_empty() {
        builder.caption(&spec.title, super::font(title_size));
    }
    let mut chart = builder
        .build_cartesian_2d(x_lo..x_hi, ty(y_lo)..ty(y_hi))
        .map_err(plot_err)?;

    let x_fmt = |v: &f64| fmt_num(*v, x_dec);
    let y_fmt = |v: &f64| fmt_num(*v, y_dec);
    let n_x_labels = if spec.integer_x {
        ((x_hi - x_lo).round() as usize + 1).clamp(2, if compact { 6 } else { 10 })
    } else if compact {
        6
    } else {
        10
    };
    chart
        .configure_mesh()
        .max_light_lines(0)
        .bold_line_style(RGBColor(225, 225, 225))
        .axis_style(RGBColor(80, 80, 80))
        .x_labels(n_x_labels)
        .y_labels(if log_y {
            0
        } else if compact {
            6
        } else {
            8
        })
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .x_desc(spec.x_label.as_str())
        .y_desc(spec.y_label.as_str())
        .label_style(super::font(tick_size))
        .axis_desc_style(super::font(label_size))
        .draw()
        .map_err(plot_err)?;

    let (px_lo, py_lo) = chart.backend_coord(&(x_lo, ty(y_lo)));
    let (px_hi, py_hi) = chart.backend_coord(&(x_hi, ty(y_hi)));
    let plot_rect = {
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        PixelRect {
            x0: xr.start,
            y0: yr.start,
            x1: xr.end,
            y1: yr.end,
        }
    };
    // The exact (fractional) pixel of a data point.
    let to_fine = |x: f64, y: f64| {
        (
            px_lo as f64 + (x - x_lo) / (x_hi - x_lo) * (px_hi - px_lo) as f64,
            py_lo as f64 + (ty(y) - ty(y_lo)) / (ty(y_hi) - ty(y_lo)) * (py_hi - py_lo) as f64,
        )
    };

    // A logarithmic axis's ticks, labels and grid lines.
    for (v, label) in &y_ticks {
        let py = to_fine(x_lo, *v).1.round() as i32;
        fill_rect(
            area,
            PixelRect {
                x0: plot_rect.x0,
                y0: py,
                x1: plot_rect.x1,
                y1: py + 1,
            },
            RGBColor(225, 225, 225),
        )?;
        fill_rect(
            area,
            PixelRect {
                x0: plot_rect.x0 - 5,
                y0: py,
                x1: plot_rect.x0,
                y1: py + 1,
            },
            RGBColor(80, 80, 80),
        )?;
        draw_text(
            area,
            label,
            (plot_rect.x0 - 8, py),
            tick_size,
            BLACK,
            (HPos::Right, VPos::Center),
        )?;
    }

    let zero_style = RGBColor(110, 110, 110).stroke_width(1);
    if spec.zero_axes {
        if x_lo < 0.0 && x_hi > 0.0 {
            chart
                .draw_series(LineSeries::new(
                    vec![(0.0, ty(y_lo)), (0.0, ty(y_hi))],
                    zero_style,
                ))
                .map_err(plot_err)?;
        }
        if !log_y && y_lo < 0.0 && y_hi > 0.0 {
            chart
                .draw_series(LineSeries::new(vec![(x_lo, 0.0), (x_hi, 0.0)], zero_style))
                .map_err(plot_err)?;
        }
    }

    // Lines (broken at non-finite values) and markers. The lines go through
    // the data's exact (fractional) pixel positions, not rounded ones.
    for s in &series {
        let color = rgb(s.color);
        let mut run = Vec::new();
        let points: Vec<(f64, f64)> = s.xs.iter().copied().zip(s.ys.iter().copied()).collect();
        for &(x, y) in points.iter().chain(std::iter::once(&(f64::NAN, f64::NAN))) {
            if x.is_finite() && y.is_finite() {
                run.push(to_fine(x, y));
            } else if !run.is_empty() {
                area.draw(&FinePath {
                    points: std::mem::take(&mut run),
                    color,
                    width: 2,
                })
                .map_err(plot_err)?;
            }
        }
        let finite = points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite());
        if spec.markers && s.xs.len() <= MARKER_LIMIT {
            chart
                .draw_series(finite.map(|&(x, y)| Circle::new((x, ty(y)), 3, color.filled())))
                .map_err(plot_err)?;
        }
    }

    // Where the legend goes.
    // A lone series named like its chart needs no legend.
    let needs_legend = !(series.len() == 1 && series[0].name == spec.title);
    let legend_rect = if !needs_legend {
        None
    } else if let Some(lda) = &legend_da {
        let r = area_rect(lda);
        Some(PixelRect {
            x0: r.x0 + 4,
            y0: plot_rect.y0,
            x1: r.x0 + 4 + legend_w,
            y1: plot_rect.y0 + legend_h,
        })
    } else {
        let inset = 8;
        let candidates = [
            (plot_rect.x1 - inset - legend_w, plot_rect.y0 + inset),
            (plot_rect.x0 + inset, plot_rect.y0 + inset),
            (
                plot_rect.x1 - inset - legend_w,
                plot_rect.y1 - inset - legend_h,
            ),
            (plot_rect.x0 + inset, plot_rect.y1 - inset - legend_h),
        ];
        let fits =
            legend_w + 2 * inset <= plot_rect.width() && legend_h + 2 * inset <= plot_rect.height();
        let free = candidates.iter().map(|&(x, y)| PixelRect {
            x0: x,
            y0: y,
            x1: x + legend_w,
            y1: y + legend_h,
        });
        let mut chosen = None;
        if fits {
            for r in free {
                let grown = PixelRect {
                    x0: r.x0 - 4,
                    y0: r.y0 - 4,
                    x1: r.x1 + 4,
                    y1: r.y1 + 4,
                };
                let hit = series.iter().any(|s| {
                    let pts: Vec<(i32, i32)> =
                        s.xs.iter()
                            .zip(&s.ys)
                            .map(|(&x, &y)| {
                                if x.is_finite() && y.is_finite() {
                                    chart.backend_coord(&(x, ty(y)))
                                } else {
                                    (i32::MIN, i32::MIN)
                                }
                            })
                            .collect();
                    segments_hit(&pts, &grown)
                });
                if !hit {
                    chosen = Some(r);
                    break;
                }
            }
        }
        match chosen {
            Some(r) => Some(r),
            None => return Ok(None),
        }
    };

    // The legend itself.
    if let Some(r) = legend_rect {
        fill_rect(area, r, WHITE)?;
        stroke_rect(area, r, RGBColor(190, 190, 190))?;
        for (i, s) in series.iter().enumerate() {
            let cy = r.y0 + 5 + row_h * i as i32 + row_h / 2;
            fill_rect(
                area,
                PixelRect {
                    x0: r.x0 + 8,
                    y0: cy - 1,
                    x1: r.x0 + 32,
                    y1: cy + 2,
                },
                rgb(s.color),
            )?;
            draw_text(
                area,
                &s.name,
                (r.x0 + 38, cy),
                legend_size,
                BLACK,
                (HPos::Left, VPos::Center),
            )?;
        }
    }

    Ok(Some(ChartData {
        title: spec.title.clone(),
        x_label: spec.x_label.clone(),
        y_label: spec.y_label.clone(),
        series,
        x_range: (x_lo, x_hi),
        y_range: (y_lo, y_hi),
        plot_area: plot_rect,
        legend: legend_rect,
        log_y,
        x_px: (px_lo as f64, px_hi as f64),
        y_px: (py_lo as f64, py_hi as f64),
    }))
}

/// Ticks of a logarithmic axis over `lo..=hi` (both positive) and their
/// labels: the multiples 1, 2 and 5 of each power of ten in range, or 1 to 9
/// when those are fewer than three, or only the powers of ten when there are
/// more than `max` (every second, third, ... power when still too many); the
/// two ends of the range when no multiple falls inside.
fn log_ticks(lo: f64, hi: f64, max: usize) -> Vec<(f64, String)> {
    let label = |v: f64| {
        let decimals = (-v.log10().floor()).max(0.0) as usize;
        fmt_num(v, decimals)
    };
    let (k_lo, k_hi) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let ticks_with = |mantissas: &[f64], every: i32| -> Vec<f64> {
        (k_lo..=k_hi)
            .filter(|k| k.rem_euclid(every) == 0)
            .flat_map(|k| mantissas.iter().map(move |m| m * 10f64.powi(k)))
            .filter(|v| *v >= lo && *v <= hi)
            .collect()
    };
    let all: Vec<f64> = (1..=9).map(f64::from).collect();
    let mut ticks = ticks_with(&[1.0, 2.0, 5.0], 1);
    if ticks.len() < 3 {
        ticks = ticks_with(&all, 1);
        if ticks.len() > max {
            ticks = ticks_with(&[1.0, 2.0, 5.0], 1);
        }
    }
    let mut every = 1;
    while ticks.len() > max {
        ticks = ticks_with(&[1.0], every);
        every += 1;
    }
    if ticks.is_empty() {
        let two_digits = |v: f64| {
            let decimals = (1.0 - v.log10().floor()).max(0.0) as usize;
            fmt_num(v, decimals)
        };
        return vec![(lo, two_digits(lo)), (hi, two_digits(hi))];
    }
    ticks.into_iter().map(|v| (v, label(v))).collect()
}

/// Whether a polyline (gaps marked by `i32::MIN`) passes through a rectangle.
fn segments_hit(pts: &[(i32, i32)], r: &PixelRect) -> bool {
    if pts.len() == 1 {
        return r.contains(pts[0].0, pts[0].1);
    }
    pts.windows(2).any(|w| {
        let (a, b) = (w[0], w[1]);
        if a.0 == i32::MIN || b.0 == i32::MIN {
            return a.0 != i32::MIN && r.contains(a.0, a.1);
        }
        let steps = (a.0 - b.0).abs().max((a.1 - b.1).abs()).max(1) as i64;
        (0..=steps).any(|k| {
            let x = a.0 as i64 + (b.0 as i64 - a.0 as i64) * k / steps;
            let y = a.1 as i64 + (b.1 as i64 - a.1 as i64) * k / steps;
            r.contains(x as i32, y as i32)
        })
    })
}
