//! The per-sample kernels: one row times a matrix, a matrix times a column,
//! and the rank-one update of a weight matrix.
//!
//! The per-sample loops of lessons 02 and 05 run these thousands of times
//! per pass over the data, on vectors of tens to hundreds of entries. They
//! allocate nothing, and skip the zero entries of the input row (most pixels
//! of an MNIST digit are 0): the rows of `W` such an entry would multiply
//! add nothing to a sum of finite values.
//!
//! On contiguous operands they find those entries 64 at a time: the
//! comparisons with zero, which vectorise, set one bit per nonzero entry,
//! and the loop visits the set bits in order, instead of testing and
//! branching on each entry (the processor mispredicts such a branch at each
//! edge of a digit's strokes). A `W` of 10, 32 or 40 columns (the widths
//! of the lessons' layers) takes loops of that fixed width, whose running
//! sums stay in registers; other widths take the same loops over a width
//! known at run time. `x W` and the update also ask for the next sample's
//! row from memory while they compute with this one.
//!
//! Each kernel runs compiled for the widest vector instructions the
//! processor has (AVX-512 or AVX2 on x86-64, chosen at run time), with the
//! same operations in the same order on every level: a multiplication and
//! an addition, never fused into one rounding, so the results are the same
//! bit for bit on every processor.

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1};

use crate::Element;
use crate::tall::{Cache, Simd, prefetch};

/// `fn name / name_on<T: Element>(args) { body }`: `name_on(simd, args)`
/// runs `body` compiled for `simd` (AVX-512, AVX2, or the compiler's default
/// target), and `name(args)` runs it on the widest level the processor has
/// ([`Simd::best`]).
macro_rules! on_widest_simd {
    ($(#[$doc:meta])* $vis:vis fn $name:ident / $name_on:ident<T: Element>($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$doc])*
        $vis fn $name<T: Element>($($arg: $ty),*) {
            $name_on(Simd::best(), $($arg),*)
        }

        /// The same, compiled for `simd`.
        ///
        /// # Panics
        /// Unless the processor runs `simd`'s instructions.
        $vis fn $name_on<T: Element>(simd: Simd, $($arg: $ty),*) {
            #[inline(always)]
            fn body<T: Element>($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx2")]
            fn avx512<T: Element>($($arg: $ty),*) {
                body($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2<T: Element>($($arg: $ty),*) {
                body($($arg),*)
            }

            assert!(simd.is_detected(), "this processor does not run {simd:?}");
            match simd {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the processor runs AVX-512 (asserted above).
                Simd::Avx512 => unsafe { avx512($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                // SAFETY: the processor runs AVX2 (asserted above).
                Simd::Avx2 => unsafe { avx2($($arg),*) },
                _ => body($($arg),*),
            }
        }
    };
}

pub(crate) use on_widest_simd;

/// `out ← x W`, one row times a matrix: `out[j] = Σ_i x[i] W[i, j]`.
///
/// # Panics
/// Unless `W` is (len x, len out).
pub fn row_times_matrix<T: Element>(
    x: &ArrayView1<T>,
    w: &ArrayView2<T>,
    out: &mut ArrayViewMut1<T>,
) {
    T::row_times_matrix(x, w, out)
}

on_widest_simd! {
    /// [`row_times_matrix`]'s generic body, instantiated for `f32` and `f64` in this
    /// crate ([`Element`]).
    pub(crate) fn row_times_matrix_any / row_times_matrix_on<T: Element>(
        x: &ArrayView1<T>,
        w: &ArrayView2<T>,
        out: &mut ArrayViewMut1<T>,
    ) {
        assert_eq!(
            w.dim(),
            (x.len(), out.len()),
            "x · W: W must be (len x, len out)"
        );
        match (x.as_slice(), w.as_slice(), out.as_slice_mut()) {
            (Some(xs), Some(ws), Some(outs)) if !outs.is_empty() => {
                prefetch_next_row(xs);
                let n = outs.len();
                with_fixed_width! { n, N => x_w_fixed::<T, N>(xs, ws, outs), _ => {
                    for start in (0..n).step_by(SUMS) {
                        let width = SUMS.min(n - start);
                        let mut sums = LineAligned([T::zero(); SUMS]);
                        let sums = &mut sums.0[..width];
                        for_each_nonzero(xs, |i, xi| {
                            axpy_slices(xi, &ws[i * n + start..][..width], sums)
                        });
                        outs[start..start + width].copy_from_slice(sums);
                    }
                }}
            }
            _ => {
                out.fill(T::zero());
                for (&xi, row) in x.iter().zip(w.rows()) {
                    if xi != T::zero() {
                        axpy(xi, &row, out);
                    }
                }
            }
        }
    }
}

/// `$fixed` with `const $N: usize` set to `$n` when `$n` is one of the widths
/// of `W` (its number of columns) that the kernels handle in loops of a
/// width known to the compiler, `$any` otherwise. Those widths are the
/// lessons': 10 (the classes of every data set), 32 (lesson 05's hidden
/// layers) and 40 (lesson 02's hidden layer). With the width known, the
/// running sums of `x W` and the entries of `d` stay in vector registers
/// from one row of `W` to the next, and no loop over a row tests where it
/// ends: on rows of `W` in the first-level cache, `x W` and `W + α xᵀ d` on
/// 32 columns took a third to a half of the time of the same loops over a
/// width known only at run time (measured on an AMD EPYC with AVX-512).
/// Much wider rows would not fit in the vector registers (16 of them
/// without AVX-512).
macro_rules! with_fixed_width {
    ($n:expr, $N:ident => $fixed:expr, _ => $any:expr) => {
        match $n {
            10 => {
                const $N: usize = 10;
                $fixed
            }
            32 => {
                const $N: usize = 32;
                $fixed
            }
            40 => {
                const $N: usize = 40;
                $fixed
            }
            _ => $any,
        }
    };
}
use with_fixed_width;

/// Row `i` of `ws`, a `W` of `N` columns.
#[inline(always)]
fn fixed_row<T, const N: usize>(ws: &[T], i: usize) -> &[T; N] {
    ws[i * N..].first_chunk().expect("row i of W")
}

/// `outs ← x W` for a `W` of `N` columns, the sums in registers.
#[inline(always)]
fn x_w_fixed<T: Element, const N: usize>(xs: &[T], ws: &[T], outs: &mut [T]) {
    let mut sums = [T::zero(); N];
    for_each_nonzero(xs, |i, xi| {
        for (sum, &w) in sums.iter_mut().zip(fixed_row::<T, N>(ws, i)) {
            *sum += xi * w;
        }
    });
    outs.copy_from_slice(&sums);
}

/// `outs ← W d` for a `W` of `N` columns, with the same partial sums as
/// [`dot_slices`].
#[inline(always)]
fn w_d_fixed<T: Element, const N: usize>(ws: &[T], ds: &[T], outs: &mut ArrayViewMut1<T>) {
    let d: &[T; N] = ds.try_into().expect("d of N entries");
    for (i, o) in outs.iter_mut().enumerate() {
        *o = dot_slices(fixed_row::<T, N>(ws, i), d);
    }
}

/// `W ← W + α xᵀ d` for a `W` of `N` columns.
#[inline(always)]
fn update_fixed<T: Element, const N: usize>(ws: &mut [T], alpha: T, xs: &[T], ds: &[T]) {
    // `d` as an array of its own, which the compiler keeps in registers: the
    // stores into `ws` cannot change it
    let d: [T; N] = ds.try_into().expect("d of N entries");
    for_each_nonzero(xs, |i, xi| {
        let a = alpha * xi;
        let row: &mut [T; N] = ws[i * N..].first_chunk_mut().expect("row i of W");
        for (w, &dj) in row.iter_mut().zip(&d) {
            *w += a * dj;
        }
    });
}

/// Columns of `x W` summed at a time in one [`LineAligned`] buffer, for
/// widths other than those of [`with_fixed_width`]: 128, so that one pass
/// over `x` covers every width of lessons 02 and 05.
const SUMS: usize = 128;

/// An array that starts at a cache line (64 bytes), for the running sums
/// of `x W`, which are stored and loaded back for each row of `W`. In an
/// output row that started 48 bytes into a line, every vector of sums
/// straddled two lines, and lesson 05's first layer took about a third more
/// time than with the sums in a buffer like this one (measured on an AMD
/// EPYC with AVX-512): the processor forwards a store to the next load that
/// reads it only within a line.
#[repr(align(64))]
struct LineAligned<A>(A);

/// `out ← W d`, a matrix times a column: `out[i] = Σ_j W[i, j] d[j]`, which
/// is `d Wᵀ` for a row `d`.
///
/// # Panics
/// Unless `W` is (len out, len d).
pub fn matrix_times_row<T: Element>(
    w: &ArrayView2<T>,
    d: &ArrayView1<T>,
    out: &mut ArrayViewMut1<T>,
) {
    T::matrix_times_row(w, d, out)
}

on_widest_simd! {
    /// [`matrix_times_row`]'s generic body, instantiated for `f32` and `f64` in this
    /// crate ([`Element`]).
    pub(crate) fn matrix_times_row_any / matrix_times_row_on<T: Element>(
        w: &ArrayView2<T>,
        d: &ArrayView1<T>,
        out: &mut ArrayViewMut1<T>,
    ) {
        assert_eq!(
            w.dim(),
            (out.len(), d.len()),
            "W d: W must be (len out, len d)"
        );
        match (w.as_slice(), d.as_slice()) {
            (Some(ws), Some(ds)) if !ds.is_empty() => {
                with_fixed_width! { ds.len(), N => w_d_fixed::<T, N>(ws, ds, out), _ => {
                    for (o, row) in out.iter_mut().zip(ws.chunks_exact(ds.len())) {
                        *o = dot_slices(row, ds);
                    }
                }}
            }
            _ => {
                for (o, row) in out.iter_mut().zip(w.rows()) {
                    *o = dot(&row, d);
                }
            }
        }
    }
}

/// `W ← W + α xᵀ d`, `W[i, j] += α x[i] d[j]`; rows with `x[i] = 0` are
/// skipped.
///
/// # Panics
/// Unless `W` is (len x, len d).
pub fn rank_one_update<T: Element>(
    w: &mut ndarray::ArrayViewMut2<T>,
    alpha: T,
    x: &ArrayView1<T>,
    d: &ArrayView1<T>,
) {
    T::rank_one_update(w, alpha, x, d)
}

on_widest_simd! {
    /// [`rank_one_update`]'s generic body, instantiated for `f32` and `f64` in this
    /// crate ([`Element`]).
    pub(crate) fn rank_one_update_any / rank_one_update_on<T: Element>(
        w: &mut ndarray::ArrayViewMut2<T>,
        alpha: T,
        x: &ArrayView1<T>,
        d: &ArrayView1<T>,
    ) {
        assert_eq!(
            w.dim(),
            (x.len(), d.len()),
            "W + α xᵀ d: W must be (len x, len d)"
        );
        match (x.as_slice(), d.as_slice(), w.as_slice_mut()) {
            (Some(xs), Some(ds), Some(ws)) if !ds.is_empty() => {
                prefetch_next_row(xs);
                let n = ds.len();
                with_fixed_width! { n, N => update_fixed::<T, N>(ws, alpha, xs, ds), _ => {
                    for_each_nonzero(xs, |i, xi| {
                        axpy_slices(alpha * xi, ds, &mut ws[i * n..(i + 1) * n])
                    });
                }}
            }
            _ => {
                for (&xi, mut row) in x.iter().zip(w.rows_mut()) {
                    if xi != T::zero() {
                        axpy(alpha * xi, d, &mut row);
                    }
                }
            }
        }
    }
}

/// Asks the processor to bring the `xs.len()` entries that follow `xs` in
/// memory into its first-level cache (a prefetch, which reads nothing
/// architecturally and never faults, whatever the address). In a loop over
/// the rows of a matrix, one sample per row, they are the next sample's
/// row, which then arrives while this one is computed. Asked for in both
/// `x W` and `W + α xᵀ d`: the first brings the row from memory; the
/// update's rows of `W` may push it out of the first-level cache again,
/// and the second brings it back just before the next sample's `x W`. In
/// lesson 05's per-sample pass (AMD EPYC, AVX-512), the first layer's
/// `x W` took about 3,600 ticks of the time-stamp counter per sample
/// without the second request and 2,600 with it.
#[inline(always)]
fn prefetch_next_row<T>(xs: &[T]) {
    let next = xs.as_ptr_range().end.cast::<i8>();
    for offset in (0..size_of_val(xs)).step_by(64) {
        prefetch(next.wrapping_add(offset), Cache::First);
    }
}

/// Calls `f(i, xs[i])` for each `i` with `xs[i] ≠ 0`, in increasing `i`.
///
/// The entries are taken 64 at a time: [`nonzero_bits`] marks the nonzero
/// ones in a `u64`, and the loop takes the lowest set bit until none is left.
#[inline(always)]
fn for_each_nonzero<T: Element>(xs: &[T], mut f: impl FnMut(usize, T)) {
    for (group, entries) in xs.chunks(64).enumerate() {
        let mut bits = nonzero_bits(entries);
        while bits != 0 {
            let k = bits.trailing_zeros() as usize;
            bits &= bits - 1; // clears the lowest set bit
            f(group * 64 + k, entries[k]);
        }
    }
}

/// Bit `k` set where `xs[k] ≠ 0`, for at most 64 entries (a NaN counts as
/// nonzero, as it does in `xs[k] != 0`).
#[inline(always)]
fn nonzero_bits<T: Element>(xs: &[T]) -> u64 {
    debug_assert!(xs.len() <= 64);
    xs.iter()
        .enumerate()
        .fold(0, |bits, (k, &x)| bits | (u64::from(x != T::zero()) << k))
}

/// `y ← y + a x` over equal-length vectors, on slices when both are contiguous.
#[inline(always)]
fn axpy<T: Element>(a: T, x: &ArrayView1<T>, y: &mut ArrayViewMut1<T>) {
    match (x.as_slice(), y.as_slice_mut()) {
        (Some(xs), Some(ys)) => axpy_slices(a, xs, ys),
        _ => y.scaled_add(a, x),
    }
}

/// [`axpy`] on slices of equal length.
#[inline(always)]
fn axpy_slices<T: Element>(a: T, xs: &[T], ys: &mut [T]) {
    for (y, &x) in ys.iter_mut().zip(xs) {
        *y += a * x;
    }
}

/// `Σ x[i] y[i]`, in four independent partial sums so the loop vectorises.
#[inline(always)]
fn dot<T: Element>(x: &ArrayView1<T>, y: &ArrayView1<T>) -> T {
    match (x.as_slice(), y.as_slice()) {
        (Some(xs), Some(ys)) => dot_slices(xs, ys),
        _ => x.dot(y),
    }
}

/// [`dot`] on slices of equal length.
#[inline(always)]
fn dot_slices<T: Element>(xs: &[T], ys: &[T]) -> T {
    let mut acc = [T::zero(); 4];
    let (xc, yc) = (xs.chunks_exact(4), ys.chunks_exact(4));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for l in 0..4 {
            acc[l] += a[l] * b[l];
        }
    }
    let tail = xr.iter().zip(yr).fold(T::zero(), |s, (&a, &b)| s + a * b);
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::filled;
    use ndarray::{Array1, Array2, Axis, arr1, s};

    #[test]
    fn row_kernels_match_the_definitions() {
        // 9 entries: two chunks of four and a tail in `dot`; zeros in x
        let w = filled(9, 6, 0.5);
        let x = arr1(&[0.0, 1.5, 0.0, -2.0, 0.25, 0.0, 3.0, -1.0, 0.5]);
        let d = arr1(&[1.0, -1.0, 0.5, 2.0, -0.75, 0.3]);
        let mut out = Array1::from_elem(6, f64::NAN);
        row_times_matrix(&x.view(), &w.view(), &mut out.view_mut());
        for j in 0..6 {
            let expected: f64 = (0..9).map(|i| x[i] * w[[i, j]]).sum();
            assert!((out[j] - expected).abs() < 1e-14, "x W [{j}]");
        }
        let mut back = Array1::zeros(9);
        matrix_times_row(&w.view(), &d.view(), &mut back.view_mut());
        for i in 0..9 {
            let expected: f64 = (0..6).map(|j| w[[i, j]] * d[j]).sum();
            assert!((back[i] - expected).abs() < 1e-14, "W d [{i}]");
        }
        let mut w2 = w.clone();
        rank_one_update(&mut w2.view_mut(), -0.1, &x.view(), &d.view());
        for ((i, j), &v) in w2.indexed_iter() {
            assert!((v - (w[[i, j]] - 0.1 * x[i] * d[j])).abs() < 1e-15);
        }
    }

    /// Whether two numbers have the same bits (sign, exponent, mantissa).
    fn same_bits<T: Element>(a: T, b: T) -> bool {
        a.integer_decode() == b.integer_decode()
    }

    /// Inputs in lesson 05's sizes (784, 32, 10) and odd ones, with zeros.
    fn lesson_like<T: Element>(n: usize, seed: f64) -> ndarray::Array1<T> {
        ndarray::Array1::from_shape_fn(n, |i| {
            let v = ((i as f64 + 1.0) * seed).sin();
            T::from(if i % 3 == 0 { 0.0 } else { v }).unwrap()
        })
    }

    /// Every level computes the same bits as the operations the kernels
    /// document, done one number at a time: `out[j]` of `x W` the sum over
    /// the nonzero `x[i]` in order, `W[i, j] + (α x[i]) d[j]` where `x[i] ≠ 0`,
    /// and `W d` the four partial sums of [`dot_slices`] on each row.
    fn every_level_gives_the_same_bits<T: Element + std::fmt::Debug>() {
        let levels = Simd::detected();
        for (n, m) in [(784, 32), (32, 10), (50, 40), (37, 13), (40, 77), (70, 130)] {
            let x = lesson_like::<T>(n, 0.37);
            let d = lesson_like::<T>(m, 0.71);
            let w = Array2::from_shape_fn((n, m), |(i, j)| {
                T::from(((i * m + j) as f64 * 0.013).cos()).unwrap()
            });
            let alpha = T::from(-0.003).unwrap();
            let mut by_hand = Array1::<T>::zeros(m);
            let mut updated_by_hand = w.clone();
            for (i, &xi) in x.iter().enumerate() {
                if xi != T::zero() {
                    for j in 0..m {
                        by_hand[j] += xi * w[[i, j]];
                        updated_by_hand[[i, j]] = w[[i, j]] + (alpha * xi) * d[j];
                    }
                }
            }
            for &simd in &levels {
                let mut out = Array1::from_elem(m, T::nan());
                row_times_matrix_on(simd, &x.view(), &w.view(), &mut out.view_mut());
                assert!(
                    out.iter().zip(&by_hand).all(|(&a, &b)| same_bits(a, b)),
                    "x W on {simd:?}, ({n}, {m}): {out:?} against {by_hand:?}"
                );
                let mut back = Array1::from_elem(n, T::nan());
                matrix_times_row_on(simd, &w.view(), &d.view(), &mut back.view_mut());
                let d_slice = d.as_slice().unwrap();
                assert!(
                    back.iter().zip(w.rows()).all(|(&a, row)| same_bits(
                        a,
                        dot_slices(row.as_slice().unwrap(), d_slice)
                    )),
                    "W d on {simd:?}, ({n}, {m})"
                );
                let mut updated = w.clone();
                rank_one_update_on(simd, &mut updated.view_mut(), alpha, &x.view(), &d.view());
                assert!(
                    updated
                        .iter()
                        .zip(&updated_by_hand)
                        .all(|(&a, &b)| same_bits(a, b)),
                    "W + α xᵀ d on {simd:?}, ({n}, {m})"
                );
            }
        }
    }

    #[test]
    fn every_simd_level_gives_the_same_bits_in_f64_and_f32() {
        every_level_gives_the_same_bits::<f64>();
        every_level_gives_the_same_bits::<f32>();
    }

    #[test]
    fn strided_operands_take_the_general_path() {
        let w = filled(8, 10, 0.3);
        let x = filled(2, 8, 0.7);
        let x_col = x.t(); // column 0 is strided
        let mut out = Array2::<f64>::zeros((5, 2));
        let mut out_col = out.column_mut(0);
        let w_odd = w.slice(s![.., ..;2]); // rows strided
        row_times_matrix(&x_col.column(0), &w_odd, &mut out_col);
        let expected = x.row(0).insert_axis(Axis(0)).dot(&w_odd);
        assert!(
            (&out.column(0) - &expected.row(0))
                .iter()
                .all(|e| e.abs() < 1e-14)
        );
        let mut back = Array2::<f64>::zeros((8, 2));
        let mut back_col = back.column_mut(1);
        let d = filled(5, 2, 0.9);
        matrix_times_row(&w_odd, &d.column(1), &mut back_col);
        assert!(
            (&back.column(1) - &w_odd.dot(&d.column(1)))
                .iter()
                .all(|e| e.abs() < 1e-14)
        );
    }

    #[test]
    #[should_panic(expected = "W must be")]
    fn a_row_of_the_wrong_length_panics() {
        let w = filled(6, 4, 0.5);
        let mut out = Array1::zeros(4);
        row_times_matrix(&Array1::zeros(5).view(), &w.view(), &mut out.view_mut());
    }
}
