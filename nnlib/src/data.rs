//! Preparing data: labels, splits, scaling and mini-batches.

use ndarray::{Array1, Array2, ArrayBase, ArrayView2, AsArray, Axis, Data, Ix1, Ix2, RemoveAxis};
use rand::seq::SliceRandom;

use crate::init::rng;
use crate::{Error, Result, Scalar};

/// A class label: a small non-negative integer.
pub trait Label: Copy {
    /// The label as an index, `None` if it is negative.
    fn index(self) -> Option<usize>;
}

macro_rules! impl_label {
    ($($t:ty),*) => {$(impl Label for $t { fn index(self) -> Option<usize> { usize::try_from(self).ok() } })*};
}
impl_label!(u8, u16, u32, u64, usize, i32, i64);

/// One-hot encoding: row i of the (m, k) result is 1 in column `labels[i]`
/// and 0 elsewhere.
///
/// # Errors
/// [`Error::InvalidArgument`] naming the row of the first label outside `0..k`.
pub fn one_hot<'a, T: Scalar, L: Label + std::fmt::Debug + 'a>(
    labels: impl AsArray<'a, L, Ix1>,
    classes: usize,
) -> Result<Array2<T>> {
    let labels = labels.into();
    let mut out = Array2::zeros((labels.len(), classes));
    for (i, &l) in labels.iter().enumerate() {
        match l.index().filter(|&c| c < classes) {
            Some(c) => out[[i, c]] = T::one(),
            None => {
                return Err(Error::invalid(
                    format!("one-hot label in row {i}"),
                    format!("a class in 0..{classes}"),
                    format!("{l:?}"),
                ));
            }
        }
    }
    Ok(out)
}

/// The index of the largest value of each row (the predicted class); the
/// first one on ties, as numpy's `argmax`. NaN never wins.
pub fn argmax_rows<T: Scalar, S: Data<Elem = T>>(a: &ArrayBase<S, Ix2>) -> Array1<usize> {
    a.map_axis(Axis(1), |row| {
        row.iter()
            .enumerate()
            .fold((0, T::neg_infinity()), |(bi, bv), (i, &v)| {
                if v > bv { (i, v) } else { (bi, bv) }
            })
            .0
    })
}

/// The fraction of positions where `predicted` equals `actual`.
///
/// # Errors
/// [`Error::Shape`] if the lengths differ or are 0;
/// [`Error::InvalidArgument`] naming the position of the first negative label.
pub fn accuracy<'a, 'b, A: Label + 'a, B: Label + 'b>(
    predicted: impl AsArray<'a, A, Ix1>,
    actual: impl AsArray<'b, B, Ix1>,
) -> Result<f64> {
    let (p, a) = (predicted.into(), actual.into());
    if p.len() != a.len() || p.is_empty() {
        return Err(Error::shape(
            "accuracy",
            &[p.len()],
            &[a.len()],
            "predicted and actual labels must be equally many, and not none",
        ));
    }
    let mut hits = 0;
    for (i, (x, y)) in p.iter().zip(a.iter()).enumerate() {
        let (Some(x), Some(y)) = (x.index(), y.index()) else {
            let which = if x.index().is_none() {
                "predicted"
            } else {
                "actual"
            };
            return Err(Error::invalid(
                format!("accuracy: the {which} label at position {i}"),
                "a class index 0, 1, 2, ...",
                "a negative label",
            ));
        };
        hits += usize::from(x == y);
    }
    Ok(hits as f64 / p.len() as f64)
}

/// A seeded random permutation of `0..n` (Fisher–Yates).
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(&mut rng(seed));
    idx
}

/// The rows of `x` at `indices`, in that order.
///
/// # Panics
/// If an index is not below `x`'s number of rows, as ndarray's `select` does.
pub fn take_rows<A: Clone, S: Data<Elem = A>, D: RemoveAxis>(
    x: &ArrayBase<S, D>,
    indices: &[usize],
) -> ndarray::Array<A, D> {
    x.select(Axis(0), indices)
}

/// A seeded shuffled split into a training and a test part, like
/// scikit-learn's `train_test_split`: the test part gets
/// `⌈test_fraction · n⌉` samples, the same rows of `x` and `y`.
///
/// # Errors
/// [`Error::Shape`] if `x` and `y` differ in their number of rows;
/// [`Error::InvalidArgument`] unless 0 < test_fraction < 1 and both parts are non-empty.
#[allow(clippy::type_complexity)]
pub fn train_test_split<A, B, S1, S2, D1, D2>(
    x: &ArrayBase<S1, D1>,
    y: &ArrayBase<S2, D2>,
    test_fraction: f64,
    seed: u64,
) -> Result<(
    ndarray::Array<A, D1>,
    ndarray::Array<A, D1>,
    ndarray::Array<B, D2>,
    ndarray::Array<B, D2>,
)>
where
    A: Clone,
    B: Clone,
    S1: Data<Elem = A>,
    S2: Data<Elem = B>,
    D1: RemoveAxis,
    D2: RemoveAxis,
{
    let n = x.len_of(Axis(0));
    if y.len_of(Axis(0)) != n {
        return Err(Error::shape(
            "train_test_split",
            x.shape(),
            y.shape(),
            "x and y must have one row per sample, equally many",
        ));
    }
    let n_test = (test_fraction * n as f64).ceil() as usize;
    if !(test_fraction > 0.0 && test_fraction < 1.0) || n_test == 0 || n_test >= n {
        return Err(Error::invalid(
            "train_test_split test_fraction",
            "0 < fraction < 1 leaving both parts non-empty",
            format!("{test_fraction} of {n} samples"),
        ));
    }
    let idx = permutation(n, seed);
    let (test, train) = idx.split_at(n_test);
    Ok((
        take_rows(x, train),
        take_rows(x, test),
        take_rows(y, train),
        take_rows(y, test),
    ))
}

/// Min-max scaling of each column to [0, 1]: `x' = (x − min) / (max − min)`,
/// with `min` and `max` learnt by [`MinMaxScaler::fit`] on the training data
/// only (fitting on all the data leaks the test set into preprocessing).
/// A constant column maps to 0.
#[derive(Debug, Clone)]
pub struct MinMaxScaler<T> {
    /// The minimum of each column of the fitted data.
    pub min: Array1<T>,
    /// The maximum of each column of the fitted data.
    pub max: Array1<T>,
}

impl<T: Scalar> MinMaxScaler<T> {
    /// Learns each column's minimum and maximum.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for data with no rows.
    pub fn fit(x: &ArrayView2<T>) -> Result<Self> {
        if x.nrows() == 0 {
            return Err(Error::invalid(
                "MinMaxScaler::fit",
                "at least one row",
                "an empty array",
            ));
        }
        let min = x.fold_axis(Axis(0), T::infinity(), |&m, &v| m.min(v));
        let max = x.fold_axis(Axis(0), T::neg_infinity(), |&m, &v| m.max(v));
        Ok(MinMaxScaler { min, max })
    }

    /// Applies `(x − min) / (max − min)` column by column. Data outside the
    /// fitted range maps outside [0, 1], as in scikit-learn.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has a different number of columns than the fitted data.
    pub fn transform(&self, x: &ArrayView2<T>) -> Result<Array2<T>> {
        if x.ncols() != self.min.len() {
            return Err(Error::shape(
                "MinMaxScaler::transform",
                x.shape(),
                self.min.shape(),
                format!("the scaler was fitted on {} columns", self.min.len()),
            ));
        }
        let range = (&self.max - &self.min).mapv(|r| if r > T::zero() { r } else { T::one() });
        Ok((x - &self.min) / &range)
    }
}

/// The index lists of the mini-batches of one epoch: `0..n` shuffled with
/// `seed` (or in order when `seed` is `None`), cut into batches of
/// `batch_size` (the last one may be smaller).
///
/// # Errors
/// [`Error::InvalidArgument`] for a batch size of 0.
pub fn minibatches(n: usize, batch_size: usize, seed: Option<u64>) -> Result<Vec<Vec<usize>>> {
    if batch_size == 0 {
        return Err(Error::invalid("batch size", "at least 1", "0"));
    }
    let idx = match seed {
        Some(s) => permutation(n, s),
        None => (0..n).collect(),
    };
    Ok(idx.chunks(batch_size).map(<[usize]>::to_vec).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn one_hot_and_back() {
        let labels = array![2u8, 0, 1];
        let y: Array2<f64> = one_hot(&labels, 3).unwrap();
        assert_eq!(y, array![[0., 0., 1.], [1., 0., 0.], [0., 1., 0.]]);
        assert_eq!(argmax_rows(&y.view()).to_vec(), vec![2, 0, 1]);
        let err = one_hot::<f32, _>(&[1usize, 5][..], 3)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "one-hot label in row 1: expected a class in 0..3, found 5"
        );
    }

    #[test]
    fn accuracy_counts_matches() {
        assert_eq!(
            accuracy(&[1usize, 2, 3, 4][..], &[1u8, 2, 0, 4][..]).unwrap(),
            0.75
        );
        assert!(accuracy(&[1usize][..], &[1u8, 2][..]).is_err());
        // two negative labels are not a match: they are no labels at all
        let error = accuracy(&[-1i32, 3][..], &[-5i32, 3][..]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "accuracy: the predicted label at position 0: expected a class index 0, 1, 2, ..., found a negative label"
        );
    }

    #[test]
    fn split_sizes_follow_scikit_learn() {
        let x = Array2::<f64>::from_shape_fn((1797, 2), |(i, j)| (i * 2 + j) as f64);
        let y = Array1::from_shape_fn(1797, |i| i);
        let (xtr, xte, ytr, yte) = train_test_split(&x, &y, 0.2, 42).unwrap();
        assert_eq!((xtr.nrows(), xte.nrows()), (1437, 360));
        // rows stay paired
        for (row, &label) in xte.outer_iter().zip(yte.iter()) {
            assert_eq!(row[0], (label * 2) as f64);
        }
        let mut all: Vec<usize> = ytr.iter().chain(yte.iter()).copied().collect();
        all.sort();
        assert_eq!(all, (0..1797).collect::<Vec<_>>());
    }

    #[test]
    fn scaler_maps_training_range_to_unit_interval() {
        let x = array![[0.0, 5.0, 1.0], [16.0, 5.0, 3.0]];
        let s = MinMaxScaler::fit(&x.view()).unwrap();
        assert_eq!(
            s.transform(&x.view()).unwrap(),
            array![[0.0, 0.0, 0.0], [1.0, 0.0, 1.0]]
        );
        assert_eq!(
            s.transform(&array![[8.0, 7.0, 5.0]].view()).unwrap(),
            array![[0.5, 2.0, 2.0]]
        );
    }

    #[test]
    fn minibatches_cover_every_sample_once() {
        let b = minibatches(10, 4, Some(3)).unwrap();
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 4, 2]);
        let mut all: Vec<usize> = b.concat();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert_eq!(b, minibatches(10, 4, Some(3)).unwrap());
        assert_ne!(b, minibatches(10, 4, Some(4)).unwrap());
    }
}
