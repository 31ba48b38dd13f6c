//! Checks that the analytic derivatives are right.
//!
//! A gradient computed by backpropagation is checked against the centred
//! difference `(L(w + h) − L(w − h)) / 2h`, whose error is O(h²). In f64 with
//! h = 1e-5 the two agree to about 1e-9 relative when the backward pass is
//! right, and differ by orders of magnitude when it is not.

use std::fmt;

use ndarray::{Array1, Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewD, Axis};

use crate::activation::{softmax, softmax_jacobian};
use crate::loss::softmax_cross_entropy_gradient_from_output;
use crate::mlp::Mlp;
use crate::{Error, Result};

/// The step of the centred differences.
pub const H: f64 = 1e-5;

/// The relative error of an analytic array `a` against a numeric one `n`:
/// `max|a − n| / max(1e-8, max|a| + max|n|)`.
///
/// The denominator makes it scale-free; the 1e-8 floor keeps a gradient that
/// is zero on both sides from dividing 0 by 0.
///
/// # Errors
/// [`Error::Shape`] if the two arrays differ in shape.
pub fn relative_error(a: &ArrayViewD<f64>, n: &ArrayViewD<f64>) -> Result<f64> {
    if a.shape() != n.shape() {
        return Err(Error::shape(
            "relative_error",
            a.shape(),
            n.shape(),
            "the analytic and the numeric array must have the same shape",
        ));
    }
    let max_abs = |v: &ArrayViewD<f64>| v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let diff = a
        .iter()
        .zip(n.iter())
        .fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()));
    Ok(diff / (max_abs(a) + max_abs(n)).max(1e-8))
}

/// `∂f/∂x` by centred differences, one element of `x` at a time:
/// `(f(x + h e_i) − f(x − h e_i)) / 2h`.
///
/// Elements are addressed by their index, so `x` may be in any memory
/// layout (a transposed matrix, a slice with strides); the gradient has the
/// shape of `x`, in standard layout.
pub fn numeric_gradient(
    mut f: impl FnMut(&ArrayD<f64>) -> f64,
    x: &ArrayD<f64>,
    h: f64,
) -> ArrayD<f64> {
    let mut probe = x.clone();
    let mut grad = ArrayD::zeros(x.raw_dim());
    for (index, g) in grad.indexed_iter_mut() {
        let orig = probe[&index];
        probe[&index] = orig + h;
        let up = f(&probe);
        probe[&index] = orig - h;
        let down = f(&probe);
        probe[&index] = orig;
        *g = (up - down) / (2.0 * h);
    }
    grad
}

/// One row of a [`GradientCheck`]: one parameter tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheckRow {
    /// The tensor's name, e.g. `"W1"`.
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// `max|analytic − numeric|`.
    pub max_abs_diff: f64,
    /// [`relative_error`] of the two.
    pub relative_error: f64,
}

/// The result of checking every parameter tensor of a network.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientCheck {
    /// One row per tensor, `W1, b1, W2, b2, ...`.
    pub rows: Vec<GradientCheckRow>,
}

impl GradientCheck {
    /// The largest relative error of all tensors.
    pub fn max_relative_error(&self) -> f64 {
        self.rows
            .iter()
            .map(|r| r.relative_error)
            .fold(0.0, f64::max)
    }
}

impl fmt::Display for GradientCheck {
    /// A small table: tensor, shape, max |difference|, relative error, verdict (≤ 1e-7).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<6} {:>10} {:>12} {:>12}  ok",
            "tensor", "shape", "max |diff|", "rel. error"
        )?;
        for r in &self.rows {
            let shape = r
                .shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("x");
            let ok = if r.relative_error <= 1e-7 {
                "yes"
            } else {
                "NO"
            };
            writeln!(
                f,
                "{:<6} {:>10} {:>12.2e} {:>12.2e}  {ok}",
                r.name, shape, r.max_abs_diff, r.relative_error
            )?;
        }
        Ok(())
    }
}

/// Checks every gradient of `model` on the batch `(x, y)`: backpropagation
/// against centred differences of the loss, per parameter tensor.
///
/// # Errors
/// The shape errors of [`Mlp::loss_and_gradients`].
pub fn check_mlp_gradients(
    model: &Mlp<f64>,
    x: &ArrayView2<f64>,
    y: &ArrayView2<f64>,
) -> Result<GradientCheck> {
    let mut net = model.clone();
    let (_, grads) = net.loss_and_gradients(x, y)?;
    let loss_of = |net: &Mlp<f64>| -> f64 {
        net.predict(x)
            .and_then(|p| net.loss.value(&p.view(), y))
            .unwrap_or(f64::NAN)
    };
    let mut rows = Vec::new();
    for (l, g) in grads.iter().enumerate() {
        for (name, analytic, is_bias) in [
            (format!("W{}", l + 1), g.d_weights.view().into_dyn(), false),
            (format!("b{}", l + 1), g.d_bias.view().into_dyn(), true),
        ] {
            let start = if is_bias {
                net.layers[l].bias.clone().into_dyn()
            } else {
                net.layers[l].weights.clone().into_dyn()
            };
            let mut probe = net.clone();
            let numeric = numeric_gradient(
                |p| {
                    let layer = &mut probe.layers[l];
                    let target = if is_bias {
                        layer.bias.iter_mut().collect::<Vec<_>>()
                    } else {
                        layer.weights.iter_mut().collect()
                    };
                    for (dst, &src) in target.into_iter().zip(p.iter()) {
                        *dst = src;
                    }
                    loss_of(&probe)
                },
                &start,
                H,
            );
            let max_abs_diff = analytic
                .iter()
                .zip(numeric.iter())
                .fold(0.0_f64, |m, (a, n)| m.max((a - n).abs()));
            rows.push(GradientCheckRow {
                name,
                shape: analytic.shape().to_vec(),
                max_abs_diff,
                relative_error: relative_error(&analytic, &numeric.view())?,
            });
        }
    }
    Ok(GradientCheck { rows })
}

/// The Jacobian of `f` at `z` by centred differences: column j is
/// `(f(z + h e_j) − f(z − h e_j)) / 2h`.
pub fn numeric_jacobian(
    f: impl Fn(&Array1<f64>) -> Array1<f64>,
    z: &ArrayView1<f64>,
    h: f64,
) -> Array2<f64> {
    let n = z.len();
    let m = f(&z.to_owned()).len();
    let mut jac = Array2::zeros((m, n));
    for j in 0..n {
        let (mut up, mut down) = (z.to_owned(), z.to_owned());
        up[j] += h;
        down[j] -= h;
        let col = (f(&up) - f(&down)) / (2.0 * h);
        jac.column_mut(j).assign(&col);
    }
    jac
}

/// The four properties of the softmax Jacobian, checked at one point.
#[derive(Debug, Clone)]
pub struct SoftmaxJacobianCheck {
    /// `s = softmax(z)`.
    pub probabilities: Array1<f64>,
    /// The analytic `diag(s) − s sᵀ`.
    pub analytic: Array2<f64>,
    /// The same by centred differences.
    pub numeric: Array2<f64>,
    /// `max |analytic − numeric|`.
    pub max_abs_diff: f64,
    /// `max |J − Jᵀ|` (J is symmetric).
    pub asymmetry: f64,
    /// `max_i |Σ_j J_ij|` (each row sums to 0, since Σ_i s_i = 1 for every z).
    pub max_row_sum: f64,
    /// `max |Jᵀ g − (s − y)|` with `g = −y / s`, the cross-entropy gradient
    /// with respect to `s` for one sample: the chain rule through J gives the
    /// fused gradient `s − y`.
    pub chain_rule_diff: f64,
}

impl SoftmaxJacobianCheck {
    /// Whether all four properties hold within `tol`.
    pub fn passed(&self, tol: f64) -> bool {
        [
            self.max_abs_diff,
            self.asymmetry,
            self.max_row_sum,
            self.chain_rule_diff,
        ]
        .iter()
        .all(|&e| e <= tol)
    }
}

impl fmt::Display for SoftmaxJacobianCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "analytic vs finite differences  max |diff| = {:.2e}",
            self.max_abs_diff
        )?;
        writeln!(
            f,
            "symmetry                        max |J - J^T| = {:.2e}",
            self.asymmetry
        )?;
        writeln!(
            f,
            "rows sum to zero                max |row sum| = {:.2e}",
            self.max_row_sum
        )?;
        write!(
            f,
            "J^T g equals s - y               max |diff| = {:.2e}",
            self.chain_rule_diff
        )
    }
}

/// Checks the softmax Jacobian at logits `z` for the one-hot target of class `label`.
///
/// # Errors
/// [`Error::InvalidArgument`] if `z` is empty or `label` is not below its length.
pub fn check_softmax_jacobian(z: &ArrayView1<f64>, label: usize) -> Result<SoftmaxJacobianCheck> {
    if label >= z.len() {
        return Err(Error::invalid(
            "check_softmax_jacobian label",
            format!("a class below the number of logits ({})", z.len()),
            label.to_string(),
        ));
    }
    let soft = |v: &Array1<f64>| {
        softmax(&v.view().insert_axis(Axis(0)), Axis(1))
            .row(0)
            .to_owned()
    };
    let s = soft(&z.to_owned());
    let analytic = softmax_jacobian(&s.view());
    let numeric = numeric_jacobian(soft, z, H);
    let max_abs = |a: &Array2<f64>| a.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let y = Array1::from_shape_fn(z.len(), |i| if i == label { 1.0 } else { 0.0 });
    let g = -&y / &s;
    let fused = softmax_cross_entropy_gradient_from_output(
        &s.view().insert_axis(Axis(0)),
        &y.view().insert_axis(Axis(0)),
    )?;
    let chain = analytic.t().dot(&g);
    Ok(SoftmaxJacobianCheck {
        max_abs_diff: max_abs(&(&analytic - &numeric)),
        asymmetry: max_abs(&(&analytic - &analytic.t())),
        max_row_sum: analytic
            .sum_axis(Axis(1))
            .iter()
            .fold(0.0_f64, |m, x| m.max(x.abs())),
        chain_rule_diff: (&chain - &fused.row(0))
            .iter()
            .fold(0.0_f64, |m, x| m.max(x.abs())),
        probabilities: s,
        analytic,
        numeric,
    })
}
