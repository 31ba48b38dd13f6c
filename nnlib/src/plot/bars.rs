//! Bar charts of class probabilities beside the images they are for.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::image::draw_image;
use super::{
    Colormap, Figure, FigureData, Image, PixelRect, PlotValue, collect, draw_text, fill_rect,
    fit_text, render, text_size,
};
use crate::error::{Error, Result};

/// Colour of the predicted class's bar when it is right (or no truth is given).
const RIGHT: RGBColor = RGBColor(44, 160, 44);
/// Colour of the predicted class's bar when it is wrong.
const WRONG: RGBColor = RGBColor(214, 39, 40);
/// Colour of the true class's bar when the prediction is wrong.
const TRUE: RGBColor = RGBColor(31, 119, 180);
/// Colour of the other bars.
const OTHER: RGBColor = RGBColor(170, 180, 195);

/// One image and its class probabilities, as drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbabilityRow {
    /// The image.
    pub image: Image,
    /// One probability per class.
    pub probabilities: Vec<f64>,
    /// The true class, when given.
    pub true_class: Option<usize>,
    /// The predicted class: the index of the largest probability.
    pub predicted: usize,
    /// Where the image was drawn, in figure pixels.
    pub image_rect: PixelRect,
    /// Where each class's bar was drawn (zero width for probability 0).
    pub bars: Vec<PixelRect>,
}

/// Images, each beside a horizontal bar chart of its predicted class
/// probabilities with the class names (lesson 05), one row per image.
///
/// The predicted class's bar is green when right (or when no true class is
/// given) and red when wrong, with the true class's bar then blue; every bar
/// has its probability written after it. Each image is framed in light grey.
/// Default width 640 pixels.
///
/// ```
/// use nnlib::plot::{Image, ProbabilityBars};
/// use ndarray::Array2;
/// let img = Image::gray(Array2::<f32>::zeros((28, 28)).view())?;
/// let fig = ProbabilityBars::new(["cat", "dog", "bird"])
///     .row(img, [0.1, 0.7, 0.2], Some(1))
///     .render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProbabilityBars {
    class_names: Vec<String>,
    title: String,
    width: u32,
    colormap: Colormap,
    rows: Vec<(Image, Vec<f64>, Option<usize>)>,
}

impl ProbabilityBars {
    /// An empty figure for the given class names.
    pub fn new<S: Into<String>>(class_names: impl IntoIterator<Item = S>) -> ProbabilityBars {
        ProbabilityBars {
            class_names: class_names.into_iter().map(Into::into).collect(),
            title: String::new(),
            width: 640,
            colormap: Colormap::Gray,
            rows: Vec::new(),
        }
    }

    /// Sets the title (default none).
    pub fn title(mut self, title: &str) -> Self {
        self.title = title.to_string();
        self
    }

    /// Sets the width in pixels (default 640); the height follows from the rows.
    pub fn width(mut self, width: u32) -> Self {
        self.width = width;
        self
    }

    /// Sets the colours of grayscale images (default [`Colormap::Gray`]).
    pub fn colormap(mut self, cmap: Colormap) -> Self {
        self.colormap = cmap;
        self
    }

    /// Adds an image with its class probabilities and, if known, its true class.
    pub fn row<V: PlotValue>(
        mut self,
        image: Image,
        probabilities: impl IntoIterator<Item = V>,
        true_class: Option<usize>,
    ) -> Self {
        self.push(image, probabilities, true_class);
        self
    }

    /// Adds a row in place (for loops).
    pub fn push<V: PlotValue>(
        &mut self,
        image: Image,
        probabilities: impl IntoIterator<Item = V>,
        true_class: Option<usize>,
    ) {
        self.rows.push((image, collect(probabilities), true_class));
    }

    /// Draws the figure. Errors: no class names, no rows, a probability
    /// vector of the wrong length, a value outside `[0, 1]`, a true class
    /// out of range.
    pub fn render(&self) -> Result<Figure> {
        let n = self.class_names.len();
        if n == 0 {
            return Err(Error::invalid(
                "probability bars: class names",
                "at least one class",
                "none",
            ));
        }
        if self.rows.is_empty() {
            return Err(Error::invalid(
                "probability bars: rows",
                "at least one image",
                "none",
            ));
        }
        for (k, (_, p, t)) in self.rows.iter().enumerate() {
            if p.len() != n {
                return Err(Error::shape(
                    format!("probability bars: row {k}"),
                    &[p.len()],
                    &[n],
                    "one probability per class name",
                ));
            }
            if let Some(v) = p
                .iter()
                .find(|v| !(v.is_finite() && (-1e-6..=1.0 + 1e-6).contains(*v)))
            {
                return Err(Error::invalid(
                    format!("probability bars: row {k}"),
                    "probabilities in [0, 1]",
                    v.to_string(),
                ));
            }
            if let Some(t) = t
                && *t >= n
            {
                return Err(Error::invalid(
                    format!("probability bars: row {k} true class"),
                    format!("a class index below {n}"),
                    t.to_string(),
                ));
            }
        }
        let margin = 12;
        let header_h = 24;
        let slot = 16;
        let img_side = (n as i32 * slot).clamp(96, 160);
        let content_h = img_side.max(n as i32 * slot);
        let row_h = header_h + content_h + 14;
        let title_h = if self.title.is_empty() { 0 } else { 32 };
        let width = self.width;
        let height = (title_h + margin + row_h * self.rows.len() as i32 + margin - 14) as u32;
        render("probability bars", width, height, |root| {
            if !self.title.is_empty() {
                draw_text(
                    root,
                    &self.title,
                    (width as i32 / 2, 10),
                    18.0,
                    BLACK,
                    (HPos::Center, VPos::Top),
                )?;
            }
            let name_size = 12.0;
            let name_w = self
                .class_names
                .iter()
                .map(|s| text_size(root, s, name_size).0)
                .max()
                .unwrap_or(0)
                .min(width as i32 / 4);
            let value_w = text_size(root, "0.00", 11.0).0 + 10;
            let mut out = Vec::new();
            for (k, (img, probs, truth)) in self.rows.iter().enumerate() {
                let top = title_h + margin + k as i32 * row_h;
                let predicted = probs
                    .iter()
                    .enumerate()
                    .fold(0, |best, (i, &p)| if p > probs[best] { i } else { best });
                let header = match truth {
                    Some(t) => format!(
                        "true: {}   predicted: {} ({:.1} %)",
                        self.class_names[*t],
                        self.class_names[predicted],
                        probs[predicted] * 100.0
                    ),
                    None => format!(
                        "predicted: {} ({:.1} %)",
                        self.class_names[predicted],
                        probs[predicted] * 100.0
                    ),
                };
                let header = fit_text(root, &header, 14.0, width as i32 - 2 * margin);
                draw_text(
                    root,
                    &header,
                    (margin, top),
                    14.0,
                    BLACK,
                    (HPos::Left, VPos::Top),
                )?;
                let body = top + header_h;
                let image_rect = PixelRect {
                    x0: margin,
                    y0: body,
                    x1: margin + img_side,
                    y1: body + img_side,
                };
                let fitted = {
                    let s = (img_side as f64 / img.width() as f64)
                        .min(img_side as f64 / img.height() as f64);
                    let (w, h) = (
                        (img.width() as f64 * s) as i32,
                        (img.height() as f64 * s) as i32,
                    );
                    PixelRect {
                        x0: image_rect.x0,
                        y0: image_rect.y0,
                        x1: image_rect.x0 + w.max(1),
                        y1: image_rect.y0 + h.max(1),
                    }
                };
                draw_image(root, img, fitted, self.colormap)?;
                // A frame shows the image's full extent, so blank border
                // columns or rows do not make its content look off-centre.
                let frame = PixelRect {
                    x0: fitted.x0 - 1,
                    y0: fitted.y0 - 1,
                    x1: fitted.x1 + 1,
                    y1: fitted.y1 + 1,
                };
                super::stroke_rect(root, frame, RGBColor(200, 200, 200))?;
                let names_x = margin + img_side + 20;
                let bx0 = names_x + name_w + 8;
                let bx1 = (width as i32 - margin - value_w).max(bx0 + 10);
                let bars_top = body + (content_h - n as i32 * slot) / 2;
                fill_rect(
                    root,
                    PixelRect {
                        x0: bx0 - 1,
                        y0: bars_top,
                        x1: bx0,
                        y1: bars_top + n as i32 * slot,
                    },
                    RGBColor(90, 90, 90),
                )?;
                let mut bars = Vec::new();
                for (i, &p) in probs.iter().enumerate() {
                    let y0 = bars_top + i as i32 * slot;
                    let cy = y0 + slot / 2;
                    let color = if i == predicted {
                        if truth.is_none_or(|t| t == predicted) {
                            RIGHT
                        } else {
                            WRONG
                        }
                    } else if *truth == Some(i) {
                        TRUE
                    } else {
                        OTHER
                    };
                    let name = fit_text(root, &self.class_names[i], name_size, name_w);
                    draw_text(
                        root,
                        &name,
                        (bx0 - 8, cy),
                        name_size,
                        BLACK,
                        (HPos::Right, VPos::Center),
                    )?;
                    let len = (p.clamp(0.0, 1.0) * (bx1 - bx0) as f64).round() as i32;
                    let bar = PixelRect {
                        x0: bx0,
                        y0: y0 + 2,
                        x1: bx0 + len,
                        y1: y0 + slot - 2,
                    };
                    if len > 0 {
                        fill_rect(root, bar, color)?;
                    }
                    draw_text(
                        root,
                        &format!("{p:.2}"),
                        (bar.x1 + 5, cy),
                        11.0,
                        RGBColor(60, 60, 60),
                        (HPos::Left, VPos::Center),
                    )?;
                    bars.push(bar);
                }
                out.push(ProbabilityRow {
                    image: img.clone(),
                    probabilities: probs.clone(),
                    true_class: *truth,
                    predicted,
                    image_rect: fitted,
                    bars,
                });
            }
            Ok(FigureData::Probabilities(out))
        })
    }
}
