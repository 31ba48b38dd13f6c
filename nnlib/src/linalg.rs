//! The matrix product, with shapes checked before anything is computed.
//!
//! `ndarray`'s `dot` panics on a shape mismatch. In a notebook a panic loses
//! the cell's variables, and its message does not say how to fix the mistake,
//! so the lessons multiply through [`matmul`], which returns an
//! [`Error::Shape`] naming both operands, both shapes, the dimensions that
//! differ and, where a transpose would fit, that transpose.

use ndarray::{Array2, ArrayView2};

use crate::{Error, Result, Scalar};

/// `C = A · B`, where `C[i, j] = Σ_k A[i, k] B[k, j]`.
///
/// `A` is (n, k), `B` must be (k, m); the result is (n, m).
/// The product runs on `ndarray`'s matrix multiplication (the
/// `matrixmultiply` kernels, threaded over the machine's cores).
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
    let ((n, k), (k2, m)) = (a.dim(), b.dim());
    if k != k2 {
        return Err(product_shape_error(a_name, (n, k), b_name, (k2, m)));
    }
    Ok(a.dot(b))
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
    Error::Shape {
        op: format!("matrix product {a_name} · {b_name}"),
        left: vec![n, k],
        right: vec![k2, m],
        detail,
    }
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

    #[test]
    fn no_transpose_suggested_when_none_fits() {
        let a = Array2::<f32>::zeros((2, 3));
        let b = Array2::<f32>::zeros((4, 5));
        let msg = matmul(&a.view(), &b.view()).unwrap_err().to_string();
        assert!(msg.ends_with("A has 3 columns but B has 4 rows"), "{msg}");
    }
}
