//! Symbolic differentiation: one rule per kind of node.

use super::expr::{Cond, Expr};
use super::simplify::{add, div, exp, ln, mul, neg, pow, sub, tanh};

impl Expr {
    /// The derivative `d self / d var`, simplified as it is built.
    ///
    /// The rules, with `a' = da/dvar`:
    ///
    /// | expression | derivative | rule |
    /// | --- | --- | --- |
    /// | `c` | `0` | constant |
    /// | `x` | `1` if `x` is `var`, else `0` | variable |
    /// | `-a`, `a + b`, `a - b` | `-a'`, `a' + b'`, `a' - b'` | linearity |
    /// | `a b` | `a' b + a b'` | product rule |
    /// | `a / b` | `(a' b - a b') / b**2` | quotient rule |
    /// | `a**n`, `n` free of `var` | `n a**(n - 1) a'` | power rule with chain rule |
    /// | `c**b`, `c` free of `var` | `c**b log(c) b'` | exponential with chain rule |
    /// | `a**b` | `a**b (b' log(a) + b a' / a)` | general power, from `a**b = exp(b log a)` |
    /// | `exp(a)` | `exp(a) a'` | chain rule |
    /// | `log(a)` | `a' / a` | chain rule |
    /// | `tanh(a)` | `(1 - tanh(a)**2) a'` | chain rule |
    /// | `Max(a, b)` | `Piecewise((a', a > b), (b', True))` | the derivative of the larger one |
    /// | `Piecewise((e_i, c_i), ...)` | `Piecewise((e_i', c_i), ...)` | branch by branch |
    ///
    /// Like sympy, the last two ignore the kinks where the branches meet: the
    /// derivative of ReLU at 0 comes out 0, the value of the branch that holds.
    pub fn diff(&self, var: &str) -> Expr {
        let d = |a: &Expr| a.diff(var);
        let c = |a: &Expr| a.clone();
        match self {
            Expr::Const(_) => Expr::Const(0.0),
            Expr::Var(name) => Expr::Const(if name == var { 1.0 } else { 0.0 }),
            Expr::Neg(a) => neg(d(a)),
            Expr::Add(a, b) => add(d(a), d(b)),
            Expr::Sub(a, b) => sub(d(a), d(b)),
            Expr::Mul(a, b) => add(mul(d(a), c(b)), mul(c(a), d(b))),
            Expr::Div(a, b) => div(
                sub(mul(d(a), c(b)), mul(c(a), d(b))),
                pow(c(b), Expr::Const(2.0)),
            ),
            Expr::Pow(a, b) => {
                let (da, db) = (d(a), d(b));
                if db == Expr::Const(0.0) {
                    let n_minus_1 = sub(c(b), Expr::Const(1.0));
                    mul(mul(c(b), pow(c(a), n_minus_1)), da)
                } else if da == Expr::Const(0.0) {
                    mul(mul(c(self), ln(c(a))), db)
                } else {
                    let rate = add(mul(db, ln(c(a))), div(mul(c(b), da), c(a)));
                    mul(c(self), rate)
                }
            }
            Expr::Exp(a) => mul(exp(c(a)), d(a)),
            Expr::Ln(a) => div(d(a), c(a)),
            Expr::Tanh(a) => {
                let dtanh = sub(Expr::Const(1.0), pow(tanh(c(a)), Expr::Const(2.0)));
                mul(dtanh, d(a))
            }
            Expr::Max(a, b) => Expr::piecewise([(d(a), a.gt(&**b)), (d(b), Cond::True)]),
            Expr::Piecewise(branches) => Expr::piecewise(
                branches
                    .iter()
                    .map(|(value, cond)| (d(value), cond.clone())),
            ),
        }
    }
}
