//! Confusion matrices.

use ndarray::Array2;
use plotters::prelude::*;
use plotters::style::FontTransform;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Colormap, Figure, FigureData, PixelRect, PlotValue, contrast_text, draw_text, fill_rect,
    fit_text, plot_err, render, stroke_rect, text_size,
};
use crate::error::{Error, Result};

/// What a [`ConfusionMatrix`] was drawn from, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfusionData {
    /// The class names, in index order.
    pub class_names: Vec<String>,
    /// `counts[[t, p]]`: how many samples of true class `t` were predicted as `p`.
    pub counts: Array2<usize>,
    /// The grid of cells, in figure pixels.
    pub grid: PixelRect,
}

impl ConfusionData {
    /// Where cell `(true_class, predicted)` was drawn, in figure pixels.
    pub fn cell_rect(&self, true_class: usize, predicted: usize) -> PixelRect {
        let n = self.class_names.len() as i32;
        let x = |j: i32| self.grid.x0 + j * self.grid.width() / n;
        let y = |i: i32| self.grid.y0 + i * self.grid.height() / n;
        PixelRect {
            x0: x(predicted as i32),
            y0: y(true_class as i32),
            x1: x(predicted as i32 + 1),
            y1: y(true_class as i32 + 1),
        }
    }
}

/// A confusion matrix: rows are true classes, columns predicted ones, each
/// cell holding its count; the cell colour is the count's share of its row
/// (the recall on the diagonal), so rare classes show as clearly as common ones.
///
/// The default title states the accuracy, `trace / total`.
///
/// ```
/// use nnlib::plot::ConfusionMatrix;
/// let cm = ConfusionMatrix::from_labels(&[0, 1, 2, 2], &[0, 2, 2, 2], 3)?
///     .class_names(["cat", "dog", "bird"]);
/// assert_eq!(cm.counts()[[1, 2]], 1);
/// let fig = cm.render()?;
/// # Ok::<(), nnlib::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConfusionMatrix {
    counts: Array2<usize>,
    class_names: Vec<String>,
    title: Option<String>,
}

impl ConfusionMatrix {
    /// Counts the `(true, predicted)` pairs of labels in `0..n_classes`.
    ///
    /// Errors: label lists of different lengths or empty, a label that is
    /// not a whole number in `0..n_classes`, `n_classes == 0`.
    pub fn from_labels<V: PlotValue, W: PlotValue>(
        true_labels: impl IntoIterator<Item = V>,
        predicted: impl IntoIterator<Item = W>,
        n_classes: usize,
    ) -> Result<ConfusionMatrix> {
        let t = super::collect(true_labels);
        let p = super::collect(predicted);
        if n_classes == 0 {
            return Err(Error::invalid(
                "confusion matrix classes",
                "at least 1",
                "0",
            ));
        }
        if t.len() != p.len() || t.is_empty() {
            return Err(Error::shape(
                "confusion matrix",
                &[t.len()],
                &[p.len()],
                "true and predicted labels must be non-empty and of the same length",
            ));
        }
        let index = |v: f64, which: &str, k: usize| -> Result<usize> {
            if v.fract() == 0.0 && v >= 0.0 && v < n_classes as f64 {
                Ok(v as usize)
            } else {
                Err(Error::invalid(
                    format!("confusion matrix: {which} label {k}"),
                    format!("a class index in 0..{n_classes}"),
                    v.to_string(),
                ))
            }
        };
        let mut counts = Array2::zeros((n_classes, n_classes));
        for (k, (&a, &b)) in t.iter().zip(&p).enumerate() {
            counts[[index(a, "true", k)?, index(b, "predicted", k)?]] += 1;
        }
        Ok(ConfusionMatrix {
            counts,
            class_names: (0..n_classes).map(|i| i.to_string()).collect(),
            title: None,
        })
    }

    /// Names the classes (default: their indices); checked when rendering.
    pub fn class_names<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.class_names = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the title (default: `"Confusion matrix (accuracy …)"`).
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    /// `counts[[t, p]]`: samples of true class `t` predicted as `p`.
    pub fn counts(&self) -> &Array2<usize> {
        &self.counts
    }

    /// The share of samples on the diagonal: `sum_i counts[i, i] / sum counts`.
    pub fn accuracy(&self) -> f64 {
        let total: usize = self.counts.sum();
        let right: usize = self.counts.diag().sum();
        right as f64 / total.max(1) as f64
    }

    /// Draws the matrix. Errors: a number of class names different from the
    /// number of classes.
    pub fn render(&self) -> Result<Figure> {
        let n = self.counts.nrows();
        if self.class_names.len() != n {
            return Err(Error::shape(
                "confusion matrix class names",
                &[self.class_names.len()],
                &[n],
                "one name per class",
            ));
        }
        let title = self.title.clone().unwrap_or_else(|| {
            format!(
                "Confusion matrix (accuracy {:.1} %)",
                self.accuracy() * 100.0
            )
        });
        let cell = (440 / n as i32).clamp(18, 56);
        let tick = 12.0;
        let named = self
            .class_names
            .iter()
            .enumerate()
            .any(|(i, s)| *s != i.to_string());
        let y_labels: Vec<String> = self
            .class_names
            .iter()
            .enumerate()
            .map(|(i, s)| if named { format!("{i} {s}") } else { s.clone() })
            .collect();
        let (label_w, names_fit) = super::measure(|root| {
            let w = y_labels
                .iter()
                .map(|s| text_size(root, s, tick).0)
                .max()
                .unwrap_or(0);
            let fit = self
                .class_names
                .iter()
                .all(|s| text_size(root, s, tick).0 <= cell - 4);
            (w, fit)
        })?;
        let label_w = label_w.min(200);
        let margin = 12;
        let title_h = 34;
        let left = margin + 22 + label_w + 8;
        let grid_w = cell * n as i32;
        let width = (left + grid_w + margin * 2).max(320) as u32;
        let height = (title_h + grid_w + 22 + 26 + margin) as u32;
        render("confusion matrix", width, height, |root| {
            draw_text(
                root,
                &title,
                (width as i32 / 2, 10),
                17.0,
                BLACK,
                (HPos::Center, VPos::Top),
            )?;
            let x0 = left + ((width as i32 - left - margin) - grid_w) / 2;
            let grid = PixelRect {
                x0,
                y0: title_h,
                x1: x0 + grid_w,
                y1: title_h + grid_w,
            };
            let data = ConfusionData {
                class_names: self.class_names.clone(),
                counts: self.counts.clone(),
                grid,
            };
            let count_size = (cell as f64 * 0.32).clamp(8.0, 15.0);
            for ((i, j), &c) in self.counts.indexed_iter() {
                let row_total: usize = self.counts.row(i).sum();
                let share = c as f64 / row_total.max(1) as f64;
                let col = Colormap::Blues.color(share);
                let bg = RGBColor(col[0], col[1], col[2]);
                let r = data.cell_rect(i, j);
                fill_rect(root, r, bg)?;
                let s = c.to_string();
                let size = if text_size(root, &s, count_size).0 > cell - 2 {
                    count_size * 0.75
                } else {
                    count_size
                };
                draw_text(
                    root,
                    &s,
                    r.center(),
                    size,
                    contrast_text(bg),
                    (HPos::Center, VPos::Center),
                )?;
            }
            stroke_rect(root, grid, RGBColor(150, 150, 150))?;
            let grey = RGBColor(60, 60, 60);
            for (i, y_label) in y_labels.iter().enumerate() {
                let r = data.cell_rect(i, 0);
                let label = fit_text(root, y_label, tick, label_w);
                draw_text(
                    root,
                    &label,
                    (grid.x0 - 6, r.center().1),
                    tick,
                    grey,
                    (HPos::Right, VPos::Center),
                )?;
                let r = data.cell_rect(0, i);
                let x_label = if names_fit {
                    self.class_names[i].clone()
                } else {
                    i.to_string()
                };
                draw_text(
                    root,
                    &x_label,
                    (r.center().0, grid.y1 + 5),
                    tick,
                    grey,
                    (HPos::Center, VPos::Top),
                )?;
            }
            draw_text(
                root,
                "predicted class",
                ((grid.x0 + grid.x1) / 2, grid.y1 + 26),
                14.0,
                BLACK,
                (HPos::Center, VPos::Top),
            )?;
            let style = super::font(14.0).transform(FontTransform::Rotate270).pos(
                plotters::style::text_anchor::Pos::new(HPos::Center, VPos::Top),
            );
            root.draw(&Text::new(
                "true class",
                (margin, (grid.y0 + grid.y1) / 2),
                style,
            ))
            .map_err(plot_err)?;
            Ok(FigureData::Confusion(data))
        })
    }
}
