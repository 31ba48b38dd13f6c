//! Any bytes, gzipped or not, given to the IDX parsers: an error or a value, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz.idx");
    if let Ok(bytes) = nnlib::datasets::decompress(data.to_vec(), path) {
        let _ = nnlib::datasets::parse_idx(&bytes, path);
        let _ = nnlib::datasets::parse_idx_images(&bytes, path);
        if let Ok(labels) = nnlib::datasets::parse_idx_labels(&bytes, path) {
            assert!(labels.iter().all(|&l| l < 10));
        }
    }
});
