//! Printing: sympy's text form (`Display`) and LaTeX.

use std::fmt;

use super::expr::{Cond, Expr, Rel};

/// Binding strength of an expression as an operand, as in sympy's printer:
/// a sum binds loosest, then a negated term, a product, a power, and atoms
/// (numbers, variables, function calls) bind tightest.
const ADD: u8 = 1;
const NEG: u8 = 2;
const MUL: u8 = 3;
const POW: u8 = 4;
const ATOM: u8 = 5;

fn precedence(e: &Expr) -> u8 {
    match e {
        Expr::Const(c) if c.is_sign_negative() && *c != 0.0 => NEG,
        Expr::Add(..) | Expr::Sub(..) => ADD,
        Expr::Neg(_) => NEG,
        Expr::Mul(..) | Expr::Div(..) => MUL,
        Expr::Pow(..) => POW,
        _ => ATOM,
    }
}

/// A number as sympy prints it: `2` for whole numbers, `0.01` otherwise,
/// `oo` for infinity.
fn number(c: f64) -> String {
    if c.is_infinite() {
        (if c > 0.0 { "oo" } else { "-oo" }).into()
    } else if c.is_nan() {
        "nan".into()
    } else if c.fract() == 0.0 && c.abs() < 1e15 {
        format!("{}", c as i64)
    } else {
        format!("{c}")
    }
}

impl fmt::Display for Rel {
    /// `<`, `<=`, `>` or `>=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rel::Lt => "<",
            Rel::Le => "<=",
            Rel::Gt => ">",
            Rel::Ge => ">=",
        })
    }
}

impl fmt::Display for Cond {
    /// `z_2 <= 0`, or `True`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cond::True => f.write_str("True"),
            Cond::Cmp(lhs, rel, rhs) => write!(f, "{lhs} {rel} {rhs}"),
        }
    }
}

impl fmt::Display for Expr {
    /// The expression as sympy's `str` prints it, e.g.
    /// `exp(-z_2)/(1 + exp(-z_2))**2`: `**` for powers, `log` for the natural
    /// logarithm, spaces around `+` and `-` only, and parentheses only where
    /// the operator precedence requires them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `e` in parentheses when it binds looser than `min`.
        let op = |e: &Expr, min: u8| {
            if precedence(e) < min {
                format!("({e})")
            } else {
                e.to_string()
            }
        };
        match self {
            Expr::Const(c) => f.write_str(&number(*c)),
            Expr::Var(name) => f.write_str(name),
            Expr::Neg(a) => write!(f, "-{}", op(a, MUL)),
            Expr::Add(a, b) if precedence(b) == NEG => write!(f, "{a} + ({b})"),
            Expr::Add(a, b) => write!(f, "{a} + {b}"),
            Expr::Sub(a, b) => write!(f, "{a} - {}", op(b, MUL)),
            Expr::Mul(a, b) => write!(f, "{}*{}", op(a, MUL), op(b, MUL)),
            Expr::Div(a, b) => write!(f, "{}/{}", op(a, MUL), op(b, POW)),
            Expr::Pow(a, b) => write!(f, "{}**{}", op(a, ATOM), op(b, POW)),
            Expr::Exp(a) => write!(f, "exp({a})"),
            Expr::Ln(a) => write!(f, "log({a})"),
            Expr::Tanh(a) => write!(f, "tanh({a})"),
            Expr::Max(a, b) => write!(f, "Max({a}, {b})"),
            Expr::Piecewise(branches) => {
                let parts: Vec<String> = branches
                    .iter()
                    .map(|(v, c)| format!("({v}, {c})"))
                    .collect();
                write!(f, "Piecewise({})", parts.join(", "))
            }
        }
    }
}

/// A variable name in LaTeX: `z_2` becomes `z_{2}`, Greek letter names
/// become the letter (`alpha` becomes `\alpha`).
fn latex_name(name: &str) -> String {
    const GREEK: [&str; 16] = [
        "alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu",
        "nu", "pi", "rho", "sigma", "tau", "omega",
    ];
    let greek = |s: &str| {
        if GREEK.contains(&s) {
            format!("\\{s}")
        } else {
            s.to_string()
        }
    };
    match name.split_once('_') {
        Some((base, sub)) if !base.is_empty() && !sub.is_empty() => {
            format!("{}_{{{}}}", greek(base), greek(sub))
        }
        _ => greek(name),
    }
}

fn latex_cond(c: &Cond) -> String {
    match c {
        Cond::True => "\\text{otherwise}".into(),
        Cond::Cmp(lhs, rel, rhs) => {
            let rel = match rel {
                Rel::Lt => "<",
                Rel::Le => "\\leq",
                Rel::Gt => ">",
                Rel::Ge => "\\geq",
            };
            format!("{} {rel} {}", lhs.to_latex(), rhs.to_latex())
        }
    }
}

impl Expr {
    /// The expression in LaTeX, in sympy's style: `e^{- z_{2}}`,
    /// `\frac{a}{b}`, `\tanh^{2}{\left(z_{2} \right)}`, `\begin{cases} ... \end{cases}`.
    ///
    /// ```
    /// # use nnlib::symbolic::Expr;
    /// let z = Expr::var("z_2");
    /// let sigmoid = 1 / (1 + (-&z).exp());
    /// assert_eq!(sigmoid.to_latex(), r"\frac{1}{1 + e^{- z_{2}}}");
    /// ```
    pub fn to_latex(&self) -> String {
        let op = |e: &Expr, min: u8| {
            if precedence(e) < min {
                format!("\\left({}\\right)", e.to_latex())
            } else {
                e.to_latex()
            }
        };
        let call = |name: &str, a: &Expr| format!("\\{name}{{\\left({} \\right)}}", a.to_latex());
        match self {
            Expr::Const(c) => number(*c).replace("oo", "\\infty"),
            Expr::Var(name) => latex_name(name),
            Expr::Neg(a) => format!("- {}", op(a, MUL)),
            Expr::Add(a, b) if precedence(b) == NEG => {
                format!("{} + \\left({}\\right)", a.to_latex(), b.to_latex())
            }
            Expr::Add(a, b) => format!("{} + {}", a.to_latex(), b.to_latex()),
            Expr::Sub(a, b) => format!("{} - {}", a.to_latex(), op(b, MUL)),
            Expr::Mul(a, b) => {
                let sep = if matches!(**b, Expr::Const(_)) {
                    " \\cdot "
                } else {
                    " "
                };
                format!("{}{sep}{}", op(a, MUL), op(b, MUL))
            }
            Expr::Div(a, b) => format!("\\frac{{{}}}{{{}}}", a.to_latex(), b.to_latex()),
            Expr::Pow(a, b) => match &**a {
                Expr::Tanh(x) | Expr::Ln(x) => {
                    let name = if matches!(**a, Expr::Tanh(_)) {
                        "tanh"
                    } else {
                        "log"
                    };
                    format!(
                        "\\{name}^{{{}}}{{\\left({} \\right)}}",
                        b.to_latex(),
                        x.to_latex()
                    )
                }
                Expr::Exp(_) => format!("\\left({}\\right)^{{{}}}", a.to_latex(), b.to_latex()),
                _ => format!("{}^{{{}}}", op(a, ATOM), b.to_latex()),
            },
            Expr::Exp(a) => format!("e^{{{}}}", a.to_latex()),
            Expr::Ln(a) => call("log", a),
            Expr::Tanh(a) => call("tanh", a),
            Expr::Max(a, b) => format!("\\max\\left({}, {}\\right)", a.to_latex(), b.to_latex()),
            Expr::Piecewise(branches) => {
                let rows: Vec<String> = branches
                    .iter()
                    .map(|(v, c)| match c {
                        Cond::True => format!("{} & {}", v.to_latex(), latex_cond(c)),
                        _ => format!("{} & \\text{{for}}\\: {}", v.to_latex(), latex_cond(c)),
                    })
                    .collect();
                format!("\\begin{{cases}} {} \\end{{cases}}", rows.join(" \\\\"))
            }
        }
    }

    /// Shows the expression as typeset math when it is the value of a
    /// notebook cell (evcxr calls this method): prints
    /// `EVCXR_BEGIN_CONTENT text/latex`, the LaTeX between `$` signs, and
    /// `EVCXR_END_CONTENT`.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/latex\n${}$\nEVCXR_END_CONTENT",
            self.to_latex()
        );
    }
}
