//! The math of the lessons, re-derived: every analytic gradient against
//! centred finite differences, the softmax properties, dropout statistics and
//! the training loop's error reporting.

use ndarray::{Array1, Array2, ArrayD, Axis, IxDyn, array};
use nnlib::Error;
use nnlib::activation::{self, Activation};
use nnlib::check::{
    H, check_mlp_gradients, check_softmax_jacobian, numeric_gradient, relative_error,
};
use nnlib::data::one_hot;
use nnlib::dropout::{Dropout, Mode};
use nnlib::init::{Init, randn, rng};
use nnlib::layer::Dense;
use nnlib::loss::{self, Loss};
use nnlib::mlp::Mlp;
use nnlib::optim::Sgd;
use nnlib::train::Trainer;
use proptest::prelude::*;

const TOL: f64 = 1e-7;

/// Random inputs kept at least 0.05 away from the kink at 0 of ReLU, leaky ReLU, ELU and step.
fn away_from_kinks(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
    randn::<f64>(rows, cols, 2.0, &mut rng(seed)).mapv(|v| if v.abs() < 0.05 { v + 0.1 } else { v })
}

#[test]
fn every_activation_derivative_matches_finite_differences() {
    let z = away_from_kinks(4, 6, 1);
    let upstream = randn::<f64>(4, 6, 1.0, &mut rng(2));
    for act in [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.01),
        Activation::Elu(1.0),
        Activation::Step,
        Activation::Softmax,
    ] {
        // L(Z) = Σ upstream ⊙ f(Z), so ∂L/∂Z is what backward returns for dA = upstream.
        let a = act.forward(&z.view());
        let analytic = act
            .backward(&upstream.view(), &z.view(), &a.view())
            .unwrap();
        let numeric = numeric_gradient(
            |zz| {
                let zz = zz.view().into_dimensionality().unwrap();
                (act.forward(&zz) * &upstream).sum()
            },
            &z.clone().into_dyn(),
            H,
        );
        let err = relative_error(&analytic.view().into_dyn(), &numeric.view()).unwrap();
        assert!(err <= TOL, "{}: relative error {err:e}", act.name());
    }
}

#[test]
fn scalar_derivatives_from_input_and_output_agree_with_finite_differences() {
    let fd = |f: &dyn Fn(f64) -> f64, z: f64| (f(z + H) - f(z - H)) / (2.0 * H);
    for &z in &[-4.0, -1.3, -0.2, 0.3, 1.7, 5.0] {
        let checks: [(&str, f64, f64); 6] = [
            (
                "sigmoid",
                activation::sigmoid_derivative(z),
                fd(&activation::sigmoid, z),
            ),
            (
                "sigmoid from output",
                activation::sigmoid_derivative_from_output(activation::sigmoid(z)),
                fd(&activation::sigmoid, z),
            ),
            (
                "tanh",
                activation::tanh_derivative(z),
                fd(&activation::tanh, z),
            ),
            (
                "tanh from output",
                activation::tanh_derivative_from_output(z.tanh()),
                fd(&activation::tanh, z),
            ),
            (
                "elu",
                activation::elu_derivative(z, 0.7),
                fd(&|v| activation::elu(v, 0.7), z),
            ),
            (
                "leaky relu",
                activation::leaky_relu_derivative(z, 0.1),
                fd(&|v| activation::leaky_relu(v, 0.1), z),
            ),
        ];
        for (name, a, n) in checks {
            assert!(
                (a - n).abs() / (a.abs() + n.abs()).max(1e-8) <= TOL,
                "{name} at {z}: {a} vs {n}"
            );
        }
    }
}

#[test]
fn sigmoid_never_overflows() {
    for z in [-1e4_f64, -745.0, -50.0, 0.0, 50.0, 745.0, 1e4] {
        let s = activation::sigmoid(z);
        assert!(s.is_finite() && (0.0..=1.0).contains(&s), "{z}: {s}");
        let s32 = activation::sigmoid(z as f32);
        assert!(s32.is_finite() && (0.0..=1.0).contains(&s32), "{z}: {s32}");
    }
}

#[test]
fn every_loss_gradient_matches_finite_differences() {
    let m = 5;
    let logits = randn::<f64>(m, 4, 1.0, &mut rng(3));
    let p = activation::softmax(&logits.view(), Axis(1)); // probabilities in (0, 1)
    let y: Array2<f64> = one_hot(&[0u8, 3, 1, 2, 3][..], 4).unwrap();
    type LossFn = fn(&ndarray::ArrayView2<f64>, &ndarray::ArrayView2<f64>) -> nnlib::Result<f64>;
    type GradFn =
        fn(&ndarray::ArrayView2<f64>, &ndarray::ArrayView2<f64>) -> nnlib::Result<Array2<f64>>;
    let cases: [(&str, LossFn, GradFn); 4] = [
        (
            "mse",
            loss::mean_squared_error,
            loss::mean_squared_error_gradient,
        ),
        (
            "half squared error",
            loss::half_squared_error,
            loss::half_squared_error_gradient,
        ),
        (
            "binary cross-entropy",
            loss::binary_cross_entropy,
            loss::binary_cross_entropy_gradient,
        ),
        (
            "categorical cross-entropy",
            loss::categorical_cross_entropy,
            loss::categorical_cross_entropy_gradient,
        ),
    ];
    for (name, value, grad) in cases {
        let analytic = grad(&p.view(), &y.view()).unwrap();
        let numeric = numeric_gradient(
            |pp| value(&pp.view().into_dimensionality().unwrap(), &y.view()).unwrap(),
            &p.clone().into_dyn(),
            H,
        );
        let err = relative_error(&analytic.view().into_dyn(), &numeric.view()).unwrap();
        assert!(err <= TOL, "{name}: relative error {err:e}");
    }
    // The fused softmax + cross-entropy gradient is the derivative with respect to the logits.
    let fused = loss::softmax_cross_entropy_gradient_from_output(&p.view(), &y.view()).unwrap();
    let numeric = numeric_gradient(
        |z| {
            loss::softmax_cross_entropy(&z.view().into_dimensionality().unwrap(), &y.view())
                .unwrap()
        },
        &logits.clone().into_dyn(),
        H,
    );
    let err = relative_error(&fused.view().into_dyn(), &numeric.view()).unwrap();
    assert!(err <= TOL, "fused softmax cross-entropy: {err:e}");
    // The fused sigmoid + binary cross-entropy gradient is the derivative of
    // binary_cross_entropy(σ(Z)) with respect to Z.
    let sig = logits.mapv(activation::sigmoid);
    let fused =
        loss::sigmoid_binary_cross_entropy_gradient_from_output(&sig.view(), &y.view()).unwrap();
    let numeric = numeric_gradient(
        |z| {
            let s = z.mapv(activation::sigmoid).into_dimensionality().unwrap();
            loss::binary_cross_entropy(&s.view(), &y.view()).unwrap()
        },
        &logits.clone().into_dyn(),
        H,
    );
    let err = relative_error(&fused.view().into_dyn(), &numeric.view()).unwrap();
    assert!(err <= TOL, "fused sigmoid binary cross-entropy: {err:e}");
    // Loss::output_delta picks the fused forms for these two pairs and the
    // chain rule for the others: every pair against finite differences in Z
    for (f, l) in [
        (Activation::Softmax, Loss::CategoricalCrossEntropy),
        (Activation::Sigmoid, Loss::BinaryCrossEntropy),
        (Activation::Sigmoid, Loss::MeanSquaredError),
        (Activation::Softmax, Loss::HalfSquaredError),
        (Activation::Elu(0.5), Loss::MeanSquaredError),
    ] {
        let a = f.forward(&logits.view());
        let delta = l
            .output_delta(f, Some(&logits.view()), &a.view(), &y.view())
            .unwrap();
        let numeric = numeric_gradient(
            |z| {
                let a = f.forward(&z.view().into_dimensionality().unwrap());
                l.value(&a.view(), &y.view()).unwrap()
            },
            &logits.clone().into_dyn(),
            H,
        );
        let err = relative_error(&delta.view().into_dyn(), &numeric.view()).unwrap();
        assert!(err <= TOL, "output delta of {f} with {l}: {err:e}");
    }
    // Cross-entropy from logits equals cross-entropy of the probabilities.
    let a = loss::softmax_cross_entropy(&logits.view(), &y.view()).unwrap();
    let b = loss::categorical_cross_entropy(&p.view(), &y.view()).unwrap();
    assert!((a - b).abs() < 1e-12);
}

#[test]
fn lesson_03_cross_entropy_variant_is_k_times_smaller() {
    let p = array![[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]];
    let y = array![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]];
    let usual = loss::categorical_cross_entropy(&p.view(), &y.view()).unwrap();
    let over_elements =
        loss::categorical_cross_entropy_mean_over_elements(&p.view(), &y.view()).unwrap();
    let by_hand = -(0.7_f64.ln() + 0.8_f64.ln()) / 2.0;
    assert!((usual - by_hand).abs() < 1e-15);
    assert!((over_elements - by_hand / 3.0).abs() < 1e-15);
}

#[test]
fn squared_error_conventions_by_hand() {
    let p = array![[1.0, 2.0], [3.0, 5.0]];
    let y = array![[0.0, 2.0], [1.0, 1.0]];
    // squared differences 1, 0, 4, 16: sum 21 over m = 2 samples and 4 elements
    assert_eq!(loss::sum_squared_error(&p.view(), &y.view()).unwrap(), 21.0);
    assert_eq!(
        loss::mean_squared_error(&p.view(), &y.view()).unwrap(),
        21.0 / 4.0
    );
    assert_eq!(
        loss::half_squared_error(&p.view(), &y.view()).unwrap(),
        21.0 / 4.0
    );
    assert_eq!(
        loss::half_squared_error_gradient(&p.view(), &y.view()).unwrap(),
        array![[0.5, 0.0], [1.0, 2.0]]
    );
}

#[test]
fn dense_layer_gradients_match_finite_differences() {
    let x = away_from_kinks(3, 4, 5);
    let upstream = randn::<f64>(3, 2, 1.0, &mut rng(6));
    for act in [
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Elu(1.0),
        Activation::Softmax,
    ] {
        let mut layer =
            Dense::<f64>::new(4, 2, act, Init::Randn { scale: 0.5 }, &mut rng(7)).unwrap();
        layer.bias = array![0.1, -0.2];
        let (z, a) = (
            layer.weighted_sum(&x.view()).unwrap(),
            layer.forward(&x.view()).unwrap(),
        );
        let d_z = act
            .backward(&upstream.view(), &z.view(), &a.view())
            .unwrap();
        let g = layer.parameter_gradients(&x.view(), &d_z.view()).unwrap();
        let d_x = layer.input_gradient(&d_z.view()).unwrap();
        let l = |layer: &Dense<f64>, x: &Array2<f64>| {
            (layer.forward(&x.view()).unwrap() * &upstream).sum()
        };
        let as2 = |a: &ArrayD<f64>| a.clone().into_dimensionality::<ndarray::Ix2>().unwrap();
        let n_x = numeric_gradient(|xx| l(&layer, &as2(xx)), &x.clone().into_dyn(), H);
        let n_w = numeric_gradient(
            |w| {
                let mut probe = layer.clone();
                probe.weights = as2(w);
                l(&probe, &x)
            },
            &layer.weights.clone().into_dyn(),
            H,
        );
        let n_b = numeric_gradient(
            |b| {
                let mut probe = layer.clone();
                probe.bias = b.clone().into_dimensionality().unwrap();
                l(&probe, &x)
            },
            &layer.bias.clone().into_dyn(),
            H,
        );
        for (what, a, n) in [
            ("dX", d_x.into_dyn(), n_x),
            ("dW", g.d_weights.into_dyn(), n_w),
            ("db", g.d_bias.into_dyn(), n_b),
        ] {
            let err = relative_error(&a.view(), &n.view()).unwrap();
            assert!(err <= TOL, "{} {what}: {err:e}", act.name());
        }
    }
}

#[test]
fn three_layer_mlp_gradients_match_finite_differences_for_every_loss() {
    let x = away_from_kinks(6, 5, 8);
    let labels = [0u8, 2, 1, 2, 0, 1];
    let y: Array2<f64> = one_hot(&labels[..], 3).unwrap();
    let cases = [
        (
            [Activation::Tanh, Activation::Sigmoid, Activation::Softmax],
            Loss::CategoricalCrossEntropy,
        ),
        (
            [Activation::Relu, Activation::Elu(1.0), Activation::Sigmoid],
            Loss::BinaryCrossEntropy,
        ),
        (
            [
                Activation::LeakyRelu(0.1),
                Activation::Tanh,
                Activation::Sigmoid,
            ],
            Loss::MeanSquaredError,
        ),
        (
            [
                Activation::Sigmoid,
                Activation::Sigmoid,
                Activation::Identity,
            ],
            Loss::HalfSquaredError,
        ),
        (
            [Activation::Sigmoid, Activation::Relu, Activation::Softmax],
            Loss::MeanSquaredError,
        ),
    ];
    for (acts, loss) in cases {
        let net = Mlp::<f64>::new(&[5, 7, 4, 3], &acts, loss, Init::XavierUniform, 11).unwrap();
        let report = check_mlp_gradients(&net, &x.view(), &y.view()).unwrap();
        assert_eq!(report.rows.len(), 6);
        assert!(
            report.max_relative_error() <= TOL,
            "{acts:?} {loss:?}\n{report}"
        );
    }
}

#[test]
fn gradient_check_of_weights_in_column_major_layout() {
    // Weights assigned from a transposed matrix (`w.t().to_owned()` keeps the
    // column-major layout): the finite differences must perturb the element
    // the analytic gradient belongs to, whatever the memory order.
    let x = Array2::from_shape_fn((6, 5), |(i, j)| ((i * 5 + j) as f64 * 0.37).sin());
    let y = one_hot::<f64, _>(&[0usize, 2, 1, 2, 0, 1][..], 3).unwrap();
    let mut net = Mlp::<f64>::new(
        &[5, 4, 3],
        &[Activation::Tanh, Activation::Softmax],
        Loss::CategoricalCrossEntropy,
        Init::XavierUniform,
        5,
    )
    .unwrap();
    for layer in &mut net.layers {
        let transposed = layer.weights.t().as_standard_layout().into_owned(); // (out, in)
        layer.weights = transposed.t().to_owned(); // (in, out) again, column-major
        assert!(!layer.weights.is_standard_layout());
    }
    let report = check_mlp_gradients(&net, &x.view(), &y.view()).unwrap();
    assert!(report.max_relative_error() <= TOL, "{report}");
    // And numeric_gradient alone on a column-major matrix: f(w) = Σ c_ij w_ij.
    let w = Array2::from_shape_fn((3, 2), |(i, j)| (i + 10 * j) as f64).reversed_axes();
    let c = Array2::from_shape_fn((2, 3), |(i, j)| (3 * i + j) as f64);
    let numeric = numeric_gradient(
        |p| (p * &c.clone().into_dyn()).sum(),
        &w.clone().into_dyn(),
        H,
    );
    let largest = (&numeric - &c.clone().into_dyn()).fold(0.0_f64, |m, v| m.max(v.abs()));
    assert!(largest < 1e-6, "{numeric} against {c}");
}

#[test]
fn gradient_check_detects_a_wrong_gradient() {
    // A network whose output layer claims to be sigmoid while mse backward uses
    // the gradient of a different activation must fail the check: compare a
    // correct report with one computed after corrupting the analytic side.
    let x = away_from_kinks(4, 3, 9);
    let y: Array2<f64> = one_hot(&[0u8, 1, 1, 0][..], 2).unwrap();
    let net = Mlp::<f64>::new(
        &[3, 4, 2],
        &[Activation::Tanh, Activation::Sigmoid],
        Loss::MeanSquaredError,
        Init::XavierUniform,
        3,
    )
    .unwrap();
    let good = check_mlp_gradients(&net, &x.view(), &y.view()).unwrap();
    assert!(good.max_relative_error() <= TOL);
    let mut probe = net.clone();
    let (_, grads) = probe.loss_and_gradients(&x.view(), &y.view()).unwrap();
    let wrong = grads[0].d_weights.mapv(|v| v * 1.01);
    let numeric = numeric_gradient(
        |w| {
            let mut p = net.clone();
            p.layers[0].weights = w.clone().into_dimensionality().unwrap();
            let out = p.predict(&x.view()).unwrap();
            p.loss.value(&out.view(), &y.view()).unwrap()
        },
        &net.layers[0].weights.clone().into_dyn(),
        H,
    );
    assert!(relative_error(&wrong.view().into_dyn(), &numeric.view()).unwrap() > 1e-3);
    // arrays of different shapes are an error, not a comparison of their first entries
    let short = ndarray::Array1::<f64>::zeros(3).into_dyn();
    let error = relative_error(&short.view(), &numeric.view()).unwrap_err();
    assert!(error.to_string().contains("relative_error"), "{error}");
    let text = good.to_string();
    assert!(
        text.starts_with("tensor") && text.contains("W1") && text.contains("b2"),
        "{text}"
    );
}

#[test]
fn lesson_03_parameter_count() {
    let net = Mlp::<f32>::new(
        &[64, 64, 10],
        &[Activation::Sigmoid, Activation::Softmax],
        Loss::CategoricalCrossEntropy,
        Init::Randn { scale: 1.0 },
        0,
    )
    .unwrap();
    assert_eq!(net.parameter_count(), 64 * 64 + 64 * 10 + 64 + 10);
}

#[test]
fn softmax_properties() {
    let z = array![
        [1.0_f64, 2.0, 0.5],
        [1000.0, -1000.0, 999.0],
        [-1000.0, -1000.0, -1000.0]
    ];
    let s = activation::softmax(&z.view(), Axis(1));
    assert!(s.iter().all(|v| v.is_finite()), "{s}");
    for row in s.outer_iter() {
        assert!((row.sum() - 1.0).abs() < 1e-12);
    }
    // The erratum of lesson 01: [1, 2, 0.5] gives [0.2312, 0.6285, 0.1402].
    for (got, want) in s.row(0).iter().zip([0.2312, 0.6285, 0.1402]) {
        assert!((got - want).abs() < 5e-5, "{got} vs {want}");
    }
    let shifted = activation::softmax(&(&z + 123.0).view(), Axis(1));
    assert!((&shifted - &s).iter().all(|d| d.abs() < 1e-12));
}

proptest! {
    #[test]
    fn softmax_sums_to_one_and_ignores_shifts(v in proptest::collection::vec(-1000.0f64..1000.0, 1..12), c in -500.0f64..500.0) {
        let z = Array2::from_shape_vec((1, v.len()), v).unwrap();
        let s = activation::softmax(&z.view(), Axis(1));
        prop_assert!((s.sum() - 1.0).abs() < 1e-12);
        let t = activation::softmax(&(&z + c).view(), Axis(1));
        prop_assert!((&s - &t).iter().all(|d| d.abs() < 1e-9));
    }

    #[test]
    fn softmax_jacobian_properties_hold_everywhere(v in proptest::collection::vec(-8.0f64..8.0, 2..10), pick in 0usize..10) {
        let z = Array1::from(v);
        let label = pick % z.len();
        let c = check_softmax_jacobian(&z.view(), label).unwrap();
        prop_assert!(c.max_abs_diff < 1e-9, "{}", c);
        prop_assert!(c.asymmetry == 0.0 || c.asymmetry < 1e-15);
        prop_assert!(c.max_row_sum < 1e-15);
        prop_assert!(c.chain_rule_diff < 1e-12);
    }
}

#[test]
fn softmax_jacobian_check_reports_and_rejects_bad_labels() {
    let c = check_softmax_jacobian(&array![1.0, 2.0, 0.5].view(), 1).unwrap();
    assert!(c.passed(1e-9), "{c}");
    assert_eq!(
        c.analytic[[0, 0]],
        c.probabilities[0] * (1.0 - c.probabilities[0])
    );
    assert!(check_softmax_jacobian(&array![1.0, 2.0].view(), 2).is_err());
    let j = activation::softmax_jacobian(&array![0.5, 0.5].view());
    assert_eq!(j, array![[0.25, -0.25], [-0.25, 0.25]]);
}

#[test]
fn dropout_preserves_the_mean_and_is_reproducible() {
    let a = Array2::<f64>::from_elem((200, 500), 3.0);
    let mut d = Dropout::new(0.5, 42).unwrap();
    let out = d.forward(&a.view(), Mode::Train);
    // Each element is 6 or 0 with probability 1/2: mean 3, std 3. Over N = 100,000
    // elements the sample mean has standard error 3/√N ≈ 0.0095; allow 5 of them.
    let mean = out.mean().unwrap();
    assert!((mean - 3.0).abs() < 5.0 * 3.0 / (1e5_f64).sqrt(), "{mean}");
    assert!(out.iter().all(|&v| v == 0.0 || v == 6.0));
    let mask = d.last_mask().unwrap().clone();
    let again = Dropout::<f64>::new(0.5, 42).unwrap().draw_mask(200, 500);
    assert_eq!(mask, again);
    assert_ne!(
        mask,
        Dropout::<f64>::new(0.5, 43).unwrap().draw_mask(200, 500)
    );
    // backward gates by the same mask; eval passes everything
    let g = d.backward(&Array2::ones((200, 500)).view()).unwrap();
    assert_eq!(g, mask);
    assert_eq!(d.forward(&a.view(), Mode::Eval), a);
    assert!(Dropout::<f32>::new(0.0, 1).is_err());
}

#[test]
fn training_learns_and_reports_divergence_by_epoch() {
    // XOR: not linearly separable, learnt by a small tanh network.
    let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
    let y: Array2<f64> = one_hot(&[0u8, 1, 1, 0][..], 2).unwrap();
    let mut net = Mlp::new(
        &[2, 8, 2],
        &[Activation::Tanh, Activation::Softmax],
        Loss::CategoricalCrossEntropy,
        Init::XavierUniform,
        5,
    )
    .unwrap();
    let h = Trainer::new(400, Sgd::new(0.5))
        .log_every(0)
        .fit(&mut net, &x.view(), &y.view(), Some((&x.view(), &y.view())))
        .unwrap();
    assert_eq!(h.epoch.len(), 400);
    assert_eq!(h.val_accuracy.len(), 400);
    assert!(
        h.train_loss[399] < h.train_loss[0] / 10.0,
        "{:?}",
        &h.train_loss[390..]
    );
    assert_eq!(h.final_val_accuracy(), Some(1.0));

    // An absurd learning rate on unscaled inputs makes the mse loss overflow.
    let big = &x * 1e150;
    let mut net = Mlp::new(
        &[2, 8, 2],
        &[Activation::Identity, Activation::Identity],
        Loss::MeanSquaredError,
        Init::XavierUniform,
        5,
    )
    .unwrap();
    let err = Trainer::new(50, Sgd::new(10.0))
        .log_every(0)
        .fit(&mut net, &big.view(), &y.view(), None)
        .unwrap_err();
    match &err {
        Error::NonFinite { epoch, what, .. } => {
            assert!(*epoch >= 1 && *epoch <= 50);
            assert_eq!(what, "training loss");
            assert!(
                err.to_string()
                    .starts_with(&format!("epoch {epoch}: the training loss is ")),
                "{err}"
            );
        }
        other => panic!("expected NonFinite, got {other}"),
    }
}

#[test]
fn minibatch_training_with_adam_reduces_the_loss() {
    let x = randn::<f64>(64, 4, 1.0, &mut rng(12));
    let labels = x.map_axis(Axis(1), |r| usize::from(r[0] + r[1] > 0.0));
    let y: Array2<f64> = one_hot(&labels, 2).unwrap();
    let mut net = Mlp::new(
        &[4, 16, 2],
        &[Activation::Relu, Activation::Softmax],
        Loss::CategoricalCrossEntropy,
        Init::HeNormal,
        2,
    )
    .unwrap();
    let h = Trainer::new(30, nnlib::optim::Adam::new(0.01))
        .batch_size(16)
        .log_every(0)
        .fit(&mut net, &x.view(), &y.view(), None)
        .unwrap();
    assert!(
        h.train_loss[29] < 0.5 * h.train_loss[0],
        "{:?}",
        h.train_loss
    );
    assert!(h.train_accuracy[29] > 0.9);
}

#[test]
fn shape_errors_name_the_operation_and_both_shapes() {
    let net = Mlp::<f64>::new(
        &[784, 10, 10],
        &[Activation::Relu, Activation::Softmax],
        Loss::CategoricalCrossEntropy,
        Init::HeNormal,
        0,
    )
    .unwrap();
    let x = Array2::<f64>::zeros((5, 28));
    let msg = net.predict(&x.view()).unwrap_err().to_string();
    assert_eq!(
        msg,
        "matrix product X · W: shapes (5, 28) and (784, 10) do not fit: the inner dimensions differ: X has 28 columns but W has 784 rows"
    );
    let w1 = Array2::<f64>::zeros((10, 784));
    let xt = Array2::<f64>::zeros((59999, 784));
    let msg = nnlib::linalg::matmul_named("W1", &w1.view(), "X", &xt.view())
        .unwrap_err()
        .to_string();
    assert_eq!(
        msg,
        "matrix product W1 · X: shapes (10, 784) and (59999, 784) do not fit: the inner dimensions differ: \
         W1 has 784 columns but X has 59999 rows; did you mean W1 · X.t()? It gives shape (10, 59999)"
    );
    let _ = ArrayD::<f64>::zeros(IxDyn(&[1]));
}
