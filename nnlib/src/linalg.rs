//! The matrix product, with shapes checked before anything is computed.
//!
//! `ndarray`'s `dot` panics on a shape mismatch. In a notebook a panic loses
//! the cell's variables, and its message does not say how to fix the mistake,
//! so the lessons multiply through [`matmul`], which returns an
//! [`Error::Shape`] naming both operands, both shapes, the dimensions that
//! differ and, where a transpose would fit, that transpose.
//!
//! ## Which kernels compute the product
//!
//! The product is computed in the crate [`nnlib_kernels`] (folder
//! `nnlib/kernels`), which holds the fast paths apart from the library's
//! teaching code: the pure-Rust [`gemm`](https://docs.rs/gemm) kernels
//! (AVX-512, AVX2 or NEON, chosen at run time) or, with the cargo feature
//! `openblas`, the system OpenBLAS; blocked kernels of its own for the
//! products of a full batch with tens of thousands of rows, `X W` and
//! `Xᵀ dZ` (lesson 01); and `ndarray`'s kernels for small products, where
//! starting threads costs more than it saves. [`nnlib_kernels::route`] says
//! which kernel a product runs on, [`backend`] names the path compiled in.
//!
//! The per-sample loops of lessons 02 and 05 multiply one row by a matrix
//! thousands of times; [`row_times_matrix_into`], [`matrix_times_row_into`]
//! and [`rank_one_update`] do those steps without allocating, and skip the
//! zero entries of the input row (most pixels of an MNIST digit are 0).

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2};

pub use nnlib_kernels::{
    LARGE_PRODUCT, PARALLEL_ELEMENTWISE, THREADED_PRODUCT, THREADED_PRODUCT_OUTSIDE_POOL, backend,
    split_over_cores,
};

use crate::{Error, Result, Scalar};

/// `C = A · B`, where `C[i, j] = Σ_k A[i, k] B[k, j]`.
///
/// `A` is (n, k), `B` must be (k, m); the result is (n, m).
/// See the [module documentation](self) for the kernels that compute it.
///
/// # Errors
/// [`Error::Shape`] when the inner dimensions differ.
pub fn matmul<T: Scalar>(a: &ArrayView2<T>, b: &ArrayView2<T>) -> Result<Array2<T>> {
    matmul_named("A", a, "B", b)
}

/// [`matmul`] with the operands' names, so that the error reads like the code:
/// `matmul_named("W1", &w1.view(), "X", &x.view())`.
///
/// ```
/// use ndarray::Array2;
/// let w1 = Array2::<f64>::zeros((10, 784));
/// let x = Array2::<f64>::zeros((59999, 784));
/// let err = nnlib::linalg::matmul_named("W1", &w1.view(), "X", &x.view()).unwrap_err();
/// assert!(err.to_string().contains("did you mean W1 · X.t()"));
/// ```
pub fn matmul_named<T: Scalar>(
    a_name: &str,
    a: &ArrayView2<T>,
    b_name: &str,
    b: &ArrayView2<T>,
) -> Result<Array2<T>> {
    T::matmul_named(a_name, a, b_name, b)
}

/// The body of [`matmul_named`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
pub(crate) fn matmul_named_generic<T: Scalar>(
    a_name: &str,
    a: &ArrayView2<T>,
    b_name: &str,
    b: &ArrayView2<T>,
) -> Result<Array2<T>> {
    let ((n, k), (k2, m)) = (a.dim(), b.dim());
    if k != k2 {
        return Err(product_shape_error(a_name, (n, k), b_name, (k2, m)));
    }
    let mut c = Array2::zeros((n, m));
    product_into(T::one(), a, b, T::zero(), &mut c.view_mut());
    Ok(c)
}

/// `C ← α A B + β C` in place, without allocating: the general matrix
/// product (BLAS's `gemm`), `C[i, j] = α Σ_k A[i, k] B[k, j] + β C[i, j]`.
///
/// With `β = 1` it adds the product to what `C` holds (a bias broadcast into
/// `C` beforehand, or a gradient accumulated over batches); with `β = 0`
/// the old contents of `C` are ignored. Transposed views (`w.t()`) are read
/// in place.
///
/// # Errors
/// [`Error::Shape`] when `A` is not (n, k), `B` (k, m) and `C` (n, m).
pub fn gemm_into<T: Scalar>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) -> Result<()> {
    let ((n, k), (k2, m)) = (a.dim(), b.dim());
    if k != k2 {
        return Err(product_shape_error("A", (n, k), "B", (k2, m)));
    }
    if c.dim() != (n, m) {
        return Err(Error::shape(
            "matrix product C ← α A · B + β C",
            &[n, m],
            c.shape(),
            format!(
                "C must have the shape of A · B, ({n}, {m}), found ({}, {})",
                c.nrows(),
                c.ncols()
            ),
        ));
    }
    product_into(alpha, a, b, beta, c);
    Ok(())
}

/// `C ← α A B + β C` for operands already checked, on the kernel
/// [`nnlib_kernels::route`] chooses.
fn product_into<T: Scalar>(
    alpha: T,
    a: &ArrayView2<T>,
    b: &ArrayView2<T>,
    beta: T,
    c: &mut ArrayViewMut2<T>,
) {
    nnlib_kernels::product_into(alpha, a, b, beta, c);
}

/// `out ← x W`, one row times a matrix: `out[j] = Σ_i x[i] W[i, j]`.
///
/// `x` has n_in entries, `W` is (n_in, n_out), `out` has n_out entries. Rows
/// of `W` whose input `x[i]` is 0 are skipped, which gives the same sum for
/// finite weights. No allocation: the per-sample forward step.
///
/// # Errors
/// [`Error::Shape`] if the lengths do not fit `W`.
pub fn row_times_matrix_into<T: Scalar>(
    x: &ArrayView1<T>,
    w: &ArrayView2<T>,
    out: &mut ArrayViewMut1<T>,
) -> Result<()> {
    check_row_product("x · W", x.len(), w.dim(), out.len())?;
    nnlib_kernels::rows::row_times_matrix(x, w, out);
    Ok(())
}

/// `out ← W d`, a matrix times a column: `out[i] = Σ_j W[i, j] d[j]`.
///
/// `W` is (n_in, n_out), `d` has n_out entries, `out` has n_in entries. This
/// is `d Wᵀ` for a row `d`: the per-sample backward step `δ_prev = δ Wᵀ`.
///
/// # Errors
/// [`Error::Shape`] if the lengths do not fit `W`.
pub fn matrix_times_row_into<T: Scalar>(
    w: &ArrayView2<T>,
    d: &ArrayView1<T>,
    out: &mut ArrayViewMut1<T>,
) -> Result<()> {
    check_row_product("d · Wᵀ", d.len(), (w.ncols(), w.nrows()), out.len())?;
    nnlib_kernels::rows::matrix_times_row(w, d, out);
    Ok(())
}

/// `W ← W + α xᵀ d`, the rank-one update of a per-sample gradient step:
/// `W[i, j] += α x[i] d[j]`.
///
/// With `α = −η`, `x` the layer's input and `d` its `δ = ∂L/∂z`, this is
/// `W ← W − η ∂L/∂W` for one sample. Rows with `x[i] = 0` are unchanged
/// and skipped.
///
/// # Errors
/// [`Error::Shape`] unless `W` is (len x, len d).
pub fn rank_one_update<T: Scalar>(
    w: &mut ArrayViewMut2<T>,
    alpha: T,
    x: &ArrayView1<T>,
    d: &ArrayView1<T>,
) -> Result<()> {
    if w.dim() != (x.len(), d.len()) {
        return Err(Error::shape(
            "rank-one update W + α xᵀ d",
            w.shape(),
            &[x.len(), d.len()],
            "W must have one row per entry of x and one column per entry of d",
        ));
    }
    nnlib_kernels::rows::rank_one_update(w, alpha, x, d);
    Ok(())
}

fn check_row_product(
    op: &str,
    len_in: usize,
    (rows, cols): (usize, usize),
    len_out: usize,
) -> Result<()> {
    if len_in == rows && len_out == cols {
        return Ok(());
    }
    Err(Error::shape(
        format!("row product {op}"),
        &[len_in],
        &[rows, cols],
        format!(
            "expected an input of length {rows} and an output of length {cols}, \
             found {len_in} and {len_out}"
        ),
    ))
}

fn product_shape_error(
    a_name: &str,
    (n, k): (usize, usize),
    b_name: &str,
    (k2, m): (usize, usize),
) -> Error {
    let mut detail =
        format!("the inner dimensions differ: {a_name} has {k} columns but {b_name} has {k2} rows");
    let fix = if k == m {
        Some((format!("{a_name} · {b_name}.t()"), (n, k2)))
    } else if n == k2 {
        Some((format!("{a_name}.t() · {b_name}"), (k, m)))
    } else if n == m {
        Some((format!("{a_name}.t() · {b_name}.t()"), (k, k2)))
    } else {
        None
    };
    if let Some((expr, (rows, cols))) = fix {
        detail.push_str(&format!(
            "; did you mean {expr}? It gives shape ({rows}, {cols})"
        ));
    }
    Error::shape(
        format!("matrix product {a_name} · {b_name}"),
        &[n, k],
        &[k2, m],
        detail,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn product_matches_the_definition() {
        let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let b = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let c = matmul(&a.view(), &b.view()).unwrap();
        assert_eq!(c, array![[4.0, 5.0], [10.0, 11.0]]);
    }

    #[test]
    fn lesson_04_mistake_names_both_shapes_and_the_transpose() {
        let w1 = Array2::<f64>::zeros((10, 784));
        let x = Array2::<f64>::zeros((59999, 784));
        let err = matmul_named("W1", &w1.view(), "X", &x.view()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "matrix product W1 · X: shapes (10, 784) and (59999, 784) do not fit: \
             the inner dimensions differ: W1 has 784 columns but X has 59999 rows; \
             did you mean W1 · X.t()? It gives shape (10, 59999)"
        );
    }

    fn naive(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
            (0..a.ncols()).map(|k| a[[i, k]] * b[[k, j]]).sum()
        })
    }

    fn filled(rows: usize, cols: usize, seed: f64) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |(i, j)| {
            ((i * 31 + j * 17) as f64 * seed).sin()
        })
    }

    #[test]
    fn large_products_match_the_definition_for_every_layout() {
        // large enough for the multithreaded kernels, with transposed operands
        let a = filled(300, 70, 0.37);
        let b = filled(70, 90, 0.11);
        let at = a.t().as_standard_layout().into_owned();
        let expected = naive(&a, &b);
        for c in [
            matmul(&a.view(), &b.view()).unwrap(),
            matmul(&at.t(), &b.view()).unwrap(),
            matmul(&a.view(), &b.t().as_standard_layout().into_owned().t()).unwrap(),
        ] {
            let err = (&c - &expected)
                .mapv(f64::abs)
                .fold(0.0, |m: f64, &v| m.max(v));
            assert!(err < 1e-12, "max error {err}");
        }
        let cf = matmul(&a.mapv(|v| v as f32).view(), &b.mapv(|v| v as f32).view()).unwrap();
        let err = (&cf.mapv(f64::from) - &expected)
            .mapv(f64::abs)
            .fold(0.0, |m: f64, &v| m.max(v));
        assert!(err < 1e-3, "f32 max error {err}");
    }

    #[test]
    fn gemm_into_adds_alpha_times_the_product_to_beta_times_c() {
        for (n, k, m) in [(3, 4, 2), (200, 60, 50)] {
            let (a, b, c0) = (filled(n, k, 0.3), filled(k, m, 0.7), filled(n, m, 0.9));
            let mut c = c0.clone();
            gemm_into(0.5, &a.view(), &b.view(), 2.0, &mut c.view_mut()).unwrap();
            let expected = naive(&a, &b) * 0.5 + &c0 * 2.0;
            let err = (&c - &expected)
                .mapv(f64::abs)
                .fold(0.0, |m: f64, &v| m.max(v));
            assert!(err < 1e-12, "({n}, {k}, {m}): max error {err}");
        }
        let mut wrong = Array2::<f64>::zeros((3, 3));
        let (a, b) = (filled(3, 4, 0.3), filled(4, 2, 0.7));
        let err = gemm_into(1.0, &a.view(), &b.view(), 0.0, &mut wrong.view_mut()).unwrap_err();
        assert!(err.to_string().contains("(3, 2)"), "{err}");
    }

    #[test]
    fn row_kernels_match_the_matrix_product() {
        let w = filled(6, 4, 0.5);
        let x = ndarray::arr1(&[0.0, 1.5, 0.0, -2.0, 0.25, 0.0]);
        let d = ndarray::arr1(&[1.0, -1.0, 0.5, 2.0]);
        let mut out = ndarray::Array1::zeros(4);
        row_times_matrix_into(&x.view(), &w.view(), &mut out.view_mut()).unwrap();
        let expected = x.view().insert_axis(ndarray::Axis(0)).dot(&w);
        assert!((&out - &expected.row(0)).iter().all(|e| e.abs() < 1e-14));
        let mut back = ndarray::Array1::zeros(6);
        matrix_times_row_into(&w.view(), &d.view(), &mut back.view_mut()).unwrap();
        assert!((&back - &w.dot(&d)).iter().all(|e| e.abs() < 1e-14));
        let mut w2 = w.clone();
        rank_one_update(&mut w2.view_mut(), -0.1, &x.view(), &d.view()).unwrap();
        for ((i, j), &v) in w2.indexed_iter() {
            assert!((v - (w[[i, j]] - 0.1 * x[i] * d[j])).abs() < 1e-15);
        }
        assert!(row_times_matrix_into(&d.view(), &w.view(), &mut out.view_mut()).is_err());
        assert!(rank_one_update(&mut w2.view_mut(), 1.0, &d.view(), &x.view()).is_err());
    }

    #[test]
    fn no_transpose_suggested_when_none_fits() {
        let a = Array2::<f32>::zeros((2, 3));
        let b = Array2::<f32>::zeros((4, 5));
        let msg = matmul(&a.view(), &b.view()).unwrap_err().to_string();
        assert!(msg.ends_with("A has 3 columns but B has 4 rows"), "{msg}");
    }
}
