//! Criterion benchmarks of the hot kernels, at the lessons' shapes:
//! dense forward and backward, the full-batch products `X W` and `Xᵀ dZ`, one
//! per-sample SGD step, softmax over a batch, and the decoding of IDX and
//! JPEG files.
//!
//! `cargo bench -p nnlib --bench kernels` (add `--features openblas` for the
//! OpenBLAS product path). The decoding benchmarks read the offline dataset
//! mirror (`COURSE_DATASETS`, default `/work/shared/datasets`) and are
//! skipped when it is absent.

use std::hint::black_box;
use std::io::Read;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array1, Array2, Axis};
use nnlib::activation::{Activation, softmax};
use nnlib::init::{Init, rng};
use nnlib::layer::Dense;
use nnlib::linalg::{matmul, matrix_times_row_into, rank_one_update, row_times_matrix_into};
use rand::Rng as _;

fn random(rows: usize, cols: usize, seed: u64) -> Array2<f64> {
    let mut r = rng(seed);
    Array2::from_shape_simple_fn((rows, cols), || r.random::<f64>())
}

fn dense(c: &mut Criterion) {
    let mut g = c.benchmark_group("dense");
    g.sample_size(10);
    // (name, batch rows, n_in, n_out, activation): lesson 01 on a tenth of
    // its 50,000-image batch, lesson 05's Keras layers, lesson 03's digits
    for (name, m, n_in, n_out, f) in [
        (
            "l01 5000x3072->64 sigmoid",
            5000,
            3072,
            64,
            Activation::Sigmoid,
        ),
        ("l05 128x784->256 relu", 128, 784, 256, Activation::Relu),
        ("l03 1437x64->64 sigmoid", 1437, 64, 64, Activation::Sigmoid),
    ] {
        let x = random(m, n_in, 1);
        let layer = Dense::<f64>::new(n_in, n_out, f, Init::XavierUniform, &mut rng(2)).unwrap();
        g.bench_function(format!("forward {name}"), |b| {
            b.iter(|| black_box(layer.forward(&x.view()).unwrap()))
        });
        let d_a = random(m, n_out, 3);
        let a = layer.forward(&x.view()).unwrap();
        let z = layer.weighted_sum(&x.view()).unwrap();
        // dZ = dA ⊙ f'(Z), dW = Xᵀ dZ, db = Σ_rows dZ, dX = dZ Wᵀ
        g.bench_function(format!("backward {name}"), |b| {
            b.iter(|| {
                let d_z = f.backward(&d_a.view(), &z.view(), &a.view()).unwrap();
                let grads = layer.parameter_gradients(&x.view(), &d_z.view()).unwrap();
                black_box((grads, layer.input_gradient(&d_z.view()).unwrap()))
            })
        });
    }
    g.finish();
}

fn tall_products(c: &mut Criterion) {
    // lesson 01's X W and Xᵀ dZ on 16,384 of its 50,000 samples, through
    // `matmul` (the kernel crate's benchmarks compare its kernels one by one:
    // `cargo bench -p nnlib-kernels`)
    let mut g = c.benchmark_group("tall products");
    g.sample_size(10);
    let (x, w, d_z) = (
        random(16_384, 3072, 7),
        random(3072, 64, 9),
        random(16_384, 64, 8),
    );
    g.bench_function("forward f64 16384x3072 · 3072x64", |b| {
        b.iter(|| black_box(matmul(&x.view(), &w.view()).unwrap()))
    });
    g.bench_function("weight gradient f64 3072x16384 · 16384x64", |b| {
        b.iter(|| black_box(matmul(&x.t(), &d_z.view()).unwrap()))
    });
    let (x, w, d_z) = (
        x.mapv(|v| v as f32),
        w.mapv(|v| v as f32),
        d_z.mapv(|v| v as f32),
    );
    g.bench_function("forward f32 16384x3072 · 3072x64", |b| {
        b.iter(|| black_box(matmul(&x.view(), &w.view()).unwrap()))
    });
    g.bench_function("weight gradient f32 3072x16384 · 16384x64", |b| {
        b.iter(|| black_box(matmul(&x.t(), &d_z.view()).unwrap()))
    });
    g.finish();
}

fn per_sample_step(c: &mut Criterion) {
    // lesson 02: one sample through 784-40-10 (ReLU), squared error, update
    let mut r = rng(4);
    let x: Array1<f64> = (0..784)
        .map(|i| if i % 5 == 0 { r.random::<f64>() } else { 0.0 })
        .collect();
    let y = Array1::from_iter((0..10).map(|i| if i == 3 { 1.0 } else { 0.0 }));
    let mut w01 = random(784, 40, 5) * 0.2 - 0.1;
    let mut w12 = random(40, 10, 6) * 0.2 - 0.1;
    let (mut l1, mut l2) = (Array1::zeros(40), Array1::zeros(10));
    let mut d1 = Array1::zeros(40);
    c.bench_function("per-sample SGD step 784-40-10", |b| {
        b.iter(|| {
            row_times_matrix_into(&x.view(), &w01.view(), &mut l1.view_mut()).unwrap();
            l1.mapv_inplace(|v: f64| v.max(0.0));
            row_times_matrix_into(&l1.view(), &w12.view(), &mut l2.view_mut()).unwrap();
            let d2 = &l2 - &y;
            matrix_times_row_into(&w12.view(), &d2.view(), &mut d1.view_mut()).unwrap();
            d1.zip_mut_with(&l1, |d, &a| {
                if a <= 0.0 {
                    *d = 0.0
                }
            });
            rank_one_update(&mut w12.view_mut(), -0.005, &l1.view(), &d2.view()).unwrap();
            rank_one_update(&mut w01.view_mut(), -0.005, &x.view(), &d1.view()).unwrap();
        })
    });
}

fn softmax_batch(c: &mut Criterion) {
    let z = random(128, 10, 7);
    c.bench_function("softmax 128x10 rows", |b| {
        b.iter(|| black_box(softmax(&z.view(), Axis(1))))
    });
    let z = random(10, 60_000, 8);
    c.bench_function("softmax 10x60000 columns (lesson 04)", |b| {
        b.iter(|| black_box(softmax(&z.view(), Axis(0))))
    });
}

fn datasets_dir() -> PathBuf {
    std::env::var_os("COURSE_DATASETS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/datasets"))
}

fn decoding(c: &mut Criterion) {
    let idx = datasets_dir().join("mnist/t10k-images-idx3-ubyte.gz");
    if let Ok(gz) = std::fs::read(&idx) {
        c.bench_function("IDX: gunzip and parse 10,000 MNIST images", |b| {
            b.iter(|| {
                let mut raw = Vec::new();
                flate2::read::GzDecoder::new(&gz[..])
                    .read_to_end(&mut raw)
                    .unwrap();
                let n = u32::from_be_bytes(raw[4..8].try_into().unwrap()) as usize;
                let pixels: Vec<f32> = raw[16..16 + n * 784]
                    .iter()
                    .map(|&p| p as f32 / 255.0)
                    .collect();
                black_box(pixels)
            })
        });
    }
    let archive = datasets_dir().join("cifar-10/cifar-10-images-jpg.tar.gz");
    if let Ok(file) = std::fs::File::open(&archive) {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let mut jpegs = Vec::new();
        for entry in tar.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_string_lossy().ends_with(".jpg") {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).unwrap();
                jpegs.push(bytes);
                if jpegs.len() == 1000 {
                    break;
                }
            }
        }
        let mut g = c.benchmark_group("jpeg");
        g.sample_size(10);
        g.bench_function("decode 1,000 CIFAR-10 JPEGs (one thread)", |b| {
            b.iter(|| {
                for j in &jpegs {
                    let img =
                        image::load_from_memory_with_format(j, image::ImageFormat::Jpeg).unwrap();
                    black_box(img.to_rgb8());
                }
            })
        });
        g.finish();
    }
}

criterion_group!(
    benches,
    dense,
    tall_products,
    per_sample_step,
    softmax_batch,
    decoding
);
criterion_main!(benches);
