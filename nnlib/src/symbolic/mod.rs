//! Symbolic derivatives without sympy, and dual numbers to check them.
//!
//! Lesson 03 differentiates the activations with sympy. This module does the
//! same in a few hundred lines: an expression tree [`Expr`], the rules of
//! differentiation in [`Expr::diff`], a simplifier that keeps the results
//! readable, printing in sympy's style (`Display`) and in LaTeX
//! ([`Expr::to_latex`]), and evaluation over any float ([`Expr::eval`]).
//!
//! ```
//! use nnlib::symbolic::Expr;
//!
//! let z = Expr::var("z_2");
//! let sigmoid = 1 / (1 + (-&z).exp());
//! let relu = Expr::piecewise([(0.into(), z.le(0)), (z.clone(), z.gt(0))]);
//! let tanh = z.tanh();
//!
//! assert_eq!(sigmoid.diff("z_2").to_string(), "exp(-z_2)/(1 + exp(-z_2))**2");
//! assert_eq!(relu.diff("z_2").to_string(), "Piecewise((0, z_2 <= 0), (1, True))");
//! assert_eq!(tanh.diff("z_2").to_string(), "1 - tanh(z_2)**2");
//! ```
//!
//! A derivative can also be computed without any symbols: forward mode
//! evaluates the expression on [`Dual`] numbers `a + a' ε` (with `ε² = 0`),
//! which carry the derivative along with the value. The two methods share no
//! code, so their agreement checks both:
//!
//! ```
//! # use nnlib::symbolic::Expr;
//! let z = Expr::var("z");
//! let sigmoid = 1 / (1 + (-&z).exp());
//! let symbolic = sigmoid.diff("z").eval(&[("z", 0.5_f64)]).unwrap();
//! let forward = sigmoid.eval_derivative("z", &[("z", 0.5)]).unwrap();
//! assert!((symbolic - forward).abs() < 1e-15);
//! ```

mod diff;
mod dual;
mod eval;
mod expr;
mod print;
mod simplify;

pub use dual::{Dual, derivative};
pub use expr::{Cond, Expr, Rel};
