//! A multi-layer perceptron: dense layers in a row, trained with a loss.
//!
//! ```
//! use nnlib::{activation::Activation::*, init::Init, loss::Loss, mlp::Mlp};
//! // lesson 03's network: 64 inputs, 64 sigmoid units, 10 softmax outputs
//! let net = Mlp::<f64>::new(&[64, 64, 10], &[Sigmoid, Softmax], Loss::CategoricalCrossEntropy,
//!                           Init::Randn { scale: 1.0 }, 42).unwrap();
//! // 64·64 + 64 weights and biases in the hidden layer, 64·10 + 10 in the output layer
//! assert_eq!(net.parameter_count(), 4810);
//! ```

use std::fmt;

use ndarray::{Array2, ArrayView2};

use crate::activation::Activation;
use crate::init::{Init, rng};
use crate::layer::{Dense, Gradients};
use crate::loss::{Loss, softmax_cross_entropy_gradient};
use crate::optim::{Optimizer, Param};
use crate::{Error, Result, Scalar};

/// A stack of [`Dense`] layers and the loss they are trained with.
#[derive(Debug, Clone)]
pub struct Mlp<T> {
    /// The layers, input side first.
    pub layers: Vec<Dense<T>>,
    /// The training loss.
    pub loss: Loss,
    workspace: Workspace<T>,
}

/// The arrays [`Mlp::train_step`] keeps from one call to the next, so that a
/// loop over batches of one size allocates no large array after the first
/// step (fresh memory from the system costs a page fault per 4 KiB, which on
/// lesson 03's small network took a third of the training time).
#[derive(Debug, Clone, Default)]
struct Workspace<T> {
    /// Each layer's output `A`.
    a: Vec<Array2<T>>,
    /// Each layer's weighted sum `Z`, kept only where the derivative needs it.
    z: Vec<Option<Array2<T>>>,
    /// `∂L/∂A`, then `∂L/∂Z`, of every layer but the last.
    d: Vec<Array2<T>>,
}

impl<T: Scalar> Mlp<T> {
    /// A network with layer sizes `sizes = [n_in, n_hidden..., n_out]`, one
    /// activation per layer, weights drawn by `init` from a generator seeded
    /// with `seed` (layer by layer, input side first), zero biases.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless there are at least two sizes, all
    /// positive, and exactly one activation per layer.
    pub fn new(
        sizes: &[usize],
        activations: &[Activation],
        loss: Loss,
        init: Init,
        seed: u64,
    ) -> Result<Self> {
        if sizes.len() < 2 || sizes.contains(&0) || activations.len() != sizes.len() - 1 {
            return Err(Error::InvalidArgument {
                what: "Mlp::new layer sizes and activations".into(),
                expected:
                    "at least two positive sizes and one activation per layer (sizes.len() − 1)"
                        .into(),
                found: format!("sizes {sizes:?} and {} activations", activations.len()),
            });
        }
        let mut rng = rng(seed);
        let layers = sizes
            .windows(2)
            .zip(activations)
            .map(|(w, &f)| Dense::new(w[0], w[1], f, init, &mut rng))
            .collect::<Result<_>>()?;
        Ok(Mlp {
            layers,
            loss,
            workspace: Workspace::default(),
        })
    }

    /// The total number of weights and biases.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(Dense::parameter_count).sum()
    }

    /// The network's output for `X` (one sample per row), keeping nothing.
    ///
    /// # Errors
    /// [`Error::Shape`] if `X` does not have as many columns as the network has inputs.
    pub fn predict(&self, x: &ArrayView2<T>) -> Result<Array2<T>> {
        let mut a = x.to_owned();
        for layer in &self.layers {
            a = layer.predict(&a.view())?;
        }
        Ok(a)
    }

    /// The forward pass, keeping every layer's values for [`Mlp::backward`].
    ///
    /// # Errors
    /// As [`Mlp::predict`].
    pub fn forward(&mut self, x: &ArrayView2<T>) -> Result<Array2<T>> {
        let mut a = x.to_owned();
        for layer in &mut self.layers {
            a = layer.forward(&a.view())?;
        }
        Ok(a)
    }

    /// The backward pass after [`Mlp::forward`]: the gradients of the loss
    /// with respect to every layer's parameters, input side first.
    ///
    /// The output layer starts from `dA = ∂L/∂A`, except for two pairs whose
    /// product simplifies: softmax with categorical cross-entropy, and sigmoid
    /// with binary cross-entropy, both start from `dZ = (A − Y) / n` (n = m for
    /// the first, the number of elements for the second).
    ///
    /// # Errors
    /// [`Error::Shape`] if `Y` does not have the output's shape;
    /// [`Error::InvalidArgument`] if no forward pass was run.
    pub fn backward(&self, y: &ArrayView2<T>) -> Result<Vec<Gradients<T>>> {
        let last = self.layers.last().ok_or_else(empty_network)?;
        let a = &last
            .cache
            .as_ref()
            .ok_or_else(|| Error::InvalidArgument {
                what: "Mlp::backward".into(),
                expected: "a forward pass first".into(),
                found: "no stored forward pass".into(),
            })?
            .a;
        let mut grads = Vec::with_capacity(self.layers.len());
        let mut g = match (last.activation, self.loss) {
            (Activation::Softmax, Loss::CategoricalCrossEntropy) => {
                last.backward_from_z(&softmax_cross_entropy_gradient(&a.view(), y)?.view())?
            }
            (Activation::Sigmoid, Loss::BinaryCrossEntropy) => {
                let d_z = softmax_cross_entropy_gradient(&a.view(), y)? / T::cast(a.ncols() as f64);
                last.backward_from_z(&d_z.view())?
            }
            (_, loss) => last.backward(&loss.gradient(&a.view(), y)?.view())?,
        };
        for layer in self.layers.iter().rev().skip(1) {
            let next = layer.backward(&g.d_input.view())?;
            grads.push(g);
            g = next;
        }
        grads.push(g);
        grads.reverse();
        Ok(grads)
    }

    /// Forward and backward on one batch: the loss (before any update) and
    /// the gradients.
    ///
    /// # Errors
    /// As [`Mlp::forward`] and [`Mlp::backward`].
    pub fn loss_and_gradients(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
    ) -> Result<(T, Vec<Gradients<T>>)> {
        let a = self.forward(x)?;
        let loss = self.loss.value(&a.view(), y)?;
        Ok((loss, self.backward(y)?))
    }

    /// Hands every parameter and its gradient to `optimizer`, in the order
    /// `W1, b1, W2, b2, ...`.
    ///
    /// # Errors
    /// [`Error::Shape`] if the gradients do not match the layers.
    pub fn apply_gradients(
        &mut self,
        grads: &[Gradients<T>],
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<()> {
        if grads.len() != self.layers.len() {
            return Err(Error::InvalidArgument {
                what: "Mlp::apply_gradients".into(),
                expected: format!("one set of gradients per layer ({})", self.layers.len()),
                found: grads.len().to_string(),
            });
        }
        let mut params: Vec<Param<'_, T>> = Vec::with_capacity(2 * grads.len());
        for (layer, g) in self.layers.iter_mut().zip(grads) {
            params.push(Param {
                value: layer.weights.view_mut().into_dyn(),
                grad: g.d_weights.view().into_dyn(),
            });
            params.push(Param {
                value: layer.bias.view_mut().into_dyn(),
                grad: g.d_bias.view().into_dyn(),
            });
        }
        optimizer.step(&mut params)
    }

    /// One training step on a batch: forward, backward, update. Returns the
    /// batch's loss before the update and the network's output `A` for the
    /// batch (from the same forward pass).
    ///
    /// It makes the update of [`Mlp::loss_and_gradients`] followed by
    /// [`Mlp::apply_gradients`], keeping as little as possible: no copy of
    /// `X`, no stored forward pass (the layers' caches are left empty), and
    /// no `∂L/∂X` for the first layer, which nothing uses. That matters for
    /// large full batches (lesson 01's 50,000 x 3,072 images), where a copy
    /// of `X` would double the memory.
    ///
    /// A step with products large enough to split over the cores
    /// ([`linalg::THREADED_PRODUCT`](crate::linalg::THREADED_PRODUCT)) runs
    /// on one of rayon's worker threads (`rayon::scope`): its products then
    /// hand work to the other workers directly, instead of putting the
    /// calling thread to sleep and waking it once per product. Smaller steps
    /// (one sample at a time) stay on the calling thread.
    ///
    /// # Errors
    /// As [`Mlp::loss_and_gradients`] and [`Mlp::apply_gradients`].
    pub fn train_step(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<(T, Array2<T>)> {
        let widest = self.layers.iter().map(|l| l.weights.len()).max();
        if x.nrows() * widest.unwrap_or(0) >= crate::linalg::THREADED_PRODUCT {
            rayon::scope(|_| self.train_step_on_this_thread(x, y, optimizer))
        } else {
            self.train_step_on_this_thread(x, y, optimizer)
        }
    }

    /// [`Mlp::train_step`] on the calling thread.
    fn train_step_on_this_thread(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<(T, Array2<T>)> {
        let n_layers = self.layers.len();
        let last = n_layers.checked_sub(1).ok_or_else(empty_network)?;
        let ws = &mut self.workspace;
        ws.a.resize_with(n_layers, || Array2::zeros((0, 0)));
        ws.z.resize_with(n_layers, || None);
        ws.d.resize_with(last, || Array2::zeros((0, 0)));
        // forward: A per layer, computed in place over Z; the input of layer
        // i is A of layer i − 1. Z is kept only where the derivative needs
        // it: sigmoid, tanh and softmax use A, and ReLU's gate [z > 0] equals
        // [a > 0].
        for (i, layer) in self.layers.iter_mut().enumerate() {
            layer.cache = None;
            let (before, rest) = ws.a.split_at_mut(i);
            let input = if i == 0 {
                x.view()
            } else {
                before[i - 1].view()
            };
            let a = &mut rest[0];
            layer.weighted_sum_into(&input, a)?;
            if matches!(
                layer.activation,
                Activation::Sigmoid | Activation::Tanh | Activation::Softmax | Activation::Relu
            ) {
                ws.z[i] = None;
            } else {
                match &mut ws.z[i] {
                    Some(z) if z.dim() == a.dim() => z.assign(a),
                    slot => *slot = Some(a.clone()),
                }
            }
            layer.activation.forward_inplace(a);
        }
        let out = &ws.a[last];
        let loss = self.loss.value(&out.view(), y)?;
        // backward, from dZ of the output layer
        let out_layer = &self.layers[last];
        let mut d_z = match (out_layer.activation, self.loss) {
            (Activation::Softmax, Loss::CategoricalCrossEntropy) => {
                softmax_cross_entropy_gradient(&out.view(), y)?
            }
            (Activation::Sigmoid, Loss::BinaryCrossEntropy) => {
                softmax_cross_entropy_gradient(&out.view(), y)? / T::cast(out.ncols() as f64)
            }
            (f, loss) => {
                let mut d = loss.gradient(&out.view(), y)?;
                let z = ws.z[last].as_ref().unwrap_or(out);
                f.backward_inplace(&mut d, &z.view(), &out.view())?;
                d
            }
        };
        let mut grads = Vec::with_capacity(n_layers);
        for i in (0..=last).rev() {
            let layer = &self.layers[i];
            let input = if i == 0 { x.view() } else { ws.a[i - 1].view() };
            let (d_weights, d_bias) = layer.parameter_gradients(&input, &d_z.view())?;
            grads.push(Gradients {
                d_input: Array2::zeros((0, 0)),
                d_weights,
                d_bias,
            });
            if i > 0 {
                // dA of layer i − 1 = dZ Wᵀ, then dZ of layer i − 1 in place
                let mut d = std::mem::take(&mut ws.d[i - 1]);
                layer.input_gradient_into(&d_z.view(), &mut d)?;
                let a = &ws.a[i - 1];
                let z = ws.z[i - 1].as_ref().unwrap_or(a);
                self.layers[i - 1]
                    .activation
                    .backward_inplace(&mut d, &z.view(), &a.view())?;
                let done = std::mem::replace(&mut d_z, d);
                if i < last {
                    ws.d[i] = done; // back to the workspace for the next step
                }
            }
        }
        if last > 0 {
            ws.d[0] = d_z;
        }
        grads.reverse();
        let output = ws.a[last].clone();
        self.apply_gradients(&grads, optimizer)?;
        Ok((loss, output))
    }
}

fn empty_network() -> Error {
    Error::InvalidArgument {
        what: "Mlp".into(),
        expected: "at least one layer".into(),
        found: "none".into(),
    }
}

impl<T: Scalar> fmt::Display for Mlp<T> {
    /// A summary table: one line per layer with its shape, activation and
    /// parameter count, then the total.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:>14} {:<16} {:>10}",
            "layer", "weights", "activation", "parameters"
        )?;
        for (i, l) in self.layers.iter().enumerate() {
            let shape = format!("{}x{}", l.inputs(), l.units());
            writeln!(
                f,
                "{:<8} {:>14} {:<16} {:>10}",
                format!("dense {}", i + 1),
                shape,
                l.activation.name(),
                l.parameter_count()
            )?;
        }
        write!(
            f,
            "total parameters: {} ({}, loss {})",
            self.parameter_count(),
            T::NAME,
            self.loss.name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::{Adam, Sgd};
    use ndarray::{Array2, s};

    fn data() -> (Array2<f64>, Array2<f64>) {
        let x = Array2::from_shape_fn((40, 6), |(i, j)| ((i * 7 + j * 3) as f64 * 0.37).sin());
        let y = Array2::from_shape_fn((40, 3), |(i, j)| if i % 3 == j { 1.0 } else { 0.0 });
        (x, y)
    }

    #[test]
    fn train_step_makes_the_update_of_the_step_by_step_path() {
        let (x, y) = data();
        for (acts, loss) in [
            (
                [Activation::Sigmoid, Activation::Softmax],
                Loss::CategoricalCrossEntropy,
            ),
            (
                [Activation::Relu, Activation::Sigmoid],
                Loss::MeanSquaredError,
            ),
            (
                [Activation::Tanh, Activation::Sigmoid],
                Loss::BinaryCrossEntropy,
            ),
        ] {
            let make = || Mlp::<f64>::new(&[6, 5, 3], &acts, loss, Init::XavierUniform, 3).unwrap();
            let (mut a, mut b) = (make(), make());
            let (mut oa, mut ob) = (Adam::<f64>::new(0.01), Adam::<f64>::new(0.01));
            // batches of changing size, as a last short minibatch makes:
            // the arrays kept between steps must follow
            for rows in [40, 7, 40, 13] {
                let (x, y) = (x.slice(s![..rows, ..]), y.slice(s![..rows, ..]));
                let (la, grads) = a.loss_and_gradients(&x.view(), &y.view()).unwrap();
                let output_a = a.layers.last().unwrap().cache.as_ref().unwrap().a.clone();
                a.apply_gradients(&grads, &mut oa).unwrap();
                let (lb, output_b) = b.train_step(&x.view(), &y.view(), &mut ob).unwrap();
                assert_eq!(la, lb);
                assert_eq!(output_a, output_b);
            }
            for (la, lb) in a.layers.iter().zip(&b.layers) {
                assert_eq!(la.weights, lb.weights);
                assert_eq!(la.bias, lb.bias);
                assert!(lb.cache.is_none());
            }
        }
        let mut net = Mlp::<f64>::new(
            &[6, 3],
            &[Activation::Softmax],
            Loss::CategoricalCrossEntropy,
            Init::XavierUniform,
            3,
        )
        .unwrap();
        let wrong = Array2::<f64>::zeros((40, 4));
        let err = net.train_step(&wrong.view(), &y.view(), &mut Sgd::new(0.1));
        assert!(matches!(err, Err(Error::Shape { .. })), "{err:?}");
    }
}
