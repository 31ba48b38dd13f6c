//! The expression tree and the ways to build it.

use std::ops::{Add, Div, Mul, Neg, Sub};

use super::simplify as s;

/// A symbolic expression of real variables.
///
/// Build expressions with [`Expr::var`], numbers (`f64` or `i32`, which
/// convert with `into()`), the operators `+ - * /` and unary `-` (on `Expr`,
/// `&Expr`, `f64` and `i32` in any mix), and the methods [`Expr::pow`],
/// [`Expr::exp`], [`Expr::ln`], [`Expr::tanh`], [`Expr::max`] and
/// [`Expr::piecewise`]. Every constructor simplifies as it builds (see
/// [`Expr::simplify`]), as sympy does.
///
/// ```
/// use nnlib::symbolic::Expr;
/// let z = Expr::var("z");
/// let alpha = 0.01;
/// let leaky_relu = Expr::piecewise([(alpha * &z, z.le(0)), (z.clone(), z.gt(0))]);
/// let elu = Expr::piecewise([(alpha * (z.exp() - 1), z.le(0)), (z.clone(), z.gt(0))]);
/// let softplus = (1 + z.exp()).ln();
/// assert_eq!(softplus.diff("z").to_string(), "exp(z)/(1 + exp(z))");
/// # let _ = (leaky_relu, elu);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number, e.g. `2` or `0.01`.
    Const(f64),
    /// A named variable, e.g. `z_2`.
    Var(String),
    /// `-a`
    Neg(Box<Expr>),
    /// `a + b`
    Add(Box<Expr>, Box<Expr>),
    /// `a - b`
    Sub(Box<Expr>, Box<Expr>),
    /// `a * b`
    Mul(Box<Expr>, Box<Expr>),
    /// `a / b`
    Div(Box<Expr>, Box<Expr>),
    /// `a ** b`, a to the power b.
    Pow(Box<Expr>, Box<Expr>),
    /// `exp(a)`, e to the power a.
    Exp(Box<Expr>),
    /// The natural logarithm, printed `log(a)` as sympy and the lessons do.
    Ln(Box<Expr>),
    /// `tanh(a) = (e^a - e^-a) / (e^a + e^-a)`.
    Tanh(Box<Expr>),
    /// `Max(a, b)`, the larger of a and b.
    Max(Box<Expr>, Box<Expr>),
    /// `Piecewise((e_1, c_1), (e_2, c_2), ...)`: the first `e_i` whose
    /// condition `c_i` holds.
    Piecewise(Vec<(Expr, Cond)>),
}

/// A comparison between two expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Rel {
    /// The comparison that holds exactly when this one does not: `not (a <= b)`
    /// is `a > b`.
    pub fn negate(self) -> Rel {
        match self {
            Rel::Lt => Rel::Ge,
            Rel::Le => Rel::Gt,
            Rel::Gt => Rel::Le,
            Rel::Ge => Rel::Lt,
        }
    }

    /// The same comparison with its sides swapped: `a <= b` is `b >= a`.
    pub fn swap(self) -> Rel {
        match self {
            Rel::Lt => Rel::Gt,
            Rel::Le => Rel::Ge,
            Rel::Gt => Rel::Lt,
            Rel::Ge => Rel::Le,
        }
    }

    /// Whether `a rel b` holds for two numbers.
    pub fn holds<T: PartialOrd>(self, a: T, b: T) -> bool {
        match self {
            Rel::Lt => a < b,
            Rel::Le => a <= b,
            Rel::Gt => a > b,
            Rel::Ge => a >= b,
        }
    }
}

/// The condition of one branch of a [`Expr::Piecewise`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// Always holds: the "otherwise" branch, printed `True` as in sympy.
    True,
    /// `lhs rel rhs`, e.g. `z_2 <= 0`.
    Cmp(Expr, Rel, Expr),
}

impl Cond {
    /// Whether `self` holds exactly where `other` does not (`z <= 0` and
    /// `z > 0`, or `z <= 0` and `0 < z`).
    pub fn is_complement_of(&self, other: &Cond) -> bool {
        match (self, other) {
            (Cond::Cmp(a, r, b), Cond::Cmp(c, q, d)) => {
                (a == c && b == d && *q == r.negate())
                    || (a == d && b == c && *q == r.negate().swap())
            }
            _ => false,
        }
    }
}

impl Expr {
    /// A variable with the given name, e.g. `Expr::var("z_2")`.
    pub fn var(name: impl Into<String>) -> Expr {
        Expr::Var(name.into())
    }

    /// `self ** exponent`.
    pub fn pow(&self, exponent: impl Into<Expr>) -> Expr {
        s::pow(self.clone(), exponent.into())
    }

    /// `exp(self)`.
    pub fn exp(&self) -> Expr {
        s::exp(self.clone())
    }

    /// The natural logarithm `ln(self)` (printed `log`, as in sympy).
    pub fn ln(&self) -> Expr {
        s::ln(self.clone())
    }

    /// `tanh(self)`.
    pub fn tanh(&self) -> Expr {
        s::tanh(self.clone())
    }

    /// `Max(self, other)`; ReLU is `z.max(0)`.
    pub fn max(&self, other: impl Into<Expr>) -> Expr {
        s::max(self.clone(), other.into())
    }

    /// `Piecewise((e_1, c_1), (e_2, c_2), ...)`: the first `e_i` whose
    /// condition holds, e.g. ReLU
    /// `Expr::piecewise([(0.into(), z.le(0)), (z.clone(), z.gt(0))])`.
    ///
    /// A condition that is the complement of an earlier one becomes
    /// [`Cond::True`] (only points where it holds can reach it), so ReLU prints
    /// `Piecewise((0, z <= 0), (z, True))` as in sympy.
    pub fn piecewise(branches: impl IntoIterator<Item = (Expr, Cond)>) -> Expr {
        s::piecewise(branches.into_iter().collect())
    }

    /// The condition `self < rhs`.
    pub fn lt(&self, rhs: impl Into<Expr>) -> Cond {
        Cond::Cmp(self.clone(), Rel::Lt, rhs.into())
    }

    /// The condition `self <= rhs`.
    pub fn le(&self, rhs: impl Into<Expr>) -> Cond {
        Cond::Cmp(self.clone(), Rel::Le, rhs.into())
    }

    /// The condition `self > rhs`.
    pub fn gt(&self, rhs: impl Into<Expr>) -> Cond {
        Cond::Cmp(self.clone(), Rel::Gt, rhs.into())
    }

    /// The condition `self >= rhs`.
    pub fn ge(&self, rhs: impl Into<Expr>) -> Cond {
        Cond::Cmp(self.clone(), Rel::Ge, rhs.into())
    }
}

impl From<f64> for Expr {
    /// The constant `c`.
    fn from(c: f64) -> Expr {
        Expr::Const(c)
    }
}

impl From<i32> for Expr {
    /// The constant `c`.
    fn from(c: i32) -> Expr {
        Expr::Const(f64::from(c))
    }
}

impl From<&Expr> for Expr {
    /// A copy of the expression.
    fn from(e: &Expr) -> Expr {
        e.clone()
    }
}

impl Neg for Expr {
    type Output = Expr;
    /// `-self`.
    fn neg(self) -> Expr {
        s::neg(self)
    }
}

impl Neg for &Expr {
    type Output = Expr;
    /// `-self`.
    fn neg(self) -> Expr {
        s::neg(self.clone())
    }
}

/// Implements one binary operator for every mix of `Expr`, `&Expr`, `f64`
/// and `i32` operands, through the simplifying constructor `$build`.
macro_rules! binary_op {
    ($Trait:ident, $method:ident, $build:path) => {
        impl<R: Into<Expr>> $Trait<R> for Expr {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                $build(self, rhs.into())
            }
        }
        impl<R: Into<Expr>> $Trait<R> for &Expr {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                $build(self.clone(), rhs.into())
            }
        }
        binary_op!(@number $Trait, $method, $build, f64);
        binary_op!(@number $Trait, $method, $build, i32);
    };
    (@number $Trait:ident, $method:ident, $build:path, $num:ty) => {
        impl $Trait<Expr> for $num {
            type Output = Expr;
            fn $method(self, rhs: Expr) -> Expr {
                $build(self.into(), rhs)
            }
        }
        impl $Trait<&Expr> for $num {
            type Output = Expr;
            fn $method(self, rhs: &Expr) -> Expr {
                $build(self.into(), rhs.clone())
            }
        }
    };
}

binary_op!(Add, add, s::add);
binary_op!(Sub, sub, s::sub);
binary_op!(Mul, mul, s::mul);
binary_op!(Div, div, s::div);
