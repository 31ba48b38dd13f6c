//! Optimisers: how the gradients change the parameters.
//!
//! An optimiser updates a list of parameter arrays (for a network: `W1, b1,
//! W2, b2, ...`) from their gradients, one [`Optimizer::step`] per batch. The
//! ones with memory (momentum, Adam) keep one state array per parameter, in
//! the same order, so the list must be passed in the same order every step.

use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, Zip};

use crate::linalg::PARALLEL_ELEMENTWISE;
use crate::{Error, Result, Scalar};

/// One parameter array and its gradient, as an optimiser sees them.
pub struct Param<'a, T> {
    /// The parameter, updated in place.
    pub value: ArrayViewMutD<'a, T>,
    /// `∂L/∂value`, the same shape.
    pub grad: ArrayViewD<'a, T>,
}

/// An update rule.
pub trait Optimizer<T: Scalar>: Send {
    /// Updates every parameter once from its gradient.
    ///
    /// # Errors
    /// [`Error::Shape`] if a gradient's shape differs from its parameter's or
    /// from the state kept for that parameter by an earlier step;
    /// [`Error::InvalidArgument`] if the learning rate is not a positive number.
    fn step(&mut self, params: &mut [Param<'_, T>]) -> Result<()>;
    /// A one-line description with the settings, e.g. `"SGD(lr=0.1)"`.
    fn describe(&self) -> String;
}

/// A learning rate must be a positive, finite number.
fn check_learning_rate(optimizer: &str, lr: f64) -> Result<()> {
    if lr.is_finite() && lr > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            format!("{optimizer} learning rate"),
            "a positive number",
            lr.to_string(),
        ))
    }
}

fn check_param<T>(i: usize, p: &Param<'_, T>, state: Option<&ArrayD<T>>) -> Result<()> {
    let expected = state.map(|s| s.shape()).unwrap_or(p.value.shape());
    if p.grad.shape() != p.value.shape() || p.value.shape() != expected {
        return Err(Error::shape(
            format!("optimiser step, parameter {i}"),
            p.value.shape(),
            p.grad.shape(),
            format!(
                "parameter, gradient and optimiser state must share one shape (state: {:?})",
                expected
            ),
        ));
    }
    Ok(())
}

/// Plain gradient descent: `w ← w − η ∂L/∂w`.
#[derive(Debug, Clone)]
pub struct Sgd {
    /// Learning rate η.
    pub lr: f64,
}

impl Sgd {
    /// SGD with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        Sgd { lr }
    }
}

impl Sgd {
    /// The body of [`Optimizer::step`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn step_generic<T: Scalar>(&mut self, params: &mut [Param<'_, T>]) -> Result<()> {
        check_learning_rate("SGD", self.lr)?;
        let lr = T::cast(self.lr);
        for (i, p) in params.iter_mut().enumerate() {
            check_param(i, p, None)?;
            p.value.scaled_add(-lr, &p.grad);
        }
        Ok(())
    }
}

impl<T: Scalar> Optimizer<T> for Sgd {
    fn step(&mut self, params: &mut [Param<'_, T>]) -> Result<()> {
        T::sgd_step(self, params)
    }
    fn describe(&self) -> String {
        format!("SGD(lr={})", self.lr)
    }
}

/// Gradient descent with momentum: `v ← β v + ∂L/∂w`, `w ← w − η v`.
///
/// The velocity `v` is a running sum of past gradients that decays by β per
/// step, so steps grow along directions where the gradient keeps its sign.
#[derive(Debug, Clone)]
pub struct Momentum<T> {
    /// Learning rate η.
    pub lr: f64,
    /// Decay β of the velocity (0.9 is usual).
    pub beta: f64,
    velocity: Vec<ArrayD<T>>,
}

impl<T: Scalar> Momentum<T> {
    /// Momentum with learning rate `lr` and decay `beta`.
    pub fn new(lr: f64, beta: f64) -> Self {
        Momentum {
            lr,
            beta,
            velocity: Vec::new(),
        }
    }
}

impl<T: Scalar> Momentum<T> {
    /// The body of [`Optimizer::step`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn step_generic(&mut self, params: &mut [Param<'_, T>]) -> Result<()> {
        check_learning_rate("momentum", self.lr)?;
        if self.velocity.is_empty() {
            self.velocity = params
                .iter()
                .map(|p| ArrayD::zeros(p.value.raw_dim()))
                .collect();
        }
        let (lr, beta) = (T::cast(self.lr), T::cast(self.beta));
        for (i, p) in params.iter_mut().enumerate() {
            let v = self
                .velocity
                .get_mut(i)
                .ok_or_else(|| state_count_error(i))?;
            check_param(i, p, Some(v))?;
            Zip::from(&mut p.value)
                .and(&mut *v)
                .and(&p.grad)
                .for_each(|w, v, &g| {
                    *v = beta * *v + g;
                    *w -= lr * *v;
                });
        }
        Ok(())
    }
}

impl<T: Scalar> Optimizer<T> for Momentum<T> {
    fn step(&mut self, params: &mut [Param<'_, T>]) -> Result<()> {
        T::momentum_step(self, params)
    }
    fn describe(&self) -> String {
        format!("Momentum(lr={}, beta={})", self.lr, self.beta)
    }
}

/// Adam (Kingma & Ba, 2015) in Keras's formulation, with bias correction.
///
/// At step t, for each parameter w with gradient g:
///
/// ```text
/// m ← β₁ m + (1 − β₁) g                  first moment (mean of g)
/// v ← β₂ v + (1 − β₂) g²                 second moment (uncentred variance)
/// α_t = η √(1 − β₂ᵗ) / (1 − β₁ᵗ)          bias correction of both moments
/// w ← w − α_t m / (√v + ε)
/// ```
///
/// This is the paper's `w ← w − η m̂ / (√v̂ + ε̂)` with `m̂ = m / (1 − β₁ᵗ)`,
/// `v̂ = v / (1 − β₂ᵗ)` and `ε̂ = ε / √(1 − β₂ᵗ)`. The defaults are Keras's:
/// η = 1e-3, β₁ = 0.9, β₂ = 0.999, ε = 1e-7.
#[derive(Debug, Clone)]
pub struct Adam<T> {
    /// Learning rate η.
    pub lr: f64,
    /// Decay β₁ of the first moment.
    pub beta1: f64,
    /// Decay β₂ of the second moment.
    pub beta2: f64,
    /// ε, keeping the division finite.
    pub epsilon: f64,
    t: i32,
    m: Vec<ArrayD<T>>,
    v: Vec<ArrayD<T>>,
}

impl<T: Scalar> Default for Adam<T> {
    fn default() -> Self {
        Adam::new(1e-3)
    }
}

impl<T: Scalar> Adam<T> {
    /// Adam with learning rate `lr` and Keras's other defaults.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }

    /// The number of steps taken so far.
    pub fn steps(&self) -> i32 {
        self.t
    }
}

impl<T: Scalar> Adam<T> {
    /// The body of [`Optimizer::step`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn step_generic(&mut self, params: &mut [Param<'_, T>]) -> Result<()> {
        check_learning_rate("Adam", self.lr)?;
        if self.m.is_empty() {
            self.m = params
                .iter()
                .map(|p| ArrayD::zeros(p.value.raw_dim()))
                .collect();
            self.v = self.m.clone();
        }
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let alpha = T::cast(self.lr * (1.0 - b2.powi(self.t)).sqrt() / (1.0 - b1.powi(self.t)));
        let (b1, b2, eps) = (T::cast(b1), T::cast(b2), T::cast(self.epsilon));
        for (i, p) in params.iter_mut().enumerate() {
            let (m, v) = match (self.m.get_mut(i), self.v.get_mut(i)) {
                (Some(m), Some(v)) => (m, v),
                _ => return Err(state_count_error(i)),
            };
            check_param(i, p, Some(m))?;
            let zip = Zip::from(&mut p.value)
                .and(&mut *m)
                .and(&mut *v)
                .and(&p.grad);
            let update = |w: &mut T, m: &mut T, v: &mut T, &g: &T| {
                *m = b1 * *m + (T::one() - b1) * g;
                *v = b2 * *v + (T::one() - b2) * g * g;
                *w -= alpha * *m / (v.sqrt() + eps);
            };
            // a square root and a division per entry: a tenth of lesson 05's
            // training time when done on one core
            if p.grad.len() >= PARALLEL_ELEMENTWISE {
                zip.par_for_each(update);
            } else {
                zip.for_each(update);
            }
        }
        Ok(())
    }
}

impl<T: Scalar> Optimizer<T> for Adam<T> {
    fn step(&mut self, params: &mut [Param<'_, T>]) -> Result<()> {
        T::adam_step(self, params)
    }
    fn describe(&self) -> String {
        format!(
            "Adam(lr={}, beta1={}, beta2={}, epsilon={})",
            self.lr, self.beta1, self.beta2, self.epsilon
        )
    }
}

fn state_count_error(i: usize) -> Error {
    Error::invalid(
        "optimiser step",
        "the same list of parameters at every step",
        format!("parameter {i}, which the first step did not have"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    fn one_param_step<O: Optimizer<f64>>(opt: &mut O, w: &mut ArrayD<f64>, g: &[f64]) {
        let g = ArrayD::from_shape_vec(IxDyn(&[g.len()]), g.to_vec()).unwrap();
        opt.step(&mut [Param {
            value: w.view_mut(),
            grad: g.view(),
        }])
        .unwrap();
    }

    #[test]
    fn adam_three_steps_by_hand() {
        // w = 1, gradients 0.5, -0.2, 0.1; lr 0.1, Keras defaults otherwise.
        let mut opt = Adam::<f64>::new(0.1);
        let mut w = ArrayD::from_elem(IxDyn(&[1]), 1.0);
        // Step 1: m = 0.05, v = 0.00025, α = 0.1·√0.001/0.1 = √0.001,
        // w = 1 − √0.001 · 0.05 / (√0.00025 + 1e-7).
        one_param_step(&mut opt, &mut w, &[0.5]);
        let w1 = 1.0 - 0.001_f64.sqrt() * 0.05 / (0.00025_f64.sqrt() + 1e-7);
        assert!((w[0] - w1).abs() < 1e-15, "{} vs {w1}", w[0]);
        // Step 2: m = 0.9·0.05 + 0.1·(−0.2) = 0.025,
        // v = 0.999·0.00025 + 0.001·0.04 = 0.00028975,
        // α = 0.1·√(1 − 0.999²)/(1 − 0.9²) = 0.1·√0.001999/0.19.
        one_param_step(&mut opt, &mut w, &[-0.2]);
        let w2 = w1 - 0.1 * 0.001999_f64.sqrt() / 0.19 * 0.025 / (0.00028975_f64.sqrt() + 1e-7);
        assert!((w[0] - w2).abs() < 1e-15, "{} vs {w2}", w[0]);
        // Step 3: m = 0.9·0.025 + 0.01 = 0.0325,
        // v = 0.999·0.00028975 + 0.001·0.01 = 0.00029946025, α = 0.1·√(1 − 0.999³)/(1 − 0.9³).
        one_param_step(&mut opt, &mut w, &[0.1]);
        let a3 = 0.1 * (1.0 - 0.999_f64.powi(3)).sqrt() / (1.0 - 0.729);
        let w3 = w2 - a3 * 0.0325 / (0.00029946025_f64.sqrt() + 1e-7);
        assert!((w[0] - w3).abs() < 1e-14, "{} vs {w3}", w[0]);
        assert_eq!(opt.steps(), 3);
    }

    #[test]
    fn adam_updates_every_entry_of_a_large_parameter_by_the_formula() {
        // enough entries for the update split over the cores
        let n = PARALLEL_ELEMENTWISE + 3;
        let grad: Vec<f64> = (0..n).map(|i| ((i % 13) as f64 - 6.0) / 7.0).collect();
        let mut w = ArrayD::from_elem(IxDyn(&[n]), 1.0);
        let mut opt = Adam::<f64>::new(0.1);
        one_param_step(&mut opt, &mut w, &grad);
        // step 1: m = 0.1 g, v = 0.001 g², α = 0.1·√0.001/0.1 = √0.001
        for (i, (&wi, &g)) in w.iter().zip(&grad).enumerate() {
            let expected = 1.0 - 0.001_f64.sqrt() * (0.1 * g) / ((0.001 * g * g).sqrt() + 1e-7);
            assert!(
                (wi - expected).abs() < 1e-15,
                "entry {i}: {wi} vs {expected}"
            );
        }
    }

    #[test]
    fn a_learning_rate_that_is_not_positive_stops_the_step_and_changes_nothing() {
        let g = ArrayD::from_elem(IxDyn(&[2]), 0.5);
        for lr in [-0.1, 0.0, f64::NAN] {
            let mut w = ArrayD::from_elem(IxDyn(&[2]), 1.0);
            let mut step = |opt: &mut dyn Optimizer<f64>| {
                let error = opt
                    .step(&mut [Param {
                        value: w.view_mut(),
                        grad: g.view(),
                    }])
                    .unwrap_err();
                assert!(
                    error
                        .to_string()
                        .contains("learning rate: expected a positive number"),
                    "{error}"
                );
            };
            step(&mut Sgd::new(lr));
            step(&mut Momentum::<f64>::new(lr, 0.9));
            step(&mut Adam::<f64>::new(lr));
            assert_eq!(w.as_slice().unwrap(), &[1.0, 1.0]);
        }
    }

    #[test]
    fn sgd_and_momentum_by_hand() {
        let mut w = ArrayD::from_elem(IxDyn(&[2]), 1.0);
        one_param_step(&mut Sgd::new(0.5), &mut w, &[0.2, -0.4]);
        assert_eq!(w.as_slice().unwrap(), &[0.9, 1.2]);
        let mut opt = Momentum::new(0.1, 0.9);
        let mut w = ArrayD::from_elem(IxDyn(&[1]), 0.0);
        one_param_step(&mut opt, &mut w, &[1.0]); // v = 1, w = −0.1
        one_param_step(&mut opt, &mut w, &[1.0]); // v = 1.9, w = −0.29
        assert!((w[0] + 0.29).abs() < 1e-15);
    }

    #[test]
    fn mismatched_shapes_are_errors() {
        let mut w = ArrayD::from_elem(IxDyn(&[2]), 1.0);
        let g = ArrayD::from_elem(IxDyn(&[3]), 1.0);
        let err = Optimizer::<f64>::step(
            &mut Sgd::new(0.1),
            &mut [Param {
                value: w.view_mut(),
                grad: g.view(),
            }],
        );
        assert!(matches!(err, Err(Error::Shape { .. })));
    }
}
