//! # From the lessons to the code
//!
//! Lesson by lesson, each step a notebook teaches and the function of nnlib
//! that implements it: the place to read after a notebook. (No code lives
//! here; every name below links to its documentation, formula included.)
//!
//! # Lesson 03: the math behind a neural network
//!
//! The thirteen steps of one forward and backward pass, for the 64-64-10
//! network (sigmoid hidden layer, softmax output) on a batch `X` of m digits,
//! one per row. The notebook writes each step out with `ndarray`, then checks
//! it against the library.
//!
//! | step | the lesson's formula | nnlib |
//! | --- | --- | --- |
//! | 1 | `Z₁ = X W₁ + b₁` | [`Dense::weighted_sum`] |
//! | 2 | `H = σ(Z₁)` | [`activation::sigmoid`], [`Activation::forward`] |
//! | 3 | `Z₂ = H W₂ + b₂` | [`Dense::weighted_sum`] |
//! | 4 | `Ŷ = softmax(Z₂)`, row by row | [`activation::softmax`] |
//! | 5 | `L = −(1/m) Σᵢ Σ_c y_ic log ŷ_ic` | [`loss::categorical_cross_entropy`], [`Loss::value`]; the source's mean over all elements: [`loss::categorical_cross_entropy_mean_over_elements`] |
//! | 6 | `∂L/∂Ŷ` | [`Loss::gradient`]: [`loss::categorical_cross_entropy_gradient`], [`loss::half_squared_error_gradient`], [`loss::binary_cross_entropy_gradient`] |
//! | 7 | `∂Ŷ/∂Z₂ = f'(Z₂)`; for softmax the Jacobian `diag(s) − s sᵀ` | [`activation::sigmoid_derivative`], [`activation::softmax_jacobian`] |
//! | 8 | `∂L/∂Z₂`, which collapses to `(Ŷ − Y)/m` for softmax with cross-entropy | [`Loss::output_delta`], [`loss::softmax_cross_entropy_gradient_from_output`] |
//! | 9 | `∂L/∂W₂ = Hᵀ ∂L/∂Z₂`, `∂L/∂b₂ = Σ_samples ∂L/∂Z₂` | [`Dense::parameter_gradients`] |
//! | 10 | `∂L/∂H = ∂L/∂Z₂ W₂ᵀ` | [`Dense::input_gradient`] |
//! | 11 | `∂H/∂Z₁ = σ'(Z₁) = H ⊙ (1 − H)` | [`activation::sigmoid_derivative_from_output`], [`Activation::derivative_from_output`] |
//! | 12 | `∂L/∂Z₁ = ∂L/∂H ⊙ ∂H/∂Z₁` | [`Activation::backward`] |
//! | 13 | `∂L/∂W₁ = Xᵀ ∂L/∂Z₁`, `∂L/∂b₁ = Σ_samples ∂L/∂Z₁` | [`Dense::parameter_gradients`] |
//!
//! All thirteen at once, for any number of layers: [`Mlp::forward`] (steps
//! 1-4) and [`Mlp::backward`] (steps 6-13), run together by
//! [`Mlp::loss_and_gradients`] (the notebook compares its loss and gradients
//! with the steps written out). The update `W ← W − η ∂L/∂W` is
//! [`Mlp::apply_gradients`] with [`optim::Sgd`]; [`Mlp::train_step`] is one
//! step of all of it, and [`train::Trainer`] the loop over epochs.
//!
//! The rest of the lesson:
//!
//! | the lesson | nnlib |
//! | --- | --- |
//! | the network's 4,810 parameters | [`Mlp::new`], [`Mlp::parameter_count`] |
//! | the 8x8 digits, one drawn with its pixel values | [`datasets::digits`], [`plot::Heatmap`] |
//! | the weighted sum `z = b + x · w` | [`Dense::weighted_sum`] |
//! | sigmoid, tanh, ReLU, leaky ReLU, ELU, softmax, and their derivatives | [`Activation`], [`Activation::scalar`], [`Activation::scalar_derivative`], [`plot::FunctionPlot`] |
//! | softmax's max subtraction | [`activation::softmax`] |
//! | gradient descent, SGD, Adam | [`optim::Sgd`], [`optim::Adam`] |
//! | the derivatives of the losses at one point | [`check::numeric_gradient`] |
//! | the softmax Jacobian and `Jᵀ(−y/s) = s − y` | [`check::check_softmax_jacobian`] |
//! | a gradient check against finite differences | [`check::check_mlp_gradients`] |
//! | derivatives by symbolic differentiation, and dual numbers | [`symbolic::Expr`], [`symbolic::Dual`] |
//! | the three losses `mse`, `log_loss`, `categorical_crossentropy` | [`Loss`] (parsed from the source's names) |
//! | the trainer with train and test loss per epoch | [`train::Trainer`], [`train::History`] |
//! | one-hot labels, an 80/20 split, min-max scaling fitted on the training part | [`data::one_hot`], [`data::train_test_split`], [`data::MinMaxScaler`] |
//! | test accuracy | [`data::argmax_rows`], [`data::accuracy`] |
//! | the first 64 digits, the loss curves, one digit's probabilities | [`plot::ImageGrid`], [`plot::LineChart`], [`plot::ProbabilityBars`], [`display::Table`] |
//!
//! # Lessons 01, 02, 04 and 05
//!
//! What each of the other lessons uses from nnlib:
//!
//! **01, a fully connected network on CIFAR-10.** The images:
//! [`datasets::cifar10`] (the binary files, or the JPEG re-encoding, named
//! as such), drawn by [`plot::ImageGrid`] and [`plot::Image::rgb`],
//! shuffled by [`data::permutation`], labels one-hot by [`data::one_hot`].
//! The 3072-64-10 network written out in the lesson uses
//! [`linalg::matmul_named`] for its products (shapes checked, operands
//! named); the same network as an [`Mlp`] with weights from
//! [`init::Init::Randn`] (scale 0.01), sigmoid ([`activation::sigmoid`],
//! [`activation::sigmoid_derivative`]) or ReLU ([`activation::relu`]), a
//! softmax output with the max subtraction ([`activation::softmax`]), checked
//! against it by [`Mlp::loss_and_gradients`] and [`Mlp::apply_gradients`]
//! with [`optim::Sgd`]. The longer runs: [`train::Trainer`] in `f32` and
//! `f64`; predictions by [`data::argmax_rows`] and [`data::accuracy`]; the
//! curves by [`plot::Subplots`] and [`plot::LineChart`], the sigmoid and ReLU
//! by [`plot::FunctionPlot`], the mistakes by [`plot::ConfusionMatrix`].
//!
//! **02, MNIST one sample at a time, dropout, mini-batches.**
//! [`datasets::mnist`]; numpy's seeded legacy generator, so that the weights
//! and dropout masks are the source's own ([`numpy_random::NumpyRandomState`]:
//! `random_array` for `np.random.random`, `randint_array` for
//! `np.random.randint`); the per-sample products
//! [`linalg::row_times_matrix_into`], [`linalg::matrix_times_row_into`] and
//! the update [`linalg::rank_one_update`]; ReLU and its gate on `a > 0`
//! ([`activation::relu`], [`activation::relu_derivative`]); the per-sample
//! error [`loss::sum_squared_error`]; the dropout mask
//! ([`dropout::Dropout`], [`dropout::Dropout::fill_mask`]); batches
//! ([`data::minibatches`], [`data::take_rows`]) and their products
//! ([`linalg::matmul`], [`linalg::gemm_into`]).
//!
//! **04, a network from scratch on MNIST CSV.** The CSV files and their
//! header row ([`datasets::read_mnist_csv`], [`datasets::MnistCsv::has_header`];
//! read as pandas reads them by default, losing the first image, with
//! [`datasets::read_mnist_csv_with`] and [`datasets::HeaderRow::FirstLine`]);
//! weights uniform in [−0.5, 0.5) ([`init::uniform`]); one sample per column,
//! so softmax along `Axis(0)` ([`activation::softmax`]); the shape error of
//! `W1 · X` that names both shapes and the transpose that fits
//! ([`linalg::matmul_named`]); predictions and accuracy
//! ([`data::argmax_rows`], [`data::accuracy`]); the rows of `W1` drawn as
//! images ([`plot::WeightTiles`]); the gradients checked against an [`Mlp`]
//! and finite differences ([`check::check_mlp_gradients`]); the 784-128-10
//! network in mini-batches ([`data::minibatches`], [`train::Trainer`] with
//! [`init::Init::HeNormal`]).
//!
//! **05, box functions, the softmax Jacobian, Fashion-MNIST, backpropagation
//! by hand.** The step activation of the box functions ([`activation::step`],
//! plotted by [`plot::FunctionPlot`]); the Jacobian `y_i (δ_ij − y_j)` and its
//! numeric check ([`activation::softmax_jacobian`],
//! [`check::numeric_jacobian`], [`check::check_softmax_jacobian`]);
//! [`datasets::fashion_mnist`] and the 784-256-128-64-10 ReLU network trained
//! with [`optim::Adam`] in batches of 128 ([`Mlp::train_step`],
//! [`data::minibatches`], [`data::take_rows`]), the confusion matrix
//! ([`plot::ConfusionMatrix`]), the probabilities of test images beside them
//! ([`plot::ProbabilityBars`]); the derivative of log-softmax by
//! [`symbolic::Expr`]; by hand, weights from
//! [`init::Init::NormalMaxFan`], the stable [`activation::sigmoid`] and
//! [`activation::softmax`], [`loss::categorical_cross_entropy`], and the
//! output delta `a − y` of softmax with cross-entropy ([`Loss::output_delta`]).

#[allow(unused_imports)] // the links above
use crate::{
    activation::{self, Activation},
    check, data, datasets, display, dropout, init,
    layer::Dense,
    linalg,
    loss::{self, Loss},
    mlp::Mlp,
    numpy_random, optim, plot, symbolic, train,
};
