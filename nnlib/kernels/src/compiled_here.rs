//! The `f32` and `f64` kernels, compiled in this crate whoever calls them.
//!
//! Rust compiles a generic function in the crate that uses it, with that
//! crate's optimisation level. A notebook cell is such a crate, compiled at
//! the level the notebook chooses (`:opt`): a kernel generic over `T` that
//! a cell instantiated would run at that level, several times slower than
//! in a release build at a low one (lesson 01's epoch at level 1: 2.8 s
//! against 0.55 s). A non-generic function is compiled once, in the crate
//! that defines it, with that crate's settings. So the public kernels,
//! generic for their callers, hand `f32` and `f64` operands to the
//! non-generic functions below, which instantiate the generic code here:
//! the products run at full speed whatever the cell's level, and a cell
//! does not compile them again.
//!
//! The helpers re-type a view or a number of type `T` as the same type under
//! its concrete name (`f64` or `f32`), after checking with [`TypeId`] that
//! the two are one type.

use std::any::{Any, TypeId};

use ndarray::{ArrayView, ArrayViewMut, Dimension};

use crate::Route;

/// Whether `T` is `U`.
pub(crate) fn is<T: 'static, U: 'static>() -> bool {
    TypeId::of::<T>() == TypeId::of::<U>()
}

/// `x` as a `U`, when `T` is `U`.
///
/// # Panics
/// When `T` is not `U` (callers check [`is`] first).
pub(crate) fn same<T: Copy + 'static, U: Copy + 'static>(x: T) -> U {
    *(&x as &dyn Any)
        .downcast_ref::<U>()
        .expect("re-typed to the type it already has")
}

/// `view` as a view of `U` elements, when `T` is `U`.
///
/// # Panics
/// When `T` is not `U`.
pub(crate) fn same_view<'a, T: 'static, U: 'static, D: Dimension>(
    view: &ArrayView<'a, T, D>,
) -> ArrayView<'a, U, D> {
    assert!(is::<T, U>(), "re-typed to the type it already has");
    // SAFETY: `T` and `U` are one type (checked above), so the raw view of
    // `T` elements is a raw view of `U` elements with the same pointer, shape
    // and strides; it points into the array `view` borrows for `'a`, shared.
    unsafe { view.raw_view().cast::<U>().deref_into_view() }
}

/// `view` as a mutable view of `U` elements, when `T` is `U`; it borrows
/// `view` for as long as it lives.
///
/// # Panics
/// When `T` is not `U`.
pub(crate) fn same_view_mut<'b, T: 'static, U: 'static, D: Dimension>(
    view: &'b mut ArrayViewMut<'_, T, D>,
) -> ArrayViewMut<'b, U, D> {
    assert!(is::<T, U>(), "re-typed to the type it already has");
    // SAFETY: as in `same_view`; the result borrows `view` mutably for `'b`,
    // so nothing else reaches its elements meanwhile.
    unsafe { view.raw_view_mut().cast::<U>().deref_into_view_mut() }
}

/// [`crate::product_on`] for `f64`, compiled here.
pub(crate) fn product_on_f64(
    route: Route,
    alpha: f64,
    a: &ArrayView<f64, ndarray::Ix2>,
    b: &ArrayView<f64, ndarray::Ix2>,
    beta: f64,
    c: &mut ArrayViewMut<f64, ndarray::Ix2>,
) {
    crate::product_on_any(route, alpha, a, b, beta, c);
}

/// [`crate::product_on`] for `f32`, compiled here.
pub(crate) fn product_on_f32(
    route: Route,
    alpha: f32,
    a: &ArrayView<f32, ndarray::Ix2>,
    b: &ArrayView<f32, ndarray::Ix2>,
    beta: f32,
    c: &mut ArrayViewMut<f32, ndarray::Ix2>,
) {
    crate::product_on_any(route, alpha, a, b, beta, c);
}

/// Calls `on_f64` or `on_f32` with the operands re-typed when `T` is one of
/// them, and `otherwise` with them as they are for any other `T`.
macro_rules! dispatch {
    ($t:ty, f64 => $on_f64:expr, f32 => $on_f32:expr, otherwise => $otherwise:expr $(,)?) => {
        if $crate::compiled_here::is::<$t, f64>() {
            $on_f64
        } else if $crate::compiled_here::is::<$t, f32>() {
            $on_f32
        } else {
            $otherwise
        }
    };
}
pub(crate) use dispatch;

/// The per-sample kernels ([`crate::rows`]) for `f64` and `f32`, compiled here.
pub(crate) mod rows {
    use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

    /// [`crate::rows::row_times_matrix`] for `f64`.
    pub(crate) fn row_times_matrix_f64(
        x: &ArrayView1<f64>,
        w: &ArrayView2<f64>,
        out: &mut ArrayViewMut1<f64>,
    ) {
        crate::rows::row_times_matrix_any(x, w, out);
    }

    /// [`crate::rows::row_times_matrix`] for `f32`.
    pub(crate) fn row_times_matrix_f32(
        x: &ArrayView1<f32>,
        w: &ArrayView2<f32>,
        out: &mut ArrayViewMut1<f32>,
    ) {
        crate::rows::row_times_matrix_any(x, w, out);
    }

    /// [`crate::rows::matrix_times_row`] for `f64`.
    pub(crate) fn matrix_times_row_f64(
        w: &ArrayView2<f64>,
        d: &ArrayView1<f64>,
        out: &mut ArrayViewMut1<f64>,
    ) {
        crate::rows::matrix_times_row_any(w, d, out);
    }

    /// [`crate::rows::matrix_times_row`] for `f32`.
    pub(crate) fn matrix_times_row_f32(
        w: &ArrayView2<f32>,
        d: &ArrayView1<f32>,
        out: &mut ArrayViewMut1<f32>,
    ) {
        crate::rows::matrix_times_row_any(w, d, out);
    }

    /// [`crate::rows::rank_one_update`] for `f64`.
    pub(crate) fn rank_one_update_f64(
        w: &mut ArrayViewMut2<f64>,
        alpha: f64,
        x: &ArrayView1<f64>,
        d: &ArrayView1<f64>,
    ) {
        crate::rows::rank_one_update_any(w, alpha, x, d);
    }

    /// [`crate::rows::rank_one_update`] for `f32`.
    pub(crate) fn rank_one_update_f32(
        w: &mut ArrayViewMut2<f32>,
        alpha: f32,
        x: &ArrayView1<f32>,
        d: &ArrayView1<f32>,
    ) {
        crate::rows::rank_one_update_any(w, alpha, x, d);
    }
}
