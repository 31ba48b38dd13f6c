//! # nnlib-kernels: the fast paths behind `nnlib::linalg`
//!
//! `nnlib` is written to be read next to the lessons: each function carries
//! its formula and computes it the way the formula reads. The matrix
//! products of a training step are where nearly all the time goes, and
//! making them fast takes code of another kind: blocked loops sized to the
//! processor's caches, micro-kernels compiled for its vector instructions
//! (chosen at run time), `unsafe` calls into the `gemm` crates, and thresholds
//! for when threads pay. That code lives here, so that `nnlib` itself has no
//! `unsafe` and its `linalg` module reads as the product it checks and
//! computes, `C[i, j] = Σ_k A[i, k] B[k, j]`.
//!
//! The functions here assume their operands' shapes fit and panic when they
//! do not; `nnlib::linalg` checks the shapes first and turns a mismatch into
//! an error that names both operands.
//!
//! ## Which kernel computes a product
//!
//! [`product_into`] computes `C ← α A B + β C` on the kernel [`route`]
//! chooses for the operands' shapes and layouts:
//!
//! - [`Route::TallForward`], [`Route::TallGradient`]: the products of a full
//!   batch `X` with tens of thousands of rows, `X W` and `Xᵀ D`, on this
//!   crate's blocked kernels ([`tall`]), where they are faster than `gemm`
//!   ([`tall::forward_beats_gemm`] says when `X W` is);
//! - [`Route::TallForwardTransposed`], [`Route::TallGradientTransposed`]:
//!   lesson 04's products with its samples in columns, the short, wide
//!   `W₁ X` (10 rows, 60,000 columns) and its weight gradient `dZ₁ Xᵀ`,
//!   computed as their transposes `Cᵀ = Xᵀ W₁ᵀ` and `Cᵀ = X dZ₁ᵀ`, the tall
//!   layouts the forward and weight-gradient kernels are fast at;
//! - [`Route::Gemm`]: other products of at least [`LARGE_PRODUCT`]
//!   multiply-adds, on the pure-Rust kernels of [`gemm`](https://docs.rs/gemm)
//!   (its crates `gemm-f64` and `gemm-f32`; AVX-512, AVX2 or NEON kernels,
//!   chosen at run time), threaded over the
//!   cores when [`split_over_cores`] says so; with the cargo feature
//!   `openblas`, on the system OpenBLAS through `ndarray` instead;
//! - [`Route::Ndarray`]: small products, where starting threads costs more
//!   than it saves, on `ndarray`'s own kernels.
//!
//! The choices were made by timing each kernel on the lessons' shapes
//! (`cargo run --release -p nnlib-kernels --example routes`).
//!
//! [`rows`] holds the per-sample kernels of lessons 02 and 05: one row times
//! a matrix, without allocating.
//!
//! [`exp`] holds an exponential the compiler can vectorise, the same bits on
//! every processor, and the sigmoid and softmax on it.

use ndarray::{ArrayView2, ArrayViewMut2};

#[cfg(feature = "openblas")]
use blas_src as _;
#[cfg(feature = "openblas")]
use openblas_src as _;

mod element;
pub mod exp;
pub mod rows;
pub mod tall;
#[cfg(test)]
mod test_support;

pub use element::Element;

/// Products with at least this many multiply-adds (`n · k · m`) run on the
/// multithreaded kernels (`gemm`, or OpenBLAS with the `openblas` feature).
pub const LARGE_PRODUCT: usize = 1 << 15;

/// Products with at least this many multiply-adds (about 10 µs of work per
/// core) are split over all cores when they are computed on one of rayon's
/// worker threads, where handing half the work to the other worker costs a
/// few microseconds. `nnlib`'s `Mlp::train_step` runs there: lesson 05's
/// layers of 128 × 256 × 128 multiply-adds then gain from both cores (an
/// epoch 0.48 s instead of 0.56 s).
pub const THREADED_PRODUCT: usize = 1 << 19;

/// The same threshold for products computed on any other thread (a
/// notebook's own loop, as in lesson 04): each split product puts that thread
/// to sleep until the workers are done and wakes it again, which costs more
/// than a product under about a millisecond of work saves.
pub const THREADED_PRODUCT_OUTSIDE_POOL: usize = 1 << 23;

/// Elementwise work (activations and their derivatives, an optimiser's
/// update) on arrays of at least this many entries is split over all cores;
/// smaller arrays stay on the calling thread. On lesson 01's hidden layer
/// (50,000 × 64 sigmoids) one core takes about 10 ms per pass.
pub const PARALLEL_ELEMENTWISE: usize = 1 << 16;

/// Whether a product of `macs` multiply-adds is split over the cores, from
/// the thread it is computed on (see [`THREADED_PRODUCT`]).
pub fn split_over_cores(macs: usize) -> bool {
    if rayon::current_thread_index().is_some() {
        macs >= THREADED_PRODUCT
    } else {
        macs >= THREADED_PRODUCT_OUTSIDE_POOL
    }
}

/// The kernels that compute large products in this build: `"gemm"` (pure
/// Rust, the default) or `"openblas"` (cargo feature `openblas`).
pub fn backend() -> &'static str {
    if cfg!(feature = "openblas") {
        "openblas"
    } else {
        "gemm"
    }
}

/// The kernel a product runs on (see the [crate documentation](crate)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `C ← α X W + β C` on [`tall::x_w_into`].
    TallForward,
    /// `C ← α Xᵀ D + β C` on [`tall::xt_d_into`] (`A = Xᵀ`).
    TallGradient,
    /// `Cᵀ ← α X W + β Cᵀ` on [`tall::x_w_into`], with `X = Bᵀ`, `W = Aᵀ`:
    /// lesson 04's `W₁ X`, its samples in columns.
    TallForwardTransposed,
    /// `Cᵀ ← α Xᵀ D + β Cᵀ` on [`tall::xt_d_into`], with `Xᵀ = B`, `D = Aᵀ`:
    /// lesson 04's `dZ₁ Xᵀ`, its samples in columns.
    TallGradientTransposed,
    /// The `gemm` crates (or OpenBLAS with the `openblas` feature).
    Gemm,
    /// `ndarray`'s own kernels.
    Ndarray,
}

/// The kernel [`product_into`] uses for `C ← α A B + β C` with these
/// operands.
pub fn route<T: Element>(a: &ArrayView2<T>, b: &ArrayView2<T>, c: &ArrayViewMut2<T>) -> Route {
    let ((n, k), m) = (a.dim(), b.ncols());
    let large = n.saturating_mul(k).saturating_mul(m) >= LARGE_PRODUCT;
    if !large || k == 0 {
        Route::Ndarray
    } else if tall::fits_x_w(a, b, c) && tall::forward_beats_gemm(m) {
        Route::TallForward
    } else if tall::fits_xt_d(&a.t(), b, c) {
        Route::TallGradient
    } else if tall::fits_x_w(&b.t(), &a.t(), &c.t()) && tall::forward_beats_gemm(n) {
        Route::TallForwardTransposed
    } else if tall::fits_xt_d(b, &a.t(), &c.t()) {
        Route::TallGradientTransposed
    } else if cfg!(feature = "openblas") {
        Route::Ndarray
    } else {
        Route::Gemm
    }
}

/// `C ← α A B + β C`, `C[i, j] = α Σ_k A[i, k] B[k, j] + β C[i, j]`, on the
/// kernel [`route`] chooses. With `β = 0` what `C` held is ignored.
///
/// # Panics
/// Unless `A` is (n, k), `B` (k, m) and `C` (n, m).
pub fn product_into<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    product_on(route(a, b, c), alpha, a, b, beta, c);
}

/// [`product_into`] on a given kernel, for tests and benchmarks that compare
/// the kernels on one product.
///
/// # Panics
/// Unless `A` is (n, k), `B` (k, m) and `C` (n, m); for the tall routes,
/// unless the operands fit them ([`tall::fits_x_w`], [`tall::fits_xt_d`]).
pub fn product_on<T: Element>(
    route: Route,
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    T::product_on(route, alpha, a, b, beta, c);
}

/// [`product_on`]'s generic body, instantiated for `f32` and `f64` in this
/// crate ([`Element`]).
fn product_on_any<T: Element>(
    route: Route,
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    let ((n, k), (k2, m)) = (a.dim(), b.dim());
    assert!(
        k == k2 && c.dim() == (n, m),
        "C ← α A B + β C: A ({n}, {k}), B ({k2}, {m}) and C {:?} do not fit",
        c.dim()
    );
    match route {
        Route::TallForward => tall::x_w_into(alpha, a, b, beta, c),
        Route::TallGradient => tall::xt_d_into(alpha, &a.t(), b, beta, c),
        Route::TallForwardTransposed => tall::x_w_into(
            alpha,
            &b.t(),
            &a.t(),
            beta,
            &mut c.view_mut().reversed_axes(),
        ),
        Route::TallGradientTransposed => {
            tall::xt_d_into(alpha, b, &a.t(), beta, &mut c.view_mut().reversed_axes())
        }
        Route::Gemm => gemm_crate_into(alpha, a, b, beta, c),
        Route::Ndarray => ndarray::linalg::general_mat_mul(alpha, a, b, beta, c),
    }
}

/// `C ← α A B + β C` on the `gemm` crates' kernel for `T`
/// ([`Element::gemm_kernel`]), threaded over the cores when
/// [`split_over_cores`] says so. Transposed and strided operands are read in
/// place. The kernel is the widest the processor runs: AVX-512 (the `x86-v4`
/// feature, enabled here), AVX2 and FMA, or NEON.
///
/// The kernel fills its destination a column at a time, so a `C` laid out
/// by rows is computed as its transpose, `Cᵀ ← α Bᵀ Aᵀ + β Cᵀ`; and it takes
/// non-negative strides, so an axis with a negative stride is read from its
/// other end, where its stride is positive.
///
/// # Panics
/// Unless the shapes fit.
fn gemm_crate_into<T: Element>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    let ((n, k), (k2, m)) = (a.dim(), b.dim());
    assert!(k == k2 && c.dim() == (n, m));
    if n == 0 || m == 0 {
        return;
    }
    let threads = if split_over_cores(n * k * m) {
        gemm_common::Parallelism::Rayon(0)
    } else {
        gemm_common::Parallelism::None
    };
    // Each operand as (pointer, rows, columns, row stride, column stride).
    let mut c = (c.as_mut_ptr(), n, m, c.strides()[0], c.strides()[1]);
    let mut a = (a.as_ptr(), n, k, a.strides()[0], a.strides()[1]);
    let mut b = (b.as_ptr(), k, m, b.strides()[0], b.strides()[1]);
    fn transpose<P>(
        (p, rows, cols, rs, cs): (P, usize, usize, isize, isize),
    ) -> (P, usize, usize, isize, isize) {
        (p, cols, rows, cs, rs)
    }
    if c.4.abs() < c.3.abs() {
        (c, a, b) = (transpose(c), transpose(b), transpose(a));
    }
    // A negative stride along C's rows is one along A's rows too; along C's
    // columns, along B's columns; along the sum's index, along A's columns
    // and B's rows. Flipping an axis of both keeps every product A[i, l] B[l, j].
    let last = |len: usize, stride: isize| (len as isize - 1) * stride;
    if c.3 < 0 {
        c.0 = c.0.wrapping_offset(last(c.1, c.3));
        a.0 = a.0.wrapping_offset(last(a.1, a.3));
        (c.3, a.3) = (-c.3, -a.3);
    }
    if c.4 < 0 {
        c.0 = c.0.wrapping_offset(last(c.2, c.4));
        b.0 = b.0.wrapping_offset(last(b.2, b.4));
        (c.4, b.4) = (-c.4, -b.4);
    }
    if a.4 < 0 && k > 0 {
        a.0 = a.0.wrapping_offset(last(a.2, a.4));
        b.0 = b.0.wrapping_offset(last(b.1, b.3));
        (a.4, b.3) = (-a.4, -b.3);
    }
    let (rows, cols, inner) = (c.1, c.2, a.2);
    // SAFETY: the shapes were checked above ((n, k) · (k, m) into (n, m))
    // and survive the transposition; the pointers and element strides come
    // from live ndarray views, and flipping an axis moves a pointer to the
    // other end of that axis inside the same array, so every index the
    // kernel forms lies inside its array; `c` is a unique borrow that cannot
    // alias `a` or `b`. The kernel's convention is dst ← α·dst + β·lhs·rhs,
    // hence the swapped roles of α and β.
    unsafe {
        T::gemm_kernel()(
            rows,
            cols,
            inner,
            c.0,
            c.4,
            c.3,
            beta != T::zero(),
            a.0,
            a.4,
            a.3,
            b.0,
            b.4,
            b.3,
            beta,
            alpha,
            false,
            false,
            false,
            threads,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{definition, filled, max_error};
    use ndarray::{Array2, s};

    /// Every general route, on operands in every layout (standard,
    /// transposed, strided), in f64 and f32, against the definition.
    #[test]
    fn every_general_route_matches_the_definition_in_every_layout() {
        let a = filled(40, 70, 0.37);
        let b = filled(70, 90, 0.11);
        let (a_t, b_t) = (
            a.t().as_standard_layout().into_owned(),
            b.t().as_standard_layout().into_owned(),
        );
        let wide_b = filled(70, 180, 0.11);
        let c0 = filled(40, 90, 0.53);
        for (alpha, beta) in [(1.0, 0.0), (-0.5, 1.0), (2.0, 0.25)] {
            for (a, b) in [
                (a.view(), b.view()),
                (a_t.t(), b.view()),
                (a.view(), b_t.t()),
                (a.view(), wide_b.slice(s![.., ..;2])),
            ] {
                let expected = definition(alpha, &a, &b, beta, &c0);
                for route in [Route::Gemm, Route::Ndarray] {
                    let mut c = if beta == 0.0 {
                        c0.mapv(|_| f64::NAN)
                    } else {
                        c0.clone()
                    };
                    product_on(route, alpha, &a, &b, beta, &mut c.view_mut());
                    let err = max_error(&c, &expected);
                    assert!(err < 1e-12, "{route:?} α {alpha} β {beta}: max error {err}");

                    let mut cf = c0.mapv(|v| v as f32);
                    let (af, bf) = (a.mapv(|v| v as f32), b.mapv(|v| v as f32));
                    product_on(
                        route,
                        alpha as f32,
                        &af.view(),
                        &bf.view(),
                        beta as f32,
                        &mut cf.view_mut(),
                    );
                    let err = max_error(&cf.mapv(f64::from), &expected);
                    assert!(err < 1e-4, "f32 {route:?}: max error {err}");
                }
            }
        }
    }

    #[test]
    fn lesson_shapes_take_their_routes() {
        let w1 = Array2::<f32>::zeros((10, 784));
        // lesson 04's W₁ X, X one column per sample: short and wide
        let x = Array2::<f32>::zeros((tall::TALL_MIN_SAMPLES, 784));
        let mut z1 = Array2::<f32>::zeros((10, tall::TALL_MIN_SAMPLES));
        assert_eq!(
            route(&w1.view(), &x.t(), &z1.view_mut()),
            Route::TallForwardTransposed
        );
        // and its weight gradient dZ₁ Xᵀ, as the tall gradient X dZ₁ᵀ
        let mut dw1 = Array2::<f32>::zeros((10, 784));
        assert_eq!(
            route(&z1.view(), &x.view(), &dw1.view_mut()),
            Route::TallGradientTransposed
        );
        // a small product stays on ndarray's kernels
        // lesson 04's W₂ A₁ on a hundred samples: small, on ndarray's kernels
        let (w2, a1) = (
            Array2::<f32>::zeros((10, 10)),
            Array2::<f32>::zeros((10, 100)),
        );
        let mut z2 = Array2::<f32>::zeros((10, 100));
        assert_eq!(
            route(&w2.view(), &a1.view(), &z2.view_mut()),
            Route::Ndarray
        );
        // lesson 01's X W and Xᵀ D on a full batch
        let x = Array2::<f64>::zeros((tall::TALL_MIN_SAMPLES, 3072));
        let w = Array2::<f64>::zeros((3072, 64));
        let mut c = Array2::<f64>::zeros((tall::TALL_MIN_SAMPLES, 64));
        let forward = if tall::forward_beats_gemm(64) {
            Route::TallForward
        } else if cfg!(feature = "openblas") {
            Route::Ndarray
        } else {
            Route::Gemm
        };
        assert_eq!(route(&x.view(), &w.view(), &c.view_mut()), forward);
        let mut g = Array2::<f64>::zeros((3072, 64));
        assert_eq!(route(&x.t(), &c.view(), &g.view_mut()), Route::TallGradient);
    }

    /// Lesson 04's two large products, samples in columns, through
    /// [`product_into`] (the transposed tall routes) against ndarray's own
    /// kernels, on integer values so that both are exact.
    #[test]
    fn samples_in_columns_take_the_tall_kernels_transposed() {
        let k = tall::TALL_MIN_SAMPLES;
        let xs =
            Array2::<f32>::from_shape_fn((k, 784), |(s, i)| ((s * 7 + i * 3) % 11) as f32 - 5.0);
        let x = xs.t(); // (784, k): one column per sample
        let w1 = Array2::<f32>::from_shape_fn((10, 784), |(j, i)| ((j + i) % 5) as f32 - 2.0);
        let d1 = Array2::<f32>::from_shape_fn((10, k), |(j, s)| ((s * 5 + j) % 7) as f32 - 3.0);
        let mut z1 = Array2::<f32>::from_elem((10, k), f32::NAN);
        assert_eq!(
            route(&w1.view(), &x, &z1.view_mut()),
            Route::TallForwardTransposed
        );
        product_into(1.0, &w1.view(), &x, 0.0, &mut z1.view_mut());
        assert_eq!(z1, w1.dot(&x));
        let mut dw1 = Array2::<f32>::from_elem((10, 784), 1.0);
        assert_eq!(
            route(&d1.view(), &xs.view(), &dw1.view_mut()),
            Route::TallGradientTransposed
        );
        product_into(0.5, &d1.view(), &xs.view(), 2.0, &mut dw1.view_mut());
        assert_eq!(dw1, d1.dot(&xs) * 0.5 + 2.0);
    }

    #[test]
    fn products_split_over_the_cores_from_a_lower_size_on_a_worker() {
        let between = THREADED_PRODUCT;
        assert!(
            !split_over_cores(between),
            "the test's own thread is not a worker"
        );
        assert!(split_over_cores(THREADED_PRODUCT_OUTSIDE_POOL));
        assert!(rayon::scope(|_| split_over_cores(between)));
        assert!(!rayon::scope(|_| split_over_cores(between - 1)));
    }

    #[test]
    #[should_panic(expected = "do not fit")]
    fn shapes_that_do_not_fit_panic() {
        let (a, b) = (Array2::<f64>::zeros((3, 4)), Array2::<f64>::zeros((5, 2)));
        let mut c = Array2::<f64>::zeros((3, 2));
        product_into(1.0, &a.view(), &b.view(), 0.0, &mut c.view_mut());
    }
}
