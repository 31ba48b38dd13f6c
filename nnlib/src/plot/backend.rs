//! The drawing backend behind every figure: plotters' bitmap backend at
//! [`SCALE`] times the figure's size, averaged down to the figure's pixels.
//!
//! plotters' bitmap backend fills shapes and thick lines without
//! anti-aliasing, and places glyphs on whole pixels, so a curve drawn
//! directly at the figure's size is stair-stepped and letters are unevenly
//! spaced. [`Supersampled`] takes every drawing call in figure pixels, draws
//! it `SCALE` times larger (coordinates, line widths, font sizes), and
//! [`downsample`] averages each `SCALE x SCALE` block into one pixel: each
//! figure pixel gets the share of its area that a shape covers, which is
//! what an anti-aliasing renderer such as matplotlib's Agg computes. The
//! averaging is a box filter on whole blocks, so a rectangle whose edges lie
//! on figure pixels (an image's pixel, a bar, a heatmap cell, an axis) keeps
//! its exact colour and sharp edges; only what crosses a pixel (curves,
//! slanted lines, glyph outlines) is blended with its background.
//!
//! Coordinates: figure pixel `(x, y)` is the block of columns
//! `SCALE x..SCALE (x + 1)` and rows `SCALE y..SCALE (y + 1)`; a point at
//! figure pixel `x` (its centre) is drawn at `SCALE x + SCALE / 2`, the
//! block's centre. [`FinePath`] draws a polyline given in fractional figure
//! pixels at the full resolution of the large bitmap.

use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::{FontDesc, TextStyle};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};
use plotters_bitmap::{BitMapBackend, BitMapBackendError};

/// How many large-bitmap pixels make one figure pixel, along each axis. Odd,
/// so the centre of a figure pixel is a pixel of the large bitmap and a line
/// one figure pixel wide covers exactly one column of figure pixels.
pub const SCALE: u32 = 3;

const S: i32 = SCALE as i32;

type Failure = DrawingErrorKind<BitMapBackendError>;

/// A plotters backend in figure pixels that draws on a bitmap `SCALE` times
/// larger (see the module's documentation).
pub struct Supersampled<'a> {
    inner: BitMapBackend<'a>,
    size: (u32, u32),
}

impl<'a> Supersampled<'a> {
    /// A backend of `size` figure pixels drawing on `buffer`, which holds
    /// `SCALE² · width · height` RGB pixels.
    pub fn new(buffer: &'a mut [u8], size: (u32, u32)) -> Supersampled<'a> {
        Supersampled {
            inner: BitMapBackend::with_buffer(buffer, (size.0 * SCALE, size.1 * SCALE)),
            size,
        }
    }
}

/// The centre of figure pixel `p` on the large bitmap.
fn centre(p: BackendCoord) -> BackendCoord {
    (p.0 * S + S / 2, p.1 * S + S / 2)
}

/// A line or fill style scaled to the large bitmap.
struct Scaled {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Scaled {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

fn scaled<St: BackendStyle>(style: &St) -> Scaled {
    Scaled {
        color: style.color(),
        width: style.stroke_width() * SCALE,
    }
}

/// A text style of the same font at `SCALE` times the size.
fn scaled_text<T: BackendTextStyle>(style: &T) -> TextStyle<'_> {
    let font = FontDesc::new(style.family(), style.size() * SCALE as f64, style.style())
        .transform(style.transform());
    TextStyle {
        font,
        color: style.color(),
        pos: style.anchor(),
    }
}

impl Supersampled<'_> {
    /// Fills the figure-pixel rectangle of columns `x0..x1` and rows `y0..y1`.
    fn fill_block(
        &mut self,
        x0: i32,
        y0: i32,
        x1: i32,
        y1: i32,
        color: BackendColor,
    ) -> Result<(), Failure> {
        if x1 <= x0 || y1 <= y0 {
            return Ok(());
        }
        // The bitmap's filled rectangles exclude their right and bottom edges.
        self.inner
            .draw_rect((x0 * S, y0 * S), (x1 * S, y1 * S), &color, true)
    }
}

impl DrawingBackend for Supersampled<'_> {
    type ErrorType = BitMapBackendError;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), Failure> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Failure> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, p: BackendCoord, color: BackendColor) -> Result<(), Failure> {
        self.fill_block(p.0, p.1, p.0 + 1, p.1 + 1, color)
    }

    fn draw_line<St: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &St,
    ) -> Result<(), Failure> {
        let color = style.color();
        if color.alpha == 0.0 || style.stroke_width() == 0 {
            return Ok(());
        }
        // Horizontal and vertical lines one pixel wide cover whole figure
        // pixels, from one end to the other inclusive, as on a plain bitmap.
        if style.stroke_width() == 1 && (from.0 == to.0 || from.1 == to.1) {
            let (x0, x1) = (from.0.min(to.0), from.0.max(to.0));
            let (y0, y1) = (from.1.min(to.1), from.1.max(to.1));
            return self.fill_block(x0, y0, x1 + 1, y1 + 1, color);
        }
        self.inner
            .draw_line(centre(from), centre(to), &scaled(style))
    }

    fn draw_rect<St: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &St,
        fill: bool,
    ) -> Result<(), Failure> {
        let color = style.color();
        let (x0, y0) = (
            upper_left.0.min(bottom_right.0),
            upper_left.1.min(bottom_right.1),
        );
        let (x1, y1) = (
            upper_left.0.max(bottom_right.0),
            upper_left.1.max(bottom_right.1),
        );
        if fill {
            // As on the bitmap: the right and bottom edges are excluded.
            return self.fill_block(x0, y0, x1, y1, color);
        }
        // An outline through the corner pixels, `stroke_width` pixels thick.
        let w = style.stroke_width() as i32;
        if w == 0 || color.alpha == 0.0 {
            return Ok(());
        }
        self.fill_block(x0, y0, x1 + 1, y0 + w, color)?;
        self.fill_block(x0, y1 + 1 - w, x1 + 1, y1 + 1, color)?;
        self.fill_block(x0, y0 + w, x0 + w, y1 + 1 - w, color)?;
        self.fill_block(x1 + 1 - w, y0 + w, x1 + 1, y1 + 1 - w, color)
    }

    fn draw_path<St: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &St,
    ) -> Result<(), Failure> {
        let points: Vec<BackendCoord> = path.into_iter().map(centre).collect();
        self.inner.draw_path(points, &scaled(style))
    }

    fn draw_circle<St: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &St,
        fill: bool,
    ) -> Result<(), Failure> {
        self.inner
            .draw_circle(centre(center), radius * SCALE, &scaled(style), fill)
    }

    fn fill_polygon<St: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &St,
    ) -> Result<(), Failure> {
        let points: Vec<BackendCoord> = vert.into_iter().map(centre).collect();
        self.inner.fill_polygon(points, &scaled(style))
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Failure> {
        self.inner
            .draw_text(text, &scaled_text(style), (pos.0 * S, pos.1 * S))
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), Failure> {
        let (w, h) = self.inner.estimate_text_size(text, &scaled_text(style))?;
        Ok((w.div_ceil(SCALE), h.div_ceil(SCALE)))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (w, h): (u32, u32),
        src: &[u8],
    ) -> Result<(), Failure> {
        let (bw, bh) = (w * SCALE, h * SCALE);
        let mut big = vec![0u8; (bw * bh * 3) as usize];
        for y in 0..bh {
            for x in 0..bw {
                let from = (((y / SCALE) * w + x / SCALE) * 3) as usize;
                let to = ((y * bw + x) * 3) as usize;
                big[to..to + 3].copy_from_slice(&src[from..from + 3]);
            }
        }
        self.inner
            .blit_bitmap((pos.0 * S, pos.1 * S), (bw, bh), &big)
    }
}

/// Averages each `SCALE x SCALE` block of a `SCALE`-times larger RGB bitmap
/// into one pixel of a `width x height` one (a box filter, rounded to the
/// nearest level).
pub fn downsample(big: &[u8], width: u32, height: u32) -> Vec<u8> {
    let (w, h) = (width as usize, height as usize);
    let (s, bw) = (SCALE as usize, width as usize * SCALE as usize);
    let n = (s * s) as u32;
    let mut out = vec![0u8; w * h * 3];
    for y in 0..h {
        for x in 0..w {
            let mut sum = [0u32; 3];
            for dy in 0..s {
                let row = (y * s + dy) * bw;
                for dx in 0..s {
                    let i = (row + x * s + dx) * 3;
                    for (acc, &v) in sum.iter_mut().zip(&big[i..i + 3]) {
                        *acc += u32::from(v);
                    }
                }
            }
            let o = (y * w + x) * 3;
            for c in 0..3 {
                out[o + c] = ((sum[c] + n / 2) / n) as u8;
            }
        }
    }
    out
}

/// A polyline through points given in fractional figure pixels (absolute,
/// not relative to a drawing area), drawn `width` figure pixels wide at the
/// full resolution of the large bitmap: curves sampled more finely than the
/// figure's pixels stay smooth instead of snapping to whole pixels.
pub struct FinePath {
    /// The points, in figure pixels; `(x, y)` is the centre of pixel `(x, y)`.
    pub points: Vec<(f64, f64)>,
    /// The colour.
    pub color: RGBColor,
    /// The width in figure pixels.
    pub width: u32,
}

impl<'b> PointCollection<'b, (i32, i32)> for &'b FinePath {
    type Point = &'b (i32, i32);
    type IntoIter = std::iter::Once<&'b (i32, i32)>;
    fn point_iter(self) -> Self::IntoIter {
        std::iter::once(&(0, 0))
    }
}

impl Drawable<Supersampled<'_>> for FinePath {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        _anchor: I,
        backend: &mut Supersampled<'_>,
        _parent: (u32, u32),
    ) -> Result<(), Failure> {
        let half = f64::from(SCALE) / 2.0;
        let points: Vec<BackendCoord> = self
            .points
            .iter()
            .map(|&(x, y)| {
                (
                    (x * f64::from(SCALE) + half).floor() as i32,
                    (y * f64::from(SCALE) + half).floor() as i32,
                )
            })
            .collect();
        let style = Scaled {
            color: self.color.to_backend_color(),
            width: self.width * SCALE,
        };
        if points.len() == 1 {
            let r = style.width / 2;
            return backend.inner.draw_circle(points[0], r, &style, true);
        }
        let pieces = split_at_sharp_turns(&points);
        for piece in &pieces {
            backend.inner.draw_path(piece.iter().copied(), &style)?;
        }
        // a round join where the path was split, so the pieces meet without a notch
        for piece in pieces.iter().skip(1) {
            backend
                .inner
                .draw_circle(piece[0], style.width / 2, &style, true)?;
        }
        Ok(())
    }
}

/// The pieces of a polyline, split at every vertex where it turns back
/// sharply: where the angle between the segment that arrives and the one
/// that leaves is under 60°. Each piece ends at such a vertex and the next
/// starts there.
///
/// plotters outlines a wide line by offsetting each segment by half its
/// width and joining the offsets where they intersect; at an angle `θ` the
/// inner intersection lies `w / (2 sin(θ / 2))` from the vertex, which for a
/// narrow spike (a series that jumps to a value and straight back) reaches
/// far outside the plot. Below 60° that distance would exceed the line's
/// width `w`, so the path is split there instead.
fn split_at_sharp_turns(points: &[BackendCoord]) -> Vec<Vec<BackendCoord>> {
    let mut distinct: Vec<BackendCoord> = points.to_vec();
    distinct.dedup();
    let mut pieces = vec![vec![distinct[0]]];
    for (i, &p) in distinct.iter().enumerate().skip(1) {
        pieces.last_mut().expect("one piece at least").push(p);
        if let Some(&next) = distinct.get(i + 1) {
            let back = (
                (distinct[i - 1].0 - p.0) as f64,
                (distinct[i - 1].1 - p.1) as f64,
            );
            let ahead = ((next.0 - p.0) as f64, (next.1 - p.1) as f64);
            let dot = back.0 * ahead.0 + back.1 * ahead.1;
            let cos = dot / (back.0.hypot(back.1) * ahead.0.hypot(ahead.1));
            if cos > 0.5 {
                pieces.push(vec![p]); // the angle at p is under 60°
            }
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_split_only_where_it_turns_back_sharply() {
        // straight on, then a right angle: one piece
        let gentle = [(0, 0), (10, 0), (20, 0), (20, 10)];
        assert_eq!(split_at_sharp_turns(&gentle), vec![gentle.to_vec()]);
        // up to (11, 0) and straight back down: split at the tip (angle about 6°)
        let spike = [(0, 100), (10, 100), (11, 0), (12, 100), (20, 100)];
        assert_eq!(
            split_at_sharp_turns(&spike),
            vec![
                vec![(0, 100), (10, 100), (11, 0)],
                vec![(11, 0), (12, 100), (20, 100)]
            ]
        );
        // repeated points do not count as turns
        let repeated = [(0, 0), (0, 0), (10, 0), (10, 0), (20, 0)];
        assert_eq!(
            split_at_sharp_turns(&repeated),
            vec![vec![(0, 0), (10, 0), (20, 0)]]
        );
    }

    #[test]
    fn a_narrow_spike_stays_within_its_own_height() {
        // a series at y = 30 that jumps to y = 10 for one sample, 0.3 pixels wide
        let (w, h) = (40u32, 60u32);
        let mut buffer = vec![255u8; (SCALE * SCALE * w * h * 3) as usize];
        {
            let mut backend = Supersampled::new(&mut buffer, (w, h));
            let path = FinePath {
                points: vec![
                    (5.0, 30.0),
                    (19.7, 30.0),
                    (20.0, 10.0),
                    (20.3, 30.0),
                    (35.0, 30.0),
                ],
                color: RGBColor(0, 0, 0),
                width: 2,
            };
            path.draw(std::iter::empty(), &mut backend, (w, h)).unwrap();
        }
        let big_width = (SCALE * w) as usize;
        let inked_rows: Vec<usize> = (0..(SCALE * h) as usize)
            .filter(|&y| (0..big_width).any(|x| buffer[(y * big_width + x) * 3] < 128))
            .collect();
        let (top, bottom) = (
            inked_rows[0] / SCALE as usize,
            inked_rows[inked_rows.len() - 1] / SCALE as usize,
        );
        assert!(
            top >= 8 && bottom <= 32,
            "the spike is drawn from row {top} to row {bottom}, expected 8 to 32"
        );
    }
}
