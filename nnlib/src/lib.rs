//! # nnlib: neural networks from scratch
//!
//! The library behind the course's notebooks. Each module follows one concept
//! of the lessons, and every public function carries its formula in its
//! documentation, so the code reads as the math it implements.
//!
//! | module | concept |
//! | --- | --- |
//! | [`activation`] | sigmoid, tanh, ReLU, leaky ReLU, ELU, step, softmax, their derivatives and the softmax Jacobian |
//! | [`loss`] | mean squared error, binary and categorical cross-entropy, and their gradients |
//! | [`init`] | seeded random initialisers (randn, uniform, Xavier/Glorot, He) |
//! | [`numpy_random`] | numpy's legacy generator (`np.random.seed`, `random`, `randint`), number for number |
//! | [`linalg`] | the shape-checked matrix product |
//! | [`layer`] | a dense layer: forward, backward |
//! | [`mlp`] | a multi-layer perceptron built of dense layers |
//! | [`optim`] | SGD, SGD with momentum, Adam |
//! | [`dropout`] | inverted dropout masks |
//! | [`data`] | one-hot, argmax, accuracy, shuffling, splitting, scaling, mini-batches |
//! | [`train`] | the training loop with history and progress lines |
//! | [`check`] | gradient checks against finite differences |
//! | [`compiled`] | the training code compiled once for `f32` and `f64`, so that notebook cells only call it |
//! | [`symbolic`] | symbolic derivatives and dual numbers |
//! | [`datasets`] | MNIST, Fashion-MNIST, CIFAR-10 and the 8x8 digits |
//! | [`plot`] | figures rendered to PNG and shown inline in Jupyter |
//! | [`display`] | arrays as HTML and text tables |
//!
//! Everything a notebook needs is re-exported by [`prelude`]. [`lessons`]
//! maps each step of each lesson to the function that implements it.
//!
//! The fast paths live apart, in the crate [`nnlib_kernels`] (folder
//! `nnlib/kernels`): the blocked matrix-product kernels, the call into the
//! `gemm` crates, the thresholds for threads, the per-sample row kernels and
//! the vectorised exponential. Speed takes code that follows the processor
//! rather than the formula (cache blocking, vector instructions chosen at
//! run time, `unsafe`); kept there, it leaves this crate free of `unsafe`
//! and reading as the lessons' math. [`linalg`] checks the shapes and calls
//! into it; [`activation`] takes the exponential of its sigmoid and softmax
//! from it.

#![deny(unsafe_code)]

pub mod activation;
pub mod check;
pub mod compiled;
pub mod data;
pub mod datasets;
pub mod display;
pub mod dropout;
pub mod error;
pub mod init;
pub mod layer;
pub mod lessons;
pub mod linalg;
pub mod loss;
pub mod mlp;
pub mod numpy_random;
pub mod optim;
pub mod plot;
pub mod scalar;
pub mod symbolic;
pub mod train;

pub use error::{Error, Result};
pub use scalar::Scalar;

/// One `use nnlib::prelude::*;` for notebooks.
pub mod prelude {
    pub use crate::activation::{self, Activation};
    pub use crate::check::{self, check_mlp_gradients, check_softmax_jacobian};
    pub use crate::data::{self, MinMaxScaler, accuracy, argmax_rows, one_hot, train_test_split};
    pub use crate::display::Table;
    pub use crate::dropout::{Dropout, Mode};
    pub use crate::error::{Error, Result};
    pub use crate::init::{self, Init, rng};
    pub use crate::layer::Dense;
    pub use crate::linalg::{matmul, matmul_named};
    pub use crate::loss::{self, Loss};
    pub use crate::mlp::Mlp;
    pub use crate::optim::{Adam, Momentum, Optimizer, Sgd};
    pub use crate::plot::{
        Colormap, ConfusionMatrix, Figure, FunctionPlot, Heatmap, Image, ImageGrid, LineChart,
        ProbabilityBars, Subplots, WeightTiles,
    };
    pub use crate::scalar::Scalar;
    pub use crate::symbolic::{Dual, Expr, derivative};
    pub use crate::train::{History, Seconds, Trainer};
    pub use ndarray::{
        Array, Array1, Array2, Array3, Array4, ArrayView1, ArrayView2, Axis, array, s,
    };
}
