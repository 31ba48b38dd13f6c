//! The library's one error type.
//!
//! Every fallible public function returns [`Result`]. Messages name the
//! operation or the file, and what was expected and found, so that the error a
//! learner sees in a notebook says how to fix the mistake.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong in `nnlib`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two arrays whose shapes do not fit the operation.
    #[error(
        "{op}: shapes {} and {} do not fit: {detail}",
        fmt_shape(left),
        fmt_shape(right)
    )]
    Shape {
        /// The operation, e.g. `"matrix product"`.
        op: String,
        /// Shape of the left (or only) operand.
        left: Vec<usize>,
        /// Shape of the right operand, or the expected shape.
        right: Vec<usize>,
        /// What exactly differs and, where obvious, the fix.
        detail: String,
    },
    /// An argument outside its allowed range.
    #[error("{what}: expected {expected}, found {found}")]
    InvalidArgument {
        /// The argument or setting.
        what: String,
        /// What is allowed.
        expected: String,
        /// What was given.
        found: String,
    },
    /// A file that could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A data file whose contents are not what its format requires.
    #[error("{}{location}: expected {expected}, found {found}", path.display())]
    Format {
        /// The file (for an archive member: `archive.tar.gz/member`).
        path: PathBuf,
        /// Where in the file.
        location: Location,
        /// What the format requires there.
        expected: String,
        /// What the file holds.
        found: String,
    },
    /// Training produced a loss that is NaN or infinite.
    #[error(
        "epoch {epoch}: the {what} is {value}, training diverged; try a smaller learning rate or scaled inputs"
    )]
    NonFinite {
        /// The 1-based epoch in which it happened.
        epoch: usize,
        /// Which quantity, e.g. `"training loss"`.
        what: String,
        /// The offending value.
        value: f64,
    },
    /// A figure that could not be drawn or encoded.
    #[error("figure: {0}")]
    Plot(String),
}

impl Error {
    /// [`Error::Shape`]: the operation `op`, the shapes of its two operands
    /// (or of the operand and the shape it should have), and what differs.
    ///
    /// ```
    /// let e = nnlib::Error::shape("dense layer", &[64, 10], &[9], "the bias needs 10 entries");
    /// assert_eq!(e.to_string(), "dense layer: shapes (64, 10) and (9,) do not fit: the bias needs 10 entries");
    /// ```
    pub fn shape(
        op: impl Into<String>,
        left: &[usize],
        right: &[usize],
        detail: impl Into<String>,
    ) -> Self {
        Error::Shape {
            op: op.into(),
            left: left.to_vec(),
            right: right.to_vec(),
            detail: detail.into(),
        }
    }

    /// [`Error::InvalidArgument`]: the argument `what`, what is allowed and
    /// what was given.
    ///
    /// ```
    /// let e = nnlib::Error::invalid("learning rate", "a positive number", "-0.1");
    /// assert_eq!(e.to_string(), "learning rate: expected a positive number, found -0.1");
    /// ```
    pub fn invalid(
        what: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Error::InvalidArgument {
            what: what.into(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

/// Where in a file a [`Error::Format`] was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole (its size, its name).
    File,
    /// A byte offset into the (decompressed) contents.
    Offset(u64),
    /// A 1-based line of a text file.
    Line(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Offset(o) => write!(f, " at byte offset {o}"),
            Location::Line(l) => write!(f, " line {l}"),
        }
    }
}

/// Formats a shape the way numpy prints it: `(10, 784)`.
pub fn fmt_shape(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// `Result` with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
