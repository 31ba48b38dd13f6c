//! Any bytes given to the CIFAR-10 binary batch parser: an error or a value, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(split) = nnlib::datasets::parse_cifar_batch(data, Path::new("fuzz.bin")) {
        assert_eq!(split.images.shape()[0] * 3073, data.len());
        assert!(split.labels.iter().all(|&l| l < 10));
    }
});
