//! Images: grids of captioned images, annotated heatmaps, weight tiles.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayView3, Axis};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Area, Figure, FigureData, PixelRect, PlotValue, contrast_text, draw_text, fill_rect, fit_text,
    render, text_size,
};
use crate::error::{Error, Result};

/// A pixel type an [`Image`] can be built from.
///
/// `u8` pixels are read as `0..=255`. Float pixels already in `[0, 1]` are
/// taken as they are; any other float image is min-max scaled to `[0, 1]`
/// (so raw `0..255` floats and standardised inputs both show).
pub trait PixelValue: Copy {
    /// The value of full intensity for integer pixels, `None` for floats.
    const FULL_SCALE: Option<f64>;
    /// The pixel as `f64`.
    fn pixel_f64(self) -> f64;
}

impl PixelValue for u8 {
    const FULL_SCALE: Option<f64> = Some(255.0);
    fn pixel_f64(self) -> f64 {
        self as f64
    }
}
impl PixelValue for f32 {
    const FULL_SCALE: Option<f64> = None;
    fn pixel_f64(self) -> f64 {
        self as f64
    }
}
impl PixelValue for f64 {
    const FULL_SCALE: Option<f64> = None;
    fn pixel_f64(self) -> f64 {
        self
    }
}

/// How one-channel values in `[0, 1]` become colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Colormap {
    /// 0 is black, 1 is white (matplotlib's `gray`).
    #[default]
    Gray,
    /// 0 is white, 1 is black (matplotlib's `binary`): dark ink on paper.
    Binary,
    /// 0 is white, 1 is dark blue.
    Blues,
}

impl Colormap {
    /// The colour `[r, g, b]` of a value `t` in `[0, 1]` (clamped).
    pub fn color(self, t: f64) -> [u8; 3] {
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let g = (t * 255.0).round() as u8;
        match self {
            Colormap::Gray => [g, g, g],
            Colormap::Binary => [255 - g, 255 - g, 255 - g],
            Colormap::Blues => {
                // matplotlib's "Blues" at 0, 1/4, 1/2, 3/4, 1, linearly between.
                const STOPS: [[f64; 3]; 5] = [
                    [247.0, 251.0, 255.0],
                    [198.0, 219.0, 239.0],
                    [107.0, 174.0, 214.0],
                    [33.0, 113.0, 181.0],
                    [8.0, 48.0, 107.0],
                ];
                let k = ((t * 4.0).floor() as usize).min(3);
                let f = t * 4.0 - k as f64;
                let (a, b) = (STOPS[k], STOPS[k + 1]);
                [0, 1, 2].map(|i| (a[i] + (b[i] - a[i]) * f).round() as u8)
            }
        }
    }
}

/// An image with 1 (grayscale) or 3 (RGB) channels, values in `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    height: usize,
    width: usize,
    channels: usize,
    /// Row-major, channels last.
    values: Vec<f64>,
}

impl Image {
    /// A grayscale image from a `height x width` array.
    ///
    /// See [`PixelValue`] for how values are scaled. Errors: an empty array
    /// or a NaN / infinite value.
    pub fn gray<T: PixelValue>(pixels: ArrayView2<T>) -> Result<Image> {
        let (h, w) = pixels.dim();
        Image::build(
            h,
            w,
            1,
            pixels.iter().map(|v| v.pixel_f64()).collect(),
            T::FULL_SCALE,
        )
    }

    /// An RGB image from a `height x width x 3` array (a `height x width x 1`
    /// array gives a grayscale image). Values are scaled as for [`Image::gray`].
    ///
    /// # Errors
    /// [`Error::Shape`] if the last axis is not 3 (or 1) long;
    /// [`Error::InvalidArgument`] for an empty image or a value that is not finite.
    pub fn rgb<T: PixelValue>(pixels: ArrayView3<T>) -> Result<Image> {
        let (h, w, c) = pixels.dim();
        if c != 3 && c != 1 {
            return Err(Error::shape(
                "image",
                &[h, w, c],
                &[h, w, 3],
                "an RGB image has 3 channels (channels last)",
            ));
        }
        Image::build(
            h,
            w,
            c,
            pixels.iter().map(|v| v.pixel_f64()).collect(),
            T::FULL_SCALE,
        )
    }

    /// An image from a flat vector: grayscale if it holds `height * width`
    /// values, RGB (channels last) if `height * width * 3`; e.g. one row of
    /// MNIST's `(n, 784)` matrix with `height = width = 28`.
    ///
    /// # Errors
    /// [`Error::Shape`] if the length is neither `height * width` nor three
    /// times that; [`Error::InvalidArgument`] for an empty image or a value
    /// that is not finite.
    pub fn from_flat<T: PixelValue>(
        pixels: ArrayView1<T>,
        height: usize,
        width: usize,
    ) -> Result<Image> {
        let n = pixels.len();
        let c = if n == height * width {
            1
        } else if n == height * width * 3 {
            3
        } else {
            return Err(Error::shape(
                "image from a flat vector",
                &[n],
                &[height, width],
                format!(
                    "{n} values make neither a {height}x{width} grayscale image ({}) nor an RGB one ({})",
                    height * width,
                    height * width * 3
                ),
            ));
        };
        Image::build(
            height,
            width,
            c,
            pixels.iter().map(|v| v.pixel_f64()).collect(),
            T::FULL_SCALE,
        )
    }

    /// An image min-max scaled to `[0, 1]` whatever its range.
    fn normalized(height: usize, width: usize, channels: usize, values: Vec<f64>) -> Result<Image> {
        Image::build(height, width, channels, values, Some(f64::NAN))
    }

    /// `full_scale`: `Some(s)` divides by `s` (NaN: always min-max), `None`
    /// keeps `[0, 1]` floats and min-max scales others.
    fn build(
        height: usize,
        width: usize,
        channels: usize,
        mut values: Vec<f64>,
        full_scale: Option<f64>,
    ) -> Result<Image> {
        if height == 0 || width == 0 {
            return Err(Error::invalid(
                "image",
                "at least 1x1 pixels",
                format!("{height}x{width}"),
            ));
        }
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "image pixels",
                "finite values",
                format!("{} at flat index {i}", values[i]),
            ));
        }
        let (lo, hi) = values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        match full_scale {
            Some(s) if s.is_finite() => values
                .iter_mut()
                .for_each(|v| *v = (*v / s).clamp(0.0, 1.0)),
            None if lo >= 0.0 && hi <= 1.0 => {}
            _ => {
                let span = if hi > lo { hi - lo } else { 1.0 };
                values.iter_mut().for_each(|v| *v = (*v - lo) / span);
            }
        }
        Ok(Image {
            height,
            width,
            channels,
            values,
        })
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// 1 for grayscale, 3 for RGB.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The values of pixel `(row, col)` in `[0, 1]`, one per channel.
    ///
    /// # Panics
    /// If `(row, col)` lies outside the image, as indexing an array does.
    pub fn get(&self, row: usize, col: usize) -> &[f64] {
        let i = (row * self.width + col) * self.channels;
        &self.values[i..i + self.channels]
    }

    /// The colour of pixel `(row, col)`, grayscale through `cmap`.
    pub fn color(&self, row: usize, col: usize, cmap: Colormap) -> [u8; 3] {
        let v = self.get(row, col);
        if self.channels == 3 {
            [v[0], v[1], v[2]].map(|c| (c * 255.0).round() as u8)
        } else {
            cmap.color(v[0])
        }
    }
}

/// Draws an image scaled (nearest neighbour) into `r`.
pub(super) fn draw_image(area: &Area, img: &Image, r: PixelRect, cmap: Colormap) -> Result<()> {
    let xs: Vec<i32> = (0..=img.width)
        .map(|j| r.x0 + (j as f64 * r.width() as f64 / img.width as f64).round() as i32)
        .collect();
    let ys: Vec<i32> = (0..=img.height)
        .map(|i| r.y0 + (i as f64 * r.height() as f64 / img.height as f64).round() as i32)
        .collect();
    for i in 0..img.height {
        for j in 0..img.width {
            if xs[j + 1] > xs[j] && ys[i + 1] > ys[i] {
                let c = img.color(i, j, cmap);
                fill_rect(
                    area,
                    PixelRect {
                        x0: xs[j],
                        y0: ys[i],
                        x1: xs[j + 1],
                        y1: ys[i + 1],
                    },
                    RGBColor(c[0], c[1], c[2]),
                )?;
            }
        }
    }
    Ok(())
}

/// The largest rectangle of the image's aspect ratio in a `w x h` box,
/// centred horizontally at the top of the box.
fn fit_image(img: &Image, x0: i32, y0: i32, w: i32, h: i32) -> PixelRect {
    let s = (w as f64 / img.width as f64).min(h as f64 / img.height as f64);
    let iw = ((img.width as f64 * s).floor() as i32).max(1);
    let ih = ((img.height as f64 * s).floor() as i32).max(1);
    let x = x0 + (w - iw) / 2;
    PixelRect {
        x0: x,
        y0,
        x1: x + iw,
        y1: y0 + ih,
    }
}

/// One image of an [`ImageGrid`] or [`WeightTiles`] figure, as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    /// The image (values in `[0, 1]`).
    pub image: Image,
    /// The caption under it.
    pub caption: String,
    /// Where the image was drawn, in figure pixels.
    pub rect: PixelRect,
}

/// N images in a grid with a caption under each: digits with their labels,
/// CIFAR-10 samples with class names.
///
/// Defaults: each cell three times the image width (72 to 140 pixels), the
/// figure as wide as the columns need; grayscale drawn with [`Colormap::Gray`].
/// All images must have the same size.
///
/// ```
/// use nnlib::plot::{Image, ImageGrid};
/// use ndarray::Array2;
/// let digit = Array2::<u8>::from_shape_fn((28, 28), |(i, j)| ((i * j) % 256) as u8);
/// let fig = ImageGrid::new(4)
///     .title("Samples")
///     .image(Image::gray(digit.view())?, "label 5")
///     .render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImageGrid {
    columns: usize,
    title: String,
    width: Option<u32>,
    colormap: Colormap,
    cells: Vec<(Image, String)>,
}

impl ImageGrid {
    /// An empty grid with `columns` images per row.
    pub fn new(columns: usize) -> ImageGrid {
        ImageGrid {
            columns,
            title: String::new(),
            width: None,
            colormap: Colormap::Gray,
            cells: Vec::new(),
        }
    }

    /// Sets the title (default none).
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// Sets the figure width in pixels; the height follows from the rows.
    pub fn width(mut self, width: u32) -> Self {
        self.width = Some(width);
        self
    }

    /// Sets the colours of grayscale images (default [`Colormap::Gray`]).
    pub fn colormap(mut self, cmap: Colormap) -> Self {
        self.colormap = cmap;
        self
    }

    /// Adds an image with its caption (may be empty).
    pub fn image(mut self, image: Image, caption: impl Into<String>) -> Self {
        self.cells.push((image, caption.into()));
        self
    }

    /// Adds an image in place (for loops).
    pub fn push(&mut self, image: Image, caption: impl Into<String>) {
        self.cells.push((image, caption.into()));
    }

    /// Draws the grid. Errors: no images, zero columns, images of different sizes.
    pub fn render(&self) -> Result<Figure> {
        render_grid(
            "image grid",
            &self.cells,
            self.columns,
            &self.title,
            self.width,
            self.colormap,
        )
    }
}

fn render_grid(
    what: &str,
    cells: &[(Image, String)],
    columns: usize,
    title: &str,
    width: Option<u32>,
    cmap: Colormap,
) -> Result<Figure> {
    if columns == 0 {
        return Err(Error::invalid(format!("{what} columns"), "at least 1", "0"));
    }
    let Some((first, _)) = cells.first() else {
        return Err(Error::invalid(
            format!("{what} images"),
            "at least one image",
            "none",
        ));
    };
    for (k, (img, _)) in cells.iter().enumerate() {
        if (img.height, img.width, img.channels) != (first.height, first.width, first.channels) {
            return Err(Error::shape(
                format!("{what}: image {k}"),
                &[img.height, img.width, img.channels],
                &[first.height, first.width, first.channels],
                "all images of a grid must have the size and channels of the first",
            ));
        }
    }
    let cols = columns.min(cells.len());
    let rows = cells.len().div_ceil(cols);
    let margin = 10;
    let gap = 8;
    let cell_w = match width {
        Some(w) => ((w as i32 - 2 * margin) / cols as i32).max(4),
        None => (first.width as i32 * 3).clamp(72, 140),
    };
    let fig_w = width.unwrap_or((cell_w * cols as i32 + 2 * margin) as u32);
    let img_w = (cell_w - gap).max(2);
    let img_h = ((img_w as f64 * first.height as f64 / first.width as f64).round() as i32).max(1);
    let has_captions = cells.iter().any(|(_, c)| !c.is_empty());
    let cap_size = 12.0;
    let cap_h = if has_captions { 18 } else { 0 };
    let title_h = if title.is_empty() { 0 } else { 34 };
    let row_h = img_h + cap_h + gap;
    let fig_h = (title_h + margin + rows as i32 * row_h + margin - gap / 2).max(64) as u32;
    render(what, fig_w, fig_h.max(super::SIZE_LIMITS.0), |root| {
        if !title.is_empty() {
            draw_text(
                root,
                title,
                (fig_w as i32 / 2, 10),
                18.0,
                BLACK,
                (HPos::Center, VPos::Top),
            )?;
        }
        let mut out = Vec::new();
        for (k, (img, caption)) in cells.iter().enumerate() {
            let (r, c) = (k / cols, k % cols);
            let x0 = margin + c as i32 * cell_w + gap / 2;
            let y0 = title_h + margin + r as i32 * row_h;
            let rect = fit_image(img, x0, y0, img_w, img_h);
            draw_image(root, img, rect, cmap)?;
            let frame = PixelRect {
                x0: rect.x0 - 1,
                y0: rect.y0 - 1,
                x1: rect.x1 + 1,
                y1: rect.y1 + 1,
            };
            super::stroke_rect(root, frame, RGBColor(200, 200, 200))?;
            let shown = fit_text(root, caption, cap_size, cell_w - 2);
            if !shown.is_empty() {
                draw_text(
                    root,
                    &shown,
                    (x0 + img_w / 2, rect.y1 + 3),
                    cap_size,
                    BLACK,
                    (HPos::Center, VPos::Top),
                )?;
            }
            out.push(GridCell {
                image: img.clone(),
                caption: caption.clone(),
                rect,
            });
        }
        Ok(FigureData::Images(out))
    })
}

/// What a [`Heatmap`] was drawn from, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapData {
    /// The values, one per cell.
    pub values: Array2<f64>,
    /// The text written on each cell (empty when the cells are too small).
    pub texts: Array2<String>,
    /// The value range mapped onto the colormap, `(min, max)`.
    pub range: (f64, f64),
    /// The whole grid of cells, in figure pixels.
    pub grid: PixelRect,
}

impl HeatmapData {
    /// Where cell `(row, col)` was drawn, in figure pixels.
    pub fn cell_rect(&self, row: usize, col: usize) -> PixelRect {
        let (rows, cols) = self.values.dim();
        let x = |j: usize| self.grid.x0 + (j as i32 * self.grid.width()) / cols as i32;
        let y = |i: usize| self.grid.y0 + (i as i32 * self.grid.height()) / rows as i32;
        PixelRect {
            x0: x(col),
            y0: y(row),
            x1: x(col + 1),
            y1: y(row + 1),
        }
    }
}

/// One grayscale image drawn as a heatmap with each value written on its
/// cell (lesson 03's 8x8 digit), row and column indices along the edges.
///
/// Defaults: cells of up to 56 pixels (the grid about 450 pixels wide),
/// colours through [`Colormap::Gray`] from the smallest to the largest value,
/// values written with 0 decimals when all are whole numbers, else 2; the
/// text is black on light cells and white on dark ones.
///
/// ```
/// use nnlib::plot::Heatmap;
/// use ndarray::array;
/// let fig = Heatmap::new(array![[0.0, 5.0], [16.0, 9.0]].view()).title("digit").render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Heatmap {
    values: Array2<f64>,
    title: String,
    decimals: Option<usize>,
    colormap: Colormap,
    range: Option<(f64, f64)>,
    cell: Option<u32>,
}

impl Heatmap {
    /// A heatmap of a `rows x cols` array.
    pub fn new<T: PlotValue + Copy>(values: ArrayView2<T>) -> Heatmap {
        Heatmap {
            values: values.map(|v| v.plot_value()),
            title: String::new(),
            decimals: None,
            colormap: Colormap::Gray,
            range: None,
            cell: None,
        }
    }

    /// Sets the title (default none).
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// Sets the decimals of the written values.
    pub fn decimals(mut self, decimals: usize) -> Self {
        self.decimals = Some(decimals);
        self
    }

    /// Sets the colours (default [`Colormap::Gray`]).
    pub fn colormap(mut self, cmap: Colormap) -> Self {
        self.colormap = cmap;
        self
    }

    /// Fixes the value range mapped to the colormap (default: the data's).
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.range = Some((min, max));
        self
    }

    /// Sets the side of one cell in pixels (default: up to 56, to fit ~450 px).
    pub fn cell_size(mut self, pixels: u32) -> Self {
        self.cell = Some(pixels);
        self
    }

    /// Draws the heatmap. Errors: an empty array, NaN or infinite values, a
    /// range with `min >= max`.
    pub fn render(&self) -> Result<Figure> {
        let (rows, cols) = self.values.dim();
        if rows == 0 || cols == 0 {
            return Err(Error::invalid(
                "heatmap values",
                "a non-empty 2-D array",
                format!("shape ({rows}, {cols})"),
            ));
        }
        if let Some(v) = self.values.iter().find(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "heatmap values",
                "finite values",
                v.to_string(),
            ));
        }
        let (lo, hi) = match self.range {
            Some((lo, hi)) if lo.is_finite() && hi.is_finite() && lo < hi => (lo, hi),
            Some((lo, hi)) => {
                return Err(Error::invalid(
                    "heatmap range",
                    "finite min < max",
                    format!("{lo}..{hi}"),
                ));
            }
            None => {
                let lo = self.values.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = self
                    .values
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max);
                if lo < hi {
                    (lo, hi)
                } else {
                    (lo - 0.5, lo + 0.5)
                }
            }
        };
        let decimals = self
            .decimals
            .unwrap_or(if self.values.iter().all(|v| v.fract() == 0.0) {
                0
            } else {
                2
            });
        let texts = self.values.map(|v| format!("{v:.decimals$}"));
        let cell = self
            .cell
            .map(|c| c as i32)
            .unwrap_or((450 / rows.max(cols) as i32).clamp(2, 56));
        let show_index = cell >= 14;
        let label_w = if show_index { 26 } else { 0 };
        let title_h = if self.title.is_empty() { 0 } else { 32 };
        let margin = 12;
        let fig_w =
            (margin * 2 + label_w + cell * cols as i32).max(super::SIZE_LIMITS.0 as i32) as u32;
        let fig_h = (margin * 2 + title_h + label_w + cell * rows as i32)
            .max(super::SIZE_LIMITS.0 as i32) as u32;
        let cmap = self.colormap;
        render("heatmap", fig_w, fig_h, |root| {
            if !self.title.is_empty() {
                draw_text(
                    root,
                    &self.title,
                    (fig_w as i32 / 2, 10),
                    18.0,
                    BLACK,
                    (HPos::Center, VPos::Top),
                )?;
            }
            let grid_w = cell * cols as i32;
            let x0 = (fig_w as i32 - grid_w - label_w) / 2 + label_w;
            let y0 = margin + title_h + label_w;
            let grid = PixelRect {
                x0,
                y0,
                x1: x0 + grid_w,
                y1: y0 + cell * rows as i32,
            };
            let mut data = HeatmapData {
                values: self.values.clone(),
                texts: texts.clone(),
                range: (lo, hi),
                grid,
            };
            // Text size: fits the widest value in a cell.
            let widest = texts
                .iter()
                .max_by_key(|t| t.len())
                .cloned()
                .unwrap_or_default();
            let mut size = (cell as f64 * 0.36).min(16.0);
            while size > 7.0 && text_size(root, &widest, size).0 > cell - 4 {
                size -= 0.5;
            }
            let write = size > 7.0 && text_size(root, &widest, size).0 <= cell - 4;
            for ((i, j), &v) in self.values.indexed_iter() {
                let r = data.cell_rect(i, j);
                let c = cmap.color((v - lo) / (hi - lo));
                let bg = RGBColor(c[0], c[1], c[2]);
                fill_rect(root, r, bg)?;
                if write {
                    draw_text(
                        root,
                        &texts[[i, j]],
                        r.center(),
                        size,
                        contrast_text(bg),
                        (HPos::Center, VPos::Center),
                    )?;
                }
            }
            if !write {
                data.texts.iter_mut().for_each(String::clear);
            }
            super::stroke_rect(root, grid, RGBColor(150, 150, 150))?;
            if show_index {
                let isize = 11.0;
                for j in 0..cols {
                    let r = data.cell_rect(0, j);
                    draw_text(
                        root,
                        &j.to_string(),
                        (r.center().0, grid.y0 - 5),
                        isize,
                        RGBColor(80, 80, 80),
                        (HPos::Center, VPos::Bottom),
                    )?;
                }
                for i in 0..rows {
                    let r = data.cell_rect(i, 0);
                    draw_text(
                        root,
                        &i.to_string(),
                        (grid.x0 - 6, r.center().1),
                        isize,
                        RGBColor(80, 80, 80),
                        (HPos::Right, VPos::Center),
                    )?;
                }
            }
            Ok(FigureData::Heatmap(data))
        })
    }
}

/// The weights of a layer's units shown as images: each row (or column) of
/// a weight matrix reshaped to `height x width` (or `height x width x 3`)
/// and min-max scaled on its own, so each tile shows the input pattern its
/// unit responds to.
///
/// Defaults: all units, a square-ish grid, unit indices as captions,
/// [`Colormap::Gray`].
///
/// ```
/// use nnlib::plot::WeightTiles;
/// use ndarray::Array2;
/// let w1 = Array2::<f64>::from_shape_fn((10, 784), |(u, i)| ((u + i) % 7) as f64 - 3.0);
/// let fig = WeightTiles::from_rows(w1.view(), 28, 28).render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct WeightTiles {
    tiles: Vec<Vec<f64>>,
    height: usize,
    width: usize,
    title: String,
    columns: Option<usize>,
    colormap: Colormap,
    max_tiles: Option<usize>,
    fig_width: Option<u32>,
}

impl WeightTiles {
    /// One tile per row of `weights` (units x inputs, e.g. a `10 x 784` W1).
    pub fn from_rows<T: PlotValue + Copy>(
        weights: ArrayView2<T>,
        height: usize,
        width: usize,
    ) -> WeightTiles {
        WeightTiles::build(weights, Axis(0), height, width)
    }

    /// One tile per column of `weights` (inputs x units, e.g. a `3072 x 64` W
    /// used as `X · W`).
    pub fn from_columns<T: PlotValue + Copy>(
        weights: ArrayView2<T>,
        height: usize,
        width: usize,
    ) -> WeightTiles {
        WeightTiles::build(weights, Axis(1), height, width)
    }

    fn build<T: PlotValue + Copy>(
        weights: ArrayView2<T>,
        axis: Axis,
        height: usize,
        width: usize,
    ) -> WeightTiles {
        WeightTiles {
            tiles: weights
                .axis_iter(axis)
                .map(|lane| lane.iter().map(|v| v.plot_value()).collect())
                .collect(),
            height,
            width,
            title: "First-layer weights".into(),
            columns: None,
            colormap: Colormap::Gray,
            max_tiles: None,
            fig_width: None,
        }
    }

    /// Sets the title (default `"First-layer weights"`).
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// Sets the number of tiles per row (default: about the square root of the count).
    pub fn columns(mut self, columns: usize) -> Self {
        self.columns = Some(columns);
        self
    }

    /// Shows only the first `n` units.
    pub fn max_tiles(mut self, n: usize) -> Self {
        self.max_tiles = Some(n);
        self
    }

    /// Sets the colours (default [`Colormap::Gray`]: the largest weight white).
    pub fn colormap(mut self, cmap: Colormap) -> Self {
        self.colormap = cmap;
        self
    }

    /// Sets the figure width in pixels.
    pub fn width(mut self, width: u32) -> Self {
        self.fig_width = Some(width);
        self
    }

    /// Draws the tiles. Errors: no units, a tile length that is neither
    /// `height * width` nor `height * width * 3`, NaN or infinite weights.
    pub fn render(&self) -> Result<Figure> {
        let n = self
            .max_tiles
            .unwrap_or(self.tiles.len())
            .min(self.tiles.len());
        let mut cells = Vec::with_capacity(n);
        for (k, t) in self.tiles.iter().take(n).enumerate() {
            let hw = self.height * self.width;
            let channels = if t.len() == hw {
                1
            } else if t.len() == hw * 3 {
                3
            } else {
                return Err(Error::shape(
                    "weight tiles",
                    &[t.len()],
                    &[self.height, self.width],
                    format!(
                        "each unit has {} weights, which do not reshape to {}x{} ({hw}) or {}x{}x3 ({})",
                        t.len(),
                        self.height,
                        self.width,
                        self.height,
                        self.width,
                        hw * 3
                    ),
                ));
            };
            let img =
                Image::normalized(self.height, self.width, channels, t.clone()).map_err(|e| {
                    Error::invalid(format!("weight tile {k}"), "finite weights", e.to_string())
                })?;
            cells.push((img, k.to_string()));
        }
        let columns = self
            .columns
            .unwrap_or(((n as f64).sqrt().ceil() as usize).max(1));
        let width = self.fig_width.or_else(|| {
            let cell = (self.width as u32 * 3).clamp(56, 100);
            Some((columns as u32 * cell + 20).max(240))
        });
        render_grid(
            "weight tiles",
            &cells,
            columns,
            &self.title,
            width,
            self.colormap,
        )
    }
}
