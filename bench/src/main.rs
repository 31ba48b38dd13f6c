//! The Rust side of the speed comparison: the lessons' training loops on nnlib.
//!
//! ```text
//! course-bench prepare <cache dir>                decodes the data folder's datasets into the cache
//! course-bench run <workload> <reps> <cache dir>   one JSON line: times per unit, final metric
//! course-bench gemm <reps>                          GFLOP/s of the product paths
//! course-bench peak                                 the machine's multiply-add peak
//! ```
//!
//! Every workload runs `reps` units (epochs, iterations, runs, passes) and
//! prints the time of each; the driver drops the first as a warm-up.

mod data;

use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip, s};
use nnlib::Scalar;
use nnlib::activation::{Activation, sigmoid, softmax};
use nnlib::data::{MinMaxScaler, argmax_rows};
use nnlib::dropout::Dropout;
use nnlib::init::{Init, rng};
use nnlib::linalg::{
    self, gemm_into, matrix_times_row_into, rank_one_update, row_times_matrix_into,
};
use nnlib::loss::Loss;
use nnlib::mlp::Mlp;
use nnlib::optim::{Adam, Sgd};
use rand::Rng as _;
use rand::seq::SliceRandom;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["prepare", cache] => {
            data::prepare(&nnlib::datasets::data_dir(), Path::new(cache)).map_err(Into::into)
        }
        ["run", workload, reps, cache] => reps
            .parse()
            .map_err(Into::into)
            .and_then(|r| run(workload, r, &PathBuf::from(cache))),
        ["gemm", reps] => reps.parse().map_err(Into::into).and_then(gemm_paths),
        ["peak"] => peak(false),
        ["peak", "--now"] => peak(true),
        _ => Err("usage: course-bench prepare <cache> | run <workload> <reps> <cache> | gemm <reps> | peak [--now]".into()),
    };
    if let Err(e) = result {
        eprintln!("course-bench: {e}");
        std::process::exit(1);
    }
}

fn report(times: &[f64], metric_name: &str, metric: f64) {
    let t: Vec<String> = times.iter().map(|t| format!("{t:.6}")).collect();
    println!(
        "{{\"times\": [{}], \"metric_name\": \"{metric_name}\", \"metric\": {metric:.6}, \"backend\": \"{}\"}}",
        t.join(", "),
        linalg::backend()
    );
}

/// Times `reps` calls of `unit`.
fn timed(reps: usize, mut unit: impl FnMut() -> Res<()>) -> Res<Vec<f64>> {
    let mut times = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t = Instant::now();
        unit()?;
        times.push(t.elapsed().as_secs_f64());
    }
    Ok(times)
}

fn run(workload: &str, reps: usize, cache: &Path) -> Res<()> {
    match workload {
        "l01-f64" => lesson01::<f64>(reps, cache),
        "l01-f32" => lesson01::<f32>(reps, cache),
        "l02" => lesson02(reps, cache, 40, false),
        "l02-dropout" => lesson02(reps, cache, 100, true),
        "l03" => lesson03(reps, cache),
        "l04-f64" => lesson04::<f64>(reps, cache),
        "l04-f32" => lesson04::<f32>(reps, cache),
        "l05-fashion" => lesson05_fashion(reps, cache),
        "l05-persample" => lesson05_per_sample(reps, cache),
        "gemm-fwd-f64" => product::<f64>(reps, false),
        "gemm-bwd-f64" => product::<f64>(reps, true),
        "gemm-fwd-f32" => product::<f32>(reps, false),
        "gemm-bwd-f32" => product::<f32>(reps, true),
        "cifar-jpeg" => jpeg(reps),
        _ => Err(format!("unknown workload {workload}").into()),
    }
}

/// Images scaled by `1/scale`, one per row.
fn scaled<T: Scalar>(x: &[u8], width: usize, scale: f64) -> Res<Array2<T>> {
    let inv = T::cast(1.0 / scale);
    let v: Vec<T> = x.iter().map(|&p| T::cast(p as f64) * inv).collect();
    Ok(Array2::from_shape_vec((x.len() / width, width), v)?)
}

fn one_hot<T: Scalar>(y: &[u8], k: usize) -> Res<Array2<T>> {
    Ok(nnlib::data::one_hot(y, k)?)
}

/// The share of rows of `p` whose largest entry is at the label's index.
fn accuracy<T: Scalar>(p: &ArrayView2<T>, y: &[u8]) -> Res<f64> {
    Ok(nnlib::data::accuracy(&argmax_rows(p), y)?)
}

/// Lesson 01: 3072-64-10 sigmoid/softmax, full-batch gradient descent on the
/// 50,000 CIFAR-10 training images, lr 0.01. Metric: the last epoch's loss.
fn lesson01<T: Scalar>(reps: usize, cache: &Path) -> Res<()> {
    let (x, y) = {
        // the raw bytes are dropped as soon as the scaled copy exists
        let (raw, labels) = data::load(cache, "cifar_train", 3072)?;
        (scaled::<T>(&raw, 3072, 255.0)?, one_hot::<T>(&labels, 10)?)
    };
    let mut net = Mlp::<T>::new(
        &[3072, 64, 10],
        &[Activation::Sigmoid, Activation::Softmax],
        Loss::CategoricalCrossEntropy,
        Init::Randn { scale: 0.01 },
        42,
    )?;
    let mut opt = Sgd::new(0.01);
    let mut loss = T::zero();
    let times = timed(reps, || {
        loss = net.train_step(&x.view(), &y.view(), &mut opt)?.0;
        Ok(())
    })?;
    report(&times, "loss", loss.as_f64());
    Ok(())
}

/// Lesson 02: per-sample SGD with squared error on the first 10,000 MNIST
/// training images, ReLU hidden layer (gated by `a > 0`), alpha 0.005,
/// optionally with a 50 % dropout mask scaled by 2. Metric: test accuracy.
fn lesson02(reps: usize, cache: &Path, hidden: usize, dropout: bool) -> Res<()> {
    let (x, y) = data::load(cache, "mnist_train", 784)?;
    let (xt, yt) = data::load(cache, "mnist_test", 784)?;
    let x = scaled::<f64>(&x[..10_000 * 784], 784, 255.0)?;
    let labels = one_hot::<f64>(&y[..10_000], 10)?;
    let xt = scaled::<f64>(&xt, 784, 255.0)?;
    let mut r = rng(1);
    let mut w01 = Array2::from_shape_simple_fn((784, hidden), || r.random_range(-0.1..0.1));
    let mut w12 = Array2::from_shape_simple_fn((hidden, 10), || r.random_range(-0.1..0.1));
    let mut drop = Dropout::<f64>::new(0.5, 1)?;
    let alpha = 0.005;
    let (mut l1, mut l2) = (Array1::zeros(hidden), Array1::<f64>::zeros(10));
    let (mut d1, mut d2) = (Array1::zeros(hidden), Array1::<f64>::zeros(10));
    let mut mask = Array1::zeros(hidden);
    let times = timed(reps, || {
        for (x0, y0) in x.rows().into_iter().zip(labels.rows()) {
            row_times_matrix_into(&x0, &w01.view(), &mut l1.view_mut())?;
            l1.mapv_inplace(|v| v.max(0.0));
            if dropout {
                drop.fill_mask(&mut mask.view_mut());
                l1 *= &mask;
            }
            row_times_matrix_into(&l1.view(), &w12.view(), &mut l2.view_mut())?;
            Zip::from(&mut d2)
                .and(&l2)
                .and(&y0)
                .for_each(|d, &p, &t| *d = p - t);
            matrix_times_row_into(&w12.view(), &d2.view(), &mut d1.view_mut())?;
            Zip::from(&mut d1).and(&l1).for_each(|d, &a| {
                if a <= 0.0 {
                    *d = 0.0
                }
            });
            if dropout {
                d1 *= &mask;
            }
            rank_one_update(&mut w12.view_mut(), -alpha, &l1.view(), &d2.view())?;
            rank_one_update(&mut w01.view_mut(), -alpha, &x0, &d1.view())?;
        }
        Ok(())
    })?;
    let mut a1 = linalg::matmul(&xt.view(), &w01.view())?;
    a1.mapv_inplace(|v| v.max(0.0));
    let out = linalg::matmul(&a1.view(), &w12.view())?;
    report(&times, "test accuracy", accuracy(&out.view(), &yt)?);
    Ok(())
}

/// Lesson 03: 64-64-10 sigmoid/softmax on the 8x8 digits, min-max scaling
/// fitted on the 80 % training part, 1,000 full-batch epochs at lr 0.1.
/// Metric: test accuracy.
fn lesson03(reps: usize, cache: &Path) -> Res<()> {
    let (x, y) = data::load(cache, "digits", 64)?;
    let x = scaled::<f64>(&x, 64, 1.0)?;
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.shuffle(&mut rng(42));
    let n_train = y.len() * 4 / 5;
    let (tr, te) = order.split_at(n_train);
    let (xtr, xte) = (x.select(Axis(0), tr), x.select(Axis(0), te));
    let scaler = MinMaxScaler::fit(&xtr.view())?;
    let (xtr, xte) = (
        scaler.transform(&xtr.view())?,
        scaler.transform(&xte.view())?,
    );
    let ytr = one_hot::<f64>(&tr.iter().map(|&i| y[i]).collect::<Vec<_>>(), 10)?;
    let yte: Vec<u8> = te.iter().map(|&i| y[i]).collect();
    let mut acc = 0.0;
    let times = timed(reps, || {
        let mut net = Mlp::<f64>::new(
            &[64, 64, 10],
            &[Activation::Sigmoid, Activation::Softmax],
            Loss::CategoricalCrossEntropy,
            Init::Randn { scale: 1.0 },
            42,
        )?;
        let mut opt = Sgd::new(0.1);
        for _ in 0..1000 {
            net.train_step(&xtr.view(), &ytr.view(), &mut opt)?;
        }
        acc = accuracy(&net.predict(&xte.view())?.view(), &yte)?;
        Ok(())
    })?;
    report(&times, "test accuracy", acc);
    Ok(())
}

/// Lesson 04: 784-10-10 ReLU/softmax, features by samples (X is 784 x 60,000),
/// full-batch gradient descent at lr 0.1, weights U[-0.5, 0.5).
/// Metric: training accuracy after the last iteration.
fn lesson04<T: Scalar>(reps: usize, cache: &Path) -> Res<()> {
    let (x, y) = data::load(cache, "mnist_train", 784)?;
    let x = scaled::<T>(&x, 784, 255.0)?.reversed_axes(); // (784, m), a column per sample
    let m = y.len();
    let yt = one_hot::<T>(&y, 10)?.reversed_axes();
    let mut r = rng(42);
    let mut uni = |rows, cols| {
        Array2::from_shape_simple_fn((rows, cols), || T::cast(r.random_range(-0.5..0.5)))
    };
    let (mut w1, mut b1, mut w2, mut b2) = (uni(10, 784), uni(10, 1), uni(10, 10), uni(10, 1));
    let lr = T::cast(0.1);
    let inv_m = T::cast(1.0 / m as f64);
    let (mut z1, mut a2) = (Array2::<T>::zeros((10, m)), Array2::<T>::zeros((10, m)));
    let mut d1 = Array2::<T>::zeros((10, m));
    let (mut dw1, mut dw2) = (Array2::<T>::zeros((10, 784)), Array2::<T>::zeros((10, 10)));
    let times = timed(reps, || {
        z1.assign(&b1);
        gemm_into(
            T::one(),
            &w1.view(),
            &x.view(),
            T::one(),
            &mut z1.view_mut(),
        )?;
        z1.mapv_inplace(|v| v.max(T::zero())); // A1 in place of Z1: ReLU'(Z1) = [A1 > 0]
        a2.assign(&b2);
        gemm_into(
            T::one(),
            &w2.view(),
            &z1.view(),
            T::one(),
            &mut a2.view_mut(),
        )?;
        let p = softmax(&a2.view(), Axis(0));
        a2.assign(&p);
        // dZ2 = A2 - Y, stored in a2
        Zip::from(&mut a2).and(&yt).for_each(|a, &y| *a -= y);
        gemm_into(inv_m, &a2.view(), &z1.t(), T::zero(), &mut dw2.view_mut())?;
        let db2 = a2.sum_axis(Axis(1)).insert_axis(Axis(1)) * inv_m;
        gemm_into(T::one(), &w2.t(), &a2.view(), T::zero(), &mut d1.view_mut())?;
        Zip::from(&mut d1).and(&z1).for_each(|d, &a| {
            if a <= T::zero() {
                *d = T::zero()
            }
        });
        gemm_into(inv_m, &d1.view(), &x.t(), T::zero(), &mut dw1.view_mut())?;
        let db1 = d1.sum_axis(Axis(1)).insert_axis(Axis(1)) * inv_m;
        w1.scaled_add(-lr, &dw1);
        b1.scaled_add(-lr, &db1);
        w2.scaled_add(-lr, &dw2);
        b2.scaled_add(-lr, &db2);
        Ok(())
    })?;
    // accuracy of the last forward pass: argmax of A2 = dZ2 + Y per column
    let p = &a2 + &yt;
    report(&times, "train accuracy", accuracy(&p.t(), &y)?);
    Ok(())
}

/// Lesson 05: 784-256-128-64-10 ReLU/softmax, Adam 1e-3, batch 128, f32, on
/// the first 48,000 Fashion-MNIST training images (Keras keeps the last 20 %
/// for validation), shuffled every epoch. Metric: test accuracy.
fn lesson05_fashion(reps: usize, cache: &Path) -> Res<()> {
    let (x, y) = data::load(cache, "fashion_train", 784)?;
    let (xt, yt) = data::load(cache, "fashion_test", 784)?;
    let n = 48_000;
    let x = scaled::<f32>(&x[..n * 784], 784, 255.0)?;
    let labels = one_hot::<f32>(&y[..n], 10)?;
    let xt = scaled::<f32>(&xt, 784, 255.0)?;
    let mut net = Mlp::<f32>::new(
        &[784, 256, 128, 64, 10],
        &[
            Activation::Relu,
            Activation::Relu,
            Activation::Relu,
            Activation::Softmax,
        ],
        Loss::CategoricalCrossEntropy,
        Init::XavierUniform,
        42,
    )?;
    let mut opt = Adam::<f32>::new(1e-3);
    let mut order: Vec<usize> = (0..n).collect();
    let mut r = rng(7);
    let (mut xb, mut yb) = (
        Array2::<f32>::zeros((128, 784)),
        Array2::<f32>::zeros((128, 10)),
    );
    let times = timed(reps, || {
        order.shuffle(&mut r);
        for batch in order.chunks(128) {
            let (mut xv, mut yv) = (
                xb.slice_mut(s![..batch.len(), ..]),
                yb.slice_mut(s![..batch.len(), ..]),
            );
            for (k, &i) in batch.iter().enumerate() {
                xv.row_mut(k).assign(&x.row(i));
                yv.row_mut(k).assign(&labels.row(i));
            }
            net.train_step(&xv.view(), &yv.view(), &mut opt)?;
        }
        Ok(())
    })?;
    report(
        &times,
        "test accuracy",
        accuracy(&net.predict(&xt.view())?.view(), &yt)?,
    );
    Ok(())
}

/// Lesson 05 by hand: 784-32-32-10 sigmoid/sigmoid/softmax, weights
/// N(0, 1/max(n_in, n_out)), per-sample backpropagation with the softmax +
/// cross-entropy delta `a − y`, every layer updated, lr 0.003, pixels scaled,
/// on the first 10,000 MNIST training images. Metric: test accuracy.
fn lesson05_per_sample(reps: usize, cache: &Path) -> Res<()> {
    let (x, y) = data::load(cache, "mnist_train", 784)?;
    let (xt, yt) = data::load(cache, "mnist_test", 784)?;
    let x = scaled::<f64>(&x[..10_000 * 784], 784, 255.0)?;
    let labels = one_hot::<f64>(&y[..10_000], 10)?;
    let xt = scaled::<f64>(&xt, 784, 255.0)?;
    let sizes = [784, 32, 32, 10];
    let mut r = rng(42);
    let mut w: Vec<Array2<f64>> = sizes
        .windows(2)
        .map(|s| Init::NormalMaxFan.weights(s[0], s[1], &mut r))
        .collect::<Result<_, _>>()?;
    let mut b: Vec<Array1<f64>> = sizes[1..].iter().map(|&n| Array1::zeros(n)).collect();
    // each layer's output as a one-row batch, for nnlib's activations
    let mut a: Vec<Array2<f64>> = sizes[1..].iter().map(|&n| Array2::zeros((1, n))).collect();
    let mut d: Vec<Array1<f64>> = sizes[1..].iter().map(|&n| Array1::zeros(n)).collect();
    let activations = [
        Activation::Sigmoid,
        Activation::Sigmoid,
        Activation::Softmax,
    ];
    let lr = 0.003;
    let times = timed(reps, || {
        for (x0, y0) in x.rows().into_iter().zip(labels.rows()) {
            for l in 0..3 {
                let (prev, rest) = a.split_at_mut(l);
                let input = if l == 0 { x0 } else { prev[l - 1].row(0) };
                let mut z = rest[0].row_mut(0);
                row_times_matrix_into(&input, &w[l].view(), &mut z)?;
                z += &b[l];
                activations[l].forward_inplace(&mut rest[0]);
            }
            Zip::from(&mut d[2])
                .and(a[2].row(0))
                .and(&y0)
                .for_each(|d, &p, &t| *d = p - t);
            for l in (1..3).rev() {
                let (lo, hi) = d.split_at_mut(l);
                matrix_times_row_into(&w[l].view(), &hi[0].view(), &mut lo[l - 1].view_mut())?;
                Zip::from(&mut lo[l - 1])
                    .and(a[l - 1].row(0))
                    .for_each(|g, &s| *g *= s * (1.0 - s));
            }
            for l in 0..3 {
                let input = if l == 0 { x0 } else { a[l - 1].row(0) };
                rank_one_update(&mut w[l].view_mut(), -lr, &input, &d[l].view())?;
                b[l].scaled_add(-lr, &d[l]);
            }
        }
        Ok(())
    })?;
    let mut h = xt;
    for l in 0..3 {
        let mut z = linalg::matmul(&h.view(), &w[l].view())?;
        z += &b[l];
        if l < 2 {
            z.mapv_inplace(sigmoid);
        }
        h = z;
    }
    report(&times, "test accuracy", accuracy(&h.view(), &yt)?);
    Ok(())
}

/// The products of lesson 01: forward `X W` (50000x3072 · 3072x64) or the
/// weight gradient `Xᵀ dZ` (3072x50000 · 50000x64). Metric: GFLOP/s (median).
fn product<T: Scalar>(reps: usize, backward: bool) -> Res<()> {
    let mut r = rng(3);
    let x = Array2::from_shape_simple_fn((50_000, 3072), || T::cast(r.random::<f64>()));
    let other =
        Array2::from_shape_simple_fn(if backward { (50_000, 64) } else { (3072, 64) }, || {
            T::cast(r.random::<f64>())
        });
    let mut sink = T::zero();
    let times = timed(reps, || {
        let c = if backward {
            linalg::matmul(&x.t(), &other.view())?
        } else {
            linalg::matmul(&x.view(), &other.view())?
        };
        sink += c[[0, 0]];
        Ok(())
    })?;
    std::hint::black_box(sink);
    report(&times, "GFLOP/s", gflops(&times[1..]));
    Ok(())
}

fn gflops(times: &[f64]) -> f64 {
    let mut t = times.to_vec();
    t.sort_by(f64::total_cmp);
    2.0 * 50_000.0 * 3072.0 * 64.0 / t[t.len() / 2] / 1e9
}

/// Loads all 60,000 CIFAR-10 JPEGs from the data folder's image folders
/// (`cifar-10/train/<class>/*.jpg`, `cifar-10/test/...`) and decodes them,
/// as `nnlib::datasets::cifar10_from_images` does for the lessons.
/// Metric: the mean pixel value, to compare with Pillow's decoding.
fn jpeg(reps: usize) -> Res<()> {
    let dir = nnlib::datasets::data_dir().join("cifar-10");
    let mut mean = 0.0;
    let times = timed(reps, || {
        let cifar = nnlib::datasets::cifar10_from_images(&dir)?;
        let (train, test) = (&cifar.train.images, &cifar.test.images);
        let sum: u64 = train.iter().chain(test.iter()).map(|&v| u64::from(v)).sum();
        mean = sum as f64 / (train.len() + test.len()) as f64;
        Ok(())
    })?;
    report(&times, "mean pixel", mean);
    Ok(())
}

/// GFLOP/s of every product path compiled in, at lesson 01's shapes:
/// ndarray's own `dot` (matrixmultiply, or BLAS when the `openblas` feature
/// turns on ndarray's `blas`) and nnlib's product.
fn gemm_paths(reps: usize) -> Res<()> {
    fn one<T: Scalar>(reps: usize) -> Res<()> {
        let mut r = rng(3);
        let x = Array2::from_shape_simple_fn((50_000, 3072), || T::cast(r.random::<f64>()));
        let w = Array2::from_shape_simple_fn((3072, 64), || T::cast(r.random::<f64>()));
        let dz = Array2::from_shape_simple_fn((50_000, 64), || T::cast(r.random::<f64>()));
        let ndarray_name = if cfg!(feature = "openblas") {
            "ndarray dot (OpenBLAS)"
        } else {
            "ndarray dot (matrixmultiply, threaded)"
        };
        let nnlib_name = format!("nnlib matmul ({})", linalg::backend());
        for (name, use_nnlib) in [(ndarray_name.to_string(), false), (nnlib_name, true)] {
            for backward in [false, true] {
                let times = timed(reps, || {
                    let c = match (use_nnlib, backward) {
                        (false, false) => x.dot(&w),
                        (false, true) => x.t().dot(&dz),
                        (true, false) => linalg::matmul(&x.view(), &w.view())?,
                        (true, true) => linalg::matmul(&x.t(), &dz.view())?,
                    };
                    std::hint::black_box(c);
                    Ok(())
                })?;
                let shape = if backward {
                    "3072x50000 · 50000x64"
                } else {
                    "50000x3072 · 3072x64"
                };
                println!(
                    "{} {name:<40} {shape:<22} {:6.1} GFLOP/s",
                    T::NAME,
                    gflops(&times[1..])
                );
            }
        }
        Ok(())
    }
    one::<f64>(reps)?;
    one::<f32>(reps)
}

/// The machine's peak floating-point rate: independent fused multiply-adds
/// on the widest vector registers the processor has (512-bit with AVX-512,
/// 256-bit with AVX2 and FMA), on one core and on every core. A full-batch
/// epoch is mostly matrix products, so this bounds how fast any library can
/// run one; the products' GFLOP/s are best read against it. Each line names
/// the instructions it counts; the last (widest, every core) is the peak.
///
/// With `now`, only that last line, three times, each in a tenth of the time
/// (0.04 s with AVX2): the peak at this moment (the highest of the three),
/// which `bench/compare` measures before and after each product so that the
/// product is read against the peak of its own minute. (A shared virtual
/// machine's rate drifts: on a 2-core AMD EPYC without AVX-512, the
/// all-core peak measured 56 to 101 GFLOP/s f64 within ten minutes.)
#[cfg(target_arch = "x86_64")]
fn peak(now: bool) -> Res<()> {
    use std::arch::asm;

    /// The factor and addend `a` of every chain.
    static A: f64 = 0.999_999_9;

    // The chains are written in assembly: with the accumulators in an array,
    // the compiler kept 9 of 24 in memory, and the loop then measured the
    // stores (about one 512-bit FMA per cycle on an AMD EPYC that does two).

    /// 12 independent chains of `r ← r·a + a` from `r = a` (which stays
    /// between `a` and `a / (1 − a)`, away from overflow and subnormals) on
    /// 256-bit registers (4 f64 lanes), `iters` times: two FMA units of up to
    /// five cycles' latency need at least ten in flight.
    #[target_feature(enable = "avx2,fma")]
    fn chains_avx2(iters: u64) {
        // SAFETY: registers only; AVX2 and FMA are enabled on this function.
        unsafe {
            asm!(
                "vbroadcastsd ymm15, qword ptr [{x}]",
                "vmovapd ymm0, ymm15", "vmovapd ymm1, ymm15", "vmovapd ymm2, ymm15",
                "vmovapd ymm3, ymm15", "vmovapd ymm4, ymm15", "vmovapd ymm5, ymm15",
                "vmovapd ymm6, ymm15", "vmovapd ymm7, ymm15", "vmovapd ymm8, ymm15",
                "vmovapd ymm9, ymm15", "vmovapd ymm10, ymm15", "vmovapd ymm11, ymm15",
                "2:",
                "vfmadd213pd ymm0, ymm15, ymm15", "vfmadd213pd ymm1, ymm15, ymm15",
                "vfmadd213pd ymm2, ymm15, ymm15", "vfmadd213pd ymm3, ymm15, ymm15",
                "vfmadd213pd ymm4, ymm15, ymm15", "vfmadd213pd ymm5, ymm15, ymm15",
                "vfmadd213pd ymm6, ymm15, ymm15", "vfmadd213pd ymm7, ymm15, ymm15",
                "vfmadd213pd ymm8, ymm15, ymm15", "vfmadd213pd ymm9, ymm15, ymm15",
                "vfmadd213pd ymm10, ymm15, ymm15", "vfmadd213pd ymm11, ymm15, ymm15",
                "dec {n}",
                "jnz 2b",
                x = in(reg) &A,
                n = inout(reg) iters => _,
                out("ymm0") _, out("ymm1") _, out("ymm2") _, out("ymm3") _,
                out("ymm4") _, out("ymm5") _, out("ymm6") _, out("ymm7") _,
                out("ymm8") _, out("ymm9") _, out("ymm10") _, out("ymm11") _,
                out("ymm15") _,
                options(readonly, nostack),
            );
        }
    }

    /// The same on 512-bit registers (8 f64 lanes, AVX-512), 24 chains.
    #[target_feature(enable = "avx512f")]
    fn chains_avx512(iters: u64) {
        // SAFETY: registers only; AVX-512F is enabled on this function.
        unsafe {
            asm!(
                "vbroadcastsd zmm31, qword ptr [{x}]",
                "vmovapd zmm0, zmm31", "vmovapd zmm1, zmm31", "vmovapd zmm2, zmm31",
                "vmovapd zmm3, zmm31", "vmovapd zmm4, zmm31", "vmovapd zmm5, zmm31",
                "vmovapd zmm6, zmm31", "vmovapd zmm7, zmm31", "vmovapd zmm8, zmm31",
                "vmovapd zmm9, zmm31", "vmovapd zmm10, zmm31", "vmovapd zmm11, zmm31",
                "vmovapd zmm12, zmm31", "vmovapd zmm13, zmm31", "vmovapd zmm14, zmm31",
                "vmovapd zmm15, zmm31", "vmovapd zmm16, zmm31", "vmovapd zmm17, zmm31",
                "vmovapd zmm18, zmm31", "vmovapd zmm19, zmm31", "vmovapd zmm20, zmm31",
                "vmovapd zmm21, zmm31", "vmovapd zmm22, zmm31", "vmovapd zmm23, zmm31",
                "2:",
                "vfmadd213pd zmm0, zmm31, zmm31", "vfmadd213pd zmm1, zmm31, zmm31",
                "vfmadd213pd zmm2, zmm31, zmm31", "vfmadd213pd zmm3, zmm31, zmm31",
                "vfmadd213pd zmm4, zmm31, zmm31", "vfmadd213pd zmm5, zmm31, zmm31",
                "vfmadd213pd zmm6, zmm31, zmm31", "vfmadd213pd zmm7, zmm31, zmm31",
                "vfmadd213pd zmm8, zmm31, zmm31", "vfmadd213pd zmm9, zmm31, zmm31",
                "vfmadd213pd zmm10, zmm31, zmm31", "vfmadd213pd zmm11, zmm31, zmm31",
                "vfmadd213pd zmm12, zmm31, zmm31", "vfmadd213pd zmm13, zmm31, zmm31",
                "vfmadd213pd zmm14, zmm31, zmm31", "vfmadd213pd zmm15, zmm31, zmm31",
                "vfmadd213pd zmm16, zmm31, zmm31", "vfmadd213pd zmm17, zmm31, zmm31",
                "vfmadd213pd zmm18, zmm31, zmm31", "vfmadd213pd zmm19, zmm31, zmm31",
                "vfmadd213pd zmm20, zmm31, zmm31", "vfmadd213pd zmm21, zmm31, zmm31",
                "vfmadd213pd zmm22, zmm31, zmm31", "vfmadd213pd zmm23, zmm31, zmm31",
                "dec {n}",
                "jnz 2b",
                x = in(reg) &A,
                n = inout(reg) iters => _,
                out("zmm0") _, out("zmm1") _, out("zmm2") _, out("zmm3") _,
                out("zmm4") _, out("zmm5") _, out("zmm6") _, out("zmm7") _,
                out("zmm8") _, out("zmm9") _, out("zmm10") _, out("zmm11") _,
                out("zmm12") _, out("zmm13") _, out("zmm14") _, out("zmm15") _,
                out("zmm16") _, out("zmm17") _, out("zmm18") _, out("zmm19") _,
                out("zmm20") _, out("zmm21") _, out("zmm22") _, out("zmm23") _,
                out("zmm31") _,
                options(readonly, nostack),
            );
        }
    }

    let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
    let avx512 = is_x86_feature_detected!("avx512f");
    if !avx2 {
        return Err("this CPU has no AVX2/FMA: no peak to measure".into());
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // (instructions, f64 lanes, chains, iterations)
    let mut levels = vec![("AVX2 FMA", 4.0, 12.0, 200_000_000_u64)];
    if avx512 {
        levels.push(("AVX-512 FMA", 8.0, 24.0, 100_000_000));
    }
    if now {
        levels.drain(..levels.len() - 1);
        levels[0].3 /= 10;
    }
    for (name, lanes, chains, iters) in levels {
        let threads = if now { vec![cores; 3] } else { vec![1, cores] };
        for threads in threads {
            let start = Instant::now();
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    std::thread::spawn(move || {
                        if lanes == 8.0 {
                            // SAFETY: AVX-512F was detected above.
                            unsafe { chains_avx512(iters) }
                        } else {
                            // SAFETY: AVX2 and FMA were detected above.
                            unsafe { chains_avx2(iters) }
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().map_err(|_| "a peak thread panicked")?;
            }
            let seconds = start.elapsed().as_secs_f64();
            let flops = threads as f64 * iters as f64 * chains * lanes * 2.0;
            println!(
                "peak, {threads} core(s): {:.1} GFLOP/s f64, {:.1} GFLOP/s f32 ({name})",
                flops / seconds / 1e9,
                2.0 * flops / seconds / 1e9
            );
        }
    }
    Ok(())
}

#[cfg(not(target_arch = "x86_64"))]
fn peak(_now: bool) -> Res<()> {
    Err("the peak measurement is written for x86-64 (AVX2 or AVX-512 FMA)".into())
}
