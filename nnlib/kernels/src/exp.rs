//! The exponential `e^x` in `f32` and `f64` as plain arithmetic the
//! compiler can vectorise, and the sigmoid and softmax on it.
//!
//! The C library's `exp` is one call per value: a loop of it runs one value
//! at a time. [`exp`] is written with multiplications, additions and bit
//! operations only, without a branch that depends on the value, so a loop
//! of it runs eight `f64` (sixteen `f32`) at a time on AVX-512. The bulk
//! kernels ([`exp_inplace`], [`sigmoid_inplace`], [`softmax_inplace`]) run
//! compiled for the widest vector instructions the processor has (AVX-512
//! or AVX2 on x86-64, chosen at run time), and every operation is an IEEE
//! multiplication, addition or division, never fused into one rounding, so
//! each gives the same bits on every level, on every processor, and as the
//! scalar [`exp`] and [`sigmoid`]. On the 2-core Intel Xeon the lessons
//! were timed on (AVX-512), a value's `e^x` takes 1.7 ns in f64 and 0.53 ns
//! in f32, against 4.6 and 2.8 ns for a loop of the C library's `exp`; the
//! sigmoid 2.0 and 0.65 ns, against 5.3 and 2.9 ns (the `timing` test).
//!
//! ## The method
//!
//! With `k = round(x / ln 2)` and `r = x − k ln 2`,
//!
//! ```text
//! e^x = 2^k · e^r,   |r| ≤ ln 2 / 2 ≈ 0.347
//! ```
//!
//! - **k**: `kd = x log₂e + S` with the shifter `S = 1.5 · 2^52` (f64) or
//!   `1.5 · 2^23` (f32): at that size the spacing of the numbers is 1, so
//!   the addition rounds `x log₂e` to the nearest integer, `k = kd − S`
//!   exactly, and `k` itself sits in `kd`'s low mantissa bits (`kd`'s bits
//!   are `S`'s plus `k`): no float-to-integer conversion.
//! - **r** (Cody and Waite): `r = (x − k ln2_hi) − k ln2_lo`, `ln 2` split
//!   into `ln2_hi`, whose trailing mantissa bits are zero (32 significant
//!   bits in f64, 15 in f32) so that `k ln2_hi` and the subtraction from `x`
//!   are exact for every `k` that occurs, and the small rest `ln2_lo`. What
//!   the last subtraction rounds off, `r_err = ((x − k ln2_hi) − r) − k ln2_lo`,
//!   is carried into the sum below (`e^(r + r_err) ≈ e^r + r_err`).
//! - **e^r**: Taylor's polynomial `Σ_{n=0}^{N} r^n / n!`, with `N = 13` in
//!   f64 and `N = 7` in f32, as `1 + (r + (r² h(r) + r_err))` with its tail
//!   `h(r) = 1/2! + r (1/3! + r (1/4! + … + r/N!))` in Horner's form (the
//!   coefficients are `1/n!` rounded to the type). Adding `1` last, to the
//!   sum of the small terms, rounds a number near 1 once instead of at each
//!   of Horner's last two steps: with that and `r_err`, f32's largest error
//!   went from 1.19 ULP (Horner's form down to the constant) to 0.94. The
//!   remainder of the series is at most
//!   `|r|^{N+1} e^{|r|} / (N+1)!`: with `|r| ≤ ln 2 / 2`, `5.9e-18` in f64
//!   (0.05 ULP of a result near 1) and `7.3e-9` in f32 (0.12 ULP).
//! - **2^k** from its bits, in two factors: `x` is first clamped to
//!   `[−746, 710]` (f64) or `[−104, 89]` (f32), beyond which `e^x` rounds to
//!   0 or overflows anyway (NaN stays NaN); then `e^x = (p · 2^k1) · 2^k2`
//!   with `k1 = ⌊k/2⌋`, `k2 = k − k1`. Both powers are normal numbers, the
//!   first product is exact, and the second rounds once: a result below the
//!   smallest normal number comes out as the nearest subnormal (or 0), one
//!   above the largest as +∞, without a test.
//!
//! Accuracy: within 1 ULP for normal results, within one step of the
//! subnormal spacing below them (the tests check both over a dense sweep of
//! the useful range, f64 `−745 … 709.7` and f32 `−103 … 88.7`, and random
//! values). Measured in f64: at most 1 ULP from glibc's `exp` (the same bits
//! for 92 % of the inputs), at most 0.88 ULP from the exact value (300,000
//! inputs against `mpmath` at 50 digits, a third of them where `|r|` is near
//! its largest, `ln 2 / 2`); in f32, over every input in the range, at most
//! 0.94 ULP from the exact value. `e^0 = 1`, `e^−∞ = 0`, `e^∞ = ∞`,
//! `e^NaN = NaN`.

use crate::Element;
use crate::rows::on_widest_simd;
use crate::tall::Simd;

pub(crate) use float::ExpFloat;

mod float {
    /// The constants and bit operations of [`exp`](super::exp) for each type
    /// (a supertrait of [`Element`](crate::Element), implemented for `f32` and
    /// `f64` only).
    pub trait ExpFloat: Copy + 'static {
        /// `log₂ e`.
        const LOG2_E: Self;
        /// `ln 2`'s leading bits, with enough trailing zeros that `k ln2_hi` is
        /// exact.
        const LN2_HI: Self;
        /// `ln 2 − ln2_hi`.
        const LN2_LO: Self;
        /// `1.5 · 2^(mantissa bits)`: adding it rounds to an integer.
        const SHIFTER: Self;
        /// The clamp: below it `e^x` rounds to 0.
        const MIN_X: Self;
        /// The clamp: above it `e^x` overflows.
        const MAX_X: Self;
        /// `1/n!` for `n = N, N − 1, …, 2`, the coefficients of Horner's form.
        const TAYLOR: &'static [Self];
        /// `(2^k1, 2^k2)` with `k1 = ⌊k/2⌋` and `k2 = k − k1`, built from the
        /// bits of `kd = S + k`.
        fn two_powers(kd: Self) -> (Self, Self);
    }
}

/// `ExpFloat` for one type: `$bits` its unsigned integer of the same size,
/// `$mantissa` its stored mantissa bits, `$bias` its exponent bias.
macro_rules! exp_float {
    ($t:ty, $bits:ty, $mantissa:expr, $bias:expr, log2_e: $log2e:expr, ln2_hi: $hi:expr, ln2_lo: $lo:expr,
     clamp: [$min:expr, $max:expr], taylor: [$($fact:expr),* $(,)?]) => {
        impl ExpFloat for $t {
            const LOG2_E: $t = $log2e;
            const LN2_HI: $t = $hi;
            const LN2_LO: $t = $lo;
            const SHIFTER: $t = 1.5 * (1u64 << $mantissa) as $t;
            const MIN_X: $t = $min;
            const MAX_X: $t = $max;
            const TAYLOR: &'static [$t] = &[$(1.0 / $fact),*];

            #[inline(always)]
            fn two_powers(kd: $t) -> ($t, $t) {
                // u = k + 2 (bias + 1) ≥ 0, so that halving it is a shift
                // of an unsigned integer (one instruction on AVX2 as well);
                // then u >> 1 = k1 + bias + 1.
                const OFFSET: $bits = 2 * ($bias + 1);
                let u = kd
                    .to_bits()
                    .wrapping_sub(<$t>::SHIFTER.to_bits())
                    .wrapping_add(OFFSET);
                let half = u >> 1;
                let e1 = half.wrapping_sub(1); // k1 + bias
                let e2 = u.wrapping_sub(half).wrapping_sub(1); // k2 + bias
                (<$t>::from_bits(e1 << $mantissa), <$t>::from_bits(e2 << $mantissa))
            }
        }
    };
}

exp_float!(f64, u64, 52, 1023,
    log2_e: std::f64::consts::LOG2_E,
    ln2_hi: f64::from_bits(0x3fe6_2e42_fee0_0000), // 6.93147180369123816490e-1
    ln2_lo: f64::from_bits(0x3dea_39ef_3579_3c76), // 1.90821492927058770002e-10
    clamp: [-746.0, 710.0],
    taylor: [6_227_020_800.0, 479_001_600.0, 39_916_800.0, 3_628_800.0, 362_880.0,
             40_320.0, 5_040.0, 720.0, 120.0, 24.0, 6.0, 2.0]);
exp_float!(f32, u32, 23, 127,
    log2_e: std::f32::consts::LOG2_E,
    ln2_hi: f32::from_bits(0x3f31_7200), // 0.693145751953125
    ln2_lo: 1.428_606_8e-6,
    clamp: [-104.0, 89.0],
    taylor: [5_040.0, 720.0, 120.0, 24.0, 6.0, 2.0]);

/// `e^x`, branch-free so that a loop of it vectorises (see the [module
/// documentation](self) for the method and its accuracy): within 1 ULP of
/// the exact value; `e^0 = 1`, `e^−∞ = 0`, `e^∞ = ∞`, NaN for NaN.
#[inline(always)]
pub fn exp<T: Element>(x: T) -> T {
    // selects that keep NaN (both comparisons are false for it)
    let x = if x > T::MAX_X { T::MAX_X } else { x };
    let x = if x < T::MIN_X { T::MIN_X } else { x };
    // k = round(x / ln 2), and 2^k's bits, through the shifter
    let kd = x * T::LOG2_E + T::SHIFTER;
    let k = kd - T::SHIFTER;
    // r = x − k ln 2 (r_hi exact), and what its rounding lost
    let r_hi = x - k * T::LN2_HI;
    let lo = k * T::LN2_LO;
    let r = r_hi - lo;
    let r_err = (r_hi - r) - lo;
    // e^r = 1 + (r + r² h(r)), h(r) = 1/2! + r (1/3! + … + r/N!)
    let mut h = T::TAYLOR[0];
    for &c in &T::TAYLOR[1..] {
        h = h * r + c;
    }
    let p = T::one() + (r + (r * r * h + r_err));
    // e^x = (e^r 2^k1) 2^k2: the first product exact, the second rounded
    let (s1, s2) = T::two_powers(kd);
    p * s1 * s2
}

/// The logistic sigmoid `σ(z) = 1 / (1 + e^(−z))` on [`exp`]: with
/// `e = e^(−|z|)`, `1 / (1 + e)` for `z ≥ 0` and `e / (1 + e)` for `z < 0`
/// (the same value, `e^z / (1 + e^z)`), so that no exponential overflows.
/// The same operations as [`sigmoid_inplace`], so the same bits.
#[inline(always)]
pub fn sigmoid<T: Element>(z: T) -> T {
    let e = exp(-z.abs());
    let numerator = if z >= T::zero() { T::one() } else { e };
    numerator / (T::one() + e)
}

/// `v[i] ← e^(v[i])`, [`exp`] on every entry, vectorised.
pub fn exp_inplace<T: Element>(v: &mut [T]) {
    T::exp_inplace(v)
}

/// `v[i] ← σ(v[i])`, [`sigmoid`] on every entry, vectorised.
pub fn sigmoid_inplace<T: Element>(v: &mut [T]) {
    T::sigmoid_inplace(v)
}

/// `v ← softmax(v)`, `v[i] ← e^(v[i] − max v) / Σ_j e^(v[j] − max v)`, on one
/// lane: the maximum, `v[i] ← exp(v[i] − max)`, their sum in index order,
/// then `v[i] ← v[i] / sum`. Subtracting the maximum keeps every exponent
/// ≤ 0, so logits of ±1000 give finite probabilities.
pub fn softmax_inplace<T: Element>(v: &mut [T]) {
    T::softmax_inplace(v)
}

on_widest_simd! {
    /// [`exp_inplace`]'s generic body, instantiated for `f32` and `f64` in
    /// this crate ([`Element`]).
    pub(crate) fn exp_inplace_any / exp_inplace_on<T: Element>(v: &mut [T]) {
        for x in v.iter_mut() {
            *x = exp(*x);
        }
    }
}

on_widest_simd! {
    /// [`sigmoid_inplace`]'s generic body, instantiated for `f32` and `f64`
    /// in this crate ([`Element`]).
    pub(crate) fn sigmoid_inplace_any / sigmoid_inplace_on<T: Element>(v: &mut [T]) {
        for z in v.iter_mut() {
            *z = sigmoid(*z);
        }
    }
}

on_widest_simd! {
    /// [`softmax_inplace`]'s generic body, instantiated for `f32` and `f64`
    /// in this crate ([`Element`]).
    pub(crate) fn softmax_inplace_any / softmax_inplace_on<T: Element>(v: &mut [T]) {
        let max = v.iter().fold(T::neg_infinity(), |m, &x| m.max(x));
        for x in v.iter_mut() {
            *x = exp(*x - max);
        }
        let sum = v.iter().fold(T::zero(), |s, &x| s + x);
        for x in v.iter_mut() {
            *x = *x / sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reproducible stream of 64-bit values (splitmix64).
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        /// Uniform in `[lo, hi)`.
        fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
            lo + (hi - lo) * ((self.next() >> 11) as f64 / (1u64 << 53) as f64)
        }
    }

    /// The number of sweep steps: fewer in a debug build, where the tests
    /// run unoptimised.
    fn sweep_steps() -> usize {
        if cfg!(debug_assertions) {
            200_000
        } else {
            4_000_000
        }
    }

    /// The inputs of the accuracy tests: a dense sweep of `[lo, hi]`,
    /// random values in it, and random values near 0.
    fn inputs(lo: f64, hi: f64) -> impl Iterator<Item = f64> {
        let n = sweep_steps();
        let mut random = Random(7);
        let sweep = (0..=n).map(move |i| lo + (hi - lo) * i as f64 / n as f64);
        let uniform = (0..n / 4).map(move |_| random.uniform(lo, hi));
        let mut random = Random(11);
        let small = (0..n / 4)
            .map(move |_| random.uniform(-1.0, 1.0) * 2f64.powi(-((random.next() % 60) as i32)));
        sweep.chain(uniform).chain(small)
    }

    /// Bits apart of two numbers of the same sign: their difference in ULP
    /// (of the smaller one's binade), for normal and subnormal numbers alike.
    fn ulps_f64(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn f64_exp_is_within_one_ulp_of_glibc() {
        let (mut worst, mut worst_x, mut equal, mut total) = (0, 0.0, 0usize, 0usize);
        for x in inputs(-745.0, 709.7) {
            let (ours, theirs) = (exp(x), x.exp());
            let ulps = ulps_f64(ours, theirs);
            if ulps > worst {
                (worst, worst_x) = (ulps, x);
            }
            equal += usize::from(ulps == 0);
            total += 1;
        }
        println!(
            "f64 exp: at most {worst} ULP from glibc (at {worst_x:e}), equal on {:.3} %",
            100.0 * equal as f64 / total as f64
        );
        assert!(worst <= 1, "{worst} ULP at {worst_x:e}");
    }

    /// The spacing of the `f32` numbers at `y > 0` (given in f64): of its
    /// binade, or of the subnormal numbers below the smallest normal one.
    fn f32_spacing(y: f64) -> f64 {
        let binade = ((y.to_bits() >> 52) as i32) - 1023;
        2f64.powi(binade.max(-126) - 23)
    }

    /// The error of `exp(x)` in f32, in ULP of the exact value (f64's `exp`
    /// of the same `x`, 2^-29 ULP of f32 from it).
    fn f32_error(x: f32) -> f64 {
        let exact = f64::from(x).exp();
        (f64::from(exp(x)) - exact).abs() / f32_spacing(exact)
    }

    #[test]
    fn f32_exp_is_within_one_ulp() {
        let (mut worst, mut worst_x) = (0.0, 0.0);
        for x in inputs(-103.0, 88.7) {
            let x = x as f32;
            let err = f32_error(x);
            if err > worst {
                (worst, worst_x) = (err, x);
            }
        }
        println!("f32 exp: at most {worst:.3} ULP (at {worst_x:e})");
        assert!(worst <= 1.0, "{worst} ULP at {worst_x:e}");
    }

    #[test]
    fn exp_edge_cases() {
        assert_eq!(exp(0.0f64).to_bits(), 1f64.to_bits());
        assert_eq!(exp(-0.0f64).to_bits(), 1f64.to_bits());
        assert_eq!(exp(0.0f32).to_bits(), 1f32.to_bits());
        assert_eq!(exp(f64::NEG_INFINITY).to_bits(), 0);
        assert_eq!(exp(f32::NEG_INFINITY).to_bits(), 0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert!(exp(f64::NAN).is_nan() && exp(-f64::NAN).is_nan());
        assert!(exp(f32::NAN).is_nan());
        for x in [709.8, 710.0, 1000.0, f64::MAX] {
            assert_eq!(exp(x), f64::INFINITY, "e^{x}");
        }
        for x in [88.73f32, 89.0, 1000.0, f32::MAX] {
            assert_eq!(exp(x), f32::INFINITY, "e^{x}");
        }
        assert_eq!(exp(709.78f64), 709.78f64.exp());
        for x in [-745.2, -746.0, -1000.0, f64::MIN] {
            assert_eq!(exp(x).to_bits(), 0, "e^{x}");
        }
        for x in [-104.0f32, -200.0, f32::MIN] {
            assert_eq!(exp(x).to_bits(), 0, "e^{x}");
        }
        // the smallest subnormal, 2^-1074 ≈ e^-744.44 (2^-149 ≈ e^-103.28)
        assert_eq!(exp(-744.44f64).to_bits(), 1);
        assert_eq!(exp(-103.28f32).to_bits(), 1);
        // subnormal results, within one step of the subnormal spacing
        let mut random = Random(3);
        for _ in 0..100_000 {
            let x = random.uniform(-745.2, -708.4);
            let (ours, theirs) = (exp(x), x.exp());
            assert!(
                ulps_f64(ours, theirs) <= 1,
                "e^{x}: {ours:e} against {theirs:e}"
            );
            let x = random.uniform(-104.0, -87.3) as f32;
            let exact = f64::from(x).exp();
            let err = (f64::from(exp(x)) - exact).abs();
            assert!(
                err <= 2f64.powi(-149),
                "e^{x}: {} against {exact:e}",
                exp(x)
            );
        }
        // e^1, e^-1, e^(ln 2) = 2
        assert!(ulps_f64(exp(1.0), std::f64::consts::E) <= 1);
        assert!(ulps_f64(exp(std::f64::consts::LN_2), 2.0) <= 1);
    }

    /// Whether two numbers have the same bits (sign, exponent, mantissa).
    fn same_bits<T: Element>(a: T, b: T) -> bool {
        a.integer_decode() == b.integer_decode() && a.is_nan() == b.is_nan()
    }

    /// `n` inputs: values over the whole range, with the edge cases spread
    /// among them.
    fn mixed<T: Element>(n: usize) -> Vec<T> {
        let edges = [
            0.0,
            -0.0,
            1e-300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            710.0,
            -746.0,
            -1000.0,
            1000.0,
            -744.0,
            -103.5,
            -87.0,
            88.8,
        ];
        let mut random = Random(n as u64);
        (0..n)
            .map(|i| {
                let v = if i % 5 == 2 {
                    edges[(i / 5) % edges.len()]
                } else if i % 2 == 0 {
                    random.uniform(-20.0, 20.0)
                } else {
                    random.uniform(-800.0, 800.0)
                };
                T::from(v).unwrap()
            })
            .collect()
    }

    /// softmax on one lane by hand, in the order [`softmax_inplace`]
    /// documents, on the scalar [`exp`].
    fn softmax_by_hand<T: Element>(v: &[T]) -> Vec<T> {
        let max = v.iter().fold(T::neg_infinity(), |m, &x| m.max(x));
        let e: Vec<T> = v.iter().map(|&x| exp(x - max)).collect();
        let mut sum = T::zero();
        for &x in &e {
            sum += x;
        }
        e.iter().map(|&x| x / sum).collect()
    }

    fn every_level_gives_the_scalar_bits<T: Element + std::fmt::Debug>() {
        for n in [1, 7, 37, 1000] {
            let v = mixed::<T>(n);
            // softmax lanes: mixed values (with NaN and ±∞ for n ≥ 7),
            // and finite ones of lesson 04's size
            let finite: Vec<T> = v
                .iter()
                .map(|&x| if x.is_finite() { x } else { T::zero() })
                .collect();
            for &simd in &Simd::detected() {
                let mut e = v.clone();
                exp_inplace_on(simd, &mut e);
                for (&x, &y) in v.iter().zip(&e) {
                    assert!(same_bits(y, exp(x)), "exp({x:?}) on {simd:?}: {y:?}");
                }
                let mut s = v.clone();
                sigmoid_inplace_on(simd, &mut s);
                for (&z, &y) in v.iter().zip(&s) {
                    assert!(same_bits(y, sigmoid(z)), "σ({z:?}) on {simd:?}: {y:?}");
                }
                for lane in [&v, &finite] {
                    let mut p = lane.clone();
                    softmax_inplace_on(simd, &mut p);
                    let by_hand = softmax_by_hand(lane);
                    assert!(
                        p.iter().zip(&by_hand).all(|(&a, &b)| same_bits(a, b)),
                        "softmax on {simd:?}, {n} entries"
                    );
                }
            }
        }
    }

    #[test]
    fn every_simd_level_gives_the_scalar_bits_in_f64_and_f32() {
        every_level_gives_the_scalar_bits::<f64>();
        every_level_gives_the_scalar_bits::<f32>();
    }

    #[test]
    fn the_public_functions_compute_the_same() {
        let v = mixed::<f64>(37);
        let mut e = v.clone();
        exp_inplace(&mut e);
        let mut s = v.clone();
        sigmoid_inplace(&mut s);
        for i in 0..v.len() {
            assert!(same_bits(e[i], exp(v[i])) && same_bits(s[i], sigmoid(v[i])));
        }
        let mut p: Vec<f32> = (0..10).map(|i| (i as f32 * 0.7).sin() * 3.0).collect();
        softmax_inplace(&mut p);
        let sum: f32 = p.iter().sum();
        assert!((sum - 1.0).abs() < 1e-6 && p.iter().all(|&x| x > 0.0));
        let mut big = vec![1000.0, -1000.0, 999.0];
        softmax_inplace(&mut big);
        let e1 = (-1f64).exp();
        assert!((big[0] - 1.0 / (1.0 + e1)).abs() < 1e-15 && big[1] == 0.0);
    }

    #[test]
    fn sigmoid_is_finite_symmetric_and_accurate() {
        assert_eq!(sigmoid(0.0f64), 0.5);
        assert_eq!(sigmoid(0.0f32), 0.5);
        assert_eq!(sigmoid(1e4f64), 1.0);
        assert_eq!(sigmoid(-1e4f64), 0.0);
        assert_eq!(sigmoid(1e4f32), 1.0);
        assert_eq!(sigmoid(-1e4f32), 0.0);
        assert!(sigmoid(f64::NAN).is_nan());
        let mut random = Random(5);
        for i in 0..200_000 {
            let z = if i % 2 == 0 {
                random.uniform(-40.0, 40.0)
            } else {
                random.uniform(-800.0, 800.0)
            };
            let (s, minus) = (sigmoid(z), sigmoid(-z));
            assert!(s.is_finite() && (0.0..=1.0).contains(&s));
            assert!(
                (minus - (1.0 - s)).abs() <= 1e-15,
                "σ(−{z}) = {minus}, σ({z}) = {s}"
            );
            // 1 / (1 + e^(−z)) on the C library's exp, in its form for
            // z < 0, e^z / (1 + e^z), where e^(−z) is large: there
            // 1 + e^(−z) and the division would add errors of their own
            let reference = if z >= 0.0 {
                1.0 / (1.0 + (-z).exp())
            } else {
                z.exp() / (1.0 + z.exp())
            };
            assert!(
                ulps_f64(s, reference) <= 2,
                "σ({z}) = {s} against {reference}"
            );
            let zf = z as f32;
            let reference = 1.0 / (1.0 + f64::from(-zf).exp());
            let err = (f64::from(sigmoid(zf)) - reference).abs() / f32_spacing(reference);
            assert!(reference < 1e-30 || err <= 2.0, "σ({zf}) in f32: {err} ULP");
        }
    }

    /// Every `f32` in `[−103, 88.7]`, on all cores, under a minute on two (`cargo test --release
    /// -p nnlib-kernels exp -- --ignored --nocapture`).
    #[test]
    #[ignore]
    fn f32_exp_error_over_every_f32() {
        use rayon::prelude::*;
        // the bits of the positive numbers up to 88.7, then of the negative
        // ones from −0 down to −103
        let ranges = [
            0..=88.7f32.to_bits(),
            (-0.0f32).to_bits()..=(-103.0f32).to_bits(),
        ];
        let (worst, x, n) = ranges
            .into_par_iter()
            .flat_map(|bits| bits.into_par_iter())
            .fold(
                || (0.0, 0.0, 0u64),
                |(worst, at, n), bits| {
                    let x = f32::from_bits(bits);
                    let err = f32_error(x);
                    if err > worst {
                        (err, x, n + 1)
                    } else {
                        (worst, at, n + 1)
                    }
                },
            )
            .reduce(
                || (0.0, 0.0, 0),
                |a, b| {
                    if a.0 >= b.0 {
                        (a.0, a.1, a.2 + b.2)
                    } else {
                        (b.0, b.1, a.2 + b.2)
                    }
                },
            );
        println!("f32 exp over {n} values: at most {worst:.4} ULP (at {x:e})");
        assert!(worst <= 1.0);
    }

    /// The least time of several runs of `f`, per value, in nanoseconds.
    fn ns_per_value(values: usize, mut f: impl FnMut()) -> f64 {
        (0..20)
            .map(|_| {
                let start = std::time::Instant::now();
                f();
                start.elapsed().as_secs_f64() * 1e9 / values as f64
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// 2^20 sigmoids and exponentials (512 passes over 2048 values, which
    /// stay in the L1 cache) on each level, against loops of the C library's
    /// `exp` (`cargo test --release -p nnlib-kernels exp -- --ignored
    /// --nocapture`).
    #[test]
    #[ignore]
    fn timing() {
        fn glibc_sigmoid<T: Element>(z: T) -> T {
            let e = (-z.abs()).exp();
            if z >= T::zero() {
                T::one() / (T::one() + e)
            } else {
                e / (T::one() + e)
            }
        }
        fn compare<T: Element>(name: &str) {
            let (len, passes) = (2048, 512);
            let mut random = Random(1);
            let v: Vec<T> = (0..len)
                .map(|_| T::from(random.uniform(-10.0, 10.0)).unwrap())
                .collect();
            let mut w = v.clone();
            let mut run = |f: &dyn Fn(&mut [T])| {
                ns_per_value(len * passes, || {
                    for _ in 0..passes {
                        w.copy_from_slice(&v);
                        f(std::hint::black_box(&mut w));
                    }
                })
            };
            let libm_sigmoid = run(&|w| w.iter_mut().for_each(|z| *z = glibc_sigmoid(*z)));
            let libm_exp = run(&|w| w.iter_mut().for_each(|z| *z = z.exp()));
            println!(
                "{name}: the C library's exp: sigmoid {libm_sigmoid:.2} ns, exp {libm_exp:.2} ns a value"
            );
            for simd in Simd::detected() {
                let sigmoid = run(&|w| sigmoid_inplace_on(simd, w));
                let exp = run(&|w| exp_inplace_on(simd, w));
                println!(
                    "{name} on {simd:?}: sigmoid {sigmoid:.2} ns ({:.1}x), exp {exp:.2} ns ({:.1}x) a value",
                    libm_sigmoid / sigmoid,
                    libm_exp / exp
                );
            }
        }
        compare::<f64>("f64");
        compare::<f32>("f32");
    }
}
