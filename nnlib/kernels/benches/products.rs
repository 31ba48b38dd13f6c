//! Criterion benchmarks of the kernels at the lessons' product shapes, each
//! shape on the route [`route`] picks and on the others that compute it:
//!
//! ```text
//! cargo bench -p nnlib-kernels --bench products
//! ```
//!
//! Lesson 01's full-batch products are taken on 16,384 of its 50,000
//! samples, so that a run takes minutes, not tens of minutes;
//! `cargo run --release -p nnlib-kernels --example routes` times the full
//! shapes.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array1, Array2, ArrayView2};
use nnlib_kernels::tall::{Simd, x_w_into_with, xt_d_into_with};
use nnlib_kernels::{Element, Route, product_on, route, rows};

fn random<T: Element>(rows: usize, cols: usize, seed: u64) -> Array2<T> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array2::from_shape_simple_fn((rows, cols), || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        T::from((state >> 11) as f64 / (1u64 << 53) as f64).unwrap_or_else(T::zero)
    })
}

/// `C ← A B` on each route in `routes`, named with the one `route` picks.
fn routes<T: Element>(
    c: &mut Criterion,
    group: &str,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    routes: &[Route],
) {
    let mut out = Array2::<T>::zeros((a.nrows(), b.ncols()));
    let chosen = route(a, b, &out.view_mut());
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    for &r in routes {
        let mark = if r == chosen { " (chosen)" } else { "" };
        g.bench_function(format!("{r:?}{mark}"), |bench| {
            bench.iter(|| product_on(r, T::one(), a, b, T::zero(), &mut out.view_mut()))
        });
    }
    g.finish();
}

fn lesson_01<T: Element>(c: &mut Criterion, name: &str) {
    let x = random::<T>(16_384, 3072, 1);
    let w = random::<T>(3072, 64, 2);
    let dz = random::<T>(16_384, 64, 3);
    let mut out = Array2::<T>::zeros((16_384, 64));
    let mut g = c.benchmark_group(format!("l01 {name} X W 16384x3072·3072x64"));
    g.sample_size(10);
    for simd in Simd::detected() {
        g.bench_function(format!("tall {simd:?}"), |bench| {
            bench.iter(|| {
                x_w_into_with(
                    simd,
                    T::one(),
                    &x.view(),
                    &w.view(),
                    T::zero(),
                    &mut out.view_mut(),
                )
            })
        });
    }
    g.bench_function("gemm", |bench| {
        bench.iter(|| {
            product_on(
                Route::Gemm,
                T::one(),
                &x.view(),
                &w.view(),
                T::zero(),
                &mut out.view_mut(),
            )
        })
    });
    g.finish();
    let mut grad = Array2::<T>::zeros((3072, 64));
    let mut g = c.benchmark_group(format!("l01 {name} Xt dZ 3072x16384·16384x64"));
    g.sample_size(10);
    for simd in Simd::detected() {
        g.bench_function(format!("tall {simd:?}"), |bench| {
            bench.iter(|| {
                xt_d_into_with(
                    simd,
                    T::one(),
                    &x.view(),
                    &dz.view(),
                    T::zero(),
                    &mut grad.view_mut(),
                )
            })
        });
    }
    g.bench_function("gemm", |bench| {
        bench.iter(|| {
            product_on(
                Route::Gemm,
                T::one(),
                &x.t(),
                &dz.view(),
                T::zero(),
                &mut grad.view_mut(),
            )
        })
    });
    g.finish();
}

fn lesson_04<T: Element>(c: &mut Criterion, name: &str) {
    // X one column per sample: the transpose of the (60000, 784) array
    let xs = random::<T>(60_000, 784, 4);
    let w1 = random::<T>(10, 784, 5);
    let dz1 = random::<T>(10, 60_000, 6);
    routes(
        c,
        &format!("l04 {name} W1 X 10x784·784x60000"),
        &w1.view(),
        &xs.t(),
        &[Route::Gemm, Route::TallForwardTransposed],
    );
    routes(
        c,
        &format!("l04 {name} dZ1 Xt 10x60000·60000x784"),
        &dz1.view(),
        &xs.view(),
        &[Route::Gemm, Route::TallGradientTransposed],
    );
}

fn lesson_05(c: &mut Criterion) {
    // a Keras batch through the first layer
    let x = random::<f32>(128, 784, 7);
    let w = random::<f32>(784, 256, 8);
    let all = [Route::Gemm, Route::Ndarray];
    routes(c, "l05 f32 X W 128x784·784x256", &x.view(), &w.view(), &all);
}

fn per_sample(c: &mut Criterion) {
    // lesson 02's 784-40 layer, a fifth of the pixels non-zero
    let x: Array1<f64> = (0..784)
        .map(|i| if i % 5 == 0 { 0.5 } else { 0.0 })
        .collect();
    let mut w = random::<f64>(784, 40, 9);
    let d = random::<f64>(1, 40, 10).row(0).to_owned();
    let mut out = Array1::<f64>::zeros(40);
    let mut back = Array1::<f64>::zeros(784);
    let mut g = c.benchmark_group("per-sample 784x40");
    g.bench_function("x W", |b| {
        b.iter(|| rows::row_times_matrix(&x.view(), &w.view(), &mut out.view_mut()))
    });
    g.bench_function("W d", |b| {
        b.iter(|| rows::matrix_times_row(&w.view(), &d.view(), &mut back.view_mut()))
    });
    g.bench_function("W + α xᵀ d", |b| {
        b.iter(|| rows::rank_one_update(&mut w.view_mut(), black_box(-1e-9), &x.view(), &d.view()))
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    lesson_01::<f64>(c, "f64");
    lesson_01::<f32>(c, "f32");
    lesson_04::<f64>(c, "f64");
    lesson_04::<f32>(c, "f32");
    lesson_05(c);
    per_sample(c);
}

criterion_group!(products, benches);
criterion_main!(products);
