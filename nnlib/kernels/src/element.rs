//! The element types of the kernels, `f32` and `f64` ([`Element`]).

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, LinalgScalar};
use std::ops::{AddAssign, MulAssign};

use crate::Route;

/// A matrix-product kernel of the `gemm` crates for one element type:
/// `dst ← α dst + β lhs rhs` with `lhs` (m, k), `rhs` (k, n) and `dst`
/// (m, n). Its arguments: m, n, k; `dst` as pointer, column stride, row
/// stride (in elements); whether to read `dst` (false when α is 0); `lhs`
/// and `rhs` the same way; α, β; three conjugation flags (no-ops for real
/// numbers); the threads to use. It expects `dst` laid out by columns
/// (`|dst_cs| >= |dst_rs|`) and non-negative strides.
#[doc(hidden)]
pub type GemmKernel<T> = unsafe fn(
    usize,
    usize,
    usize,
    *mut T,
    isize,
    isize,
    bool,
    *const T,
    isize,
    isize,
    *const T,
    isize,
    isize,
    T,
    T,
    bool,
    bool,
    bool,
    gemm_common::Parallelism,
);

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The element types of the kernels: `f32` and `f64`.
///
/// Its methods are the kernels for each type; call the functions of the
/// crate, which take any `T: Element`, rather than these. They are where
/// the kernels' code is compiled. Rust compiles a generic function in the
/// crate that uses it, with that crate's optimisation level. A notebook cell
/// is such a crate, compiled at the level the notebook chooses: a kernel
/// generic over `T` that a cell instantiated would run at that level,
/// several times slower than in a release build at a low one (lesson 01's
/// epoch at level 1: 2.8 s against 0.55 s). The methods of an `impl` for a
/// concrete type are compiled once, in the crate that holds the `impl`,
/// with that crate's settings. So each public kernel, generic for its
/// callers, calls the method of `Element` for its element type, and the
/// `impl`s for `f32` and `f64` instantiate the generic code in this crate:
/// the products run at full speed whatever the cell's level, and a cell does
/// not compile them again.
pub trait Element:
    num_traits::Float
    + LinalgScalar
    + AddAssign
    + MulAssign
    + Send
    + Sync
    + 'static
    + sealed::Sealed
    + crate::exp::ExpFloat
{
    /// [`crate::product_on`] for this type.
    #[doc(hidden)]
    fn product_on(
        route: Route,
        alpha: Self,
        a: &ArrayView2<Self>,
        b: &ArrayView2<Self>,
        beta: Self,
        c: &mut ArrayViewMut2<Self>,
    );

    /// [`crate::rows::row_times_matrix`] for this type.
    #[doc(hidden)]
    fn row_times_matrix(x: &ArrayView1<Self>, w: &ArrayView2<Self>, out: &mut ArrayViewMut1<Self>);

    /// [`crate::rows::matrix_times_row`] for this type.
    #[doc(hidden)]
    fn matrix_times_row(w: &ArrayView2<Self>, d: &ArrayView1<Self>, out: &mut ArrayViewMut1<Self>);

    /// [`crate::rows::rank_one_update`] for this type.
    #[doc(hidden)]
    fn rank_one_update(
        w: &mut ArrayViewMut2<Self>,
        alpha: Self,
        x: &ArrayView1<Self>,
        d: &ArrayView1<Self>,
    );

    /// [`crate::exp::exp_inplace`] for this type.
    #[doc(hidden)]
    fn exp_inplace(v: &mut [Self]);

    /// [`crate::exp::sigmoid_inplace`] for this type.
    #[doc(hidden)]
    fn sigmoid_inplace(v: &mut [Self]);

    /// [`crate::exp::softmax_inplace`] for this type.
    #[doc(hidden)]
    fn softmax_inplace(v: &mut [Self]);

    /// The `gemm` crates' product kernel for this type, the widest the
    /// processor runs (AVX-512, AVX2 and FMA, or NEON), chosen at run time.
    #[doc(hidden)]
    fn gemm_kernel() -> GemmKernel<Self>;
}

/// `impl Element` for one type: every method instantiates the crate's
/// generic kernel for it, here.
macro_rules! element {
    ($t:ty, $gemm_kernel:path) => {
        impl Element for $t {
            fn product_on(
                route: Route,
                alpha: $t,
                a: &ArrayView2<$t>,
                b: &ArrayView2<$t>,
                beta: $t,
                c: &mut ArrayViewMut2<$t>,
            ) {
                crate::product_on_any(route, alpha, a, b, beta, c);
            }

            fn row_times_matrix(
                x: &ArrayView1<$t>,
                w: &ArrayView2<$t>,
                out: &mut ArrayViewMut1<$t>,
            ) {
                crate::rows::row_times_matrix_any(x, w, out);
            }

            fn matrix_times_row(
                w: &ArrayView2<$t>,
                d: &ArrayView1<$t>,
                out: &mut ArrayViewMut1<$t>,
            ) {
                crate::rows::matrix_times_row_any(w, d, out);
            }

            fn rank_one_update(
                w: &mut ArrayViewMut2<$t>,
                alpha: $t,
                x: &ArrayView1<$t>,
                d: &ArrayView1<$t>,
            ) {
                crate::rows::rank_one_update_any(w, alpha, x, d);
            }

            fn exp_inplace(v: &mut [$t]) {
                crate::exp::exp_inplace_any(v);
            }

            fn sigmoid_inplace(v: &mut [$t]) {
                crate::exp::sigmoid_inplace_any(v);
            }

            fn softmax_inplace(v: &mut [$t]) {
                crate::exp::softmax_inplace_any(v);
            }

            fn gemm_kernel() -> GemmKernel<$t> {
                $gemm_kernel()
            }
        }
    };
}

element!(f64, gemm_f64::gemm::f64::get_gemm_fn);
element!(f32, gemm_f32::gemm::f32::get_gemm_fn);
