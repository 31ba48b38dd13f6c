//! GFLOP/s of each kernel on the lessons' product shapes, the kernels taking
//! turns on the same operands, medians of `reps` rounds:
//!
//! ```text
//! cargo run --release -p nnlib-kernels --example routes [reps] [filter]
//! ```
//!
//! This is the measurement that decides [`nnlib_kernels::route`]: on each
//! shape, the route it takes should be the fastest one here. `filter` keeps
//! the shapes whose name contains it.

use std::time::Instant;

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use nnlib_kernels::tall::{Simd, x_w_into_with, xt_d_into_with};
use nnlib_kernels::{Element, Route, product_on, route};

/// A way to compute `C ← A B`: a route, or a tall kernel on one SIMD level.
#[derive(Clone, Copy, Debug)]
enum Kernel {
    On(Route),
    TallForward(Simd),
    TallGradient(Simd),
}

fn run<T: Element>(k: Kernel, a: &ArrayView2<T>, b: &ArrayView2<T>, c: &mut ArrayViewMut2<T>) {
    match k {
        Kernel::On(r) => product_on(r, T::one(), a, b, T::zero(), c),
        Kernel::TallForward(s) => x_w_into_with(s, T::one(), a, b, T::zero(), c),
        Kernel::TallGradient(s) => xt_d_into_with(s, T::one(), &a.t(), b, T::zero(), c),
    }
}

fn random<T: Element>(rows: usize, cols: usize, seed: u64) -> Array2<T> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    Array2::from_shape_simple_fn((rows, cols), || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        T::from((state >> 11) as f64 / (1u64 << 53) as f64).unwrap_or_else(T::zero)
    })
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// Times every kernel in `kernels` on `A B`, taking turns, and prints
/// GFLOP/s (median) with the route `route` picks.
fn shape<T: Element>(
    name: &str,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    kernels: &[Kernel],
    reps: usize,
) {
    let mut c = Array2::<T>::zeros((a.nrows(), b.ncols()));
    let flop = 2.0 * (a.nrows() * a.ncols() * b.ncols()) as f64;
    let mut times = vec![Vec::new(); kernels.len()];
    for round in 0..=reps {
        for (i, &k) in kernels.iter().enumerate() {
            let start = Instant::now();
            run(k, a, b, &mut c.view_mut());
            if round > 0 {
                times[i].push(start.elapsed().as_secs_f64()); // round 0 warms up
            }
        }
    }
    let chosen = route(a, b, &c.view_mut());
    let type_name = if size_of::<T>() == 8 { "f64" } else { "f32" };
    for (k, t) in kernels.iter().zip(times) {
        let m = median(t);
        println!(
            "{type_name} {name:<34} {:<28} {:8.2} ms {:7.1} GFLOP/s",
            format!("{k:?}"),
            m * 1e3,
            flop / m / 1e9
        );
    }
    println!("{type_name} {name:<34} route: {chosen:?}");
}

fn lessons<T: Element>(reps: usize, filter: &str) {
    let tall = |fwd: bool| -> Vec<Kernel> {
        let mut k: Vec<Kernel> = Simd::detected()
            .into_iter()
            .filter(|&s| s != Simd::Plain)
            .map(|s| {
                if fwd {
                    Kernel::TallForward(s)
                } else {
                    Kernel::TallGradient(s)
                }
            })
            .collect();
        k.push(Kernel::On(Route::Gemm));
        k
    };
    // the general route, and the tall kernels on a transposed product
    let general = [Kernel::On(Route::Gemm)];
    let forward_transposed = [
        Kernel::On(Route::Gemm),
        Kernel::On(Route::TallForwardTransposed),
    ];
    let gradient_transposed = [
        Kernel::On(Route::Gemm),
        Kernel::On(Route::TallGradientTransposed),
    ];
    let keep = |name: &str| name.contains(filter);
    if keep("l01 X W 50000x3072·3072x64") || keep("l01 Xt dZ 3072x50000·50000x64") {
        let x = random::<T>(50_000, 3072, 1);
        let w = random::<T>(3072, 64, 2);
        let dz = random::<T>(50_000, 64, 3);
        if keep("l01 X W 50000x3072·3072x64") {
            shape(
                "l01 X W 50000x3072·3072x64",
                &x.view(),
                &w.view(),
                &tall(true),
                reps,
            );
        }
        if keep("l01 Xt dZ 3072x50000·50000x64") {
            shape(
                "l01 Xt dZ 3072x50000·50000x64",
                &x.t(),
                &dz.view(),
                &tall(false),
                reps,
            );
        }
    }
    // lesson 04: X one column per sample, the transpose of the (60000, 784)
    // array the data loads as
    let xs = random::<T>(60_000, 784, 4);
    let x = xs.t();
    let w1 = random::<T>(10, 784, 5);
    let d1 = random::<T>(10, 60_000, 6);
    let a1 = random::<T>(10, 60_000, 7);
    let w2 = random::<T>(10, 10, 8);
    for (name, a, b, kernels) in [
        (
            "l04 W1 X 10x784·784x60000",
            w1.view(),
            x,
            &forward_transposed[..],
        ),
        (
            "l04 dZ1 Xt 10x60000·60000x784",
            d1.view(),
            xs.view(),
            &gradient_transposed[..],
        ),
        (
            "l04 dZ2 A1t 10x60000·60000x10",
            d1.view(),
            a1.t(),
            &general[..],
        ),
        (
            "l04 W2t dZ2 10x10·10x60000",
            w2.t(),
            d1.view(),
            &general[..],
        ),
    ] {
        if keep(name) {
            shape(name, &a, &b, kernels, reps);
        }
    }
    if keep("2048x2048·2048x2048") {
        let a = random::<T>(2048, 2048, 9);
        shape("2048x2048·2048x2048", &a.view(), &a.t(), &general[..], reps);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps = args.first().and_then(|r| r.parse().ok()).unwrap_or(5);
    let filter = args.get(1).map_or("", String::as_str);
    println!("SIMD levels detected: {:?}", Simd::detected());
    lessons::<f64>(reps, filter);
    lessons::<f32>(reps, filter);
}
