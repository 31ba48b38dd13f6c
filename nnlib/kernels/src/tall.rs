//! Products with a tall operand `X`, whose rows are the samples of a whole
//! data set: the forward product `X W` and the weight gradient `Xᵀ D`.
//!
//! In lesson 01, `X` holds 50,000 images of 3,072 pixels (1.2 GB in f64), `W`
//! is (3,072, 64) and `D = dZ` is (50,000, 64). Each product reads all of `X`
//! to make a small result, and together they are nearly all of an epoch's
//! time. On the 2-core AMD EPYC with AVX-512 of `bench/RESULTS.md`, the
//! weight gradient below runs at 68-72 % (f64) and 69-73 % (f32) of the
//! machine's peak, about twice the speed of numpy's OpenBLAS. On AVX-512
//! the forward product goes to `gemm` ([`forward_beats_gemm`]), which was
//! the faster there on the Xeon where the route was measured (on the EPYC,
//! this kernel is the faster in f64 and `gemm` in f32; `bench/RESULTS.md`
//! has the figures of each machine).
//!
//! Both are the classic blocked method of GotoBLAS and BLIS, written out
//! around one micro-kernel (`tile_kernel`): it keeps a small tile of the
//! result in vector registers and adds one outer product per sample to it,
//! `tile[i][j] += a_i · b_j`, where `b` is a row of a packed panel of `NR`
//! values (two vector registers) and the `a_i` are single values, each
//! broadcast to a whole vector. It is plain Rust, compiled three times: for
//! AVX-512 (two 512-bit vectors: `NR` = 32 in f32, 16 in f64), for AVX2 and
//! FMA (two 256-bit vectors: 16 and 8) and without either; the widest the
//! processor has is chosen at run time ([`Simd::best`]). With AVX2 or
//! AVX-512, each sample becomes one fused multiply-add per pair of tile row
//! and vector.
//!
//! **The forward product** `C ← α X W + β C` (`x_w_into`):
//!
//! 1. `W` (small) is packed once into panels of `NR` columns, `α` folded in.
//! 2. The rows of `X` are handed to the threads [`FORWARD_BLOCK`] at a time.
//! 3. For each [`FORWARD_KC`] columns of `X` (samples of the sum), each
//!    group of [`FORWARD_MR`] rows is multiplied by every panel of `W` in
//!    turn. The micro-kernel broadcasts the group's values straight from
//!    `X`, as it lies in memory: no copy of the large operand is made, and
//!    the group's part of `X` stays in the first-level cache while the
//!    panels pass over it.
//! 4. The tiles are added into a block of the result kept in cache, which
//!    is written to `C` (`β C` added) once, at the end of the block.
//!
//! **The weight gradient** `C ← α Xᵀ D + β C` (`xt_d_into`) computes the
//! result transposed, `Cᵀ = α Dᵀ X`, so that the wide operand `X` supplies
//! the vectors:
//!
//! 1. The samples are taken [`KC`] at a time. For each block, `D`'s rows are
//!    copied ("packed") into slivers of `MR` columns ([`MR_AVX512`] with
//!    AVX-512, [`MR`] otherwise), so that the inner loop reads them in order
//!    from the core's cache.
//! 2. `X`'s rows of the block are packed [`MC`] columns at a time into
//!    panels of `NR` columns, one 64-byte line per sample (`X` is read row
//!    by row, as it lies in memory).
//! 3. The micro-kernel adds `KC` outer products to an `MR × NR` tile of `Cᵀ`.
//! 4. While a block of `X` is being multiplied, the next one is requested
//!    from memory (a prefetch), one cache line every few samples of the
//!    micro-kernel, so the processor rarely waits for it.
//! 5. `Cᵀ`, kept in whole tiles, is written to `C` (`β C` added) at the end.
//!
//! Its threads each take a band of `C`'s rows (columns of `X`).

use ndarray::{ArrayBase, ArrayView2, ArrayViewMut2, Axis, Ix2, RawData, s};
use rayon::prelude::*;

use crate::Element;

/// Rows of `X` in a forward tile: six broadcasts per sample, twelve vector
/// accumulators (`6 × NR`), which with the two vectors of `W` and the
/// broadcast value take fifteen of the sixteen vector registers.
pub const FORWARD_MR: usize = 6;
/// Samples of the sum (columns of `X`) per block of the forward product: a
/// group's part of `X` (`FORWARD_MR × FORWARD_KC`) stays in the first-level
/// cache, and `W`'s block (`FORWARD_KC × n`) in the second.
pub const FORWARD_KC: usize = 256;
/// Rows of `X` per task of the forward product (a multiple of
/// [`FORWARD_MR`]); the task's block of the result stays in cache.
pub const FORWARD_BLOCK: usize = 96;
/// The widest `W` the forward kernel takes: `W`'s block of [`FORWARD_KC`]
/// rows has to stay in the second-level cache (256 KiB in f64).
pub const FORWARD_MAX_COLS: usize = 128;

/// Columns of `D` in a weight-gradient tile with AVX2 or without SIMD: four
/// broadcasts per sample and eight vector accumulators (`4 × NR`) of the
/// sixteen registers. (`NR`, the tile's columns of `X`, is two vectors: see
/// [`Simd::width`].)
pub const MR: usize = 4;
/// The same with AVX-512, which has 32 vector registers: eight broadcasts
/// per sample and sixteen accumulators. Two fused multiply-add units of four
/// cycles' latency need at least eight independent sums in flight; with
/// eight, any wait for a load stalls them.
pub const MR_AVX512: usize = 8;
/// Samples per block: a panel of `X` (`KC × NR`) and a sliver of `D`
/// (`KC × MR`) stay in the first-level cache together. It also sets the
/// order of each entry's sum, and so its rounding: each block's `KC`
/// products are summed from zero in sample order, and the block sums added
/// in block order.
pub const KC: usize = 192;
/// Columns of `X` packed at a time (a multiple of every `NR`): panels that
/// stay in the second-level cache while every sliver of `D` passes over them.
pub const MC: usize = 64;

/// Products whose `X` has at least this many rows (samples) and
/// [`TALL_MIN_FEATURES`] columns, and whose small operand (`W` or `D`) has
/// at least [`TALL_MIN_COLS`] columns, run on these kernels (see
/// [`route`](crate::route)); below that, `gemm`'s kernels are as fast or
/// faster.
pub const TALL_MIN_SAMPLES: usize = 1 << 14;
/// See [`TALL_MIN_SAMPLES`].
pub const TALL_MIN_FEATURES: usize = 512;
/// See [`TALL_MIN_SAMPLES`].
pub const TALL_MIN_COLS: usize = 8;

/// The widest `W` for which the forward kernel is faster than `gemm` on a
/// processor with AVX-512. There `gemm`'s AVX-512 kernels win on lesson
/// 01's `X W` (64 columns: 29.5 against 21.3 GFLOP/s in f64, 58.1 against
/// 30.2 in f32, on a loaded 2-core Xeon with AVX-512), and the forward
/// kernel on lesson 04's ten columns (7.3 against 5.1-6.2 in f64, 10.6-11.3
/// against 8.9-9.3 in f32): this bound lies between the two measured widths.
pub const AVX512_FORWARD_MAX_COLS: usize = 16;

/// Whether the forward kernel is faster than `gemm` for a `W` of `cols`
/// columns on this processor: always without AVX-512 (where `gemm` has
/// AVX2 kernels at best), up to [`AVX512_FORWARD_MAX_COLS`] with it.
pub fn forward_beats_gemm(cols: usize) -> bool {
    Simd::best() != Simd::Avx512 || cols <= AVX512_FORWARD_MAX_COLS
}

/// Whether `C ← α X W + β C` (in f32 or f64) can run here: `X` (m, k) in
/// standard layout, `W` (k, n) and `C` (m, n) in any layout, and a shape
/// above the thresholds with `n` at most [`FORWARD_MAX_COLS`].
pub fn fits_x_w<T: Element, S: RawData<Elem = T>>(
    x: &ArrayView2<T>,
    w: &ArrayView2<T>,
    c: &ArrayBase<S, Ix2>,
) -> bool {
    let (m, k) = x.dim();
    m >= TALL_MIN_SAMPLES
        && k >= TALL_MIN_FEATURES
        && (TALL_MIN_COLS..=FORWARD_MAX_COLS).contains(&w.ncols())
        && x_w_layout(x, w, c)
}

/// The layouts the forward kernel reads and writes: `X` (m, k) in standard
/// layout (it is read in place); `W` (k, n) and `C` (m, n) in any layout
/// (`W` is copied into panels, `C` written once).
fn x_w_layout<T: Element, S: RawData<Elem = T>>(
    x: &ArrayView2<T>,
    w: &ArrayView2<T>,
    c: &ArrayBase<S, Ix2>,
) -> bool {
    w.nrows() == x.ncols() && c.dim() == (x.nrows(), w.ncols()) && x.is_standard_layout()
}

/// `C ← α X W + β C` in f32 or f64, for operands that [`fits_x_w`] accepts,
/// on the widest vectors the processor has ([`Simd::best`]).
///
/// # Panics
/// Unless the operands have the layouts [`fits_x_w`] asks for.
pub fn x_w_into<T: Element>(
    alpha: T,
    x: &ArrayView2<T>,
    w: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    x_w_into_with(
        Simd::best_for(w.ncols(), size_of::<T>()),
        alpha,
        x,
        w,
        beta,
        c,
    )
}

/// [`x_w_into`] on the micro-kernel for `simd`: steps 1 and 2 of the
/// forward product (module documentation).
///
/// # Panics
/// Unless the operands have the layouts [`fits_x_w`] asks for (any size)
/// and the processor has `simd`.
pub fn x_w_into_with<T: Element>(
    simd: Simd,
    alpha: T,
    x: &ArrayView2<T>,
    w: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    assert!(
        x_w_layout(x, w, c),
        "X W: the operands do not fit the tall kernel"
    );
    assert!(simd.is_detected(), "this processor has no {simd:?}");
    match (simd, std::mem::size_of::<T>()) {
        (Simd::Avx512, 8) => forward::<T, 16>(simd, alpha, x, w, beta, c),
        (Simd::Avx512, _) => forward::<T, 32>(simd, alpha, x, w, beta, c),
        (_, 8) => forward::<T, 8>(simd, alpha, x, w, beta, c),
        _ => forward::<T, 16>(simd, alpha, x, w, beta, c),
    }
}

/// [`x_w_into`] with `NR` columns per panel of `W`.
fn forward<T: Element, const NR: usize>(
    simd: Simd,
    alpha: T,
    x: &ArrayView2<T>,
    w: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    let (k, n) = w.dim();
    // panel p holds α W[s, p·NR + j] at p·k·NR + s·NR + j
    let mut w_packed = vec![T::zero(); n.div_ceil(NR) * k * NR];
    pack::<T, NR>(w, k * NR, &mut w_packed);
    if alpha != T::one() {
        w_packed.iter_mut().for_each(|v| *v *= alpha);
    }
    let x = x
        .as_slice()
        .expect("standard layout: checked by fits_x_w()");
    let blocks: Vec<_> = c
        .axis_chunks_iter_mut(Axis(0), FORWARD_BLOCK)
        .enumerate()
        .collect();
    blocks.into_par_iter().for_each(|(b, mut c_block)| {
        let rows = b * FORWARD_BLOCK..b * FORWARD_BLOCK + c_block.nrows();
        let x_block = &x[rows.start * k..rows.end * k];
        forward_block::<T, NR>(simd, x_block, &w_packed, beta, &mut c_block);
    });
}

/// Steps 3 and 4 of the forward product on one block of rows: `x_block`
/// holds the block's rows of `X` one after another, `w_packed` the panels of
/// `α W`, `C`'s block receives `α X W + β C`.
fn forward_block<T: Element, const NR: usize>(
    simd: Simd,
    x_block: &[T],
    w_packed: &[T],
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    let (rows, n) = c.dim();
    let k = x_block.len() / rows;
    let cols = n.div_ceil(NR) * NR;
    // the block's result in whole tiles, added into C at the end
    let mut result = vec![T::zero(); rows.div_ceil(FORWARD_MR) * FORWARD_MR * cols];
    // a last group of fewer than FORWARD_MR rows is multiplied from a copy
    // padded with rows of zeros
    let whole = rows / FORWARD_MR * FORWARD_MR;
    let mut last = Vec::new();
    if whole < rows {
        last = vec![T::zero(); FORWARD_MR * k];
        last[..(rows - whole) * k].copy_from_slice(&x_block[whole * k..]);
    }
    let groups: Vec<&[T]> = x_block[..whole * k]
        .chunks_exact(FORWARD_MR * k)
        .chain((whole < rows).then_some(&last[..]))
        .collect();
    for k0 in (0..k).step_by(FORWARD_KC) {
        let kb = FORWARD_KC.min(k - k0);
        for (g, x_group) in groups.iter().enumerate() {
            for (p, w_panel) in w_packed.chunks_exact(k * NR).enumerate() {
                let at = g * FORWARD_MR * cols + p * NR;
                tile::<T, FORWARD_MR, NR, false>(
                    simd,
                    kb,
                    &x_group[k0..],
                    (k, 1), // row i of the group, sample s: x_group[i·k + s]
                    &w_panel[k0 * NR..],
                    (&mut result[at..], cols),
                    &mut Prefetch::none(),
                );
            }
        }
    }
    for (mut c_row, r_row) in c.outer_iter_mut().zip(result.chunks_exact(cols)) {
        for (cv, &t) in c_row.iter_mut().zip(r_row) {
            *cv = plus_beta_c(beta, *cv, t);
        }
    }
}

/// Whether `C ← α Xᵀ D + β C` (in f32 or f64) can run here: `X` (k, m) with
/// contiguous rows, `D` (k, n) and `C` (m, n) in any layout, and a shape
/// above the thresholds.
pub fn fits_xt_d<T: Element, S: RawData<Elem = T>>(
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    c: &ArrayBase<S, Ix2>,
) -> bool {
    let (k, m) = x.dim();
    k >= TALL_MIN_SAMPLES
        && m >= TALL_MIN_FEATURES
        && d.ncols() >= TALL_MIN_COLS
        && xt_d_layout(x, d, c)
}

/// The layouts the weight-gradient kernel reads and writes: `X` (k, m) with
/// contiguous rows (packed row by row); `D` (k, n) and `C` (m, n) in any
/// layout (`D` is copied into slivers, `C` written once).
fn xt_d_layout<T: Element, S: RawData<Elem = T>>(
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    c: &ArrayBase<S, Ix2>,
) -> bool {
    d.nrows() == x.nrows() && c.dim() == (x.ncols(), d.ncols()) && x.strides()[1] == 1
}

/// `C ← α Xᵀ D + β C` in f32 or f64, for operands that [`fits_xt_d`]
/// accepts, on the widest vectors the processor has ([`Simd::best`]).
///
/// # Panics
/// Unless the operands have the layouts [`fits_xt_d`] asks for.
pub fn xt_d_into<T: Element>(
    alpha: T,
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    xt_d_into_with(Simd::best(), alpha, x, d, beta, c)
}

/// [`xt_d_into`] on the micro-kernel for `simd`.
///
/// # Panics
/// Unless the operands have the layouts [`fits_xt_d`] asks for (any size)
/// and the processor has `simd`.
pub fn xt_d_into_with<T: Element>(
    simd: Simd,
    alpha: T,
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    assert!(
        xt_d_layout(x, d, c),
        "Xᵀ D: the operands do not fit the tall kernel"
    );
    assert!(simd.is_detected(), "this processor has no {simd:?}");
    // two vectors per tile row (NR): 16 f64 or 32 f32 with AVX-512, 8 or 16
    // otherwise
    match (simd, std::mem::size_of::<T>()) {
        (Simd::Avx512, 8) => split_rows::<T, MR_AVX512, 16>(simd, alpha, x, d, beta, c),
        (Simd::Avx512, _) => split_rows::<T, MR_AVX512, 32>(simd, alpha, x, d, beta, c),
        (_, 8) => split_rows::<T, MR, 8>(simd, alpha, x, d, beta, c),
        _ => split_rows::<T, MR, 16>(simd, alpha, x, d, beta, c),
    }
}

/// Gives each thread a band of `C`'s rows (a multiple of `NR`).
fn split_rows<T: Element, const MR: usize, const NR: usize>(
    simd: Simd,
    alpha: T,
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    let m = x.ncols();
    let band = m.div_ceil(rayon::current_num_threads()).div_ceil(NR) * NR;
    let bands: Vec<_> = c.axis_chunks_iter_mut(Axis(0), band).enumerate().collect();
    bands.into_par_iter().for_each(|(i, mut c_band)| {
        let rows = c_band.nrows();
        let x_band = x.slice(s![.., i * band..i * band + rows]);
        accumulate::<T, MR, NR>(simd, alpha, &x_band, d, beta, &mut c_band);
    });
}

/// `C ← α Xᵀ D + β C` on one thread: steps 1 to 5 of the weight gradient
/// (module documentation), on tiles of `MR × NR`.
/// `simd` selects the micro-kernel.
fn accumulate<T: Element, const MR: usize, const NR: usize>(
    simd: Simd,
    alpha: T,
    x: &ArrayView2<T>,
    d: &ArrayView2<T>,
    beta: T,
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
        pack_with::<T, MR>(simd, &d.slice(s![k0..k0 + kb, ..]), sliver, &mut d_packed);
        if alpha != T::one() {
            d_packed.iter_mut().for_each(|v| *v *= alpha); // α D, the smaller operand
        }
        for m0 in (0..m).step_by(MC) {
            let mb = MC.min(m - m0);
            let x_block = x.slice(s![k0..k0 + kb, m0..m0 + mb]);
            pack_with::<T, NR>(simd, &x_block, panel, &mut x_packed);
            let next = if m0 + mb < m {
                x.slice(s![k0..k0 + kb, m0 + mb..(m0 + mb + MC).min(m)])
            } else {
                x.slice(s![(k0 + kb).min(k)..(k0 + kb + KC).min(k), 0..MC.min(m)])
            };
            let panels = mb.div_ceil(NR);
            let mut prefetch = Prefetch::new(next, panels * n.div_ceil(MR), kb);
            for (q, x_panel) in x_packed.chunks_exact(panel).take(panels).enumerate() {
                for (p, d_sliver) in d_packed.chunks_exact(sliver).enumerate() {
                    let at = p * MR * cols + m0 + q * NR;
                    tile::<T, MR, NR, true>(
                        simd,
                        kb,
                        d_sliver,
                        (1, MR), // column i of the sliver, sample s: d_sliver[s·MR + i]
                        x_panel,
                        (&mut ct[at..], cols),
                        &mut prefetch,
                    );
                }
            }
        }
    }
    for (j, ct_row) in ct.chunks_exact(cols).take(n).enumerate() {
        for (cv, &t) in c.column_mut(j).iter_mut().zip(ct_row) {
            *cv = plus_beta_c(beta, *cv, t);
        }
    }
}

/// `t + β c`, the value a result entry `c` takes once its product `t` is
/// computed; with β = 0 what `c` held is ignored, NaN included (as in BLAS).
fn plus_beta_c<T: Element>(beta: T, c: T, t: T) -> T {
    if beta == T::zero() { t } else { t + beta * c }
}

/// Copies a block into panels of `W` columns, `stride` apart, row by row
/// (sample by sample): `packed[p·stride + s·W + j] = block[s, p·W + j]`,
/// zeros past the block's last column. `D` is packed into slivers of
/// `MR`, `X` into panels of `NR`, and so is `W` in the forward product.
#[inline(always)]
fn pack<T: Element, const W: usize>(block: &ArrayView2<T>, stride: usize, packed: &mut [T]) {
    for (s, row) in block.outer_iter().enumerate() {
        // sample s of panel p sits at p·stride + s·W: the panels, each
        // starting at sample s, are the chunks of `stride` from s·W on
        let mut panels = packed[s * W..].chunks_mut(stride);
        let Some(row) = row.to_slice() else {
            // a strided row (a small operand read transposed): value by value
            let cols = row.len();
            for (p, dst) in panels.take(cols.div_ceil(W)).enumerate() {
                for (j, d) in dst[..W].iter_mut().enumerate() {
                    *d = if p * W + j < cols {
                        row[p * W + j]
                    } else {
                        T::zero()
                    };
                }
            }
            continue;
        };
        let (whole, rest) = row.as_chunks::<W>();
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

/// [`pack`] compiled for AVX2: copies of 256-bit vectors.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pack_avx2<T: Element, const W: usize>(block: &ArrayView2<T>, stride: usize, packed: &mut [T]) {
    pack::<T, W>(block, stride, packed)
}

/// [`pack`] compiled for AVX-512: copies of 512-bit vectors, four times
/// fewer than the baseline's 128-bit ones.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn pack_avx512<T: Element, const W: usize>(block: &ArrayView2<T>, stride: usize, packed: &mut [T]) {
    pack::<T, W>(block, stride, packed)
}

/// Runs [`pack`] compiled for `simd`.
fn pack_with<T: Element, const W: usize>(
    simd: Simd,
    block: &ArrayView2<T>,
    stride: usize,
    packed: &mut [T],
) {
    match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a `Simd` other than `Plain` reaches here only when the
        // processor has its features (`xt_d_into_with` asserts
        // `is_detected`), the features these functions are compiled for.
        Simd::Avx512 => unsafe { pack_avx512::<T, W>(block, stride, packed) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Simd::Avx2 => unsafe { pack_avx2::<T, W>(block, stride, packed) },
        _ => pack::<T, W>(block, stride, packed),
    }
}

/// The micro-kernel: `C[i, j] += Σ_s a[i·a_row + s·a_sample] · b[s·NR + j]`
/// over `kc` samples, for an `MR × NR` tile of `C` whose rows are `ldc`
/// apart. `(a_row, a_sample)` let `a` be a packed sliver (`(1, MR)`) or rows
/// of a matrix read in place (`(row length, 1)`). With `PREFETCH`,
/// `prefetch` requests the lines of the next block of `X` on the way (the
/// forward product, which reads `X` in place, compiles without the test).
///
/// # Panics
/// If `a` is too short for the tile's last value, `b` for `kc` samples or
/// `c` for the tile.
#[inline(always)]
fn tile_kernel<
    T: Element,
    const MR: usize,
    const NR: usize,
    const FUSED: bool,
    const PREFETCH: bool,
>(
    kc: usize,
    a: &[T],
    (a_row, a_sample): (usize, usize),
    b: &[T],
    (c, ldc): (&mut [T], usize),
    prefetch: &mut Prefetch,
) {
    let mut acc = [[T::zero(); NR]; MR];
    if kc > 0 {
        assert!((MR - 1) * a_row + (kc - 1) * a_sample < a.len() && kc * NR <= b.len());
    }
    for (s, b_row) in b[..kc * NR].chunks_exact(NR).enumerate() {
        if PREFETCH {
            prefetch.at_sample(s);
        }
        for (i, acc_row) in acc.iter_mut().enumerate() {
            // SAFETY: i < MR and s < kc, so the index is at most the one
            // asserted to be inside `a` above.
            let ai = *unsafe { a.get_unchecked(i * a_row + s * a_sample) };
            for (t, &bj) in acc_row.iter_mut().zip(b_row) {
                *t = if FUSED {
                    ai.mul_add(bj, *t)
                } else {
                    ai * bj + *t
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
fn tile_kernel_avx2<T: Element, const MR: usize, const NR: usize, const PREFETCH: bool>(
    kc: usize,
    a: &[T],
    a_steps: (usize, usize),
    b: &[T],
    (c, ldc): (&mut [T], usize),
    prefetch: &mut Prefetch,
) {
    tile_kernel::<T, MR, NR, true, PREFETCH>(kc, a, a_steps, b, (c, ldc), prefetch)
}

/// [`tile_kernel`] compiled for AVX-512 (and FMA).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn tile_kernel_avx512<T: Element, const MR: usize, const NR: usize, const PREFETCH: bool>(
    kc: usize,
    a: &[T],
    a_steps: (usize, usize),
    b: &[T],
    (c, ldc): (&mut [T], usize),
    prefetch: &mut Prefetch,
) {
    tile_kernel::<T, MR, NR, true, PREFETCH>(kc, a, a_steps, b, (c, ldc), prefetch)
}

/// Runs the micro-kernel compiled for `simd`.
fn tile<T: Element, const MR: usize, const NR: usize, const PREFETCH: bool>(
    simd: Simd,
    kc: usize,
    a: &[T],
    a_steps: (usize, usize),
    b: &[T],
    (c, ldc): (&mut [T], usize),
    prefetch: &mut Prefetch,
) {
    match simd {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a `Simd` other than `Plain` reaches here only when the
        // processor has its features (`x_w_into_with` and `xt_d_into_with`
        // assert `is_detected`), the features these functions are compiled for.
        Simd::Avx512 => unsafe {
            tile_kernel_avx512::<T, MR, NR, PREFETCH>(kc, a, a_steps, b, (c, ldc), prefetch)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Simd::Avx2 => unsafe {
            tile_kernel_avx2::<T, MR, NR, PREFETCH>(kc, a, a_steps, b, (c, ldc), prefetch)
        },
        _ => tile_kernel::<T, MR, NR, false, PREFETCH>(kc, a, a_steps, b, (c, ldc), prefetch),
    }
}

/// The vector instructions a micro-kernel is compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simd {
    /// No particular instructions: whatever the compiler's target allows.
    Plain,
    /// AVX2 and FMA (x86-64): 256-bit vectors, fused multiply-add.
    Avx2,
    /// AVX-512 (x86-64): 512-bit vectors, fused multiply-add.
    Avx512,
}

impl Simd {
    /// Every level this processor runs, narrowest first.
    pub fn detected() -> Vec<Simd> {
        [Simd::Plain, Simd::Avx2, Simd::Avx512]
            .into_iter()
            .filter(|s| s.is_detected())
            .collect()
    }

    /// The widest level this processor runs, detected on the first call.
    pub fn best() -> Simd {
        static BEST: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
        *BEST.get_or_init(|| *Simd::detected().last().unwrap_or(&Simd::Plain))
    }

    /// The widest level this processor runs whose tile row (`NR` values,
    /// [`Simd::width`]) is not more than twice `cols`, the columns of the
    /// small operand: a narrow `W` (lesson 04's ten columns) fills half of an
    /// AVX2 tile row but under a third of an AVX-512 one (in f32).
    pub fn best_for(cols: usize, bytes: usize) -> Simd {
        let detected = Simd::detected();
        let fits = detected.iter().rev().find(|s| s.width(bytes) <= 2 * cols);
        *fits.or(detected.first()).unwrap_or(&Simd::Plain)
    }

    /// Whether this processor runs the level's instructions (detected at run
    /// time, so one build runs on every x86-64 processor).
    pub fn is_detected(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                Simd::Plain => true,
                Simd::Avx2 => has!("avx2") && has!("fma"),
                Simd::Avx512 => has!("avx512f") && has!("avx2") && has!("fma"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Simd::Plain
        }
    }

    /// `NR`, the values of a tile row (two vectors) for elements of `bytes`
    /// bytes: 64 bytes (two 256-bit vectors), 128 with AVX-512.
    pub fn width(self, bytes: usize) -> usize {
        match self {
            Simd::Avx512 => 128 / bytes,
            _ => 64 / bytes,
        }
    }
}

/// Requests the cache lines of the next block of `X`, one line every few
/// samples of the micro-kernel: requests in bursts would take every
/// line-fill buffer of the core for the time a line takes to come from
/// memory, and stall the micro-kernel's own loads meanwhile.
struct Prefetch {
    /// The next line to request, and the end of its row's part of the block.
    line: *const i8,
    row_end: *const i8,
    /// The first byte of the current row's part of the block.
    row: *const i8,
    /// Bytes from one row to the next, and in each row's part of the block.
    stride: isize,
    bytes: usize,
    rows_left: usize,
    /// A line is requested at the samples `s` with `s & mask == 0`.
    mask: usize,
}

impl Prefetch {
    /// Spreads the lines of `block` over `calls` micro-kernel calls of
    /// `samples` samples each.
    fn new<T>(block: ArrayView2<'_, T>, calls: usize, samples: usize) -> Self {
        let size = std::mem::size_of::<T>();
        let row = block.as_ptr().cast::<i8>();
        let bytes = block.ncols() * size;
        let lines = block.nrows() * (bytes.div_ceil(64) + 1);
        // the widest power-of-two spacing that still requests every line
        let spacing = (calls * samples / lines.max(1)).max(1);
        let mask = (1 << spacing.ilog2()) - 1;
        let mut p = Prefetch {
            line: row,
            row_end: row,
            row,
            stride: block.strides()[0] * size as isize,
            bytes,
            rows_left: block.nrows(),
            mask,
        };
        p.start_row();
        p
    }

    /// Nothing to request (the forward product reads its rows in place).
    fn none() -> Self {
        Prefetch {
            line: std::ptr::null(),
            row_end: std::ptr::null(),
            row: std::ptr::null(),
            stride: 0,
            bytes: 0,
            rows_left: 0,
            mask: usize::MAX,
        }
    }

    /// From the line that holds the current row's first byte to the one
    /// that holds its last.
    #[inline(always)]
    fn start_row(&mut self) {
        self.line = self.row.wrapping_sub(self.row.addr() & 63);
        self.row_end = self.row.wrapping_add(self.bytes);
    }

    /// Requests the next line if sample `s` is one of those that do: a
    /// single test on the micro-kernel's other samples.
    #[inline(always)]
    fn at_sample(&mut self, s: usize) {
        if s & self.mask == 0 {
            self.next_line();
        }
    }

    /// Requests the next line, if any is left.
    #[inline(always)]
    fn next_line(&mut self) {
        if self.rows_left == 0 {
            return;
        }
        prefetch(self.line, Cache::Second);
        self.line = self.line.wrapping_add(64);
        if self.line >= self.row_end {
            self.row = self.row.wrapping_offset(self.stride);
            self.rows_left -= 1;
            self.start_row();
            if self.rows_left == 0 {
                // done: only the first sample of each call tests again
                self.mask = usize::MAX;
            }
        }
    }
}

/// The cache a [`prefetch`] brings a line into.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Cache {
    First,
    Second,
}

/// A hint to bring the cache line at `p` into `cache`; it never faults,
/// whatever the address.
#[inline(always)]
pub(crate) fn prefetch(p: *const i8, cache: Cache) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _MM_HINT_T1, _mm_prefetch};
        // SAFETY: a prefetch does not access memory architecturally; any
        // address is allowed.
        unsafe {
            match cache {
                Cache::First => _mm_prefetch::<_MM_HINT_T0>(p),
                Cache::Second => _mm_prefetch::<_MM_HINT_T1>(p),
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (p, cache);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{self, filled, max_error};
    use ndarray::Array2;

    /// `A B` through the crate's dispatch.
    fn product(a: &ArrayView2<f32>, b: &ArrayView2<f32>) -> Array2<f32> {
        let mut c = Array2::zeros((a.nrows(), b.ncols()));
        crate::product_into(1.0, a, b, 0.0, &mut c.view_mut());
        c
    }

    /// `α Xᵀ D + β C` from the definition.
    fn definition(
        alpha: f64,
        x: &Array2<f64>,
        d: &Array2<f64>,
        beta: f64,
        c: &Array2<f64>,
    ) -> Array2<f64> {
        test_support::definition(alpha, &x.t(), &d.view(), beta, c)
    }

    /// C before a product: NaN everywhere when β = 0, which must be ignored.
    fn start(c0: &Array2<f64>, beta: f64) -> Array2<f64> {
        if beta == 0.0 {
            c0.mapv(|_| f64::NAN)
        } else {
            c0.clone()
        }
    }

    /// Runs the weight-gradient kernel with every micro-kernel the processor
    /// runs (plain, AVX2, AVX-512) on one shape, in f64 and in f32, and with
    /// `D` and `C` transposed, against the definition.
    fn check(k: usize, m: usize, n: usize) {
        let (x, d, c0) = (filled(k, m, 0.37), filled(k, n, 0.11), filled(m, n, 0.53));
        for (alpha, beta) in [(1.0, 0.0), (-0.5, 1.0), (2.0, 0.25)] {
            let expected = definition(alpha, &x, &d, beta, &c0);
            for simd in Simd::detected() {
                let mut c = start(&c0, beta);
                xt_d_into_with(simd, alpha, &x.view(), &d.view(), beta, &mut c.view_mut());
                let err = max_error(&c, &expected);
                assert!(
                    err < 1e-11,
                    "f64 ({k}, {m}, {n}) α {alpha} β {beta} {simd:?}: max error {err}"
                );

                let (xf, df) = (x.mapv(|v| v as f32), d.mapv(|v| v as f32));
                let mut cf = start(&c0, beta).mapv(|v| v as f32);
                xt_d_into_with(
                    simd,
                    alpha as f32,
                    &xf.view(),
                    &df.view(),
                    beta as f32,
                    &mut cf.view_mut(),
                );
                let err = max_error(&cf.mapv(f64::from), &expected);
                assert!(
                    err < 2e-3 * k as f64 / 100.0,
                    "f32 ({k}, {m}, {n}): max error {err}"
                );

                // D and C through transposed views
                let d_t = d.t().as_standard_layout().into_owned();
                let mut c_t = start(&c0, beta).t().as_standard_layout().into_owned();
                xt_d_into_with(
                    simd,
                    alpha,
                    &x.view(),
                    &d_t.t(),
                    beta,
                    &mut c_t.view_mut().reversed_axes(),
                );
                let err = max_error(&c_t.t().to_owned(), &expected);
                assert!(
                    err < 1e-11,
                    "f64 ({k}, {m}, {n}) Dᵀ, Cᵀ α {alpha} β {beta} {simd:?}: max error {err}"
                );
            }
        }
    }

    /// The same for the forward kernel: `α X W + β C` with `X` (m, k) and `W`
    /// (k, n), against the definition (`X W = (Xᵀ)ᵀ W`).
    fn check_forward(m: usize, k: usize, n: usize) {
        let (x, w, c0) = (filled(m, k, 0.37), filled(k, n, 0.11), filled(m, n, 0.53));
        let x_t = x.t().to_owned();
        for (alpha, beta) in [(1.0, 0.0), (-0.5, 1.0), (2.0, 0.25)] {
            let expected = definition(alpha, &x_t, &w, beta, &c0);
            for simd in Simd::detected() {
                let mut c = start(&c0, beta);
                x_w_into_with(simd, alpha, &x.view(), &w.view(), beta, &mut c.view_mut());
                let err = max_error(&c, &expected);
                assert!(
                    err < 1e-11,
                    "f64 ({m}, {k}, {n}) α {alpha} β {beta} {simd:?}: max error {err}"
                );

                let (xf, wf) = (x.mapv(|v| v as f32), w.mapv(|v| v as f32));
                let mut cf = start(&c0, beta).mapv(|v| v as f32);
                x_w_into_with(
                    simd,
                    alpha as f32,
                    &xf.view(),
                    &wf.view(),
                    beta as f32,
                    &mut cf.view_mut(),
                );
                let err = max_error(&cf.mapv(f64::from), &expected);
                assert!(
                    err < 2e-3 * k as f64 / 100.0,
                    "f32 ({m}, {k}, {n}) α {alpha} β {beta} {simd:?}: max error {err}"
                );

                // W and C read and written through transposed views (W
                // packed value by value, C written with strides)
                let w_t = w.t().as_standard_layout().into_owned();
                let mut c_t = start(&c0, beta).t().as_standard_layout().into_owned();
                x_w_into_with(
                    simd,
                    alpha,
                    &x.view(),
                    &w_t.t(),
                    beta,
                    &mut c_t.view_mut().reversed_axes(),
                );
                let err = max_error(&c_t.t().to_owned(), &expected);
                assert!(
                    err < 1e-11,
                    "f64 ({m}, {k}, {n}) Wᵀ, Cᵀ α {alpha} β {beta} {simd:?}: max error {err}"
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
        check(KC, 32, 2 * MR_AVX512);
    }

    /// `α Xᵀ D + β C` summed in the order the weight-gradient kernel sums,
    /// one entry at a time: the samples in blocks of [`KC`] from the first,
    /// each block summed from zero in sample order, one step per sample
    /// (`acc ← (α D[s, j]) · X[s, i] + acc`, a fused multiply-add when
    /// `fused`, a product then a sum otherwise, with `α D[s, j]` rounded
    /// first when `α ≠ 1`); the block sums added in block order to a total
    /// that starts at zero; then `β C` added (`C` ignored when `β = 0`).
    fn in_kernel_order<T: Element>(
        fused: bool,
        alpha: T,
        x: &Array2<T>,
        d: &Array2<T>,
        beta: T,
        c: &Array2<T>,
    ) -> Array2<T> {
        let (k, m) = x.dim();
        let alpha_d = if alpha == T::one() {
            d.clone()
        } else {
            d.mapv(|v| alpha * v)
        };
        let mut total = Array2::<T>::zeros((m, d.ncols()));
        let mut block_sum = vec![T::zero(); m];
        for j in 0..d.ncols() {
            for k0 in (0..k).step_by(KC) {
                block_sum.fill(T::zero());
                for s in k0..(k0 + KC).min(k) {
                    let a = alpha_d[[s, j]];
                    for (acc, &xv) in block_sum.iter_mut().zip(x.row(s)) {
                        *acc = if fused {
                            a.mul_add(xv, *acc)
                        } else {
                            a * xv + *acc
                        };
                    }
                }
                for (t, &b) in total.column_mut(j).iter_mut().zip(&block_sum) {
                    *t += b;
                }
            }
        }
        total.zip_mut_with(c, |t, &cv| *t = plus_beta_c(beta, cv, *t));
        total
    }

    /// The values' bits, in f64 (exact for f32), `-0` and `+0` apart.
    fn bits<T: Element>(a: &Array2<T>) -> Vec<u64> {
        a.iter().map(|v| v.to_f64().unwrap().to_bits()).collect()
    }

    /// Runs the weight-gradient kernel on every SIMD level the processor
    /// runs, in `T`, with each `(α, β)` of `scalars`, and checks that each
    /// entry is bit for bit the sum [`in_kernel_order`] computes: the
    /// kernel's blocking over `C` (tiles, panels, threads' bands) changes no
    /// rounding.
    fn check_order<T: Element>(k: usize, m: usize, n: usize, scalars: &[(f64, f64)]) {
        let cast = |a: Array2<f64>| a.mapv(|v| T::from(v).unwrap());
        let (x, d, c0) = (
            cast(filled(k, m, 0.37)),
            cast(filled(k, n, 0.11)),
            cast(filled(m, n, 0.53)),
        );
        let to_t = |v: f64| T::from(v).unwrap();
        for &(a, b) in scalars {
            let (alpha, beta) = (to_t(a), to_t(b));
            // with FMA (AVX2, AVX-512) and without (plain)
            let mut expected = [None, None];
            for simd in Simd::detected() {
                let fused = simd != Simd::Plain;
                let expected = expected[usize::from(fused)]
                    .get_or_insert_with(|| in_kernel_order(fused, alpha, &x, &d, beta, &c0));
                let mut c = c0.clone();
                xt_d_into_with(simd, alpha, &x.view(), &d.view(), beta, &mut c.view_mut());
                assert!(
                    bits(&c) == bits(expected),
                    "f{} ({k}, {m}, {n}) α {a} β {b} {simd:?}: {} entries differ",
                    8 * size_of::<T>(),
                    bits(&c)
                        .iter()
                        .zip(bits(expected))
                        .filter(|(a, b)| **a != *b)
                        .count()
                );
            }
        }
    }

    #[test]
    fn every_entry_is_summed_in_the_documented_order() {
        // samples over three blocks and a part; columns of X over two MC
        // blocks, a part panel and both threads' bands; columns of D over
        // lesson 01's 64, and over whole slivers and a part
        let scalars = [(1.0, 0.0), (0.3, 0.0), (-0.7, 0.25)];
        for n in [64, 19] {
            check_order::<f64>(3 * KC + 17, 2 * MC + 43, n, &scalars);
            check_order::<f32>(3 * KC + 17, 2 * MC + 43, n, &scalars);
        }
        // lesson 01's 50,000 samples (260 blocks and a part) on a few
        // columns of X: the sum's blocks do not depend on m or n
        check_order::<f64>(50_000, 37, 64, &scalars);
        check_order::<f32>(50_000, 37, 64, &scalars);
    }

    /// Lesson 01's weight gradient at full size (3072 × 50000 · 50000 × 64),
    /// with an `α` other than 1 (as the lessons' 1/m), so that `α D` is
    /// rounded.
    #[test]
    #[ignore = "minutes: each reference sums 9.8 billion products one by one"]
    fn lesson_01_entries_are_summed_in_the_documented_order() {
        check_order::<f64>(50_000, 3072, 64, &[(0.3, 0.0)]);
        check_order::<f32>(50_000, 3072, 64, &[(0.3, 0.0)]);
    }

    #[test]
    fn every_forward_block_and_edge_matches_the_definition() {
        // rows over two tasks and a part, whose last group is short; samples
        // over two blocks and a part; columns over whole panels and a part
        check_forward(2 * FORWARD_BLOCK + FORWARD_MR + 1, 2 * FORWARD_KC + 5, 19);
        // fewer rows than a group, fewer samples than a block, one column
        check_forward(2, 3, 1);
        // whole groups, blocks and panels only
        check_forward(FORWARD_BLOCK, FORWARD_KC, 16);
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
        let (k, m, n) = (TALL_MIN_SAMPLES, TALL_MIN_FEATURES, TALL_MIN_COLS);
        let x = Array2::<f32>::from_shape_fn((k, m), |(s, i)| ((s * 7 + i * 3) % 11) as f32 - 5.0);
        let d = Array2::<f32>::from_shape_fn((k, n), |(s, j)| ((s * 5 + j) % 7) as f32 - 3.0);
        let mut c = Array2::<f32>::zeros((m, n));
        assert!(fits_xt_d(&x.view(), &d.view(), &c.view_mut()));
        // the same product through `matmul`, which dispatches here, and
        // through ndarray's own kernels; integer-valued, so both are exact
        let through_matmul = product(&x.t(), &d.view());
        assert_eq!(through_matmul, x.t().dot(&d));
        // a sample short, a row short, a column short: not here
        assert!(!fits_xt_d(
            &x.slice(s![1.., ..]),
            &d.slice(s![1.., ..]),
            &c.view_mut()
        ));
        let mut c_short = Array2::<f32>::zeros((m - 1, n));
        assert!(!fits_xt_d(
            &x.slice(s![.., 1..]),
            &d.view(),
            &c_short.view_mut()
        ));
        let mut c_narrow = Array2::<f32>::zeros((m, n - 1));
        assert!(!fits_xt_d(
            &x.view(),
            &d.slice(s![.., 1..]),
            &c_narrow.view_mut()
        ));
        // D and C in any layout: here, both transposed views
        let d_t = d.t().as_standard_layout().into_owned();
        let mut c_t = Array2::<f32>::zeros((n, m));
        assert!(fits_xt_d(
            &x.view(),
            &d_t.t(),
            &c_t.view_mut().reversed_axes()
        ));
        xt_d_into(
            1.0,
            &x.view(),
            &d_t.t(),
            0.0,
            &mut c_t.view_mut().reversed_axes(),
        );
        assert_eq!(c_t.t(), x.t().dot(&d));
        // X's rows strided (every other column): not here either
        let wide = Array2::<f32>::zeros((k, 2 * m));
        assert!(!fits_xt_d(
            &wide.slice(s![.., ..;2]),
            &d.view(),
            &c.view_mut()
        ));
    }

    #[test]
    fn the_product_path_takes_tall_times_narrow_products_only() {
        let (m, k, n) = (TALL_MIN_SAMPLES, TALL_MIN_FEATURES, TALL_MIN_COLS);
        let x = Array2::<f32>::from_shape_fn((m, k), |(s, i)| ((s * 7 + i * 3) % 11) as f32 - 5.0);
        let w = Array2::<f32>::from_shape_fn((k, FORWARD_MAX_COLS + 1), |(i, j)| {
            ((i * 5 + j) % 7) as f32 - 3.0
        });
        let (w_narrowest, w_widest) = (w.slice(s![.., ..n]), w.slice(s![.., ..FORWARD_MAX_COLS]));
        let mut c = Array2::<f32>::zeros((m, n));
        assert!(fits_x_w(&x.view(), &w_narrowest, &c.view_mut()));
        let mut c_wide = Array2::<f32>::zeros((m, FORWARD_MAX_COLS));
        assert!(fits_x_w(&x.view(), &w_widest, &c_wide.view_mut()));
        // through `matmul`, which dispatches here, and through ndarray's own
        // kernels; integer-valued, so both are exact
        let through_matmul = product(&x.view(), &w_widest);
        assert_eq!(through_matmul, x.dot(&w_widest));
        // a row short, a feature short, W a column too narrow or too wide
        let mut c_short = Array2::<f32>::zeros((m - 1, n));
        assert!(!fits_x_w(
            &x.slice(s![1.., ..]),
            &w_narrowest,
            &c_short.view_mut()
        ));
        assert!(!fits_x_w(
            &x.slice(s![.., 1..]),
            &w_narrowest.slice(s![1.., ..]),
            &c.view_mut()
        ));
        let mut c_narrow = Array2::<f32>::zeros((m, n - 1));
        assert!(!fits_x_w(
            &x.view(),
            &w.slice(s![.., ..n - 1]),
            &c_narrow.view_mut()
        ));
        let mut c_too_wide = Array2::<f32>::zeros((m, FORWARD_MAX_COLS + 1));
        assert!(!fits_x_w(&x.view(), &w.view(), &c_too_wide.view_mut()));
        // X's rows apart in memory (a slice of its columns): not here
        let wide = Array2::<f32>::zeros((m, 2 * k));
        assert!(!fits_x_w(
            &wide.slice(s![.., ..k]),
            &w_narrowest,
            &c.view_mut()
        ));
        // W and C in any layout: here, both transposed views (lesson 04's
        // W₁ X computed as (Xᵀ W₁ᵀ)ᵀ), on every SIMD level
        let w_t = w_narrowest.t().as_standard_layout().into_owned();
        let mut c_t = Array2::<f32>::from_elem((n, m), f32::NAN);
        assert!(fits_x_w(
            &x.view(),
            &w_t.t(),
            &c_t.view_mut().reversed_axes()
        ));
        for simd in Simd::detected() {
            x_w_into_with(
                simd,
                1.0,
                &x.view(),
                &w_t.t(),
                0.0,
                &mut c_t.view_mut().reversed_axes(),
            );
            assert_eq!(c_t.t(), x.dot(&w_narrowest), "{simd:?}");
        }
    }
}
