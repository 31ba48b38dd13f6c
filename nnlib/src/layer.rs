//! A dense (fully connected) layer.
//!
//! Forward, for a batch `X` of m samples (one per row):
//!
//! ```text
//! Z = X W + b        (m, n_in) · (n_in, n_out) + (n_out,)  →  (m, n_out)
//! A = f(Z)
//! ```
//!
//! Backward, given `dA = ∂L/∂A`:
//!
//! ```text
//! dZ = dA ⊙ f'(Z)    (for softmax: Jᵀ dA per row)   Activation::backward
//! dW = Xᵀ dZ         (n_in, n_out)                   Dense::parameter_gradients
//! db = Σ_rows dZ     (n_out,)
//! dX = dZ Wᵀ         (m, n_in), the dA of the layer before   Dense::input_gradient
//! ```
//!
//! The 1/m of a mean loss is already inside `dA` (see [`crate::loss`]), so the
//! sums above are not divided again.
//!
//! A layer holds its parameters and nothing else: the values of a forward
//! pass that the backward pass needs (`X`, `Z`, `A`) are kept by the network
//! that stacks the layers, [`crate::mlp::Mlp`].

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::activation::Activation;
use crate::init::{Init, Rng};
use crate::linalg::{gemm_into, matmul_named};
use crate::{Error, Result, Scalar};

/// The gradients of the loss with respect to one layer's parameters.
#[derive(Debug, Clone)]
pub struct Gradients<T> {
    /// `∂L/∂W`, same shape as the weights.
    pub d_weights: Array2<T>,
    /// `∂L/∂b`, same shape as the bias.
    pub d_bias: Array1<T>,
}

/// A dense layer `A = f(X W + b)`.
#[derive(Debug, Clone)]
pub struct Dense<T> {
    /// Weights `W`, (n_in, n_out).
    pub weights: Array2<T>,
    /// Bias `b`, (n_out,).
    pub bias: Array1<T>,
    /// The activation `f`.
    pub activation: Activation,
}

impl<T: Scalar> Dense<T> {
    /// A layer with weights drawn by `init` and zero biases.
    ///
    /// # Errors
    /// Those of [`Init::weights`].
    pub fn new(
        n_in: usize,
        n_out: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self> {
        Self::from_parameters(
            init.weights(n_in, n_out, rng)?,
            Array1::zeros(n_out),
            activation,
        )
    }

    /// A layer with the given weights (n_in, n_out) and bias (n_out,).
    ///
    /// # Errors
    /// [`Error::Shape`] if the bias length differs from the number of columns of `W`.
    pub fn from_parameters(
        weights: Array2<T>,
        bias: Array1<T>,
        activation: Activation,
    ) -> Result<Self> {
        if bias.len() != weights.ncols() {
            return Err(Error::shape(
                "dense layer",
                weights.shape(),
                bias.shape(),
                format!(
                    "the bias needs one entry per unit: {} entries, found {}",
                    weights.ncols(),
                    bias.len()
                ),
            ));
        }
        Ok(Dense {
            weights,
            bias,
            activation,
        })
    }

    /// Number of inputs, n_in.
    pub fn inputs(&self) -> usize {
        self.weights.nrows()
    }

    /// Number of units, n_out.
    pub fn units(&self) -> usize {
        self.weights.ncols()
    }

    /// Number of parameters: `n_in · n_out + n_out`.
    pub fn parameter_count(&self) -> usize {
        self.weights.len() + self.bias.len()
    }

    /// `Z = X W + b`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `X` does not have n_in columns.
    pub fn weighted_sum(&self, x: &ArrayView2<T>) -> Result<Array2<T>> {
        let mut z = Array2::zeros((0, 0));
        self.weighted_sum_into(x, &mut z)?;
        Ok(z)
    }

    /// [`Dense::weighted_sum`] into an array the caller keeps: `Z ← X W + b`,
    /// reshaping `Z` to `(batch, units)` only if it has another shape, so a
    /// training loop over same-sized batches reuses one array.
    ///
    /// # Errors
    /// As [`Dense::weighted_sum`].
    pub fn weighted_sum_into(&self, x: &ArrayView2<T>, z: &mut Array2<T>) -> Result<()> {
        if x.ncols() != self.inputs() {
            // the product's own error names X, W and the transpose that fits
            matmul_named("X", x, "W", &self.weights.view())?;
        }
        if z.dim() != (x.nrows(), self.units()) {
            *z = Array2::zeros((x.nrows(), self.units()));
        }
        // b broadcast into Z first, then Z ← X W + Z: no temporary for X W
        z.assign(&self.bias);
        gemm_into(
            T::one(),
            x,
            &self.weights.view(),
            T::one(),
            &mut z.view_mut(),
        )
    }

    /// The forward pass `A = f(X W + b)`.
    ///
    /// # Errors
    /// As [`Dense::weighted_sum`].
    pub fn forward(&self, x: &ArrayView2<T>) -> Result<Array2<T>> {
        let mut z = self.weighted_sum(x)?;
        self.activation.forward_inplace(&mut z);
        Ok(z)
    }

    /// `dW = Xᵀ dZ` and `db = Σ_rows dZ`, for the input `X` whose forward
    /// pass gave the rows of `dZ = ∂L/∂Z`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `X` is not (m, n_in) or `dZ` not (m, n_out).
    pub fn parameter_gradients(
        &self,
        x: &ArrayView2<T>,
        d_z: &ArrayView2<T>,
    ) -> Result<Gradients<T>> {
        if d_z.ncols() != self.units() || x.ncols() != self.inputs() {
            return Err(Error::shape(
                "dense parameter gradients",
                x.shape(),
                d_z.shape(),
                format!(
                    "X must have {} columns and dZ {} columns",
                    self.inputs(),
                    self.units()
                ),
            ));
        }
        Ok(Gradients {
            d_weights: matmul_named("Xᵀ", &x.t(), "dZ", d_z)?,
            d_bias: d_z.sum_axis(Axis(0)),
        })
    }

    /// `dX = dZ Wᵀ`, the gradient passed on to the layer before.
    ///
    /// # Errors
    /// [`Error::Shape`] if `dZ` does not have n_out columns.
    pub fn input_gradient(&self, d_z: &ArrayView2<T>) -> Result<Array2<T>> {
        matmul_named("dZ", d_z, "Wᵀ", &self.weights.t())
    }

    /// [`Dense::input_gradient`] into an array the caller keeps:
    /// `dX ← dZ Wᵀ`, reshaping `dX` to `(batch, inputs)` only if needed.
    ///
    /// # Errors
    /// As [`Dense::input_gradient`].
    pub fn input_gradient_into(&self, d_z: &ArrayView2<T>, d_x: &mut Array2<T>) -> Result<()> {
        if d_z.ncols() != self.units() {
            matmul_named("dZ", d_z, "Wᵀ", &self.weights.t())?;
        }
        if d_x.dim() != (d_z.nrows(), self.inputs()) {
            *d_x = Array2::zeros((d_z.nrows(), self.inputs()));
        }
        gemm_into(
            T::one(),
            d_z,
            &self.weights.t(),
            T::zero(),
            &mut d_x.view_mut(),
        )
    }
}
