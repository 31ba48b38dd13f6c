//! The floating-point types the library computes in.
//!
//! Every numeric function is generic over [`Scalar`], which is implemented for
//! `f32` (faster, half the memory) and `f64` (the precision of numpy's default
//! and of the gradient checks).

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::{Float, FromPrimitive};
use rand::Rng;
use rand::distr::uniform::SampleUniform;
use rand_distr::{Distribution, StandardNormal};

/// A floating-point number the library can compute with: `f32` or `f64`.
///
/// Its supertraits [`Element`](nnlib_kernels::Element) and
/// [`Compiled`](crate::compiled::Compiled) are where the matrix-product
/// kernels and the training code are compiled for each of the two types.
pub trait Scalar:
    Float
    + FromPrimitive
    + LinalgScalar
    + ScalarOperand
    + SampleUniform
    + Debug
    + Display
    + Default
    + Sum
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + Send
    + Sync
    + 'static
    + nnlib_kernels::Element
    + crate::compiled::Compiled
{
    /// Converts an `f64` constant, rounding to the nearest `Self`.
    fn cast(x: f64) -> Self;
    /// Converts to `f64` exactly (f32 widens without loss).
    fn as_f64(self) -> f64;
    /// Draws one sample of the standard normal distribution N(0, 1).
    fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> Self;
    /// The type's name, `"f32"` or `"f64"`, for printed reports.
    const NAME: &'static str;
}

impl Scalar for f32 {
    fn cast(x: f64) -> Self {
        x as f32
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
    fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> Self {
        StandardNormal.sample(rng)
    }
    const NAME: &'static str = "f32";
}

impl Scalar for f64 {
    fn cast(x: f64) -> Self {
        x
    }
    fn as_f64(self) -> f64 {
        self
    }
    fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> Self {
        StandardNormal.sample(rng)
    }
    const NAME: &'static str = "f64";
}
