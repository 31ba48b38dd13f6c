//! Inverted dropout.
//!
//! During training each unit is kept with probability `p` and zeroed
//! otherwise, and the kept ones are scaled by `1/p`:
//!
//! ```text
//! mask_ij = 1/p with probability p, else 0        A_dropped = A ⊙ mask
//! ```
//!
//! The scaling keeps the expected activation unchanged,
//! `E[a · mask] = p · a/p = a`, so at evaluation time nothing is dropped and
//! nothing is rescaled. With p = 0.5 the kept units are multiplied by 2, the
//! "× 2" of lesson 02. The backward pass multiplies the gradient by the same
//! mask: a dropped unit passes no gradient.

use ndarray::{Array2, ArrayView2, ArrayViewMut, Dimension};
use rand::Rng as _;

use crate::init::{Rng, rng};
use crate::{Error, Result, Scalar};

/// Whether a layer is being trained or evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Draw a fresh mask and apply it.
    Train,
    /// Pass everything through unchanged.
    Eval,
}

/// A dropout layer with keep probability `p` and its own seeded generator.
#[derive(Debug, Clone)]
pub struct Dropout<T> {
    keep_prob: f64,
    rng: Rng,
    mask: Option<Array2<T>>,
}

impl<T: Scalar> Dropout<T> {
    /// Dropout keeping each unit with probability `keep_prob` (0 < p ≤ 1).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for `p` outside (0, 1].
    pub fn new(keep_prob: f64, seed: u64) -> Result<Self> {
        if !(keep_prob > 0.0 && keep_prob <= 1.0) {
            return Err(Error::invalid(
                "dropout keep probability",
                "0 < p <= 1",
                keep_prob.to_string(),
            ));
        }
        Ok(Dropout {
            keep_prob,
            rng: rng(seed),
            mask: None,
        })
    }

    /// The keep probability `p`.
    pub fn keep_prob(&self) -> f64 {
        self.keep_prob
    }

    /// Draws a new (rows, cols) mask of `1/p` (kept) and `0` (dropped).
    pub fn draw_mask(&mut self, rows: usize, cols: usize) -> Array2<T> {
        let mut mask = Array2::zeros((rows, cols));
        self.fill_mask(&mut mask.view_mut());
        mask
    }

    /// Fills `mask` in place with a new mask of `1/p` (kept) and `0`
    /// (dropped), drawing the same numbers [`Dropout::draw_mask`] would for
    /// that many elements: the allocation-free form for per-sample loops.
    pub fn fill_mask<D: Dimension>(&mut self, mask: &mut ArrayViewMut<'_, T, D>) {
        let (p, scale) = (self.keep_prob, T::cast(1.0 / self.keep_prob));
        for m in mask.iter_mut() {
            *m = if self.rng.random_bool(p) {
                scale
            } else {
                T::zero()
            };
        }
    }

    /// `A ⊙ mask` with a fresh mask in [`Mode::Train`]; `A` itself in [`Mode::Eval`].
    pub fn forward(&mut self, a: &ArrayView2<T>, mode: Mode) -> Array2<T> {
        match mode {
            Mode::Eval => {
                self.mask = None;
                a.to_owned()
            }
            Mode::Train => {
                let mask = self.draw_mask(a.nrows(), a.ncols());
                let out = &mask * a;
                self.mask = Some(mask);
                out
            }
        }
    }

    /// `dA ⊙ mask`, with the mask of the last training forward pass (or `dA`
    /// unchanged after an evaluation pass).
    ///
    /// # Errors
    /// [`Error::Shape`] if `dA` does not have the mask's shape.
    pub fn backward(&self, d_a: &ArrayView2<T>) -> Result<Array2<T>> {
        match &self.mask {
            None => Ok(d_a.to_owned()),
            Some(mask) if mask.dim() == d_a.dim() => Ok(mask * d_a),
            Some(mask) => Err(Error::shape(
                "dropout backward",
                d_a.shape(),
                mask.shape(),
                "the gradient must have the shape of the last forward pass",
            )),
        }
    }

    /// The mask of the last training forward pass, if any.
    pub fn last_mask(&self) -> Option<&Array2<T>> {
        self.mask.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_mask_draws_what_draw_mask_draws() {
        let (mut a, mut b) = (
            Dropout::<f64>::new(0.5, 9).unwrap(),
            Dropout::<f64>::new(0.5, 9).unwrap(),
        );
        let drawn = a.draw_mask(1, 100);
        let mut filled = ndarray::Array1::<f64>::zeros(100);
        b.fill_mask(&mut filled.view_mut());
        assert_eq!(drawn.row(0), filled);
        assert!(filled.iter().all(|&v| v == 0.0 || v == 2.0));
        let kept = filled.iter().filter(|&&v| v == 2.0).count();
        assert!((30..=70).contains(&kept), "{kept} of 100 kept");
    }
}
