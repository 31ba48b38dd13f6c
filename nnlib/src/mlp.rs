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
        Ok(Mlp { layers, loss })
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

    /// One training step on a batch that keeps as little as possible: no
    /// copy of `X`, no stored forward pass, and no `∂L/∂X` for the first
    /// layer (nothing uses it). Returns the batch's loss before the update.
    ///
    /// The update is the one [`Mlp::train_step`] makes; use this one for
    /// large full batches (lesson 01's 50,000 x 3,072 images), where a copy
    /// of `X` would double the memory. The layers' caches are left empty.
    ///
    /// # Errors
    /// As [`Mlp::loss_and_gradients`] and [`Mlp::apply_gradients`].
    pub fn fit_batch(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<T> {
        let last = self.layers.len().checked_sub(1).ok_or_else(empty_network)?;
        // forward: (Z, A) per layer; the input of layer i is A of layer i − 1.
        // Z is kept only where the derivative needs it: sigmoid, tanh and
        // softmax use A, and ReLU's gate [z > 0] equals [a > 0], so for those
        // A is computed in place of Z.
        let mut values: Vec<(Option<Array2<T>>, Array2<T>)> = Vec::with_capacity(self.layers.len());
        for (i, layer) in self.layers.iter_mut().enumerate() {
            layer.cache = None;
            let input = if i == 0 {
                x.view()
            } else {
                values[i - 1].1.view()
            };
            let mut z = layer.weighted_sum(&input)?;
            if matches!(
                layer.activation,
                Activation::Sigmoid | Activation::Tanh | Activation::Softmax | Activation::Relu
            ) {
                layer.activation.forward_inplace(&mut z);
                values.push((None, z));
            } else {
                let a = layer.activation.forward(&z.view());
                values.push((Some(z), a));
            }
        }
        let out = &values[last].1;
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
                let d_a = loss.gradient(&out.view(), y)?;
                let z = values[last].0.as_ref().unwrap_or(out);
                f.backward(&d_a.view(), &z.view(), &out.view())?
            }
        };
        let mut grads = Vec::with_capacity(self.layers.len());
        for i in (0..=last).rev() {
            let layer = &self.layers[i];
            let input = if i == 0 {
                x.view()
            } else {
                values[i - 1].1.view()
            };
            let (d_weights, d_bias) = layer.parameter_gradients(&input, &d_z.view())?;
            let d_input = if i == 0 {
                Array2::zeros((0, 0))
            } else {
                let d_a = layer.input_gradient(&d_z.view())?;
                let (z, a) = &values[i - 1];
                let z = z.as_ref().unwrap_or(a);
                self.layers[i - 1]
                    .activation
                    .backward(&d_a.view(), &z.view(), &a.view())?
            };
            grads.push(Gradients {
                d_input: Array2::zeros((0, 0)),
                d_weights,
                d_bias,
            });
            d_z = d_input;
        }
        grads.reverse();
        self.apply_gradients(&grads, optimizer)?;
        Ok(loss)
    }

    /// One training step on a batch: forward, backward, update. Returns the
    /// batch's loss before the update and the network's output for the batch.
    ///
    /// # Errors
    /// As [`Mlp::loss_and_gradients`] and [`Mlp::apply_gradients`].
    pub fn train_step(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<(T, Array2<T>)> {
        let (loss, grads) = self.loss_and_gradients(x, y)?;
        let output = self
            .layers
            .last()
            .and_then(|l| l.cache.as_ref())
            .map(|c| c.a.clone())
            .ok_or_else(empty_network)?;
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
    use ndarray::Array2;

    fn data() -> (Array2<f64>, Array2<f64>) {
        let x = Array2::from_shape_fn((40, 6), |(i, j)| ((i * 7 + j * 3) as f64 * 0.37).sin());
        let y = Array2::from_shape_fn((40, 3), |(i, j)| if i % 3 == j { 1.0 } else { 0.0 });
        (x, y)
    }

    #[test]
    fn fit_batch_makes_the_update_of_train_step() {
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
        ] {
            let make = || Mlp::<f64>::new(&[6, 5, 3], &acts, loss, Init::XavierUniform, 3).unwrap();
            let (mut a, mut b) = (make(), make());
            let (mut oa, mut ob) = (Adam::<f64>::new(0.01), Adam::<f64>::new(0.01));
            for _ in 0..3 {
                let (la, _) = a.train_step(&x.view(), &y.view(), &mut oa).unwrap();
                let lb = b.fit_batch(&x.view(), &y.view(), &mut ob).unwrap();
                assert!((la - lb).abs() < 1e-12, "{la} vs {lb}");
            }
            for (la, lb) in a.layers.iter().zip(&b.layers) {
                let diff = (&la.weights - &lb.weights).mapv(f64::abs).sum();
                assert!(diff < 1e-10, "weights differ by {diff}");
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
        let err = net.fit_batch(&wrong.view(), &y.view(), &mut Sgd::new(0.1));
        assert!(matches!(err, Err(Error::Shape { .. })), "{err:?}");
    }
}
