//! Activation functions and their derivatives.
//!
//! Each elementwise activation `f` comes with its derivative in one or both of
//! two forms:
//!
//! * **from the input** `z`: `f'(z)`, the textbook form, e.g. `σ'(z) = σ(z)(1 − σ(z))`;
//! * **from the output** `a = f(z)`: the form the lessons' code uses because
//!   the forward pass already computed `a`, e.g. `σ'(z) = a(1 − a)` and
//!   `tanh'(z) = 1 − a²`.
//!
//! Both give the same number; passing `z` where `a` is expected (or the
//! reverse) gives a wrong gradient without any error, which is why the two
//! forms have different names: `*_derivative` takes `z`,
//! `*_derivative_from_output` takes `a`.
//!
//! Softmax is not elementwise: see [`softmax`] and [`softmax_jacobian`].

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, Axis, Zip};
use nnlib_kernels::exp::exp;
use rayon::prelude::*;

use crate::linalg::PARALLEL_ELEMENTWISE;
use crate::{Error, Result, Scalar};

/// `Z ← f(Z)` entry by entry, on all cores for arrays of at least
/// [`PARALLEL_ELEMENTWISE`] entries. Each entry is computed alone, so the
/// result is the same on any number of threads.
fn map_inplace<T: Scalar>(z: &mut Array2<T>, f: impl Fn(T) -> T + Sync + Send) {
    if z.len() >= PARALLEL_ELEMENTWISE {
        z.par_mapv_inplace(f);
    } else {
        z.mapv_inplace(f);
    }
}

/// `Z ← σ(Z)` on the vectorised [`nnlib_kernels::exp::sigmoid_inplace`]
/// (the same bits as [`sigmoid`] entry by entry), split over the cores like
/// [`map_inplace`].
fn sigmoid_all<T: Scalar>(z: &mut Array2<T>) {
    match z.as_slice_memory_order_mut() {
        Some(v) if v.len() >= PARALLEL_ELEMENTWISE => {
            let chunk = v.len().div_ceil(rayon::current_num_threads());
            v.par_chunks_mut(chunk)
                .for_each(nnlib_kernels::exp::sigmoid_inplace);
        }
        Some(v) => nnlib_kernels::exp::sigmoid_inplace(v),
        None => map_inplace(z, sigmoid),
    }
}

/// `D ← D ⊙ f'(V)` entry by entry (`V` is `Z` or `A`, whichever form of the
/// derivative `f_prime` takes), split over the cores like [`map_inplace`].
fn scale_inplace<T: Scalar>(
    d: &mut Array2<T>,
    v: &ArrayView2<T>,
    f_prime: impl Fn(T) -> T + Sync + Send,
) {
    let zip = Zip::from(d).and(v);
    let scale = |g: &mut T, &v: &T| *g *= f_prime(v);
    if zip.size() >= PARALLEL_ELEMENTWISE {
        zip.par_for_each(scale);
    } else {
        zip.for_each(scale);
    }
}

/// Logistic sigmoid `σ(z) = 1 / (1 + e^(−z))`.
///
/// Computed as `e^z / (1 + e^z)` for negative `z`, so that no exponential
/// overflows: finite for every `z`, 0 and 1 at the ends.
///
/// `e^x` here is nnlib's own exponential, [`nnlib_kernels::exp::exp`]
/// (within 1 ULP of the exact value), written so that a loop of it runs on
/// the processor's vector instructions: a layer's sigmoid
/// ([`Activation::forward`]) computes its whole batch with it at once, and
/// gets the same bits as this function, one number at a time.
pub fn sigmoid<T: Scalar>(z: T) -> T {
    // e = e^(−|z|) lies in (0, 1], so neither form can overflow:
    // σ(z) = 1 / (1 + e^(−z)) for z ≥ 0 and e^z / (1 + e^z) for z < 0.
    let e = exp(-z.abs());
    if z >= T::zero() {
        T::one() / (T::one() + e)
    } else {
        e / (T::one() + e)
    }
}

/// `σ'(z) = σ(z) (1 − σ(z))`, from the input `z`.
pub fn sigmoid_derivative<T: Scalar>(z: T) -> T {
    let s = sigmoid(z);
    s * (T::one() - s)
}

/// `σ'(z) = a (1 − a)`, from the output `a = σ(z)`.
pub fn sigmoid_derivative_from_output<T: Scalar>(a: T) -> T {
    a * (T::one() - a)
}

/// `tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)) = 2 / (1 + e^(−2z)) − 1`.
pub fn tanh<T: Scalar>(z: T) -> T {
    z.tanh()
}

/// `tanh'(z) = 1 − tanh²(z)`, from the input `z`.
pub fn tanh_derivative<T: Scalar>(z: T) -> T {
    let t = z.tanh();
    T::one() - t * t
}

/// `tanh'(z) = 1 − a²`, from the output `a = tanh(z)`.
pub fn tanh_derivative_from_output<T: Scalar>(a: T) -> T {
    T::one() - a * a
}

/// Rectified linear unit `ReLU(z) = max(0, z)`.
pub fn relu<T: Scalar>(z: T) -> T {
    z.max(T::zero())
}

/// `ReLU'(z) = 1 if z > 0, else 0` (the value 0 is chosen at the kink z = 0).
///
/// The same test works on the output `a = ReLU(z)`, since `a > 0 ⇔ z > 0`;
/// testing `a >= 0` instead is always true and gates nothing (lesson 02's
/// erratum).
pub fn relu_derivative<T: Scalar>(z: T) -> T {
    if z > T::zero() { T::one() } else { T::zero() }
}

/// Leaky ReLU `f(z) = z if z > 0, else α z` (equal to `max(αz, z)` for 0 < α < 1).
pub fn leaky_relu<T: Scalar>(z: T, alpha: T) -> T {
    if z > T::zero() { z } else { alpha * z }
}

/// `f'(z) = 1 if z > 0, else α`.
pub fn leaky_relu_derivative<T: Scalar>(z: T, alpha: T) -> T {
    if z > T::zero() { T::one() } else { alpha }
}

/// Exponential linear unit `ELU(z) = z if z > 0, else α (e^z − 1)`.
pub fn elu<T: Scalar>(z: T, alpha: T) -> T {
    if z > T::zero() { z } else { alpha * z.exp_m1() }
}

/// `ELU'(z) = 1 if z > 0, else α e^z`.
pub fn elu_derivative<T: Scalar>(z: T, alpha: T) -> T {
    if z > T::zero() {
        T::one()
    } else {
        alpha * z.exp()
    }
}

/// Unit step (Heaviside) `H(z) = 1 if z >= 0, else 0`: the hard threshold of
/// lesson 05's box functions. Its derivative is 0 everywhere except at the
/// jump, where it is undefined, so it cannot be trained by gradient descent.
pub fn step<T: Scalar>(z: T) -> T {
    if z >= T::zero() { T::one() } else { T::zero() }
}

/// `H'(z) = 0` for z ≠ 0 (undefined at the jump).
pub fn step_derivative<T: Scalar>(_z: T) -> T {
    T::zero()
}

/// Softmax along `axis`: `softmax(z)_i = e^(z_i − max z) / Σ_j e^(z_j − max z)`.
///
/// `axis` is the axis the probabilities sum along: `Axis(1)` for
/// samples-by-features data (one sample per row, as in lessons 01–03 and 05)
/// and `Axis(0)` for features-by-samples data (one sample per column, lesson
/// 04). Subtracting the maximum changes nothing mathematically (the factor
/// `e^(−max)` cancels) and keeps every exponent ≤ 0, so logits of ±1000 give
/// finite probabilities.
///
/// # Panics
/// If `axis` is not `Axis(0)` or `Axis(1)`, as ndarray does for an axis a
/// 2-D array does not have.
pub fn softmax<T: Scalar>(z: &ArrayView2<T>, axis: Axis) -> Array2<T> {
    let mut out = z.to_owned();
    softmax_inplace(&mut out, axis);
    out
}

/// [`softmax`] in place: `Z ← softmax(Z)` along `axis`, without a new array.
///
/// Per lane: the maximum, `e^(z_i − max)` with nnlib's exponential
/// ([`nnlib_kernels::exp::exp`]), their sum in order, and the division. A
/// lane contiguous in memory (a row of a standard array along `Axis(1)`)
/// runs on the vectorised [`nnlib_kernels::exp::softmax_inplace`], which
/// does the same operations in the same order: the probabilities are the
/// same bits whichever way the array is laid out.
///
/// # Panics
/// If `axis` is not `Axis(0)` or `Axis(1)`.
pub fn softmax_inplace<T: Scalar>(z: &mut Array2<T>, axis: Axis) {
    let parallel = z.len() >= PARALLEL_ELEMENTWISE;
    let lanes = Zip::from(z.lanes_mut(axis));
    let softmax_lane = |mut lane: ArrayViewMut1<T>| {
        if let Some(v) = lane.as_slice_mut() {
            return nnlib_kernels::exp::softmax_inplace(v);
        }
        let max = lane.fold(T::neg_infinity(), |m, &v| m.max(v));
        lane.mapv_inplace(|v| exp(v - max));
        let sum = lane.fold(T::zero(), |s, &v| s + v);
        lane.mapv_inplace(|v| v / sum);
    };
    if parallel {
        lanes.par_for_each(softmax_lane);
    } else {
        lanes.for_each(softmax_lane);
    }
}

/// Log-softmax along `axis`: `log softmax(z)_i = z_i − max z − ln Σ_j e^(z_j − max z)`.
///
/// The stable way to get log-probabilities for the cross-entropy: it never
/// takes the logarithm of a probability that underflowed to 0.
///
/// # Panics
/// If `axis` is not `Axis(0)` or `Axis(1)`.
pub fn log_softmax<T: Scalar>(z: &ArrayView2<T>, axis: Axis) -> Array2<T> {
    let mut out = z.to_owned();
    for mut lane in out.lanes_mut(axis) {
        let max = lane.fold(T::neg_infinity(), |m, &v| m.max(v));
        let log_sum = lane.fold(T::zero(), |s, &v| s + exp(v - max)).ln();
        lane.mapv_inplace(|v| v - max - log_sum);
    }
    out
}

/// An activation function a layer applies to its weighted sums.
///
/// Used by [`crate::layer::Dense`]; every variant knows its forward function
/// and how to carry a gradient back through itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// `f(z) = z`.
    Identity,
    /// [`sigmoid`].
    Sigmoid,
    /// [`tanh`].
    Tanh,
    /// [`relu`].
    Relu,
    /// [`leaky_relu`] with slope `α` for negative inputs.
    LeakyRelu(f64),
    /// [`elu`] with saturation value `−α`.
    Elu(f64),
    /// [`step`] (has no useful gradient).
    Step,
    /// [`softmax`] along each row (one sample per row).
    Softmax,
}

impl Activation {
    /// The function's name, e.g. `"sigmoid"`, without its settings (the α of
    /// leaky ReLU and ELU); printing the activation (`{}`) adds them:
    /// `leaky_relu(0.1)`.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu(_) => "leaky_relu",
            Activation::Elu(_) => "elu",
            Activation::Step => "step",
            Activation::Softmax => "softmax",
        }
    }

    /// Whether `f'(z)` can be computed from the output `a = f(z)` alone, so
    /// that a forward pass need not keep `Z` for the backward pass:
    ///
    /// | activation | `f'` from the output |
    /// | --- | --- |
    /// | sigmoid | `a (1 − a)` |
    /// | tanh | `1 − a²` |
    /// | softmax | the Jacobian `diag(a) − a aᵀ` |
    /// | ReLU | `1 if a > 0` (`a > 0 ⇔ z > 0`), else 0 |
    /// | identity, step | 1 and 0, whatever the value |
    ///
    /// Leaky ReLU and ELU read `z` ([`Activation::backward_inplace`] needs it).
    pub fn derivative_from_output(&self) -> bool {
        match self {
            Activation::Identity
            | Activation::Sigmoid
            | Activation::Tanh
            | Activation::Relu
            | Activation::Step
            | Activation::Softmax => true,
            Activation::LeakyRelu(_) | Activation::Elu(_) => false,
        }
    }

    /// `f(z)` for one number; softmax, which needs the whole row, is not
    /// defined elementwise and gives `None`.
    pub fn scalar<T: Scalar>(&self, z: T) -> Option<T> {
        Some(match *self {
            Activation::Identity => z,
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => tanh(z),
            Activation::Relu => relu(z),
            Activation::LeakyRelu(a) => leaky_relu(z, T::cast(a)),
            Activation::Elu(a) => elu(z, T::cast(a)),
            Activation::Step => step(z),
            Activation::Softmax => return None,
        })
    }

    /// `f'(z)` for one number, from the input `z`; `None` for softmax,
    /// whose derivative is a matrix (its Jacobian).
    pub fn scalar_derivative<T: Scalar>(&self, z: T) -> Option<T> {
        Some(match *self {
            Activation::Identity => T::one(),
            Activation::Sigmoid => sigmoid_derivative(z),
            Activation::Tanh => tanh_derivative(z),
            Activation::Relu => relu_derivative(z),
            Activation::LeakyRelu(a) => leaky_relu_derivative(z, T::cast(a)),
            Activation::Elu(a) => elu_derivative(z, T::cast(a)),
            Activation::Step => step_derivative(z),
            Activation::Softmax => return None,
        })
    }

    /// `A = f(Z)` for a batch `Z` with one sample per row.
    pub fn forward<T: Scalar>(&self, z: &ArrayView2<T>) -> Array2<T> {
        let mut a = z.to_owned();
        self.forward_inplace(&mut a);
        a
    }

    /// Applies `f` in place, `Z ← f(Z)`, without a temporary array.
    pub fn forward_inplace<T: Scalar>(&self, z: &mut Array2<T>) {
        match self {
            Activation::Softmax => softmax_inplace(z, Axis(1)),
            // one loop per function, so that each loop body is a plain
            // function of the element the compiler can inline
            Activation::Identity => {}
            Activation::Sigmoid => sigmoid_all(z),
            Activation::Tanh => map_inplace(z, tanh),
            Activation::Relu => map_inplace(z, relu),
            Activation::LeakyRelu(alpha) => {
                let alpha = T::cast(*alpha);
                map_inplace(z, |v| leaky_relu(v, alpha));
            }
            Activation::Elu(alpha) => {
                let alpha = T::cast(*alpha);
                map_inplace(z, |v| elu(v, alpha));
            }
            Activation::Step => map_inplace(z, step),
        }
    }

    /// Carries the gradient back through the activation:
    /// given `dA = ∂L/∂A`, the input `Z` and the output `A = f(Z)`, returns
    /// `dZ = ∂L/∂Z`.
    ///
    /// Elementwise: `dZ = dA ⊙ f'(Z)`. Softmax (per row `s`):
    /// `dZ = Jᵀ dA = s ⊙ (dA − (dA · s))`, with `J = diag(s) − s sᵀ`.
    ///
    /// # Errors
    /// [`Error::Shape`] if the three arrays differ in shape.
    pub fn backward<T: Scalar>(
        &self,
        d_a: &ArrayView2<T>,
        z: &ArrayView2<T>,
        a: &ArrayView2<T>,
    ) -> Result<Array2<T>> {
        let mut d_z = d_a.to_owned();
        self.backward_inplace(&mut d_z, Some(z), a)?;
        Ok(d_z)
    }

    /// [`Activation::backward`] in place: `dA` becomes `dZ`. `Z` may be left
    /// out (`None`) where [`Activation::derivative_from_output`] holds: the
    /// derivative is then taken from `A`, and `Z` would not be read anyway.
    ///
    /// # Errors
    /// [`Error::Shape`] if the arrays differ in shape;
    /// [`Error::InvalidArgument`] if `Z` is left out for leaky ReLU or ELU.
    pub fn backward_inplace<T: Scalar>(
        &self,
        d: &mut Array2<T>,
        z: Option<&ArrayView2<T>>,
        a: &ArrayView2<T>,
    ) -> Result<()> {
        let given = z.map_or(a.dim(), |z| z.dim());
        if d.dim() != a.dim() || given != a.dim() {
            return Err(Error::shape(
                format!("{} backward", self.name()),
                if d.dim() != a.dim() {
                    d.shape()
                } else {
                    z.map_or(a.shape(), |z| z.shape())
                },
                a.shape(),
                "the upstream gradient dA and the pre-activation Z must have the shape of the layer's output A",
            ));
        }
        // the one array each derivative reads: A where the derivative comes
        // from the output, Z otherwise
        let v = match z {
            _ if self.derivative_from_output() => a,
            Some(z) => z,
            None => {
                return Err(Error::invalid(
                    format!("{} backward", self.name()),
                    "the weighted sums Z (its derivative is not a function of its output)",
                    "no Z",
                ));
            }
        };
        match *self {
            Activation::Softmax => {
                let parallel = d.len() >= PARALLEL_ELEMENTWISE;
                let rows = Zip::from(d.rows_mut()).and(v.rows());
                let softmax_row = |mut g: ArrayViewMut1<T>, s: ArrayView1<T>| {
                    let g_dot_s = g.dot(&s);
                    Zip::from(&mut g)
                        .and(&s)
                        .for_each(|g, &s| *g = s * (*g - g_dot_s));
                };
                if parallel {
                    rows.par_for_each(softmax_row);
                } else {
                    rows.for_each(softmax_row);
                }
            }
            Activation::Identity => {}
            Activation::Sigmoid => scale_inplace(d, v, sigmoid_derivative_from_output),
            Activation::Tanh => scale_inplace(d, v, tanh_derivative_from_output),
            // [a > 0] = [z > 0]
            Activation::Relu => scale_inplace(d, v, relu_derivative),
            Activation::Step => scale_inplace(d, v, step_derivative),
            Activation::LeakyRelu(alpha) => {
                let alpha = T::cast(alpha);
                scale_inplace(d, v, |z| leaky_relu_derivative(z, alpha));
            }
            Activation::Elu(alpha) => {
                let alpha = T::cast(alpha);
                scale_inplace(d, v, |z| elu_derivative(z, alpha));
            }
        }
        Ok(())
    }
}

impl std::fmt::Display for Activation {
    /// The name with the settings: `sigmoid`, `leaky_relu(0.1)`, `elu(1)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Activation::LeakyRelu(alpha) | Activation::Elu(alpha) => {
                f.pad(&format!("{}({alpha})", self.name()))
            }
            _ => f.pad(self.name()),
        }
    }
}

/// The softmax Jacobian `J = diag(s) − s sᵀ`, i.e. `∂s_i/∂z_j = s_i (δ_ij − s_j)`,
/// for the probabilities `s = softmax(z)`: the derivative of [`softmax`],
/// which [`Activation::backward`] applies as `Jᵀ dA` without building `J`.
pub fn softmax_jacobian(s: &ArrayView1<f64>) -> Array2<f64> {
    let n = s.len();
    Array2::from_shape_fn((n, n), |(i, j)| {
        s[i] * (if i == j { 1.0 } else { 0.0 } - s[j])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn sigmoid_is_finite_and_exact_at_extremes() {
        assert_eq!(sigmoid(1e4_f64), 1.0);
        assert_eq!(sigmoid(-1e4_f64), 0.0);
        assert_eq!(sigmoid(-800.0_f64), (-800.0_f64).exp());
        assert_eq!(sigmoid(0.0_f32), 0.5);
        assert_eq!(sigmoid(0.0_f64), 0.5);
        // against the C library's exp: within 2 ULP (both exponentials are
        // within 1 ULP of the exact value)
        for z in [-30.0, -2.0, -0.3, 0.1, 2.0, 17.0_f64] {
            let libm = 1.0 / (1.0 + (-z).exp());
            assert!(
                (sigmoid(z) - libm).abs() <= 2.0 * f64::EPSILON * libm,
                "σ({z})"
            );
        }
    }

    /// The batch sigmoid (vectorised, split over the cores from
    /// `PARALLEL_ELEMENTWISE` entries) gives the same bits as `sigmoid` one
    /// number at a time, in any layout.
    #[test]
    fn batch_sigmoid_gives_the_scalar_bits() {
        for rows in [3, PARALLEL_ELEMENTWISE / 7 + 1] {
            let z =
                Array2::from_shape_fn((rows, 7), |(i, j)| ((i * 7 + j) as f64 * 0.37).sin() * 40.0);
            let expected = z.mapv(sigmoid);
            let a = Activation::Sigmoid.forward(&z.view());
            assert!(
                a.iter()
                    .zip(&expected)
                    .all(|(x, y)| x.to_bits() == y.to_bits())
            );
            let a_t = Activation::Sigmoid.forward(&z.t());
            assert!(
                a_t.t()
                    .iter()
                    .zip(&expected)
                    .all(|(x, y)| x.to_bits() == y.to_bits())
            );
            let zf = z.mapv(|v| v as f32);
            let af = Activation::Sigmoid.forward(&zf.view());
            assert!(
                af.iter()
                    .zip(&zf)
                    .all(|(x, &z)| x.to_bits() == sigmoid(z).to_bits())
            );
        }
    }

    /// Softmax along rows (contiguous, vectorised) and along columns
    /// (strided, one number at a time) gives the same bits.
    #[test]
    fn softmax_is_the_same_bits_along_either_axis() {
        let z = Array2::from_shape_fn((50, 10), |(i, j)| ((i * 10 + j) as f64 * 0.71).cos() * 9.0);
        let by_rows = softmax(&z.view(), Axis(1));
        // the transpose in standard layout: its columns are strided lanes
        let z_t = z.t().as_standard_layout().into_owned();
        assert!(z_t.column(0).as_slice().is_none());
        let by_columns = softmax(&z_t.view(), Axis(0));
        assert!(
            by_rows
                .iter()
                .zip(by_columns.t())
                .all(|(x, y)| x.to_bits() == y.to_bits())
        );
        for row in by_rows.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-15);
        }
    }

    #[test]
    fn derivative_forms_agree() {
        for &z in &[-3.0_f64, -0.5, 0.0, 0.7, 4.0] {
            assert!(
                (sigmoid_derivative(z) - sigmoid_derivative_from_output(sigmoid(z))).abs() < 1e-15
            );
            assert!((tanh_derivative(z) - tanh_derivative_from_output(z.tanh())).abs() < 1e-15);
        }
    }

    #[test]
    fn the_derivative_from_the_output_is_the_derivative() {
        // where Z is not needed, the backward pass without Z must give
        // dA ⊙ f'(Z) computed from Z itself; elsewhere leaving Z out is an error
        let z = Array2::from_shape_fn((3, 4), |(i, j)| (i * 4 + j) as f64 / 2.0 - 2.6);
        let d_a = Array2::from_shape_fn((3, 4), |(i, j)| 1.0 + (i + j) as f64 / 5.0);
        use Activation::*;
        for f in [
            Identity,
            Sigmoid,
            Tanh,
            Relu,
            LeakyRelu(0.1),
            Elu(0.5),
            Step,
        ] {
            let a = f.forward(&z.view());
            let mut d = d_a.clone();
            let result = f.backward_inplace(&mut d, None, &a.view());
            if !f.derivative_from_output() {
                assert!(matches!(result, Err(Error::InvalidArgument { .. })), "{f}");
                continue;
            }
            result.unwrap();
            for ((i, j), &zv) in z.indexed_iter() {
                let expected = d_a[[i, j]] * f.scalar_derivative(zv).unwrap();
                assert!((d[[i, j]] - expected).abs() < 1e-12, "{f} at z = {zv}");
            }
        }
        // softmax: Jᵀ dA with J built from A
        let s = Activation::Softmax.forward(&z.view());
        let mut d = d_a.clone();
        Activation::Softmax
            .backward_inplace(&mut d, None, &s.view())
            .unwrap();
        for i in 0..3 {
            let jt_da = softmax_jacobian(&s.row(i)).t().dot(&d_a.row(i));
            for j in 0..4 {
                assert!((d[[i, j]] - jt_da[j]).abs() < 1e-12, "softmax row {i}");
            }
        }
    }

    #[test]
    fn a_shape_error_names_the_array_that_differs() {
        let a = Array2::<f64>::zeros((3, 4));
        let z_wrong = Array2::<f64>::zeros((2, 4));
        let mut d = Array2::<f64>::zeros((3, 4));
        let error = Activation::LeakyRelu(0.1)
            .backward_inplace(&mut d, Some(&z_wrong.view()), &a.view())
            .unwrap_err();
        assert!(
            matches!(&error, Error::Shape { left, right, .. } if left == &[2, 4] && right == &[3, 4]),
            "{error}"
        );
        let mut d_wrong = Array2::<f64>::zeros((3, 5));
        let error = Activation::Sigmoid
            .backward_inplace(&mut d_wrong, None, &a.view())
            .unwrap_err();
        assert!(
            matches!(&error, Error::Shape { left, right, .. } if left == &[3, 5] && right == &[3, 4]),
            "{error}"
        );
    }

    #[test]
    fn names_and_printed_forms() {
        assert_eq!(Activation::LeakyRelu(0.1).name(), "leaky_relu");
        assert_eq!(Activation::LeakyRelu(0.1).to_string(), "leaky_relu(0.1)");
        assert_eq!(format!("{:<9}|", Activation::Tanh), "tanh     |");
    }

    #[test]
    fn softmax_along_either_axis() {
        let z = array![[1.0_f64, 2.0, 0.5]];
        let rows = softmax(&z.view(), Axis(1));
        let cols = softmax(&z.t(), Axis(0));
        assert!((rows[[0, 1]] - 0.628_532_1).abs() < 1e-6, "{rows}");
        assert_eq!(rows.t(), cols);
    }

    #[test]
    fn batches_split_over_the_cores_get_every_entry_right() {
        // just above the size from which the work is split over the cores,
        // compared with the one-number functions entry by entry, and with a
        // small batch (one thread) row by row for softmax
        let (rows, cols) = (PARALLEL_ELEMENTWISE / 10 + 1, 10);
        let z = Array2::from_shape_fn((rows, cols), |(i, j)| {
            ((i * cols + j) % 23) as f64 / 3.0 - 4.0
        });
        let d_a = Array2::from_shape_fn((rows, cols), |(i, j)| ((i + 2 * j) % 7) as f64 - 3.0);
        for f in [
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::Elu(0.5),
        ] {
            let a = f.forward(&z.view());
            let d_z = f.backward(&d_a.view(), &z.view(), &a.view()).unwrap();
            for ((i, j), &zv) in z.indexed_iter() {
                let (fz, dfz) = (f.scalar(zv).unwrap(), f.scalar_derivative(zv).unwrap());
                assert_eq!(a[[i, j]], fz, "{} at ({i}, {j})", f.name());
                assert!(
                    (d_z[[i, j]] - d_a[[i, j]] * dfz).abs() < 1e-12,
                    "{} at ({i}, {j})",
                    f.name()
                );
            }
        }
        let s = Activation::Softmax.forward(&z.view());
        let d_z = Activation::Softmax
            .backward(&d_a.view(), &z.view(), &s.view())
            .unwrap();
        for i in [0, rows / 2, rows - 1] {
            let row = |m: &Array2<f64>| m.slice(ndarray::s![i..i + 1, ..]).to_owned();
            let s_i = Activation::Softmax.forward(&row(&z).view());
            assert_eq!(row(&s), s_i, "softmax row {i}");
            let d_i = Activation::Softmax.backward(&row(&d_a).view(), &row(&z).view(), &s_i.view());
            assert_eq!(row(&d_z), d_i.unwrap(), "softmax backward row {i}");
        }
    }

    #[test]
    fn log_softmax_is_log_of_softmax() {
        let z = array![[1.0_f64, -2.0, 3.0], [1000.0, 0.0, -1000.0]];
        let ls = log_softmax(&z.view(), Axis(1));
        let s = softmax(&z.view(), Axis(1));
        assert!((ls[[0, 2]] - s[[0, 2]].ln()).abs() < 1e-12);
        assert!(ls.iter().all(|v| v.is_finite()));
        assert_eq!(ls[[1, 0]], 0.0);
    }
}
