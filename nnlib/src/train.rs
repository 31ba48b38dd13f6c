//! The training loop: epochs over batches, a history, progress lines.

use std::fmt;
use std::time::{Duration, Instant};

use ndarray::ArrayView2;

use crate::data::{accuracy, argmax_rows, minibatches, take_rows};
use crate::mlp::Mlp;
use crate::optim::Optimizer;
use crate::{Error, Result, Scalar};

/// Loss and accuracy per epoch, for the training data and, when given, the
/// validation data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// The epoch numbers, 1-based.
    pub epoch: Vec<usize>,
    /// Mean training loss of each epoch (for full-batch training: the loss
    /// of the forward pass that computed the epoch's gradient).
    pub train_loss: Vec<f64>,
    /// Training accuracy of each epoch, from the same forward passes.
    pub train_accuracy: Vec<f64>,
    /// Validation loss after each epoch's updates (empty without validation data).
    pub val_loss: Vec<f64>,
    /// Validation accuracy after each epoch's updates.
    pub val_accuracy: Vec<f64>,
    /// Wall-clock time of the whole run.
    pub elapsed: Duration,
}

impl History {
    /// The last recorded training loss, if any epoch ran.
    pub fn final_train_loss(&self) -> Option<f64> {
        self.train_loss.last().copied()
    }
    /// The last recorded validation accuracy, if any.
    pub fn final_val_accuracy(&self) -> Option<f64> {
        self.val_accuracy.last().copied()
    }
}

/// Trains an [`Mlp`] with an optimiser, in full batches or mini-batches.
///
/// ```
/// use nnlib::{activation::Activation::*, init::Init, loss::Loss, mlp::Mlp,
///             optim::Sgd, train::Trainer};
/// let x = ndarray::array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
/// let y = ndarray::array![[1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]];
/// let mut net = Mlp::<f64>::new(&[2, 8, 2], &[Tanh, Softmax], Loss::CategoricalCrossEntropy,
///                               Init::XavierUniform, 1).unwrap();
/// let history = Trainer::new(500, Sgd::new(0.5)).log_every(0)
///     .fit(&mut net, &x.view(), &y.view(), None).unwrap();
/// assert!(history.final_train_loss().unwrap() < 0.1);
/// ```
pub struct Trainer<T> {
    /// Number of passes over the training data.
    pub epochs: usize,
    /// Samples per batch; `None` trains on the whole set at once (full batch).
    pub batch_size: Option<usize>,
    /// The update rule.
    pub optimizer: Box<dyn Optimizer<T>>,
    /// Print a progress line every this many epochs (and after the last); 0 prints nothing.
    pub log_every: usize,
    /// Seed of the per-epoch shuffling of mini-batches (epoch e uses seed + e).
    pub shuffle_seed: u64,
}

impl<T: Scalar> Trainer<T> {
    /// Full-batch training for `epochs` epochs with `optimizer`, a progress
    /// line every epoch.
    pub fn new(epochs: usize, optimizer: impl Optimizer<T> + 'static) -> Self {
        Trainer {
            epochs,
            batch_size: None,
            optimizer: Box::new(optimizer),
            log_every: 1,
            shuffle_seed: 0,
        }
    }

    /// Train in shuffled mini-batches of `size` samples.
    pub fn batch_size(mut self, size: usize) -> Self {
        self.batch_size = Some(size);
        self
    }

    /// Print a progress line every `n` epochs (0: never).
    pub fn log_every(mut self, n: usize) -> Self {
        self.log_every = n;
        self
    }

    /// The seed of the mini-batch shuffling.
    pub fn shuffle_seed(mut self, seed: u64) -> Self {
        self.shuffle_seed = seed;
        self
    }

    /// Trains `model` on `(x, y)` (targets one-hot or otherwise shaped like
    /// the output), evaluating on `validation` after every epoch.
    ///
    /// Each progress line shows the epoch, the losses, the accuracies in
    /// percent and the time so far and left, in seconds:
    ///
    /// ```text
    /// epoch  100/1000  loss 1.0817  acc 62.42%  val_loss 1.1394  val_acc 59.17%  (0.4 s elapsed, 3.9 s left)
    /// ```
    ///
    /// # Errors
    /// [`Error::NonFinite`] naming the epoch if a loss becomes NaN or infinite;
    /// [`Error::InvalidArgument`] if the batch size is 0 or the optimiser's
    /// learning rate is not positive; the shape errors of [`Mlp::train_step`].
    pub fn fit(
        &mut self,
        model: &mut Mlp<T>,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        validation: Option<(&ArrayView2<T>, &ArrayView2<T>)>,
    ) -> Result<History> {
        T::trainer_fit(self, model, x, y, validation)
    }

    /// The body of [`Self::fit`], generic over `T`; compiled in nnlib for `f32` and `f64` ([`crate::compiled`]).
    pub(crate) fn fit_generic(
        &mut self,
        model: &mut Mlp<T>,
        x: &ArrayView2<T>,
        y: &ArrayView2<T>,
        validation: Option<(&ArrayView2<T>, &ArrayView2<T>)>,
    ) -> Result<History> {
        if x.nrows() != y.nrows() {
            return Err(Error::shape(
                "Trainer::fit",
                x.shape(),
                y.shape(),
                "x and y need one row per sample, equally many",
            ));
        }
        let start = Instant::now();
        let mut history = History::default();
        let labels = argmax_rows(y);
        for epoch in 1..=self.epochs {
            let (loss, acc) = match self.batch_size {
                None => {
                    let (loss, output) = model.train_step(x, y, self.optimizer.as_mut())?;
                    (loss.as_f64(), accuracy(&argmax_rows(&output), &labels)?)
                }
                Some(size) => {
                    let (mut loss_sum, mut hits) = (0.0, 0.0);
                    for batch in minibatches(
                        x.nrows(),
                        size,
                        Some(self.shuffle_seed.wrapping_add(epoch as u64)),
                    )? {
                        let (xb, yb) = (take_rows(x, &batch), take_rows(y, &batch));
                        let (loss, output) =
                            model.train_step(&xb.view(), &yb.view(), self.optimizer.as_mut())?;
                        loss_sum += loss.as_f64() * batch.len() as f64;
                        hits += accuracy(&argmax_rows(&output), &argmax_rows(&yb.view()))?
                            * batch.len() as f64;
                    }
                    (loss_sum / x.nrows() as f64, hits / x.nrows() as f64)
                }
            };
            check_finite(epoch, "training loss", loss)?;
            history.epoch.push(epoch);
            history.train_loss.push(loss);
            history.train_accuracy.push(acc);
            if let Some((xv, yv)) = validation {
                let out = model.predict(xv)?;
                let val_loss = model.loss.value(&out.view(), yv)?.as_f64();
                check_finite(epoch, "validation loss", val_loss)?;
                history.val_loss.push(val_loss);
                history
                    .val_accuracy
                    .push(accuracy(&argmax_rows(&out.view()), &argmax_rows(yv))?);
            }
            if self.log_every > 0 && (epoch % self.log_every == 0 || epoch == self.epochs) {
                println!("{}", progress_line(&history, self.epochs, start.elapsed()));
            }
        }
        history.elapsed = start.elapsed();
        Ok(history)
    }
}

fn check_finite(epoch: usize, what: &str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::NonFinite {
            epoch,
            what: what.into(),
            value,
        })
    }
}

/// One progress line, for the last epoch in `h`:
/// `epoch  100/1000  loss 0.2345  acc 90.12%  val_loss ...  val_acc ...  (1.2 s elapsed, 10.8 s left)`,
/// with the time left (estimated from the time per epoch so far) left out
/// after the last epoch.
fn progress_line(h: &History, epochs: usize, elapsed: Duration) -> String {
    let i = h.epoch.len() - 1;
    let width = epochs.to_string().len();
    let percent = |share: f64| 100.0 * share;
    let mut line = format!(
        "epoch {:>width$}/{epochs}  loss {:.4}  acc {:.2}%",
        h.epoch[i],
        h.train_loss[i],
        percent(h.train_accuracy[i])
    );
    if let (Some(vl), Some(va)) = (h.val_loss.get(i), h.val_accuracy.get(i)) {
        line.push_str(&format!("  val_loss {vl:.4}  val_acc {:.2}%", percent(*va)));
    }
    let elapsed = elapsed.as_secs_f64();
    let epochs_left = epochs - h.epoch[i];
    if epochs_left == 0 {
        line.push_str(&format!("  ({elapsed:.1} s elapsed)"));
    } else {
        let left = elapsed / h.epoch[i] as f64 * epochs_left as f64;
        line.push_str(&format!("  ({elapsed:.1} s elapsed, {left:.1} s left)"));
    }
    line
}

/// A duration printed with a sensible precision: `0.042 s`, `1.3 s`, `2 min 05 s`.
#[derive(Debug, Clone, Copy)]
pub struct Seconds(pub f64);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        if s < 1.0 {
            write!(f, "{s:.3} s")
        } else if s < 120.0 {
            write!(f, "{s:.1} s")
        } else {
            let whole = s.round() as u64; // rounded first, so 179.6 s is 3 min 00 s
            write!(f, "{} min {:02} s", whole / 60, whole % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(epochs: usize, validation: bool) -> History {
        let mut h = History::default();
        for e in 1..=epochs {
            h.epoch.push(e);
            h.train_loss.push(1.0 / e as f64);
            h.train_accuracy.push(0.9306);
            if validation {
                h.val_loss.push(0.5);
                h.val_accuracy.push(0.91666);
            }
        }
        h
    }

    #[test]
    fn durations_round_before_splitting_into_minutes() {
        assert_eq!(Seconds(0.0421).to_string(), "0.042 s");
        assert_eq!(Seconds(61.26).to_string(), "61.3 s");
        assert_eq!(Seconds(125.0).to_string(), "2 min 05 s");
        assert_eq!(Seconds(179.6).to_string(), "3 min 00 s");
    }

    #[test]
    fn progress_lines_in_percent_and_seconds() {
        let line = progress_line(&history(100, true), 1000, Duration::from_millis(429));
        assert_eq!(
            line,
            "epoch  100/1000  loss 0.0100  acc 93.06%  val_loss 0.5000  val_acc 91.67%  (0.4 s elapsed, 3.9 s left)"
        );
        let last = progress_line(&history(20, false), 20, Duration::from_millis(4440));
        assert_eq!(
            last,
            "epoch 20/20  loss 0.0500  acc 93.06%  (4.4 s elapsed)"
        );
    }
}
