//! Figures rendered to PNG and shown inline in Jupyter.
//!
//! Every builder in this module draws with [`plotters`] onto an in-memory RGB
//! bitmap and returns a [`Figure`]: the pixels plus the numbers the figure was
//! built from ([`Figure::data`]), so a test can check the numbers instead of
//! the pixels. A figure owns only data (no closures), so it can live in a
//! notebook variable between cells.
//!
//! In the evcxr Jupyter kernel a cell whose last expression is a [`Figure`]
//! shows it inline: evcxr calls [`Figure::evcxr_display`], which prints the
//! PNG as an `image/png` bundle. A cell shows only the last bundle of each MIME
//! type, so several panels go into one figure ([`Subplots`]).
//!
//! Text is drawn with the DejaVu Sans font bundled in the library, so no
//! system font is needed.
//!
//! Figures are anti-aliased: each is drawn at three times its size and each
//! 3x3 block is averaged into one pixel, so curves, slanted lines and text
//! have smooth edges at the size shown, while rectangles on whole pixels
//! (image pixels, bars, heatmap cells, axes) keep their exact colours.
//!
//! | builder | figure |
//! | --- | --- |
//! | [`LineChart`] | named series over epochs or iterations, with a legend |
//! | [`FunctionPlot`] | functions `f(x)` over a range, e.g. an activation and its derivative |
//! | [`Subplots`] | a grid of line charts and function plots in one image |
//! | [`ImageGrid`] | N images with a caption under each |
//! | [`Heatmap`] | one image with each value written on its pixel |
//! | [`ProbabilityBars`] | images, each beside a bar chart of its class probabilities |
//! | [`ConfusionMatrix`] | counts of (true, predicted) class pairs |
//! | [`WeightTiles`] | the rows or columns of a weight matrix shown as images |
//!
//! ```
//! use nnlib::plot::LineChart;
//! let fig = LineChart::new("Loss per epoch")
//!     .x_label("epoch")
//!     .y_label("loss")
//!     .series("train", &[2.30, 1.20, 0.80, 0.61])
//!     .series("validation", &[2.31, 1.35, 0.95, 0.90])
//!     .render()?;
//! assert_eq!((fig.width(), fig.height()), (640, 400));
//! # Ok::<(), nnlib::Error>(())
//! ```

mod backend;
mod bars;
mod chart;
mod confusion;
mod image;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

use base64::Engine;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::register_font;
use plotters::style::text_anchor::{HPos, VPos};

use crate::error::{Error, Result};

pub use bars::{ProbabilityBars, ProbabilityRow};
pub use chart::{ChartData, FunctionPlot, LineChart, Panel, Series, Subplots};
pub use confusion::{ConfusionData, ConfusionMatrix};
pub use image::{
    Colormap, GridCell, Heatmap, HeatmapData, Image, ImageGrid, PixelValue, WeightTiles,
};

/// The font family name under which the bundled DejaVu Sans is registered.
const FONT: &str = "sans-serif";

/// DejaVu Sans (Bitstream Vera licence, see `assets/DejaVuSans-LICENSE.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

static FONT_ONCE: Once = Once::new();

/// Registers the bundled font with plotters, once per process.
fn ensure_font() -> Result<()> {
    let mut ok = true;
    FONT_ONCE.call_once(|| {
        ok = register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok();
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Plot(
            "the bundled font DejaVuSans.ttf could not be parsed".into(),
        ))
    }
}

/// The colours of the series, in order (the "tab10" palette of matplotlib).
pub const PALETTE: [[u8; 3]; 10] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
];

/// The smallest and largest width or height of a figure, in pixels.
pub const SIZE_LIMITS: (u32, u32) = (64, 8192);

/// A rectangle of a figure's pixels: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    /// First column.
    pub x0: i32,
    /// First row.
    pub y0: i32,
    /// One past the last column.
    pub x1: i32,
    /// One past the last row.
    pub y1: i32,
}

impl PixelRect {
    /// The centre pixel `(x, y)`.
    pub fn center(&self) -> (i32, i32) {
        ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)
    }
    /// Width in pixels.
    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }
    /// Height in pixels.
    pub fn height(&self) -> i32 {
        self.y1 - self.y0
    }
    fn contains(&self, x: i32, y: i32) -> bool {
        x >= self.x0 && x < self.x1 && y >= self.y0 && y < self.y1
    }
}

/// The numbers a [`Figure`] was built from, and where they were drawn.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FigureData {
    /// One chart per panel ([`LineChart`], [`FunctionPlot`], [`Subplots`]).
    Charts(Vec<ChartData>),
    /// Images with captions ([`ImageGrid`], [`WeightTiles`]).
    Images(Vec<GridCell>),
    /// One image with values written on it ([`Heatmap`]).
    Heatmap(HeatmapData),
    /// Class probabilities beside images ([`ProbabilityBars`]).
    Probabilities(Vec<ProbabilityRow>),
    /// A confusion matrix ([`ConfusionMatrix`]).
    Confusion(ConfusionData),
}

/// A rendered figure: an RGB bitmap and the data it was drawn from.
///
/// Show it in Jupyter by ending a cell with it (or calling
/// [`evcxr_display`](Figure::evcxr_display)), save it with
/// [`save`](Figure::save), or get the PNG bytes with [`to_png`](Figure::to_png).
#[derive(Clone, PartialEq)]
pub struct Figure {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    data: FigureData,
}

impl std::fmt::Debug for Figure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.data {
            FigureData::Charts(c) => format!("{} chart(s)", c.len()),
            FigureData::Images(i) => format!("{} image(s)", i.len()),
            FigureData::Heatmap(h) => format!("heatmap {:?}", h.values.dim()),
            FigureData::Probabilities(r) => format!("{} probability row(s)", r.len()),
            FigureData::Confusion(c) => {
                format!("confusion matrix of {} classes", c.class_names.len())
            }
        };
        write!(f, "Figure {}x{} ({kind})", self.width, self.height)
    }
}

impl Figure {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, row by row, 3 bytes (R, G, B) each.
    pub fn rgb(&self) -> &[u8] {
        &self.rgb
    }

    /// The colour `[r, g, b]` of pixel `(x, y)`, or `None` outside the figure.
    pub fn pixel(&self, x: i32, y: i32) -> Option<[u8; 3]> {
        if x < 0 || y < 0 || x as u32 >= self.width || y as u32 >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        Some([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    /// The numbers the figure was drawn from, and where they were drawn.
    pub fn data(&self) -> &FigureData {
        &self.data
    }

    /// Encodes the figure as a PNG file's bytes.
    ///
    /// # Errors
    /// [`Error::Plot`] if the PNG encoder fails.
    pub fn to_png(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let encoder = ::image::codecs::png::PngEncoder::new(&mut out);
        ::image::ImageEncoder::write_image(
            encoder,
            &self.rgb,
            self.width,
            self.height,
            ::image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| Error::Plot(format!("PNG encoding failed: {e}")))?;
        Ok(out)
    }

    /// Saves the figure as a PNG file.
    ///
    /// The file is written next to `path` under a temporary name and then
    /// renamed, so an interrupted save never leaves a half-written file.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path if the file cannot be written or
    /// renamed; [`Error::Plot`] if the PNG encoder fails.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let png = self.to_png()?;
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut name = path
            .file_name()
            .ok_or_else(|| {
                Error::invalid(
                    "figure file name",
                    "a path ending in a file name, e.g. \"loss.png\"",
                    format!("{}", path.display()),
                )
            })?
            .to_os_string();
        name.push(format!(".{}.tmp", std::process::id()));
        let tmp: PathBuf = path.with_file_name(name);
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&png)?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }

    /// The text the evcxr kernel reads as an inline `image/png` output.
    pub fn evcxr_content(&self) -> Result<String> {
        let png = self.to_png()?;
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        Ok(format!(
            "EVCXR_BEGIN_CONTENT image/png\n{b64}\nEVCXR_END_CONTENT\n"
        ))
    }

    /// Shows the figure inline in Jupyter (evcxr kernel) by printing it as an
    /// `image/png` bundle to stdout.
    ///
    /// evcxr calls this for a cell's last expression. Only the last bundle of
    /// each MIME type in a cell is shown.
    pub fn evcxr_display(&self) {
        match self.evcxr_content() {
            Ok(s) => print!("{s}"),
            Err(e) => println!("{e}"),
        }
    }
}

/// A number a chart can plot: `f32`, `f64`, integers, and references to them.
pub trait PlotValue {
    /// The value as `f64`.
    fn plot_value(self) -> f64;
}

macro_rules! plot_value {
    ($($t:ty),*) => {$(
        impl PlotValue for $t {
            fn plot_value(self) -> f64 {
                self as f64
            }
        }
        impl PlotValue for &$t {
            fn plot_value(self) -> f64 {
                *self as f64
            }
        }
    )*};
}
plot_value!(f32, f64, u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// Collects plot values into `f64`s.
fn collect<V: PlotValue>(values: impl IntoIterator<Item = V>) -> Vec<f64> {
    values.into_iter().map(PlotValue::plot_value).collect()
}

/// The drawing area every builder draws on, in figure pixels.
type Area<'a> = DrawingArea<backend::Supersampled<'a>, Shift>;

/// Converts a plotters error into the library's.
fn plot_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Plot(format!("drawing failed: {e:?}"))
}

fn check_size(what: &str, width: u32, height: u32) -> Result<()> {
    let (lo, hi) = SIZE_LIMITS;
    if width < lo || height < lo || width > hi || height > hi {
        return Err(Error::invalid(
            format!("{what} size"),
            format!("width and height between {lo} and {hi} pixels"),
            format!("{width}x{height}"),
        ));
    }
    Ok(())
}

/// Renders a figure of the given size with `draw`, which returns the data.
fn render(
    what: &str,
    width: u32,
    height: u32,
    draw: impl FnOnce(&Area) -> Result<FigureData>,
) -> Result<Figure> {
    check_size(what, width, height)?;
    ensure_font()?;
    let s = backend::SCALE as usize;
    let mut big = vec![255u8; width as usize * height as usize * s * s * 3];
    let data = {
        let root = backend::Supersampled::new(&mut big, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let data = draw(&root)?;
        root.present().map_err(plot_err)?;
        data
    };
    let rgb = backend::downsample(&big, width, height);
    Ok(Figure {
        width,
        height,
        rgb,
        data,
    })
}

/// Runs `f` on a scratch drawing area, to measure text before laying out.
fn measure<R>(f: impl FnOnce(&Area) -> R) -> Result<R> {
    ensure_font()?;
    let s = backend::SCALE as usize;
    let mut scratch = vec![255u8; 16 * 16 * s * s * 3];
    let root = backend::Supersampled::new(&mut scratch, (16, 16)).into_drawing_area();
    Ok(f(&root))
}

/// A font of the bundled family at `size` pixels.
fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

/// Width and height in pixels of `text` at `size`.
fn text_size(area: &Area, text: &str, size: f64) -> (i32, i32) {
    area.estimate_text_size(text, &font(size))
        .map(|(w, h)| (w as i32, h as i32))
        .unwrap_or((
            text.chars().count() as i32 * size as i32 * 6 / 10,
            size as i32,
        ))
}

/// Shortens `text` with an ellipsis until it fits `max_width` pixels.
fn fit_text(area: &Area, text: &str, size: f64, max_width: i32) -> String {
    if text_size(area, text, size).0 <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (0..chars.len()).rev() {
        let s: String = chars[..n].iter().collect::<String>() + "…";
        if text_size(area, &s, size).0 <= max_width {
            return s;
        }
    }
    String::new()
}

/// Draws `text` with its anchor at `(x, y)` (absolute pixel coordinates).
fn draw_text(
    area: &Area,
    text: &str,
    (x, y): (i32, i32),
    size: f64,
    color: RGBColor,
    anchor: (HPos, VPos),
) -> Result<()> {
    let (ox, oy) = area.get_base_pixel();
    let style = font(size)
        .color(&color)
        .pos(plotters::style::text_anchor::Pos::new(anchor.0, anchor.1));
    area.draw(&Text::new(text.to_string(), (x - ox, y - oy), style))
        .map_err(plot_err)
}

/// Fills a rectangle given in absolute pixel coordinates.
fn fill_rect(area: &Area, r: PixelRect, color: RGBColor) -> Result<()> {
    let (ox, oy) = area.get_base_pixel();
    // Filled rectangles exclude their bottom-right corner.
    area.draw(&Rectangle::new(
        [(r.x0 - ox, r.y0 - oy), (r.x1 - ox, r.y1 - oy)],
        color.filled(),
    ))
    .map_err(plot_err)
}

/// Outlines a rectangle given in absolute pixel coordinates.
fn stroke_rect(area: &Area, r: PixelRect, color: RGBColor) -> Result<()> {
    let (ox, oy) = area.get_base_pixel();
    area.draw(&Rectangle::new(
        [(r.x0 - ox, r.y0 - oy), (r.x1 - 1 - ox, r.y1 - 1 - oy)],
        color.stroke_width(1),
    ))
    .map_err(plot_err)
}

/// The text colour readable on a background: black on light, white on dark.
fn contrast_text(bg: RGBColor) -> RGBColor {
    let l = 0.299 * bg.0 as f64 + 0.587 * bg.1 as f64 + 0.114 * bg.2 as f64;
    if l > 140.0 { BLACK } else { WHITE }
}

fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// The absolute pixel rectangle of a drawing area.
fn area_rect(area: &Area) -> PixelRect {
    let (x, y) = area.get_pixel_range();
    PixelRect {
        x0: x.start,
        y0: y.start,
        x1: x.end,
        y1: y.end,
    }
}

/// Formats a number with at most `decimals` decimals, dropping trailing zeros.
fn fmt_num(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}
