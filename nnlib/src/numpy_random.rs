//! numpy's legacy random generator, `np.random.*`, number for number.
//!
//! The library's own randomness ([`crate::init::Rng`], ChaCha8) is
//! reproducible but draws other numbers than numpy. A lesson that must print
//! the numbers of a Python source lesson uses [`NumpyRandomState`] instead:
//! the Mersenne Twister MT19937 (the reference generator of Matsumoto and
//! Nishimura, from the crate `rand_mt`) turned into floats and integers
//! exactly as numpy's `RandomState` does, so that
//!
//! ```text
//! np.random.seed(1)                                  let mut np_rng = NumpyRandomState::new(1);
//! w = 0.2*np.random.random((784,40)) - 0.1           let w = 0.2 * np_rng.random_array::<f64>(784, 40) - 0.1;
//! mask = np.random.randint(2, size=(1,100))          let mask = np_rng.randint_array::<f64>(2, 1, 100)?;
//! ```
//!
//! give bit-identical `f64` arrays, as long as both sides make the same calls
//! in the same order. Arrays are filled in C order (row by row), as numpy
//! fills them.

use ndarray::Array2;
use rand_mt::Mt;

use crate::{Error, Result, Scalar};

/// numpy's legacy generator `np.random.RandomState`: MT19937 with numpy's
/// conversions to floats and to bounded integers.
#[derive(Debug, Clone)]
pub struct NumpyRandomState {
    mt: Mt,
}

impl NumpyRandomState {
    /// The state after `np.random.seed(seed)` (or `np.random.RandomState(seed)`).
    ///
    /// For an integer seed `0 <= seed < 2³²`, numpy's `_legacy_seeding` calls
    /// the reference `init_genrand(seed)`:
    ///
    /// ```text
    /// mt[0] = seed        mt[i] = 1812433253 · (mt[i−1] ⊕ (mt[i−1] >> 30)) + i  (mod 2³², i = 1..623)
    /// ```
    ///
    /// (numpy rejects seeds outside that range; `u32` has no others.)
    ///
    /// ```
    /// use nnlib::numpy_random::NumpyRandomState;
    /// // np.random.seed(1); np.random.random()
    /// assert_eq!(NumpyRandomState::new(1).random(), 0.417022004702574);
    /// ```
    pub fn new(seed: u32) -> Self {
        NumpyRandomState { mt: Mt::new(seed) }
    }

    /// The next raw 32-bit output of MT19937, as numpy's `next_uint32` draws it.
    pub fn next_u32(&mut self) -> u32 {
        self.mt.next_u32()
    }

    /// One double in `[0, 1)`: `np.random.random()` (`random_sample`).
    ///
    /// From two 32-bit draws `a` then `b`, keeping 27 and 26 bits:
    ///
    /// ```text
    /// x = ((a >> 5) · 2²⁶ + (b >> 6)) / 2⁵³
    /// ```
    ///
    /// a multiple of 2⁻⁵³, the conversion numpy's `random_standard_uniform`
    /// makes through `legacy_double` (MT19937's `next_double`).
    ///
    /// ```
    /// use nnlib::numpy_random::NumpyRandomState;
    /// let mut np_rng = NumpyRandomState::new(0);
    /// // np.random.seed(0); np.random.random(2)
    /// assert_eq!(np_rng.random(), 0.5488135039273248);
    /// assert_eq!(np_rng.random(), 0.7151893663724195);
    /// ```
    pub fn random(&mut self) -> f64 {
        let a = self.next_u32() >> 5;
        let b = self.next_u32() >> 6;
        (f64::from(a) * 67_108_864.0 + f64::from(b)) / 9_007_199_254_740_992.0
    }

    /// A (rows, cols) matrix of [`NumpyRandomState::random`] values:
    /// `np.random.random((rows, cols))`, filled in C order (row by row).
    ///
    /// For `f64` the values are numpy's bit for bit; for `f32` they are
    /// numpy's rounded to the nearest `f32`. Scaled as the lessons do,
    /// `0.2 * x - 0.1` in `f64`, they stay numpy's bit for bit, since each
    /// element goes through the same two roundings.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use nnlib::numpy_random::NumpyRandomState;
    /// // np.random.seed(1); w = 0.2*np.random.random((2,3)) - 0.1; repr(float(w[0,0]))
    /// let w: Array2<f64> = 0.2 * NumpyRandomState::new(1).random_array(2, 3) - 0.1;
    /// assert_eq!(w[[0, 0]], -0.016595599059485197);
    /// ```
    pub fn random_array<T: Scalar>(&mut self, rows: usize, cols: usize) -> Array2<T> {
        Array2::from_shape_simple_fn((rows, cols), || T::cast(self.random()))
    }

    /// One integer in `[0, high)`: `np.random.randint(high)` (default dtype int64).
    ///
    /// numpy's `_bounded_integers` draws by masked rejection: with
    /// `r = high − 1` and `mask` the smallest all-ones number `2ᵏ − 1 >= r`,
    ///
    /// ```text
    /// repeat v = next_u32() & mask  until v <= r
    /// ```
    ///
    /// one 32-bit draw per try; for `high = 2` that is `next_u32() & 1`,
    /// never rejected. For `high = 1` the answer is 0 and, as in numpy,
    /// nothing is drawn.
    ///
    /// ```
    /// use nnlib::numpy_random::NumpyRandomState;
    /// let mut np_rng = NumpyRandomState::new(1);
    /// // np.random.seed(1); np.random.randint(10, size=3)
    /// let drawn: Vec<u32> = (0..3).map(|_| np_rng.randint(10).unwrap()).collect();
    /// assert_eq!(drawn, [5, 8, 9]);
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for `high == 0` (numpy: `ValueError: high <= 0`).
    pub fn randint(&mut self, high: u32) -> Result<u32> {
        let range = high
            .checked_sub(1)
            .ok_or_else(|| Error::invalid("randint high", "high >= 1", high.to_string()))?;
        Ok(self.masked_below_or_at(range))
    }

    /// A (rows, cols) matrix of [`NumpyRandomState::randint`] values, as
    /// `T`: `np.random.randint(high, size=(rows, cols))`, filled in C order
    /// (row by row). The lessons' dropout mask is `randint_array(2, 1, 100)`
    /// (Python: `np.random.randint(2, size=layer_1.shape)`), a matrix of 0s
    /// and 1s.
    ///
    /// ```
    /// use ndarray::{Array2, array};
    /// use nnlib::numpy_random::NumpyRandomState;
    /// // np.random.seed(1); np.random.randint(2, size=(2,3))
    /// let mask: Array2<f64> = NumpyRandomState::new(1).randint_array(2, 2, 3).unwrap();
    /// assert_eq!(mask, array![[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]);
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for `high == 0`; nothing is drawn then.
    pub fn randint_array<T: Scalar>(
        &mut self,
        high: u32,
        rows: usize,
        cols: usize,
    ) -> Result<Array2<T>> {
        let range = high
            .checked_sub(1)
            .ok_or_else(|| Error::invalid("randint_array high", "high >= 1", high.to_string()))?;
        Ok(Array2::from_shape_simple_fn((rows, cols), || {
            T::cast(f64::from(self.masked_below_or_at(range)))
        }))
    }

    /// An integer in `[0, range]` by masked rejection (numpy's
    /// `buffered_bounded_masked_uint32`, which draws one `u32` per try).
    fn masked_below_or_at(&mut self, range: u32) -> u32 {
        if range == 0 {
            return 0;
        }
        // The smallest 2ᵏ − 1 >= range: all ones from range's highest set bit down.
        let mask = u32::MAX >> range.leading_zeros();
        loop {
            let v = self.next_u32() & mask;
            if v <= range {
                return v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every expected value below was printed by numpy 2.4.6 (legacy
    // `RandomState`) running the Python in the comment above it; floats are
    // `repr(float(x))`, which round-trips exactly, and are compared with `==`.

    #[test]
    fn random_after_seed_1_is_numpys() {
        // np.random.seed(1); [repr(float(x)) for x in np.random.random(5)]
        let expected = [
            0.417022004702574,
            0.7203244934421581,
            0.00011437481734488664,
            0.30233257263183977,
            0.14675589081711304,
        ];
        let mut np_rng = NumpyRandomState::new(1);
        let drawn: Vec<f64> = (0..5).map(|_| np_rng.random()).collect();
        assert_eq!(drawn, expected);
    }

    #[test]
    fn random_after_seed_0_and_the_largest_seed_is_numpys() {
        // np.random.seed(0); [repr(float(x)) for x in np.random.random(5)]
        let expected = [
            0.5488135039273248,
            0.7151893663724195,
            0.6027633760716439,
            0.5448831829968969,
            0.4236547993389047,
        ];
        let mut np_rng = NumpyRandomState::new(0);
        let drawn: Vec<f64> = (0..5).map(|_| np_rng.random()).collect();
        assert_eq!(drawn, expected);
        // np.random.seed(4294967295); repr(float(np.random.random()))
        assert_eq!(NumpyRandomState::new(u32::MAX).random(), 0.0976320289940138);
    }

    #[test]
    fn random_array_is_numpys_in_c_order() {
        // np.random.seed(1); a = np.random.random((3,4))
        // [[repr(float(x)) for x in r] for r in a]
        let expected = ndarray::array![
            [
                0.417022004702574,
                0.7203244934421581,
                0.00011437481734488664,
                0.30233257263183977
            ],
            [
                0.14675589081711304,
                0.0923385947687978,
                0.1862602113776709,
                0.34556072704304774
            ],
            [
                0.39676747423066994,
                0.538816734003357,
                0.4191945144032948,
                0.6852195003967595
            ],
        ];
        let a: Array2<f64> = NumpyRandomState::new(1).random_array(3, 4);
        assert_eq!(a, expected);
    }

    #[test]
    fn randint_2_after_seed_1_is_numpys() {
        // np.random.seed(1); np.random.randint(2, size=20).tolist()
        let expected = [1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0];
        let mut np_rng = NumpyRandomState::new(1);
        let drawn: Vec<u32> = (0..20).map(|_| np_rng.randint(2).unwrap()).collect();
        assert_eq!(drawn, expected);
        let row: Array2<f64> = NumpyRandomState::new(1).randint_array(2, 1, 20).unwrap();
        assert_eq!(row.row(0).to_vec(), expected.map(f64::from));
    }

    #[test]
    fn randint_rejects_as_numpy_does() {
        // np.random.seed(1); np.random.randint(10, size=10).tolist()
        // followed by repr(float(np.random.random()))
        let mut np_rng = NumpyRandomState::new(1);
        let drawn: Vec<u32> = (0..10).map(|_| np_rng.randint(10).unwrap()).collect();
        assert_eq!(drawn, [5, 8, 9, 5, 0, 0, 1, 7, 6, 9]);
        // The tenth value of the random() stream: the ten integers took 18
        // draws (masked with 15, the values above 9 rejected).
        assert_eq!(np_rng.random(), 0.538816734003357);
    }

    #[test]
    fn randint_1_draws_nothing() {
        // np.random.seed(1); np.random.randint(1, size=3).tolist()
        // followed by repr(float(np.random.random()))
        let mut np_rng = NumpyRandomState::new(1);
        let zeros: Array2<f32> = np_rng.randint_array(1, 1, 3).unwrap();
        assert_eq!(zeros, Array2::<f32>::zeros((1, 3)));
        assert_eq!(np_rng.randint(1).unwrap(), 0);
        assert_eq!(np_rng.random(), 0.417022004702574);
    }

    #[test]
    fn high_zero_is_an_error_and_draws_nothing() {
        let mut np_rng = NumpyRandomState::new(1);
        assert!(matches!(
            np_rng.randint(0),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(np_rng.randint_array::<f64>(0, 2, 2).is_err());
        assert_eq!(np_rng.random(), 0.417022004702574);
    }

    #[test]
    fn the_lessons_weights_and_mask_are_numpys() {
        // np.random.seed(1)
        // weights_0_1 = 0.2*np.random.random((784,40)) - 0.1
        // weights_1_2 = 0.2*np.random.random((40,10)) - 0.1
        // dropout_mask = np.random.randint(2, size=(1,40))
        let mut np_rng = NumpyRandomState::new(1);
        let weights_0_1: Array2<f64> = 0.2 * np_rng.random_array(784, 40) - 0.1;
        let weights_1_2: Array2<f64> = 0.2 * np_rng.random_array(40, 10) - 0.1;
        let dropout_mask: Array2<f64> = np_rng.randint_array(2, 1, 40).unwrap();
        // repr(float(weights_0_1[i, j]))
        for (index, expected) in [
            ([0, 0], -0.016595599059485197),
            ([0, 39], 0.050028862988993505),
            ([1, 0], 0.09777221778129894),
            ([400, 17], 0.03729255812211013),
            ([783, 39], 0.054961713106187526),
        ] {
            assert_eq!(weights_0_1[index], expected, "weights_0_1{index:?}");
        }
        // repr(float(weights_1_2[i, j]))
        for (index, expected) in [
            ([0, 0], -0.012913804161475667),
            ([20, 5], -0.02877500075162387),
            ([39, 9], -0.02455863100110911),
        ] {
            assert_eq!(weights_1_2[index], expected, "weights_1_2{index:?}");
        }
        // dropout_mask.tolist(), int(dropout_mask.sum())
        let expected_mask = [
            0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1,
            0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0,
        ];
        assert_eq!(dropout_mask.row(0).to_vec(), expected_mask.map(f64::from));
        assert_eq!(dropout_mask.sum(), 19.0);
    }

    #[test]
    fn the_lessons_raw_draws_are_numpys() {
        // np.random.seed(1)
        // r01 = np.random.random((784,40)); r12 = np.random.random((40,10))
        // repr(float(r01[i, j])), repr(float(r12[i, j]))
        let mut np_rng = NumpyRandomState::new(1);
        let r01: Array2<f64> = np_rng.random_array(784, 40);
        let r12: Array2<f64> = np_rng.random_array(40, 10);
        assert_eq!(r01[[0, 0]], 0.417022004702574);
        assert_eq!(r01[[783, 39]], 0.7748085655309376);
        assert_eq!(r12[[0, 0]], 0.43543097919262164);
        assert_eq!(r12[[39, 9]], 0.37720684499445445);
    }
}
