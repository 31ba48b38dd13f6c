//! Dual numbers: forward-mode differentiation by arithmetic.
//!
//! A dual number `a + a' ε` with `ε² = 0` carries a value and a derivative.
//! Arithmetic on it is the rules of differentiation: `(a + a'ε)(b + b'ε) =
//! ab + (a'b + ab')ε` is the product rule, and a function `f` extends to
//! `f(a + a'ε) = f(a) + f'(a) a' ε`, the chain rule. So evaluating any
//! computation on `x + 1ε` yields `f(x) + f'(x) ε`.

use std::cmp::Ordering;
use std::fmt;
use std::num::FpCategory;
use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use num_traits::{Float, Num, NumCast, One, ToPrimitive, Zero};

/// A dual number `val + der ε`, `ε² = 0`: a value and its derivative.
///
/// `Dual<T>` implements [`num_traits::Float`], so any function written
/// generically over `Float` (and any [`Expr`](super::Expr), through
/// [`Expr::eval`](super::Expr::eval)) computes its derivative alongside its
/// value:
///
/// ```
/// use nnlib::symbolic::Dual;
/// use num_traits::Float;
///
/// fn sigmoid<T: Float>(z: T) -> T {
///     T::one() / (T::one() + (-z).exp())
/// }
/// let y = sigmoid(Dual::var(0.0_f64));
/// assert_eq!((y.val, y.der), (0.5, 0.25)); // sigmoid(0) and sigmoid(0) (1 - sigmoid(0))
/// ```
///
/// Comparisons (`==`, `<`, `max`, ...) look at the value only, so a branch
/// taken on dual numbers is the branch taken on plain numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dual<T> {
    /// The value `a`.
    pub val: T,
    /// The derivative `a'` with respect to the seeded input.
    pub der: T,
}

impl<T: Float> Dual<T> {
    /// `val + der ε`.
    pub fn new(val: T, der: T) -> Self {
        Dual { val, der }
    }

    /// The input variable `x + 1ε` (`dx/dx = 1`).
    pub fn var(x: T) -> Self {
        Dual::new(x, T::one())
    }

    /// A constant `c + 0ε` (`dc/dx = 0`).
    pub fn constant(c: T) -> Self {
        Dual::new(c, T::zero())
    }

    /// Chain rule: `f(a + a'ε) = f(a) + f'(a) a' ε`, given `f(a)` and `f'(a)`.
    fn chain(self, f: T, df: T) -> Self {
        Dual::new(f, df * self.der)
    }
}

/// The derivative `f'(x)` of a function written generically over floats,
/// by evaluating it on the dual number `x + 1ε`.
///
/// ```
/// use nnlib::symbolic::derivative;
/// use num_traits::Float;
/// let d = derivative(|x| x.powi(3) + x.sin(), 2.0_f64);
/// assert!((d - (12.0 + 2.0_f64.cos())).abs() < 1e-12);
/// ```
pub fn derivative<T: Float>(f: impl Fn(Dual<T>) -> Dual<T>, x: T) -> T {
    f(Dual::var(x)).der
}

impl<T: fmt::Display> fmt::Display for Dual<T> {
    /// `val + der ε`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + {}ε", self.val, self.der)
    }
}

impl<T: Float> PartialEq for Dual<T> {
    /// Compares the values only.
    fn eq(&self, other: &Self) -> bool {
        self.val == other.val
    }
}

impl<T: Float> PartialOrd for Dual<T> {
    /// Compares the values only.
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.val.partial_cmp(&other.val)
    }
}

impl<T: Float> Neg for Dual<T> {
    type Output = Self;
    /// `-(a + a'ε) = -a - a'ε`.
    fn neg(self) -> Self {
        Dual::new(-self.val, -self.der)
    }
}

impl<T: Float> Add for Dual<T> {
    type Output = Self;
    /// Sum rule: `(a + b)' = a' + b'`.
    fn add(self, o: Self) -> Self {
        Dual::new(self.val + o.val, self.der + o.der)
    }
}

impl<T: Float> Sub for Dual<T> {
    type Output = Self;
    /// `(a - b)' = a' - b'`.
    fn sub(self, o: Self) -> Self {
        Dual::new(self.val - o.val, self.der - o.der)
    }
}

impl<T: Float> Mul for Dual<T> {
    type Output = Self;
    /// Product rule: `(a b)' = a' b + a b'`.
    fn mul(self, o: Self) -> Self {
        Dual::new(self.val * o.val, self.der * o.val + self.val * o.der)
    }
}

impl<T: Float> Div for Dual<T> {
    type Output = Self;
    /// Quotient rule: `(a / b)' = (a' b - a b') / b²`.
    fn div(self, o: Self) -> Self {
        let der = (self.der * o.val - self.val * o.der) / (o.val * o.val);
        Dual::new(self.val / o.val, der)
    }
}

impl<T: Float> Rem for Dual<T> {
    type Output = Self;
    /// `a % b = a - b trunc(a / b)`, whose derivative is `a' - b' trunc(a / b)`.
    fn rem(self, o: Self) -> Self {
        let q = (self.val / o.val).trunc();
        Dual::new(self.val % o.val, self.der - o.der * q)
    }
}

impl<T: Float> Zero for Dual<T> {
    /// `0 + 0ε`.
    fn zero() -> Self {
        Dual::constant(T::zero())
    }
    fn is_zero(&self) -> bool {
        self.val.is_zero()
    }
}

impl<T: Float> One for Dual<T> {
    /// `1 + 0ε`.
    fn one() -> Self {
        Dual::constant(T::one())
    }
}

impl<T: Float> Num for Dual<T> {
    type FromStrRadixErr = T::FromStrRadixErr;
    /// A constant parsed from text.
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        T::from_str_radix(s, radix).map(Dual::constant)
    }
}

impl<T: Float> ToPrimitive for Dual<T> {
    /// The value, converted.
    fn to_i64(&self) -> Option<i64> {
        self.val.to_i64()
    }
    /// The value, converted.
    fn to_u64(&self) -> Option<u64> {
        self.val.to_u64()
    }
    /// The value, converted.
    fn to_f64(&self) -> Option<f64> {
        self.val.to_f64()
    }
}

impl<T: Float> NumCast for Dual<T> {
    /// A constant converted from a number.
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        T::from(n).map(Dual::constant)
    }
}

/// The derivative table: each function `f(a)` with `f'(a) a'` as its
/// derivative part. Functions that are piecewise constant (`floor`, `round`,
/// `signum`, ...) have derivative 0.
impl<T: Float> Float for Dual<T> {
    fn nan() -> Self {
        Dual::constant(T::nan())
    }
    fn infinity() -> Self {
        Dual::constant(T::infinity())
    }
    fn neg_infinity() -> Self {
        Dual::constant(T::neg_infinity())
    }
    fn neg_zero() -> Self {
        Dual::constant(T::neg_zero())
    }
    fn min_value() -> Self {
        Dual::constant(T::min_value())
    }
    fn min_positive_value() -> Self {
        Dual::constant(T::min_positive_value())
    }
    fn max_value() -> Self {
        Dual::constant(T::max_value())
    }
    fn epsilon() -> Self {
        Dual::constant(T::epsilon())
    }
    fn is_nan(self) -> bool {
        self.val.is_nan()
    }
    fn is_infinite(self) -> bool {
        self.val.is_infinite()
    }
    fn is_finite(self) -> bool {
        self.val.is_finite()
    }
    fn is_normal(self) -> bool {
        self.val.is_normal()
    }
    fn classify(self) -> FpCategory {
        self.val.classify()
    }
    fn is_sign_positive(self) -> bool {
        self.val.is_sign_positive()
    }
    fn is_sign_negative(self) -> bool {
        self.val.is_sign_negative()
    }
    fn integer_decode(self) -> (u64, i16, i8) {
        self.val.integer_decode()
    }
    fn floor(self) -> Self {
        Dual::constant(self.val.floor())
    }
    fn ceil(self) -> Self {
        Dual::constant(self.val.ceil())
    }
    fn round(self) -> Self {
        Dual::constant(self.val.round())
    }
    fn trunc(self) -> Self {
        Dual::constant(self.val.trunc())
    }
    fn signum(self) -> Self {
        Dual::constant(self.val.signum())
    }
    /// `fract(a) = a - trunc(a)`: derivative `a'`.
    fn fract(self) -> Self {
        Dual::new(self.val.fract(), self.der)
    }
    /// `|a|' = signum(a) a'`.
    fn abs(self) -> Self {
        self.chain(self.val.abs(), self.val.signum())
    }
    /// `self * a + b`.
    fn mul_add(self, a: Self, b: Self) -> Self {
        self * a + b
    }
    /// `(1/a)' = -a' / a²`.
    fn recip(self) -> Self {
        self.chain(self.val.recip(), -(self.val * self.val).recip())
    }
    /// Power rule: `(a^n)' = n a^(n-1) a'`.
    fn powi(self, n: i32) -> Self {
        let nt = T::from(n).unwrap_or_else(T::nan);
        self.chain(self.val.powi(n), nt * self.val.powi(n - 1))
    }
    /// `(a^b)' = b a^(b-1) a' + a^b ln(a) b'`; each term is left out when its
    /// `a'` or `b'` is 0, so `(-2)^3` and `0^b` keep finite derivatives.
    fn powf(self, b: Self) -> Self {
        let value = self.val.powf(b.val);
        let mut der = T::zero();
        if self.der != T::zero() {
            der = der + b.val * self.val.powf(b.val - T::one()) * self.der;
        }
        if b.der != T::zero() {
            der = der + value * self.val.ln() * b.der;
        }
        Dual::new(value, der)
    }
    /// `sqrt(a)' = a' / (2 sqrt(a))`.
    fn sqrt(self) -> Self {
        let s = self.val.sqrt();
        self.chain(s, (s + s).recip())
    }
    /// `exp(a)' = exp(a) a'`.
    fn exp(self) -> Self {
        let e = self.val.exp();
        self.chain(e, e)
    }
    /// `(2^a)' = 2^a ln(2) a'`.
    fn exp2(self) -> Self {
        let e = self.val.exp2();
        self.chain(
            e,
            e * T::from(std::f64::consts::LN_2).unwrap_or_else(T::nan),
        )
    }
    /// `exp(a)' - 0 = exp(a) a'`.
    fn exp_m1(self) -> Self {
        self.chain(self.val.exp_m1(), self.val.exp())
    }
    /// `ln(a)' = a' / a`.
    fn ln(self) -> Self {
        self.chain(self.val.ln(), self.val.recip())
    }
    /// `ln(1 + a)' = a' / (1 + a)`.
    fn ln_1p(self) -> Self {
        self.chain(self.val.ln_1p(), (T::one() + self.val).recip())
    }
    /// `log_b(a) = ln(a) / ln(b)`, by the quotient rule.
    fn log(self, base: Self) -> Self {
        self.ln() / base.ln()
    }
    /// `log2(a)' = a' / (a ln 2)`.
    fn log2(self) -> Self {
        self.ln() / Dual::constant(T::from(std::f64::consts::LN_2).unwrap_or_else(T::nan))
    }
    /// `log10(a)' = a' / (a ln 10)`.
    fn log10(self) -> Self {
        self.ln() / Dual::constant(T::from(std::f64::consts::LN_10).unwrap_or_else(T::nan))
    }
    /// `max(a, b)`: the larger one with its derivative, `b` on a tie (as
    /// [`Expr::diff`](super::Expr::diff) does).
    fn max(self, o: Self) -> Self {
        if self.val > o.val { self } else { o }
    }
    /// `min(a, b)`: the smaller one with its derivative, `b` on a tie.
    fn min(self, o: Self) -> Self {
        if self.val < o.val { self } else { o }
    }
    /// `max(a - b, 0)`.
    fn abs_sub(self, o: Self) -> Self {
        (self - o).max(Self::zero())
    }
    /// `cbrt(a)' = a' / (3 cbrt(a)²)`.
    fn cbrt(self) -> Self {
        let c = self.val.cbrt();
        self.chain(c, (c * c + c * c + c * c).recip())
    }
    /// `sqrt(a² + b²)' = (a a' + b b') / sqrt(a² + b²)`.
    fn hypot(self, o: Self) -> Self {
        (self * self + o * o).sqrt()
    }
    /// `sin(a)' = cos(a) a'`.
    fn sin(self) -> Self {
        self.chain(self.val.sin(), self.val.cos())
    }
    /// `cos(a)' = -sin(a) a'`.
    fn cos(self) -> Self {
        self.chain(self.val.cos(), -self.val.sin())
    }
    /// `tan(a)' = (1 + tan(a)²) a'`.
    fn tan(self) -> Self {
        let t = self.val.tan();
        self.chain(t, T::one() + t * t)
    }
    /// `asin(a)' = a' / sqrt(1 - a²)`.
    fn asin(self) -> Self {
        self.chain(
            self.val.asin(),
            (T::one() - self.val * self.val).sqrt().recip(),
        )
    }
    /// `acos(a)' = -a' / sqrt(1 - a²)`.
    fn acos(self) -> Self {
        self.chain(
            self.val.acos(),
            -(T::one() - self.val * self.val).sqrt().recip(),
        )
    }
    /// `atan(a)' = a' / (1 + a²)`.
    fn atan(self) -> Self {
        self.chain(self.val.atan(), (T::one() + self.val * self.val).recip())
    }
    /// `atan2(y, x)' = (x y' - y x') / (x² + y²)`.
    fn atan2(self, x: Self) -> Self {
        let r2 = self.val * self.val + x.val * x.val;
        Dual::new(
            self.val.atan2(x.val),
            (x.val * self.der - self.val * x.der) / r2,
        )
    }
    /// `(sin(a), cos(a))`.
    fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
    /// `sinh(a)' = cosh(a) a'`.
    fn sinh(self) -> Self {
        self.chain(self.val.sinh(), self.val.cosh())
    }
    /// `cosh(a)' = sinh(a) a'`.
    fn cosh(self) -> Self {
        self.chain(self.val.cosh(), self.val.sinh())
    }
    /// `tanh(a)' = (1 - tanh(a)²) a'`.
    fn tanh(self) -> Self {
        let t = self.val.tanh();
        self.chain(t, T::one() - t * t)
    }
    /// `asinh(a)' = a' / sqrt(a² + 1)`.
    fn asinh(self) -> Self {
        self.chain(
            self.val.asinh(),
            (self.val * self.val + T::one()).sqrt().recip(),
        )
    }
    /// `acosh(a)' = a' / sqrt(a² - 1)`.
    fn acosh(self) -> Self {
        self.chain(
            self.val.acosh(),
            (self.val * self.val - T::one()).sqrt().recip(),
        )
    }
    /// `atanh(a)' = a' / (1 - a²)`.
    fn atanh(self) -> Self {
        self.chain(self.val.atanh(), (T::one() - self.val * self.val).recip())
    }
}
