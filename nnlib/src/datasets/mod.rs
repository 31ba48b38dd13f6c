//! Dataset loaders.
