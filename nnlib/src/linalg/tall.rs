//! `C ← α Xᵀ D + β C` when `X` and `D` share a long first axis: the weight
//! gradient of a whole data set, one outer product per sample,
//! `C[i, j] = α Σ_s X[s, i] D[s, j] + β C[i, j]`.
//!
//! In lesson 01, `X` holds 50,000 images of 3,072 pixels and `D = dZ` is
//! (50,000, 64): the product reads all of `X` (1.2 GB in f64) to make a
//! (3,072, 64) result. The general kernels of the `gemm` crate reach about 60 %
//! of the machine's peak on this shape (against 80 % on the forward product
//! `X W` of the same size); the kernel below reaches about 80 %, which makes
//! it faster than numpy's OpenBLAS here (`bench/RESULTS.md` has the figures).
//!
//! It is the classic blocked method of GotoBLAS and BLIS, written out, with
//! the result computed transposed, `Cᵀ = α Dᵀ X`, so that the wide operand
//! `X` supplies the vectors:
//!
//! 1. The samples are taken [`KC`] at a time. For each block, `D`'s rows are
//!    copied ("packed") into slivers of [`MR`] columns, so that the inner
//!    loop reads them in order from the core's cache.
//! 2. `X`'s rows of the block are packed [`MC`] columns at a time into
//!    panels of `NR` columns, one 64-byte line per sample (`X` is read row
//!    by row, as it lies in memory).
//! 3. The micro-kernel keeps an `MR × NR` tile of `Cᵀ` in vector registers
//!    and adds `KC` outer products to it, one multiply-add per entry and
//!    sample: `tile[j][i] += d[j] · x[i]`. It is plain Rust; compiled for
//!    AVX2 and FMA (chosen at run time when the processor has them) it
//!    becomes eight fused multiply-adds on 256-bit registers per sample.
//! 4. While a block of `X` is being multiplied, the next one is requested
//!    from memory (a prefetch), so the processor rarely waits for it.
//! 5. `Cᵀ`, kept in whole tiles, is added into `C` at the end.
//!
//! The rows of `C` (columns of `X`) are split between the threads.

use ndarray::{ArrayView2, ArrayViewMut2, Axis, s};
use rayon::prelude::*;

use crate::Scalar;

/// Columns of `D` in a micro-kernel tile: four broadcasts per sample.
/// (`NR`, the tile's columns of `X`, is two 256-bit vectors: 16 in f32, 8
/// in f64; with four rows, the tile and its operands fit in the sixteen
/// vector registers, where six rows or three vectors spill one.)
pub const MR: usize = 4;
/// Samples per block: a panel of `X` (`KC × NR`) and a sliver of `D`
/// (`KC × MR`) stay in the first-level cache together.
pub const KC: usize = 192;
/// Columns of `X` packed at a time: panels that stay in the second-level
/// cache while every sliver of `D` passes over them.
pub const MC: usize = 64;

/// Products whose shared axis has at least this many samples, whose result
/// has at least [`TALL_MIN_ROWS`] rows and [`TALL_MIN_COLS`] columns, run on
/// this kernel (see `linalg::product_into`); below that, `gemm`'s kernels,
/// which read small operands in place without packing, are as fast or faster.
pub const TALL_MIN_SAMPLES: usize = 1 << 14;
/// See [`TALL_MIN_SAMPLES`].
pub const TALL_MIN_ROWS: usize = 512;
/// See [`TALL_MIN_SAMPLES`].
pub const TALL_MIN_COLS: usize = 16;

/// Whether `C ← α Xᵀ D + β C` (in f32 or f64) should run here: `X` (k, m) and
/// `D` (k, n) with contiguous rows, `C` (m, n) in standard layout, and a
/// shape above the thresholds.
pub(crate) fn fits<T: Scalar>(x: &ArrayView2<T>, d: &ArrayView2<T>, c: &ArrayViewMut2<T>) -> bool {
    let (k, m) = x.dim();
    k >= TALL_MIN_SAMPLES
        && m >= TALL_MIN_ROWS
        && d.ncols() >= TALL_MIN_COLS
        && d.nrows() == k
        && c.dim() == (m, d.ncols())
        && x.strides()[1] == 1
        && d.strides()[1] == 1
        && c.is_standard_layout()
}

/// `C ← α Xᵀ D + β C` in f32 or f64, for operands that [`fits`] accepts.
pub(crate) fn xt_d_into<T: Scalar>(
    alpha: T,
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    if beta == T::zero() {
        c.fill(T::zero()); // C's old contents are ignored, NaN included
    } else if beta != T::one() {
        c.map_inplace(|v| *v *= beta);
    }
    // two vectors of 256 bits per tile row: 8 f64 or 16 f32 (NR)
    let fused = has_fma();
    match std::mem::size_of::<T>() {
        8 => split_rows::<T, 8>(fused, alpha, x, d, c),
        _ => split_rows::<T, 16>(fused, alpha, x, d, c),
    }
}

/// Gives each thread a band of `C`'s rows (a multiple of `NR`).
fn split_rows<T: Scalar, const NR: usize>(
    fused: bool,
    alpha: T,
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    c: &mut ArrayViewMut2<T>,
) {
    let m = x.ncols();
    let band = m.div_ceil(rayon::current_num_threads()).div_ceil(NR) * NR;
    let bands: Vec<_> = c.axis_chunks_iter_mut(Axis(0), band).enumerate().collect();
    bands.into_par_iter().for_each(|(i, mut c_band)| {
        let rows = c_band.nrows();
        let x_band = x.slice(s![.., i * band..i * band + rows]);
        accumulate::<T, NR>(fused, alpha, &x_band, d, &mut c_band);
    });
}

/// `C += α Xᵀ D` on one thread: steps 1 to 5 of the module documentation.
/// `fused` selects the AVX2 and FMA micro-kernel (only where [`has_fma`]).
fn accumulate<T: Scalar, const NR: usize>(
    fused: bool,
    alpha: T,
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    c: &mut ArrayViewMut2<T>,
) {
    let ((k, m), n) = (x.dim(), d.ncols());
    // Cᵀ, padded to whole tiles: the micro-kernel adds its tiles there
    let (rows, cols) = (n.div_ceil(MR) * MR, m.div_ceil(NR) * NR);
    let mut ct = vec![T::zero(); rows * cols];
    // a panel's length is padded by 128 bytes: panels 4 KiB apart would
    // fall into the same sets of the cache and evict one another
    let pad = 128 / std::mem::size_of::<T>();
    let (sliver, panel) = (KC * MR + pad, KC * NR + pad);
    let mut d_packed = vec![T::zero(); n.div_ceil(MR) * sliver];
    let mut x_packed = vec![T::zero(); MC / NR * panel];
    for k0 in (0..k).step_by(KC) {
        let kb = KC.min(k - k0);
        pack::<T, MR>(&d.slice(s![k0..k0 + kb, ..]), sliver, &mut d_packed);
        if alpha != T::one() {
            d_packed.iter_mut().for_each(|v| *v *= alpha); // α D, the smaller operand
        }
        for m0 in (0..m).step_by(MC) {
            let mb = MC.min(m - m0);
            pack::<T, NR>(&x.slice(s![k0..k0 + kb, m0..m0 + mb]), panel, &mut x_packed);
            let next = if m0 + mb < m {
                x.slice(s![k0..k0 + kb, m0 + mb..(m0 + mb + MC).min(m)])
            } else {
                x.slice(s![(k0 + kb).min(k)..(k0 + kb + KC).min(k), 0..MC.min(m)])
            };
            let panels = mb.div_ceil(NR);
            let mut prefetch = Prefetch::new(next, panels * n.div_ceil(MR));
            for (q, x_panel) in x_packed.chunks_exact(panel).take(panels).enumerate() {
                for (p, d_sliver) in d_packed.chunks_exact(sliver).enumerate() {
                    prefetch.some();
                    let at = p * MR * cols + m0 + q * NR;
                    tile::<T, NR>(fused, kb, d_sliver, x_panel, &mut ct[at..], cols);
                }
            }
        }
    }
    for (j, ct_row) in ct.chunks_exact(cols).take(n).enumerate() {
        for (cv, &t) in c.column_mut(j).iter_mut().zip(ct_row) {
            *cv += t;
        }
    }
}

/// Copies a block into panels of `W` columns, `stride` apart, row by row
/// (sample by sample): `packed[p·stride + s·W + j] = block[s, p·W + j]`,
/// zeros past the block's last column. `D` is packed into slivers of
/// [`MR`], `X` into panels of `NR`.
fn pack<T: Scalar, const W: usize>(block: &ArrayView2<T>, stride: usize, packed: &mut [T]) {
    for (s, row) in block.outer_iter().enumerate() {
        let row = row
            .to_slice()
            .expect("rows are contiguous: checked by fits()");
        let (whole, rest) = row.as_chunks::<W>();
        // sample s of panel p sits at p·stride + s·W: the panels, each
        // starting at sample s, are the chunks of `stride` from s·W on
        let mut panels = packed[s * W..].chunks_mut(stride);
        // `whole` first: zip stops at its end without taking a panel
        for (src, dst) in whole.iter().zip(panels.by_ref()) {
            dst[..W].copy_from_slice(src); // a copy of W values, vectorised
        }
        if !rest.is_empty()
            && let Some(dst) = panels.next()
        {
            dst[..rest.len()].copy_from_slice(rest);
            dst[rest.len()..W].fill(T::zero());
        }
    }
}

/// The micro-kernel: `C[i, j] += Σ_s a[s·MR + i] · b[s·NR + j]` over `kc`
/// samples, for an `MR × NR` tile of `C` whose rows are `ldc` apart.
#[inline(always)]
fn tile_kernel<T: Scalar, const NR: usize, const FUSED: bool>(
    kc: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
    ldc: usize,
) {
    let mut acc = [[T::zero(); NR]; MR];
    for (x, d) in a.chunks_exact(MR).zip(b.chunks_exact(NR)).take(kc) {
        for (acc_row, &xi) in acc.iter_mut().zip(x) {
            for (t, &dj) in acc_row.iter_mut().zip(d) {
                *t = if FUSED {
                    xi.mul_add(dj, *t)
                } else {
                    xi * dj + *t
                };
            }
        }
    }
    for (i, acc_row) in acc.iter().enumerate() {
        for (cv, &t) in c[i * ldc..i * ldc + NR].iter_mut().zip(acc_row) {
            *cv += t;
        }
    }
}

/// [`tile_kernel`] compiled for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn tile_kernel_avx2<T: Scalar, const NR: usize>(
    kc: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
    ldc: usize,
) {
    tile_kernel::<T, NR, true>(kc, a, b, c, ldc)
}

/// Runs the micro-kernel on the fastest path this processor has.
fn tile<T: Scalar, const NR: usize>(
    fused: bool,
    kc: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
    ldc: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if fused {
        // SAFETY: `fused` is true only when the processor has AVX2 and FMA
        // (`has_fma`), the features this function is compiled for.
        return unsafe { tile_kernel_avx2::<T, NR>(kc, a, b, c, ldc) };
    }
    let _ = fused;
    tile_kernel::<T, NR, false>(kc, a, b, c, ldc)
}

/// Whether the AVX2 and FMA micro-kernel can run on this processor.
fn has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Requests the cache lines of the next block of `X` a few rows at a time,
/// spread over the micro-kernel calls of the current block.
struct Prefetch {
    /// The first byte of the next row to request.
    row: *const i8,
    /// Bytes from one row to the next, and in each row's part of the block.
    stride: isize,
    bytes: usize,
    rows_left: usize,
    rows_per_call: usize,
}

impl Prefetch {
    fn new<T>(block: ArrayView2<'_, T>, calls: usize) -> Self {
        let size = std::mem::size_of::<T>();
        Prefetch {
            row: block.as_ptr().cast::<i8>(),
            stride: block.strides()[0] * size as isize,
            bytes: block.ncols() * size,
            rows_left: block.nrows(),
            rows_per_call: block.nrows().div_ceil(calls.max(1)),
        }
    }

    #[inline(always)]
    fn some(&mut self) {
        for _ in 0..self.rows_per_call.min(self.rows_left) {
            // every line from the one that holds the row's first byte to
            // the one that holds its last
            let offset = self.row.addr() & 63;
            let first = self.row.wrapping_sub(offset);
            for line in (0..offset + self.bytes).step_by(64) {
                prefetch_l2(first.wrapping_add(line));
            }
            self.row = self.row.wrapping_offset(self.stride);
            self.rows_left -= 1;
        }
    }
}

/// A hint to bring the cache line at `p` into the second-level cache; it
/// never faults, whatever the address.
#[inline(always)]
fn prefetch_l2(p: *const i8) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch does not access memory architecturally; any address
    // is allowed.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T1 }>(p)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn filled(rows: usize, cols: usize, seed: f64) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            ((i * 31 + j * 17) as f64 * seed).sin()
        })
    }

    /// `α Xᵀ D + β C` from the definition, one sum per entry.
    fn definition(
        alpha: f64,
        x: &Array2<f64>,
        d: &Array2<f64>,
        beta: f64,
        c: &Array2<f64>,
    ) -> Array2<f64> {
        Array2::from_shape_fn(c.dim(), |(i, j)| {
            alpha * (0..x.nrows()).map(|s| x[[s, i]] * d[[s, j]]).sum::<f64>() + beta * c[[i, j]]
        })
    }

    /// The largest difference; NaN if either side has one (`f64::max`
    /// would skip it).
    fn max_error(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        (a - b).iter().fold(0.0, |m: f64, &v| {
            if v.is_nan() || m.is_nan() {
                f64::NAN
            } else {
                m.max(v.abs())
            }
        })
    }

    /// Runs the kernel with both micro-kernels (where the processor has FMA)
    /// on one shape, in f64 and in f32, against the definition.
    fn check(k: usize, m: usize, n: usize) {
        let (x, d, c0) = (filled(k, m, 0.37), filled(k, n, 0.11), filled(m, n, 0.53));
        for (alpha, beta) in [(1.0, 0.0), (-0.5, 1.0), (2.0, 0.25)] {
            let expected = definition(alpha, &x, &d, beta, &c0);
            for fused in [false, has_fma()] {
                // C scaled by β beforehand, as `xt_d_into` does
                let mut c = c0.mapv(|v| v * beta);
                split_rows::<f64, 8>(fused, alpha, &x.view(), &d.view(), &mut c.view_mut());
                let err = max_error(&c, &expected);
                assert!(
                    err < 1e-11,
                    "f64 ({k}, {m}, {n}) α {alpha} β {beta} fused {fused}: max error {err}"
                );

                let (xf, df) = (x.mapv(|v| v as f32), d.mapv(|v| v as f32));
                let mut cf = c0.mapv(|v| v as f32 * beta as f32);
                split_rows::<f32, 16>(
                    fused,
                    alpha as f32,
                    &xf.view(),
                    &df.view(),
                    &mut cf.view_mut(),
                );
                let err = max_error(&cf.mapv(f64::from), &expected);
                assert!(
                    err < 2e-3 * k as f64 / 100.0,
                    "f32 ({k}, {m}, {n}): max error {err}"
                );
            }
        }
    }

    #[test]
    fn every_block_and_edge_matches_the_definition() {
        // samples over two blocks and a part; rows of C (columns of X) over
        // one block of MC, a part panel and two threads' bands; columns of C
        // (of D) over whole slivers and a part
        check(2 * KC + 5, MC + 7, 19);
        // fewer samples than a block, C smaller than one tile
        check(3, 4, 5);
        // exactly one block, whole tiles only
        check(KC, 16, 2 * MR);
    }

    #[test]
    fn beta_scales_and_zero_ignores_what_c_held() {
        let (x, d) = (filled(50, 30, 0.2), filled(50, 20, 0.9));
        let c0 = filled(30, 20, 0.4);
        let mut c = c0.clone();
        xt_d_into(1.0, &x.view(), &d.view(), 0.5, &mut c.view_mut());
        assert!(max_error(&c, &definition(1.0, &x, &d, 0.5, &c0)) < 1e-12);
        let mut c = Array2::from_elem((30, 20), f64::NAN);
        xt_d_into(1.0, &x.view(), &d.view(), 0.0, &mut c.view_mut());
        assert!(max_error(&c, &definition(1.0, &x, &d, 0.0, &c0)) < 1e-12);
    }

    #[test]
    fn the_product_path_takes_tall_transposed_products_only() {
        let (k, m, n) = (TALL_MIN_SAMPLES, TALL_MIN_ROWS, TALL_MIN_COLS);
        let x = Array2::<f32>::from_shape_fn((k, m), |(s, i)| ((s * 7 + i * 3) % 11) as f32 - 5.0);
        let d = Array2::<f32>::from_shape_fn((k, n), |(s, j)| ((s * 5 + j) % 7) as f32 - 3.0);
        let mut c = Array2::<f32>::zeros((m, n));
        assert!(fits(&x.view(), &d.view(), &c.view_mut()));
        // the same product through `matmul`, which dispatches here, and
        // through ndarray's own kernels; integer-valued, so both are exact
        let through_matmul = crate::linalg::matmul(&x.t(), &d.view()).unwrap();
        assert_eq!(through_matmul, x.t().dot(&d));
        // a sample short, a row short, a column short, or C transposed: not here
        assert!(!fits(
            &x.slice(s![1.., ..]),
            &d.slice(s![1.., ..]),
            &c.view_mut()
        ));
        let mut c_short = Array2::<f32>::zeros((m - 1, n));
        assert!(!fits(&x.slice(s![.., 1..]), &d.view(), &c_short.view_mut()));
        let mut c_narrow = Array2::<f32>::zeros((m, n - 1));
        assert!(!fits(
            &x.view(),
            &d.slice(s![.., 1..]),
            &c_narrow.view_mut()
        ));
        let mut c_t = Array2::<f32>::zeros((n, m));
        assert!(!fits(&x.view(), &d.view(), &c_t.view_mut().reversed_axes()));
        // X's rows strided (every other column): not here either
        let wide = Array2::<f32>::zeros((k, 2 * m));
        assert!(!fits(&wide.slice(s![.., ..;2]), &d.view(), &c.view_mut()));
    }
}
