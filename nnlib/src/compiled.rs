//! The training code, compiled once in nnlib for `f32` and for `f64`.
//!
//! Rust compiles a generic function in the crate that calls it, for the
//! types it is called with. In a notebook, each cell is compiled as a crate
//! of its own. A cell that calls `trainer.fit(&mut net, ...)` on an
//! `Mlp<f64>` would therefore compile the training loop again, with the
//! layers, losses and optimiser behind it: about 3,000 functions and 3 s
//! of compiling, in every cell that trains or predicts.
//!
//! The trait [`Compiled`] lists those entry points. It is implemented below
//! for `f32` and `f64` by methods that are not generic, so nnlib's own
//! build compiles them, once. The public methods ([`Mlp::predict`],
//! [`Trainer::fit`], [`Optimizer::step`], ...) hand their work to it, and a
//! cell only calls code that is already compiled. The trait is a supertrait
//! of [`Scalar`](crate::Scalar), so every `T: Scalar` has it.
//!
//! Each method forwards to the generic function that does the work, named
//! after the public method with `_generic` added (`Mlp::predict_generic`,
//! ...), next to it in its module. The results are the same to the last
//! bit: the same code runs, compiled in another crate.
//!
//! Call the public methods, not these.

use ndarray::{Array2, ArrayView2};

use crate::Result;
use crate::activation::Activation;
use crate::init::Init;
use crate::layer::Gradients;
use crate::loss::Loss;
use crate::mlp::Mlp;
use crate::optim::{Adam, Momentum, Optimizer, Param, Sgd};
use crate::train::{History, Trainer};

/// The entry points of nnlib's generic training code, implemented for
/// `f32` and `f64` (see the [module documentation](self)).
pub trait Compiled: Sized {
    /// [`Mlp::new`].
    fn mlp_new(
        sizes: &[usize],
        activations: &[Activation],
        loss: Loss,
        init: Init,
        seed: u64,
    ) -> Result<Mlp<Self>>;
    /// [`Mlp::predict`].
    fn mlp_predict(mlp: &Mlp<Self>, x: &ArrayView2<Self>) -> Result<Array2<Self>>;
    /// [`Mlp::forward`].
    fn mlp_forward<'a>(
        mlp: &'a mut Mlp<Self>,
        x: &ArrayView2<Self>,
    ) -> Result<ArrayView2<'a, Self>>;
    /// [`Mlp::backward`].
    fn mlp_backward(
        mlp: &mut Mlp<Self>,
        x: &ArrayView2<Self>,
        y: &ArrayView2<Self>,
    ) -> Result<Vec<Gradients<Self>>>;
    /// [`Mlp::loss_and_gradients`].
    fn mlp_loss_and_gradients(
        mlp: &mut Mlp<Self>,
        x: &ArrayView2<Self>,
        y: &ArrayView2<Self>,
    ) -> Result<(Self, Vec<Gradients<Self>>)>;
    /// [`Mlp::apply_gradients`].
    fn mlp_apply_gradients(
        mlp: &mut Mlp<Self>,
        grads: &[Gradients<Self>],
        optimizer: &mut dyn Optimizer<Self>,
    ) -> Result<()>;
    /// [`Mlp::train_step`].
    fn mlp_train_step<'a>(
        mlp: &'a mut Mlp<Self>,
        x: &ArrayView2<Self>,
        y: &ArrayView2<Self>,
        optimizer: &mut dyn Optimizer<Self>,
    ) -> Result<(Self, ArrayView2<'a, Self>)>;
    /// [`Trainer::fit`].
    fn trainer_fit(
        trainer: &mut Trainer<Self>,
        model: &mut Mlp<Self>,
        x: &ArrayView2<Self>,
        y: &ArrayView2<Self>,
        validation: Option<(&ArrayView2<Self>, &ArrayView2<Self>)>,
    ) -> Result<History>;
    /// The [`Optimizer::step`] of [`Sgd`].
    fn sgd_step(sgd: &mut Sgd, params: &mut [Param<'_, Self>]) -> Result<()>;
    /// The [`Optimizer::step`] of [`Momentum`].
    fn momentum_step(momentum: &mut Momentum<Self>, params: &mut [Param<'_, Self>]) -> Result<()>;
    /// The [`Optimizer::step`] of [`Adam`].
    fn adam_step(adam: &mut Adam<Self>, params: &mut [Param<'_, Self>]) -> Result<()>;
    /// [`matmul_named`](crate::linalg::matmul_named).
    fn matmul_named(
        a_name: &str,
        a: &ArrayView2<Self>,
        b_name: &str,
        b: &ArrayView2<Self>,
    ) -> Result<Array2<Self>>;
}

/// `impl Compiled for $t`: every method calls its generic function with `T = $t`.
macro_rules! compile_for {
    ($t:ty) => {
        impl Compiled for $t {
            fn mlp_new(
                sizes: &[usize],
                activations: &[Activation],
                loss: Loss,
                init: Init,
                seed: u64,
            ) -> Result<Mlp<Self>> {
                Mlp::new_generic(sizes, activations, loss, init, seed)
            }
            fn mlp_predict(mlp: &Mlp<Self>, x: &ArrayView2<Self>) -> Result<Array2<Self>> {
                mlp.predict_generic(x)
            }
            fn mlp_forward<'a>(
                mlp: &'a mut Mlp<Self>,
                x: &ArrayView2<Self>,
            ) -> Result<ArrayView2<'a, Self>> {
                mlp.forward_generic(x)
            }
            fn mlp_backward(
                mlp: &mut Mlp<Self>,
                x: &ArrayView2<Self>,
                y: &ArrayView2<Self>,
            ) -> Result<Vec<Gradients<Self>>> {
                mlp.backward_generic(x, y)
            }
            fn mlp_loss_and_gradients(
                mlp: &mut Mlp<Self>,
                x: &ArrayView2<Self>,
                y: &ArrayView2<Self>,
            ) -> Result<(Self, Vec<Gradients<Self>>)> {
                mlp.loss_and_gradients_generic(x, y)
            }
            fn mlp_apply_gradients(
                mlp: &mut Mlp<Self>,
                grads: &[Gradients<Self>],
                optimizer: &mut dyn Optimizer<Self>,
            ) -> Result<()> {
                mlp.apply_gradients_generic(grads, optimizer)
            }
            fn mlp_train_step<'a>(
                mlp: &'a mut Mlp<Self>,
                x: &ArrayView2<Self>,
                y: &ArrayView2<Self>,
                optimizer: &mut dyn Optimizer<Self>,
            ) -> Result<(Self, ArrayView2<'a, Self>)> {
                mlp.train_step_generic(x, y, optimizer)
            }
            fn trainer_fit(
                trainer: &mut Trainer<Self>,
                model: &mut Mlp<Self>,
                x: &ArrayView2<Self>,
                y: &ArrayView2<Self>,
                validation: Option<(&ArrayView2<Self>, &ArrayView2<Self>)>,
            ) -> Result<History> {
                trainer.fit_generic(model, x, y, validation)
            }
            fn sgd_step(sgd: &mut Sgd, params: &mut [Param<'_, Self>]) -> Result<()> {
                sgd.step_generic(params)
            }
            fn momentum_step(
                momentum: &mut Momentum<Self>,
                params: &mut [Param<'_, Self>],
            ) -> Result<()> {
                momentum.step_generic(params)
            }
            fn adam_step(adam: &mut Adam<Self>, params: &mut [Param<'_, Self>]) -> Result<()> {
                adam.step_generic(params)
            }
            fn matmul_named(
                a_name: &str,
                a: &ArrayView2<Self>,
                b_name: &str,
                b: &ArrayView2<Self>,
            ) -> Result<Array2<Self>> {
                crate::linalg::matmul_named_generic(a_name, a, b_name, b)
            }
        }
    };
}

compile_for!(f32);
compile_for!(f64);

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use crate::activation::Activation::{Relu, Softmax};
    use crate::data::one_hot;
    use crate::init::{Init, randn, rng};
    use crate::loss::Loss;
    use crate::mlp::Mlp;
    use crate::optim::{Adam, Momentum, Optimizer, Sgd};
    use crate::train::{History, Trainer};

    /// Trains a 6-5-3 network for 4 epochs in mini-batches, with validation,
    /// starting from the same weights in both types (drawn in f64).
    fn train<T: crate::Scalar>(
        optimizer: impl Optimizer<T> + 'static,
    ) -> (History, Mlp<T>, Array2<T>) {
        let x: Array2<T> = randn::<f64>(40, 6, 1.0, &mut rng(7)).mapv(T::cast);
        let labels: Vec<usize> = (0..40).map(|i| i % 3).collect();
        let y: Array2<T> = one_hot(&labels[..], 3).unwrap();
        let start = Mlp::<f64>::new(
            &[6, 5, 3],
            &[Relu, Softmax],
            Loss::CategoricalCrossEntropy,
            Init::HeNormal,
            3,
        )
        .unwrap();
        let mut net = Mlp::<T>::new(
            &[6, 5, 3],
            &[Relu, Softmax],
            Loss::CategoricalCrossEntropy,
            Init::HeNormal,
            3,
        )
        .unwrap();
        for (layer, from) in net.layers.iter_mut().zip(&start.layers) {
            layer.weights = from.weights.mapv(T::cast);
        }
        let history = Trainer::new(4, optimizer)
            .batch_size(16)
            .log_every(0)
            .shuffle_seed(5)
            .fit(&mut net, &x.view(), &y.view(), Some((&x.view(), &y.view())))
            .unwrap();
        let product =
            crate::linalg::matmul_named("X", &x.view(), "W1", &net.layers[0].weights.view())
                .unwrap();
        (history, net, product)
    }

    fn largest_difference<'a>(
        a: impl IntoIterator<Item = &'a f64>,
        b: impl IntoIterator<Item = f64>,
    ) -> f64 {
        a.into_iter()
            .zip(b)
            .fold(0.0, |m, (p, q)| m.max((p - q).abs()))
    }

    /// Each entry point is written out once per type. The f64 ones are
    /// checked against the formulas by the tests of their modules; here the
    /// f32 ones must follow them, to within f32's rounding, through a whole
    /// training run with each optimiser: a method of the f32 `impl` that
    /// called the wrong function, or the right one twice, would not.
    #[test]
    fn f32_follows_f64_through_training_with_every_optimiser() {
        let runs = [
            (train::<f64>(Sgd::new(0.1)), train::<f32>(Sgd::new(0.1))),
            (
                train::<f64>(Momentum::new(0.05, 0.9)),
                train::<f32>(Momentum::new(0.05, 0.9)),
            ),
            (train::<f64>(Adam::new(0.01)), train::<f32>(Adam::new(0.01))),
        ];
        for (i, ((h64, net64, xw64), (h32, net32, xw32))) in runs.into_iter().enumerate() {
            assert_eq!(h64.epoch, h32.epoch);
            assert!(
                largest_difference(&h64.train_loss, h32.train_loss.iter().copied()) < 1e-5,
                "optimiser {i}"
            );
            assert!(
                largest_difference(&h64.val_loss, h32.val_loss.iter().copied()) < 1e-5,
                "optimiser {i}"
            );
            for (a, b) in net64.layers.iter().zip(&net32.layers) {
                assert!(largest_difference(&a.weights, b.weights.iter().map(|&v| v as f64)) < 1e-5);
                assert!(largest_difference(&a.bias, b.bias.iter().map(|&v| v as f64)) < 1e-5);
            }
            assert!(largest_difference(&xw64, xw32.iter().map(|&v| v as f64)) < 1e-4);
            let x = randn::<f64>(3, 6, 1.0, &mut rng(1));
            let p64 = net64.predict(&x.view()).unwrap();
            let p32 = net32.predict(&x.mapv(|v| v as f32).view()).unwrap();
            assert!(largest_difference(&p64, p32.iter().map(|&v| v as f64)) < 1e-5);
        }
    }
}
