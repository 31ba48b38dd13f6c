//! Seeded random initialisers for weights.
//!
//! All randomness in the library comes from [`Rng`], a ChaCha8 generator
//! made from a seed with [`rng`], so a notebook re-run prints the same numbers.
//! Weight matrices are (n_in, n_out): one row per input, one column per unit.

use ndarray::Array2;
use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{Error, Result, Scalar};

/// The library's random generator (ChaCha8: fast, portable, reproducible).
pub type Rng = ChaCha8Rng;

/// A generator from a seed: the same seed gives the same numbers on every machine.
pub fn rng(seed: u64) -> Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// How to draw a layer's initial weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// `w ~ N(0, 1) · scale`: numpy's `np.random.randn(n_in, n_out) * scale`
    /// (lesson 01 uses scale 0.01, lesson 03 scale 1).
    Randn {
        /// The standard deviation.
        scale: f64,
    },
    /// `w ~ U[low, high)` (lesson 04: U[−0.5, 0.5)).
    Uniform {
        /// Lower bound (inclusive).
        low: f64,
        /// Upper bound (exclusive).
        high: f64,
    },
    /// `w ~ N(0, σ²)` with `σ = 1 / √max(n_in, n_out)` (lesson 05's hand-written network).
    NormalMaxFan,
    /// Xavier/Glorot uniform: `w ~ U[−r, r]`, `r = √(6 / (n_in + n_out))`;
    /// keeps the variance of activations constant for tanh and sigmoid units.
    /// Keras's default for dense layers.
    XavierUniform,
    /// He normal: `w ~ N(0, 2 / n_in)`, the variance that suits ReLU units.
    HeNormal,
}

impl Init {
    /// Draws an (n_in, n_out) weight matrix.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a uniform range with `low >= high` or
    /// a negative or non-finite scale.
    pub fn weights<T: Scalar>(
        &self,
        n_in: usize,
        n_out: usize,
        rng: &mut Rng,
    ) -> Result<Array2<T>> {
        match *self {
            Init::Randn { scale } => {
                if !(scale.is_finite() && scale >= 0.0) {
                    return Err(Error::invalid(
                        "Init::Randn scale",
                        "a finite number >= 0",
                        scale.to_string(),
                    ));
                }
                Ok(randn(n_in, n_out, scale, rng))
            }
            Init::Uniform { low, high } => uniform(n_in, n_out, low, high, rng),
            Init::NormalMaxFan => Ok(randn(
                n_in,
                n_out,
                1.0 / (n_in.max(n_out).max(1) as f64).sqrt(),
                rng,
            )),
            Init::XavierUniform => {
                let r = (6.0 / (n_in + n_out).max(1) as f64).sqrt();
                uniform(n_in, n_out, -r, r, rng)
            }
            Init::HeNormal => Ok(randn(n_in, n_out, (2.0 / n_in.max(1) as f64).sqrt(), rng)),
        }
    }
}

/// An (rows, cols) matrix of `N(0, 1) · scale` samples, drawn row by row.
pub fn randn<T: Scalar>(rows: usize, cols: usize, scale: f64, rng: &mut Rng) -> Array2<T> {
    let scale = T::cast(scale);
    Array2::from_shape_simple_fn((rows, cols), || T::standard_normal(rng) * scale)
}

/// An (rows, cols) matrix of `U[low, high)` samples, drawn row by row.
///
/// # Errors
/// [`Error::InvalidArgument`] unless `low < high` and both are finite.
pub fn uniform<T: Scalar>(
    rows: usize,
    cols: usize,
    low: f64,
    high: f64,
    rng: &mut Rng,
) -> Result<Array2<T>> {
    if !(low.is_finite() && high.is_finite() && low < high) {
        return Err(Error::invalid(
            "uniform range",
            "finite low < high",
            format!("[{low}, {high})"),
        ));
    }
    Ok(Array2::from_shape_simple_fn((rows, cols), || {
        T::cast(rng.random_range(low..high))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_weights() {
        let a: Array2<f64> = Init::HeNormal.weights(5, 3, &mut rng(7)).unwrap();
        let b: Array2<f64> = Init::HeNormal.weights(5, 3, &mut rng(7)).unwrap();
        let c: Array2<f64> = Init::HeNormal.weights(5, 3, &mut rng(8)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn sample_moments_match_the_definitions() {
        let n = 400;
        let w: Array2<f64> = Init::Randn { scale: 0.5 }
            .weights(n, n, &mut rng(1))
            .unwrap();
        let std = w.std(0.0);
        // The standard error of a sample std over N draws is about σ/√(2N) = 0.5/800.
        assert!((std - 0.5).abs() < 5.0 * 0.5 / 800.0, "{std}");
        let u: Array2<f64> = Init::XavierUniform.weights(300, 100, &mut rng(2)).unwrap();
        let r = (6.0_f64 / 400.0).sqrt();
        assert!(u.iter().all(|&v| (-r..r).contains(&v)));
        // U[-r, r] has variance r²/3 = 2/(n_in + n_out).
        assert!((u.var(0.0) - 2.0 / 400.0).abs() < 0.05 * 2.0 / 400.0);
        let m: Array2<f32> = Init::NormalMaxFan.weights(784, 32, &mut rng(3)).unwrap();
        assert!((m.std(0.0) - 1.0 / 28.0).abs() < 0.002);
    }

    #[test]
    fn bad_ranges_are_errors() {
        assert!(uniform::<f64>(2, 2, 1.0, 1.0, &mut rng(0)).is_err());
        assert!(
            Init::Randn { scale: f64::NAN }
                .weights::<f64>(2, 2, &mut rng(0))
                .is_err()
        );
    }
}
