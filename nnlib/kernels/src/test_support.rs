//! Helpers shared by the kernels' tests: deterministic operands, the
//! product from its definition, and the largest difference.

use ndarray::{Array2, ArrayView2};

/// A `rows x cols` matrix of values in [-1, 1], the same for the same seed.
pub(crate) fn filled(rows: usize, cols: usize, seed: f64) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(i, j)| {
        ((i * 31 + j * 17) as f64 * seed).sin()
    })
}

/// `α A B + β C` from the definition, one sum per entry.
pub(crate) fn definition(
    alpha: f64,
    a: &ArrayView2<f64>,
    b: &ArrayView2<f64>,
    beta: f64,
    c: &Array2<f64>,
) -> Array2<f64> {
    Array2::from_shape_fn(c.dim(), |(i, j)| {
        alpha * (0..a.ncols()).map(|k| a[[i, k]] * b[[k, j]]).sum::<f64>() + beta * c[[i, j]]
    })
}

/// The largest difference; NaN if either side has one (`f64::max` would
/// skip it).
pub(crate) fn max_error(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    (a - b).iter().fold(0.0, |m: f64, &v| {
        if v.is_nan() || m.is_nan() {
            f64::NAN
        } else {
            m.max(v.abs())
        }
    })
}
