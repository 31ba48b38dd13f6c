//! Numeric evaluation of expressions, in any float type, and forward-mode
//! derivatives through dual numbers.

use num_traits::Float;

use super::dual::Dual;
use super::expr::{Cond, Expr};
use crate::error::{Error, Result};

fn names<T>(bindings: &[(&str, T)]) -> String {
    let names: Vec<&str> = bindings.iter().map(|(name, _)| *name).collect();
    format!("[{}]", names.join(", "))
}

impl Expr {
    /// The value of the expression with each variable replaced by its value
    /// in `bindings`, computed in `T` (`f32`, `f64`, or [`Dual`] numbers).
    ///
    /// Integer constant powers use `powi`, so `(-2)**3 = -8`; other powers use
    /// `powf`. Floating-point special values propagate as in `T` (`log(-1)` is
    /// NaN).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if a variable has no value in `bindings`,
    /// if a constant does not fit `T`, or if no branch of a piecewise
    /// expression holds.
    ///
    /// ```
    /// # use nnlib::symbolic::Expr;
    /// let z = Expr::var("z");
    /// let y = z.pow(2) + 1;
    /// assert_eq!(y.eval(&[("z", 3.0_f32)]).unwrap(), 10.0);
    /// assert!(y.eval::<f64>(&[]).is_err());
    /// ```
    pub fn eval<T: Float>(&self, bindings: &[(&str, T)]) -> Result<T> {
        let ev = |a: &Expr| a.eval(bindings);
        Ok(match self {
            Expr::Const(c) => T::from(*c).ok_or_else(|| {
                Error::invalid(
                    "expression evaluation",
                    "constants representable in the evaluation type",
                    c.to_string(),
                )
            })?,
            Expr::Var(name) => match bindings.iter().find(|(n, _)| n == name) {
                Some((_, value)) => *value,
                None => {
                    return Err(Error::invalid(
                        format!("expression evaluation of variable `{name}`"),
                        format!("a value for `{name}` among the bindings"),
                        format!("values only for {}", names(bindings)),
                    ));
                }
            },
            Expr::Neg(a) => -ev(a)?,
            Expr::Add(a, b) => ev(a)? + ev(b)?,
            Expr::Sub(a, b) => ev(a)? - ev(b)?,
            Expr::Mul(a, b) => ev(a)? * ev(b)?,
            Expr::Div(a, b) => ev(a)? / ev(b)?,
            Expr::Pow(a, b) => match **b {
                Expr::Const(n) if n.fract() == 0.0 && n.abs() <= f64::from(i32::MAX) => {
                    ev(a)?.powi(n as i32)
                }
                _ => ev(a)?.powf(ev(b)?),
            },
            Expr::Exp(a) => ev(a)?.exp(),
            Expr::Ln(a) => ev(a)?.ln(),
            Expr::Tanh(a) => ev(a)?.tanh(),
            Expr::Max(a, b) => {
                let (a, b) = (ev(a)?, ev(b)?);
                if a > b { a } else { b }
            }
            Expr::Piecewise(branches) => {
                for (value, cond) in branches {
                    if cond.eval(bindings)? {
                        return ev(value);
                    }
                }
                return Err(Error::invalid(
                    "piecewise expression evaluation",
                    format!("a branch whose condition holds in {self}"),
                    "none",
                ));
            }
        })
    }

    /// The derivative `d self / d var` at the point `bindings`, by forward
    /// mode: every variable becomes a [`Dual`] number, `var` with derivative
    /// 1 and the others with 0, and the expression is evaluated on those. No
    /// symbolic differentiation is involved.
    ///
    /// # Errors
    /// As [`Expr::eval`], and [`Error::InvalidArgument`] if `var` has no value
    /// in `bindings`.
    pub fn eval_derivative<T: Float>(&self, var: &str, bindings: &[(&str, T)]) -> Result<T> {
        if !bindings.iter().any(|(name, _)| *name == var) {
            return Err(Error::invalid(
                format!("derivative with respect to `{var}`"),
                format!("a value for `{var}` among the bindings"),
                format!("values only for {}", names(bindings)),
            ));
        }
        let duals: Vec<(&str, Dual<T>)> = bindings
            .iter()
            .map(|&(name, x)| {
                let seed = if name == var { T::one() } else { T::zero() };
                (name, Dual::new(x, seed))
            })
            .collect();
        Ok(self.eval(&duals)?.der)
    }
}

impl Cond {
    /// Whether the condition holds at the point `bindings`.
    ///
    /// # Errors
    /// As [`Expr::eval`].
    pub fn eval<T: Float>(&self, bindings: &[(&str, T)]) -> Result<bool> {
        match self {
            Cond::True => Ok(true),
            Cond::Cmp(lhs, rel, rhs) => Ok(rel.holds(lhs.eval(bindings)?, rhs.eval(bindings)?)),
        }
    }
}
