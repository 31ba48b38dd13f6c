//! Loss functions and their gradients.
//!
//! `P` is the network's output (predictions) and `Y` the targets, both
//! (m, k): m samples, one per row, and k outputs. The lessons mix three
//! conventions for squared error, and this module names each one:
//!
//! | function | formula | used by |
//! | --- | --- | --- |
//! | [`mean_squared_error`] | `(1 / (m k)) Σ (p − y)²` | numpy's `np.mean`, Keras `"mse"`, lesson 03's Trainer |
//! | [`half_squared_error`] | `(1 / m) Σ_samples ½ ‖p − y‖²` | lesson 03's derivation, whose gradient is `p − y` per sample |
//! | [`sum_squared_error`] | `Σ (p − y)²` | lesson 02's per-sample error |
//!
//! The cross-entropies likewise: [`categorical_cross_entropy`] averages over
//! samples (the usual definition), while
//! [`categorical_cross_entropy_mean_over_elements`] averages over all m·k
//! elements, as lesson 03's source does, which makes it k times smaller.
//!
//! Every `*_gradient` returns `∂L/∂P`. The two fused gradients of an output
//! activation and its loss return `∂L/∂Z` for the output layer's weighted
//! sums `Z`, computed from the output `A = f(Z)` (the `_from_output` suffix, as
//! in [`crate::activation`]): [`softmax_cross_entropy_gradient_from_output`]
//! and [`sigmoid_binary_cross_entropy_gradient_from_output`]. The loss itself
//! from the logits is [`softmax_cross_entropy`], which takes `Z`.
//! [`Loss::output_delta`] decides which gradient starts the backward pass.

use ndarray::{Array2, ArrayView2, Axis, Zip};

use crate::activation::{Activation, log_softmax};
use crate::{Error, Result, Scalar};

/// Probabilities are clipped to `[ε, 1 − ε]` before a logarithm, as Keras does.
pub const LOG_EPSILON: f64 = 1e-7;

fn check_same_shape<T>(op: &str, p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<()> {
    if p.dim() == y.dim() {
        Ok(())
    } else {
        Err(Error::shape(
            op,
            p.shape(),
            y.shape(),
            "predictions and targets must have the same shape (one-hot encode the labels?)",
        ))
    }
}

fn clip<T: Scalar>(p: T) -> T {
    let eps = T::cast(LOG_EPSILON);
    p.max(eps).min(T::one() - eps)
}

/// `L = (1 / (m k)) Σ_ij (p_ij − y_ij)²`: the mean over every element.
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn mean_squared_error<T: Scalar>(p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<T> {
    check_same_shape("mean squared error", p, y)?;
    let n = T::cast(p.len().max(1) as f64);
    Ok(Zip::from(p)
        .and(y)
        .fold(T::zero(), |s, &p, &y| s + (p - y) * (p - y))
        / n)
}

/// `∂L/∂P = 2 (P − Y) / (m k)` for [`mean_squared_error`].
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn mean_squared_error_gradient<T: Scalar>(
    p: &ArrayView2<T>,
    y: &ArrayView2<T>,
) -> Result<Array2<T>> {
    check_same_shape("mean squared error gradient", p, y)?;
    let scale = T::cast(2.0 / p.len().max(1) as f64);
    Ok(Zip::from(p).and(y).map_collect(|&p, &y| scale * (p - y)))
}

/// `L = (1 / m) Σ_i ½ ‖p_i − y_i‖²`: half the squared error, averaged over samples.
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn half_squared_error<T: Scalar>(p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<T> {
    check_same_shape("half squared error", p, y)?;
    let m = T::cast(p.nrows().max(1) as f64);
    Ok(Zip::from(p)
        .and(y)
        .fold(T::zero(), |s, &p, &y| s + (p - y) * (p - y))
        / (m + m))
}

/// `∂L/∂P = (P − Y) / m` for [`half_squared_error`]: the ½ cancels the 2 of the square.
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn half_squared_error_gradient<T: Scalar>(
    p: &ArrayView2<T>,
    y: &ArrayView2<T>,
) -> Result<Array2<T>> {
    check_same_shape("half squared error gradient", p, y)?;
    Ok(error_over_samples(p, y))
}

/// `(P − Y) / m`, the error averaged over the m samples: the gradient of
/// [`half_squared_error`] and of the two fused output gradients.
fn error_over_samples<T: Scalar>(p: &ArrayView2<T>, y: &ArrayView2<T>) -> Array2<T> {
    let m = T::cast(p.nrows().max(1) as f64);
    Zip::from(p).and(y).map_collect(|&p, &y| (p - y) / m)
}

/// `L = Σ_ij (p_ij − y_ij)²`: the plain sum, lesson 02's per-sample error.
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn sum_squared_error<T: Scalar>(p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<T> {
    check_same_shape("sum squared error", p, y)?;
    Ok(Zip::from(p)
        .and(y)
        .fold(T::zero(), |s, &p, &y| s + (p - y) * (p - y)))
}

/// `L = −(1 / (m k)) Σ_ij [y ln p + (1 − y) ln(1 − p)]`: binary cross-entropy
/// (log loss), averaged over every element as Keras and lesson 03 do.
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn binary_cross_entropy<T: Scalar>(p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<T> {
    check_same_shape("binary cross-entropy", p, y)?;
    let n = T::cast(p.len().max(1) as f64);
    let sum = Zip::from(p).and(y).fold(T::zero(), |s, &p, &y| {
        let p = clip(p);
        s + y * p.ln() + (T::one() - y) * (T::one() - p).ln()
    });
    Ok(-sum / n)
}

/// `∂L/∂P = (−y/p + (1 − y)/(1 − p)) / (m k) = (p − y) / (p (1 − p) m k)`
/// for [`binary_cross_entropy`] (with the same clipping of `p`).
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn binary_cross_entropy_gradient<T: Scalar>(
    p: &ArrayView2<T>,
    y: &ArrayView2<T>,
) -> Result<Array2<T>> {
    check_same_shape("binary cross-entropy gradient", p, y)?;
    let n = T::cast(p.len().max(1) as f64);
    Ok(Zip::from(p).and(y).map_collect(|&p, &y| {
        let p = clip(p);
        (-y / p + (T::one() - y) / (T::one() - p)) / n
    }))
}

/// `L = −(1 / m) Σ_i Σ_c y_ic ln p_ic`: categorical cross-entropy, the sum
/// over classes averaged over the m samples.
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn categorical_cross_entropy<T: Scalar>(p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<T> {
    check_same_shape("categorical cross-entropy", p, y)?;
    let m = T::cast(p.nrows().max(1) as f64);
    Ok(-Zip::from(p)
        .and(y)
        .fold(T::zero(), |s, &p, &y| s + y * clip(p).ln())
        / m)
}

/// `L = −(1 / (m k)) Σ_ij y_ij ln p_ij`: lesson 03's variant, averaged over all
/// m·k elements (`np.mean`) instead of over samples, so it is k times smaller
/// than [`categorical_cross_entropy`]. Its gradient is that of the usual loss
/// divided by k.
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn categorical_cross_entropy_mean_over_elements<T: Scalar>(
    p: &ArrayView2<T>,
    y: &ArrayView2<T>,
) -> Result<T> {
    let k = T::cast(p.ncols().max(1) as f64);
    Ok(categorical_cross_entropy(p, y)? / k)
}

/// `∂L/∂P = −Y / (m P)` for [`categorical_cross_entropy`] (with `p` clipped).
///
/// # Errors
/// [`Error::Shape`] if `P` and `Y` differ in shape.
pub fn categorical_cross_entropy_gradient<T: Scalar>(
    p: &ArrayView2<T>,
    y: &ArrayView2<T>,
) -> Result<Array2<T>> {
    check_same_shape("categorical cross-entropy gradient", p, y)?;
    let m = T::cast(p.nrows().max(1) as f64);
    Ok(Zip::from(p).and(y).map_collect(|&p, &y| -y / (clip(p) * m)))
}

/// Cross-entropy computed from the logits `Z` of a softmax output:
/// `L = −(1 / m) Σ_i Σ_c y_ic log softmax(z_i)_c`, stable for any logits
/// because it uses [`log_softmax`].
///
/// # Errors
/// [`Error::Shape`] if `Z` and `Y` differ in shape.
pub fn softmax_cross_entropy<T: Scalar>(z: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<T> {
    check_same_shape("softmax cross-entropy", z, y)?;
    let m = T::cast(z.nrows().max(1) as f64);
    let log_p = log_softmax(z, Axis(1));
    Ok(-Zip::from(&log_p)
        .and(y)
        .fold(T::zero(), |s, &lp, &y| s + y * lp)
        / m)
}

/// The fused gradient of softmax followed by categorical cross-entropy, with
/// respect to the logits `Z`, from the output `A = softmax(Z)`:
/// `∂L/∂Z = (A − Y) / m`.
///
/// It is `Jᵀ (∂L/∂A)` with the softmax Jacobian `J = diag(a) − a aᵀ` and
/// `∂L/∂A = −Y / (m A)`; every term but `a − y` cancels (using `Σ_c y_c = 1`).
///
/// # Errors
/// [`Error::Shape`] if `A` and `Y` differ in shape.
pub fn softmax_cross_entropy_gradient_from_output<T: Scalar>(
    a: &ArrayView2<T>,
    y: &ArrayView2<T>,
) -> Result<Array2<T>> {
    check_same_shape("softmax cross-entropy gradient", a, y)?;
    Ok(error_over_samples(a, y))
}

/// The fused gradient of a sigmoid output followed by [`binary_cross_entropy`],
/// with respect to the weighted sums `Z`, from the output `A = σ(Z)`:
/// `∂L/∂Z = (A − Y) / (m k)`.
///
/// The sigmoid's `σ'(z) = a (1 − a)` cancels the denominator of
/// `∂L/∂A = (a − y) / (a (1 − a) m k)`, and with it the clipping the
/// logarithm needs.
///
/// # Errors
/// [`Error::Shape`] if `A` and `Y` differ in shape.
pub fn sigmoid_binary_cross_entropy_gradient_from_output<T: Scalar>(
    a: &ArrayView2<T>,
    y: &ArrayView2<T>,
) -> Result<Array2<T>> {
    check_same_shape("sigmoid binary cross-entropy gradient", a, y)?;
    let k = T::cast(a.ncols().max(1) as f64);
    Ok(error_over_samples(a, y) / k)
}

/// A loss a network is trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// [`mean_squared_error`].
    MeanSquaredError,
    /// [`half_squared_error`].
    HalfSquaredError,
    /// [`binary_cross_entropy`].
    BinaryCrossEntropy,
    /// [`categorical_cross_entropy`].
    CategoricalCrossEntropy,
}

impl Loss {
    /// The loss's name, as the lessons spell it (`"mse"`, `"log_loss"`, ...);
    /// printing the loss (`{}`) gives the same.
    pub fn name(&self) -> &'static str {
        match self {
            Loss::MeanSquaredError => "mse",
            Loss::HalfSquaredError => "half_mse",
            Loss::BinaryCrossEntropy => "log_loss",
            Loss::CategoricalCrossEntropy => "categorical_crossentropy",
        }
    }

    /// `L(P, Y)`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `P` and `Y` differ in shape.
    pub fn value<T: Scalar>(&self, p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<T> {
        match self {
            Loss::MeanSquaredError => mean_squared_error(p, y),
            Loss::HalfSquaredError => half_squared_error(p, y),
            Loss::BinaryCrossEntropy => binary_cross_entropy(p, y),
            Loss::CategoricalCrossEntropy => categorical_cross_entropy(p, y),
        }
    }

    /// `∂L/∂P`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `P` and `Y` differ in shape.
    pub fn gradient<T: Scalar>(&self, p: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<Array2<T>> {
        match self {
            Loss::MeanSquaredError => mean_squared_error_gradient(p, y),
            Loss::HalfSquaredError => half_squared_error_gradient(p, y),
            Loss::BinaryCrossEntropy => binary_cross_entropy_gradient(p, y),
            Loss::CategoricalCrossEntropy => categorical_cross_entropy_gradient(p, y),
        }
    }

    /// `δ_L = ∂L/∂Z` of the output layer, whose activation is `f`, from its
    /// output `A = f(Z)` and, where `f'` needs them
    /// ([`Activation::derivative_from_output`] is false), its weighted sums
    /// `Z`: where the backward pass starts (lesson 03's steps 6 to 8).
    ///
    /// In general the chain rule, step 6 then steps 7 and 8:
    /// `∂L/∂Z = ∂L/∂A ⊙ f'(Z)` ([`Loss::gradient`], then
    /// [`Activation::backward_inplace`]; `Jᵀ ∂L/∂A` for softmax). Two pairs
    /// collapse to a shorter formula, used instead:
    ///
    /// | `f` | loss | `∂L/∂Z` |
    /// | --- | --- | --- |
    /// | softmax | categorical cross-entropy | `(A − Y) / m`, [`softmax_cross_entropy_gradient_from_output`] |
    /// | sigmoid | binary cross-entropy | `(A − Y) / (m k)`, [`sigmoid_binary_cross_entropy_gradient_from_output`] |
    ///
    /// # Errors
    /// [`Error::Shape`] if `A`, `Y` (and `Z`) differ in shape;
    /// [`Error::InvalidArgument`] if `f` needs `Z` and none is given.
    pub fn output_delta<T: Scalar>(
        &self,
        f: Activation,
        z: Option<&ArrayView2<T>>,
        a: &ArrayView2<T>,
        y: &ArrayView2<T>,
    ) -> Result<Array2<T>> {
        match (f, self) {
            (Activation::Softmax, Loss::CategoricalCrossEntropy) => {
                softmax_cross_entropy_gradient_from_output(a, y)
            }
            (Activation::Sigmoid, Loss::BinaryCrossEntropy) => {
                sigmoid_binary_cross_entropy_gradient_from_output(a, y)
            }
            _ => {
                let mut d = self.gradient(a, y)?; // step 6: ∂L/∂A
                f.backward_inplace(&mut d, z, a)?; // steps 7 and 8: ⊙ f'(Z)
                Ok(d)
            }
        }
    }
}

impl std::fmt::Display for Loss {
    /// The loss's [`Loss::name`].
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl std::str::FromStr for Loss {
    type Err = Error;
    /// Parses the names the lessons use: `mse`, `half_mse`, `log_loss` (or
    /// Keras's `binary_crossentropy`), `categorical_crossentropy`.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "mse" => Ok(Loss::MeanSquaredError),
            "half_mse" => Ok(Loss::HalfSquaredError),
            "log_loss" | "binary_crossentropy" => Ok(Loss::BinaryCrossEntropy),
            "categorical_crossentropy" => Ok(Loss::CategoricalCrossEntropy),
            other => Err(Error::invalid(
                "loss function",
                "one of mse, half_mse, log_loss (binary_crossentropy), categorical_crossentropy",
                format!("{other:?}"),
            )),
        }
    }
}
