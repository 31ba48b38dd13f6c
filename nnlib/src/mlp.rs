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
//!
//! One training step is lesson 03's thirteen steps, for any number of layers
//! (layer l = 1..L, `A_0 = X`):
//!
//! ```text
//! forward    steps 1-4    Z_l = A_{l−1} W_l + b_l,  A_l = f_l(Z_l)     Mlp::forward
//! loss       step 5       L = Loss(A_L, Y)                            Loss::value
//! backward   steps 6-8    δ_L = ∂L/∂Z_L                               Loss::output_delta
//!            steps 9, 13  dW_l = A_{l−1}ᵀ δ_l,  db_l = Σ_rows δ_l     Dense::parameter_gradients
//!            step 10      dA_{l−1} = δ_l W_lᵀ                         Dense::input_gradient_into
//!            steps 11-12  δ_{l−1} = dA_{l−1} ⊙ f'_{l−1}(Z_{l−1})      Activation::backward_inplace
//! update                  W_l ← W_l − η dW_l, b_l ← b_l − η db_l      Optimizer::step
//! ```
//!
//! [`Mlp::train_step`] runs them in that order; [`Mlp::loss_and_gradients`]
//! stops before the update. Both run the same [`Mlp::forward`] and
//! [`Mlp::backward`].

use std::fmt;

use ndarray::{Array2, ArrayView2};

use crate::activation::Activation;
use crate::init::{Init, rng};
use crate::layer::{Dense, Gradients};
use crate::loss::Loss;
use crate::optim::{Optimizer, Param};
use crate::{Error, Result, Scalar};

/// A stack of [`Dense`] layers and the loss they are trained with.
#[derive(Debug, Clone)]
pub struct Mlp<T> {
    /// The layers, input side first.
    pub layers: Vec<Dense<T>>,
    /// The training loss.
    pub loss: Loss,
    state: ForwardState<T>,
}

/// What the forward pass keeps for the backward pass, as Nielsen's
/// `network.py` keeps `zs` and `activations`, and the backward pass's `δ`s.
///
/// The arrays are kept from one step to the next and overwritten, so that a
/// loop over batches of one size allocates no large array after the first
/// step (fresh memory from the system costs a page fault per 4 KiB, which on
/// lesson 03's small network took a third of the training time).
#[derive(Debug, Clone, Default)]
struct ForwardState<T> {
    /// `activations[l]`: the output `A` of layer l (0-based). The input `X`
    /// is not copied (for lesson 01's 50,000 x 3,072 images a copy would
    /// double the memory): [`Mlp::backward`] takes it again.
    activations: Vec<Array2<T>>,
    /// `zs[l]`: the weighted sums `Z` of layer l, kept only where the
    /// activation's derivative needs them
    /// ([`Activation::derivative_from_output`] is false).
    zs: Vec<Option<Array2<T>>>,
    /// `deltas[l]`: `δ = ∂L/∂Z` of layer l, written by the backward pass.
    deltas: Vec<Array2<T>>,
    /// The number of samples of the last forward pass; `None` before the
    /// first, and after one that failed.
    samples: Option<usize>,
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
        T::mlp_new(sizes, activations, loss, init, seed)
    }

    /// The body of [`Self::new`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn new_generic(
        sizes: &[usize],
        activations: &[Activation],
        loss: Loss,
        init: Init,
        seed: u64,
    ) -> Result<Self> {
        if sizes.len() < 2 || sizes.contains(&0) || activations.len() != sizes.len() - 1 {
            return Err(Error::invalid(
                "Mlp::new layer sizes and activations",
                "at least two positive sizes and one activation per layer (sizes.len() − 1)",
                format!("sizes {sizes:?} and {} activations", activations.len()),
            ));
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
            state: ForwardState::default(),
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
        T::mlp_predict(self, x)
    }

    /// The body of [`Self::predict`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn predict_generic(&self, x: &ArrayView2<T>) -> Result<Array2<T>> {
        let mut a = x.to_owned();
        for layer in &self.layers {
            a = layer.forward(&a.view())?;
        }
        Ok(a)
    }

    /// The forward pass (steps 1-4), keeping every layer's activations (and
    /// weighted sums where needed) for [`Mlp::backward`]; returns the output.
    ///
    /// # Errors
    /// As [`Mlp::predict`]; [`Error::InvalidArgument`] for a network without layers.
    pub fn forward(&mut self, x: &ArrayView2<T>) -> Result<ArrayView2<'_, T>> {
        T::mlp_forward(self, x)
    }

    /// The body of [`Self::forward`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn forward_generic(&mut self, x: &ArrayView2<T>) -> Result<ArrayView2<'_, T>> {
        let n = self.layers.len();
        if n == 0 {
            return Err(empty_network());
        }
        let state = &mut self.state;
        state.samples = None;
        state.activations.resize_with(n, empty);
        state.zs.resize_with(n, || None);
        for (l, layer) in self.layers.iter().enumerate() {
            let (input, a) = match l {
                0 => (x.view(), &mut state.activations[0]),
                _ => {
                    let (before, a) = neighbours(&mut state.activations, l);
                    (before.view(), a)
                }
            };
            // steps 1 and 3: Z = X W + b, written where A will be
            layer.weighted_sum_into(&input, a)?;
            if layer.activation.derivative_from_output() {
                state.zs[l] = None;
            } else {
                copy_into(&mut state.zs[l], a);
            }
            // steps 2 and 4: A = f(Z), in place
            layer.activation.forward_inplace(a);
        }
        state.samples = Some(x.nrows());
        Ok(state.activations[n - 1].view())
    }

    /// The backward pass (steps 6-13) after [`Mlp::forward`] on the same `X`:
    /// the gradients of the loss with respect to every layer's parameters,
    /// input side first.
    ///
    /// It starts from the output layer's `δ = ∂L/∂Z` ([`Loss::output_delta`],
    /// which uses the short `(A − Y) / m` for softmax with categorical
    /// cross-entropy and `(A − Y) / (m k)` for sigmoid with binary
    /// cross-entropy, for `m` samples of `k` outputs), and carries
    /// it back one layer at a time.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if no forward pass was run on as many
    /// samples as `X` has; [`Error::Shape`] if `Y` does not have the output's shape.
    pub fn backward(&mut self, x: &ArrayView2<T>, y: &ArrayView2<T>) -> Result<Vec<Gradients<T>>> {
        T::mlp_backward(self, x, y)
    }

    /// The body of [`Self::backward`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn backward_generic(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
    ) -> Result<Vec<Gradients<T>>> {
        let n = self.layers.len();
        let state = &mut self.state;
        if state.samples != Some(x.nrows()) || state.activations.len() != n {
            return Err(Error::invalid(
                "Mlp::backward",
                format!(
                    "a forward pass on the same input first ({} samples)",
                    x.nrows()
                ),
                match state.samples {
                    Some(m) => format!("a stored forward pass of {m} samples"),
                    None => "no stored forward pass".into(),
                },
            ));
        }
        let last = n.checked_sub(1).ok_or_else(empty_network)?;
        state.deltas.resize_with(n, empty);
        // steps 6-8: δ of the output layer
        state.deltas[last] = self.loss.output_delta(
            self.layers[last].activation,
            state.zs[last].as_ref().map(|z| z.view()).as_ref(),
            &state.activations[last].view(),
            y,
        )?;
        let mut grads = Vec::with_capacity(n);
        for l in (0..n).rev() {
            let layer = &self.layers[l];
            let input = match l {
                0 => x.view(),
                _ => state.activations[l - 1].view(),
            };
            // steps 9 and 13: dW = Xᵀ δ, db = Σ_rows δ (X: the layer's input)
            grads.push(layer.parameter_gradients(&input, &state.deltas[l].view())?);
            if l > 0 {
                let (d, delta) = neighbours(&mut state.deltas, l);
                // step 10: dA of the layer below = δ Wᵀ
                layer.input_gradient_into(&delta.view(), d)?;
                // steps 11 and 12: its δ = dA ⊙ f'(Z), in place
                self.layers[l - 1].activation.backward_inplace(
                    d,
                    state.zs[l - 1].as_ref().map(|z| z.view()).as_ref(),
                    &state.activations[l - 1].view(),
                )?;
            }
        }
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
        T::mlp_loss_and_gradients(self, x, y)
    }

    /// The body of [`Self::loss_and_gradients`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn loss_and_gradients_generic(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
    ) -> Result<(T, Vec<Gradients<T>>)> {
        let loss = self.loss;
        let output = self.forward(x)?; // steps 1-4
        let value = loss.value(&output, y)?; // step 5
        Ok((value, self.backward(x, y)?)) // steps 6-13
    }

    /// Hands every parameter and its gradient to `optimizer`, in the order
    /// `W1, b1, W2, b2, ...`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if there is not one set of gradients per
    /// layer; the [`Error::Shape`] of [`Optimizer::step`] if they do not
    /// match the layers.
    pub fn apply_gradients(
        &mut self,
        grads: &[Gradients<T>],
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<()> {
        T::mlp_apply_gradients(self, grads, optimizer)
    }

    /// The body of [`Self::apply_gradients`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn apply_gradients_generic(
        &mut self,
        grads: &[Gradients<T>],
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<()> {
        if grads.len() != self.layers.len() {
            return Err(Error::invalid(
                "Mlp::apply_gradients",
                format!("one set of gradients per layer ({})", self.layers.len()),
                grads.len().to_string(),
            ));
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

    /// One training step on a batch: forward pass, loss, backward pass,
    /// update ([`Mlp::loss_and_gradients`], then [`Mlp::apply_gradients`]).
    /// Returns the batch's loss before the update and the network's output
    /// `A` for the batch (from the same forward pass).
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
    ) -> Result<(T, ArrayView2<'_, T>)> {
        T::mlp_train_step(self, x, y, optimizer)
    }

    /// The body of [`Self::train_step`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn train_step_generic(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<(T, ArrayView2<'_, T>)> {
        let widest = self.layers.iter().map(|l| l.weights.len()).max();
        let loss = if x.nrows() * widest.unwrap_or(0) >= crate::linalg::THREADED_PRODUCT {
            rayon::scope(|_| self.update(x, y, optimizer))?
        } else {
            self.update(x, y, optimizer)?
        };
        Ok((loss, self.output()?))
    }

    /// The steps of [`Mlp::train_step`], on the calling thread.
    fn update(
        &mut self,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        optimizer: &mut dyn Optimizer<T>,
    ) -> Result<T> {
        let (loss, grads) = self.loss_and_gradients(x, y)?; // steps 1-13
        self.apply_gradients(&grads, optimizer)?; // the update
        Ok(loss)
    }

    /// The output `A` of the last forward pass.
    fn output(&self) -> Result<ArrayView2<'_, T>> {
        match (self.state.samples, self.state.activations.last()) {
            (Some(_), Some(a)) => Ok(a.view()),
            _ => Err(Error::invalid(
                "Mlp output",
                "a forward pass first",
                "no stored forward pass",
            )),
        }
    }
}

/// `(&mut v[l − 1], &mut v[l])`: the arrays of two neighbouring layers, one
/// read and one written by a step of the forward or the backward pass.
fn neighbours<A>(v: &mut [A], l: usize) -> (&mut A, &mut A) {
    let (below, from_l) = v.split_at_mut(l);
    (&mut below[l - 1], &mut from_l[0])
}

/// `slot ← a`, reusing the array in `slot` when it has `a`'s shape.
fn copy_into<T: Scalar>(slot: &mut Option<Array2<T>>, a: &Array2<T>) {
    match slot {
        Some(z) if z.dim() == a.dim() => z.assign(a),
        _ => *slot = Some(a.clone()),
    }
}

fn empty<T: Scalar>() -> Array2<T> {
    Array2::zeros((0, 0))
}

fn empty_network() -> Error {
    Error::invalid("Mlp", "at least one layer", "none")
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
                l.activation,
                l.parameter_count()
            )?;
        }
        write!(
            f,
            "total parameters: {} ({}, loss {})",
            self.parameter_count(),
            T::NAME,
            self.loss
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
        // train_step against loss_and_gradients and apply_gradients called
        // one after the other, and the loss and output against a forward pass
        // of the network as it was before the step
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
            (
                [Activation::Elu(0.7), Activation::Identity],
                Loss::HalfSquaredError,
            ),
        ] {
            let make = || Mlp::<f64>::new(&[6, 5, 3], &acts, loss, Init::XavierUniform, 3).unwrap();
            let (mut a, mut b) = (make(), make());
            let (mut oa, mut ob) = (Adam::<f64>::new(0.01), Adam::<f64>::new(0.01));
            // batches of changing size, as a last short minibatch makes:
            // the arrays kept between steps must follow
            for rows in [40, 7, 40, 13] {
                let (x, y) = (x.slice(s![..rows, ..]), y.slice(s![..rows, ..]));
                let before = b.predict(&x).unwrap();
                let (la, grads) = a.loss_and_gradients(&x.view(), &y.view()).unwrap();
                let output_a = a.output().unwrap().to_owned();
                a.apply_gradients(&grads, &mut oa).unwrap();
                let (lb, output_b) = b.train_step(&x.view(), &y.view(), &mut ob).unwrap();
                assert_eq!(la, lb);
                assert_eq!(output_a, output_b);
                assert_eq!(before, output_b);
                assert_eq!(lb, loss.value(&before.view(), &y).unwrap());
            }
            for (la, lb) in a.layers.iter().zip(&b.layers) {
                assert_eq!(la.weights, lb.weights);
                assert_eq!(la.bias, lb.bias);
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

    #[test]
    fn backward_needs_a_forward_pass_on_as_many_samples() {
        let (x, y) = data();
        let mut net = Mlp::<f64>::new(
            &[6, 4, 3],
            &[Activation::Tanh, Activation::Softmax],
            Loss::CategoricalCrossEntropy,
            Init::XavierUniform,
            1,
        )
        .unwrap();
        let err = net.backward(&x.view(), &y.view());
        assert!(matches!(err, Err(Error::InvalidArgument { .. })), "{err:?}");
        net.forward(&x.slice(s![..10, ..])).unwrap();
        let err = net.backward(&x.view(), &y.view()).unwrap_err();
        assert!(err.to_string().contains("of 10 samples"), "{err}");
        // a failed forward pass leaves nothing to go back through
        net.forward(&x.view()).unwrap();
        assert!(net.forward(&Array2::zeros((40, 5)).view()).is_err());
        assert!(net.backward(&x.view(), &y.view()).is_err());
        net.forward(&x.view()).unwrap();
        let grads = net.backward(&x.view(), &y.view()).unwrap();
        assert_eq!(grads[0].d_weights.dim(), (6, 4));
        assert_eq!(grads[1].d_bias.len(), 3);
    }
}
