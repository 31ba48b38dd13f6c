//! The simplifying constructors: every node of an [`Expr`] is built through
//! one of these, so results of [`Expr::diff`] come out tidy.

use super::expr::{Cond, Expr};

fn boxed(a: Expr) -> Box<Expr> {
    Box::new(a)
}

fn is_const(a: &Expr, c: f64) -> bool {
    matches!(a, Expr::Const(x) if *x == c)
}

/// `-a`, with `-(-a) = a` and `-(c) = (-c)`.
pub(crate) fn neg(a: Expr) -> Expr {
    match a {
        Expr::Const(c) => Expr::Const(if c == 0.0 { 0.0 } else { -c }),
        Expr::Neg(a) => *a,
        a => Expr::Neg(boxed(a)),
    }
}

/// `a + b`, with `a + 0 = a` and `a + (-b) = a - b`.
pub(crate) fn add(a: Expr, b: Expr) -> Expr {
    match (a, b) {
        (Expr::Const(x), Expr::Const(y)) => Expr::Const(x + y),
        (a, b) if is_const(&b, 0.0) => a,
        (a, b) if is_const(&a, 0.0) => b,
        (a, Expr::Neg(b)) => sub(a, *b),
        (a, Expr::Const(y)) if y < 0.0 => sub(a, Expr::Const(-y)),
        (a, b) => Expr::Add(boxed(a), boxed(b)),
    }
}

/// `a - b`, with `a - 0 = a`, `0 - b = -b`, `a - (-b) = a + b` and `a - a = 0`.
pub(crate) fn sub(a: Expr, b: Expr) -> Expr {
    match (a, b) {
        (Expr::Const(x), Expr::Const(y)) => Expr::Const(x - y),
        (a, b) if is_const(&b, 0.0) => a,
        (a, b) if is_const(&a, 0.0) => neg(b),
        (a, b) if a == b => Expr::Const(0.0),
        (a, Expr::Neg(b)) => add(a, *b),
        (a, b) => Expr::Sub(boxed(a), boxed(b)),
    }
}

/// `a * b`, with `0 a = 0`, `1 a = a`, `a a = a**2`, signs moved out
/// (`(-a) b = -(a b)`) and constants moved to the front (`a 2 = 2 a`,
/// `a (2 b) = 2 a b`, `2 (3 a) = 6 a`).
pub(crate) fn mul(a: Expr, b: Expr) -> Expr {
    match (a, b) {
        (Expr::Const(x), Expr::Const(y)) => Expr::Const(x * y),
        (a, b) if is_const(&a, 0.0) || is_const(&b, 0.0) => Expr::Const(0.0),
        (a, b) if is_const(&a, 1.0) => b,
        (a, b) if is_const(&b, 1.0) => a,
        (Expr::Neg(a), b) => neg(mul(*a, b)),
        (a, Expr::Neg(b)) => neg(mul(a, *b)),
        (Expr::Const(x), b) if x < 0.0 => neg(mul(Expr::Const(-x), b)),
        (a, b @ Expr::Const(_)) => mul(b, a),
        (Expr::Const(x), Expr::Mul(l, r)) if leads_with_const(&l) => {
            mul(mul(Expr::Const(x), *l), *r)
        }
        (a, Expr::Mul(l, r)) if leads_with_const(&l) => mul(mul(*l, a), *r),
        (a, b) if a == b => pow(a, Expr::Const(2.0)),
        (a, b) => Expr::Mul(boxed(a), boxed(b)),
    }
}

/// Whether a product starts with a number: `2`, `2*x`, `2*x*y`.
fn leads_with_const(a: &Expr) -> bool {
    match a {
        Expr::Const(_) => true,
        Expr::Mul(l, _) => leads_with_const(l),
        _ => false,
    }
}

/// `a / b`, with `a / 1 = a`, `0 / b = 0` and signs moved out
/// (`(-a) / b = -(a / b)`).
pub(crate) fn div(a: Expr, b: Expr) -> Expr {
    match (a, b) {
        (Expr::Const(x), Expr::Const(y)) if y != 0.0 => Expr::Const(x / y),
        (a, b) if is_const(&b, 1.0) => a,
        (a, b) if is_const(&a, 0.0) && !is_const(&b, 0.0) => Expr::Const(0.0),
        (Expr::Neg(a), b) => neg(div(*a, b)),
        (a, Expr::Neg(b)) => neg(div(a, *b)),
        (Expr::Const(x), b) if x < 0.0 => neg(div(Expr::Const(-x), b)),
        (a, b) => Expr::Div(boxed(a), boxed(b)),
    }
}

/// `a ** b`, with `a**1 = a`, `a**0 = 1`, `1**b = 1` and constants folded.
pub(crate) fn pow(a: Expr, b: Expr) -> Expr {
    match (a, b) {
        (Expr::Const(x), Expr::Const(y)) if x.powf(y).is_finite() => Expr::Const(x.powf(y)),
        (a, b) if is_const(&b, 1.0) => a,
        (a, b) if is_const(&b, 0.0) || is_const(&a, 1.0) => Expr::Const(1.0),
        (a, b) => Expr::Pow(boxed(a), boxed(b)),
    }
}

/// `exp(a)`, with `exp(0) = 1` and `exp(ln a) = a`.
pub(crate) fn exp(a: Expr) -> Expr {
    match a {
        a if is_const(&a, 0.0) => Expr::Const(1.0),
        Expr::Ln(a) => *a,
        a => Expr::Exp(boxed(a)),
    }
}

/// `ln(a)`, with `ln 1 = 0` and `ln(exp a) = a`.
pub(crate) fn ln(a: Expr) -> Expr {
    match a {
        a if is_const(&a, 1.0) => Expr::Const(0.0),
        Expr::Exp(a) => *a,
        a => Expr::Ln(boxed(a)),
    }
}

/// `tanh(a)`, with `tanh 0 = 0`.
pub(crate) fn tanh(a: Expr) -> Expr {
    if is_const(&a, 0.0) {
        Expr::Const(0.0)
    } else {
        Expr::Tanh(boxed(a))
    }
}

/// `Max(a, b)`, folded for two constants.
pub(crate) fn max(a: Expr, b: Expr) -> Expr {
    match (a, b) {
        (Expr::Const(x), Expr::Const(y)) => Expr::Const(x.max(y)),
        (a, b) if a == b => a,
        (a, b) => Expr::Max(boxed(a), boxed(b)),
    }
}

/// `Piecewise(...)`: a condition that is the complement of an earlier one
/// becomes `True`; branches after a `True` are dropped (they are never
/// reached); a `True` branch with the same value as the branch before
/// absorbs it; a lone `True` branch is just its value.
pub(crate) fn piecewise(branches: Vec<(Expr, Cond)>) -> Expr {
    let mut kept: Vec<(Expr, Cond)> = Vec::with_capacity(branches.len());
    for (value, cond) in branches {
        let always = cond == Cond::True || kept.iter().any(|(_, c)| cond.is_complement_of(c));
        if !always {
            kept.push((value, cond));
            continue;
        }
        while kept.last().is_some_and(|(v, _)| *v == value) {
            kept.pop();
        }
        kept.push((value, Cond::True));
        break;
    }
    match kept.as_slice() {
        [(value, Cond::True)] => value.clone(),
        _ => Expr::Piecewise(kept),
    }
}

impl Expr {
    /// The same expression rebuilt through the simplifying constructors,
    /// bottom up. The rules (applied by every constructor too):
    ///
    /// | rule | example |
    /// | --- | --- |
    /// | constants fold | `2 + 3 = 5`, `2**3 = 8`, `Max(1, 2) = 2` |
    /// | neutral elements | `a + 0 = a`, `1 a = a`, `a / 1 = a`, `a**1 = a`, `a**0 = 1` |
    /// | zero | `0 a = 0`, `0 / a = 0`, `a - a = 0` |
    /// | signs move out | `-(-a) = a`, `a + (-b) = a - b`, `(-a) b = -(a b)`, `a / (-b) = -(a / b)` |
    /// | constants lead products | `a 2 = 2 a`, `a (2 b) = 2 a b`, `2 (3 a) = 6 a`, `a a = a**2` |
    /// | inverses | `exp(ln a) = a`, `ln(exp a) = a`, `exp 0 = 1`, `ln 1 = 0`, `tanh 0 = 0` |
    /// | piecewise | the complement of an earlier condition becomes `True` |
    ///
    /// Like sympy's automatic simplification, `0 a = 0` and `a - a = 0`
    /// assume `a` is finite.
    pub fn simplify(&self) -> Expr {
        let sim = |a: &Expr| a.simplify();
        match self {
            Expr::Const(_) | Expr::Var(_) => self.clone(),
            Expr::Neg(a) => neg(sim(a)),
            Expr::Add(a, b) => add(sim(a), sim(b)),
            Expr::Sub(a, b) => sub(sim(a), sim(b)),
            Expr::Mul(a, b) => mul(sim(a), sim(b)),
            Expr::Div(a, b) => div(sim(a), sim(b)),
            Expr::Pow(a, b) => pow(sim(a), sim(b)),
            Expr::Exp(a) => exp(sim(a)),
            Expr::Ln(a) => ln(sim(a)),
            Expr::Tanh(a) => tanh(sim(a)),
            Expr::Max(a, b) => max(sim(a), sim(b)),
            Expr::Piecewise(branches) => piecewise(
                branches
                    .iter()
                    .map(|(v, c)| {
                        let c = match c {
                            Cond::True => Cond::True,
                            Cond::Cmp(l, r, h) => Cond::Cmp(sim(l), *r, sim(h)),
                        };
                        (sim(v), c)
                    })
                    .collect(),
            ),
        }
    }
}
