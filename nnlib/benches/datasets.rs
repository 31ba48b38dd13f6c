//! Dataset loading speed on the real files: MNIST's 60,000 training images from
//! `.gz`, decoding CIFAR-10's 60,000 JPEGs, and parsing an IDX file in memory.
//! Needs the data folder filled by `data-scripts/fetch`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use nnlib::datasets;

fn missing(what: &str, e: nnlib::Error) -> ! {
    panic!("{what}: {e}\nrun data-scripts/fetch first");
}

fn bench_datasets(c: &mut Criterion) {
    let mnist = datasets::data_dir().join("mnist");
    let images = mnist.join("train-images-idx3-ubyte.gz");
    let labels = mnist.join("train-labels-idx1-ubyte.gz");
    let mut g = c.benchmark_group("datasets");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("mnist_train_60k_gz_load", |b| {
        b.iter(|| {
            let s =
                datasets::load_idx_split(&images, &labels).unwrap_or_else(|e| missing("MNIST", e));
            black_box(s.len())
        })
    });
    let raw = std::fs::read(&images).unwrap_or_else(|e| {
        missing(
            "MNIST",
            nnlib::Error::Io {
                path: images.clone(),
                source: e,
            },
        )
    });
    let raw = datasets::decompress(raw, &images).unwrap_or_else(|e| missing("MNIST", e));
    g.bench_function("idx_parse_60k_images_in_memory", |b| {
        b.iter(|| black_box(datasets::parse_idx_images(&raw, Path::new("mem")).map(|a| a.len())))
    });
    let cifar = datasets::data_dir().join("cifar-10");
    if cifar.join("train").is_dir() {
        g.measurement_time(Duration::from_secs(30));
        g.bench_function("cifar10_60k_jpeg_folder_decode", |b| {
            b.iter(|| {
                let d = datasets::cifar10_from_images(&cifar)
                    .unwrap_or_else(|e| missing("CIFAR-10", e));
                black_box(d.train.len() + d.test.len())
            })
        });
    } else {
        eprintln!(
            "no CIFAR-10 image folder in {}: JPEG decode not measured",
            cifar.display()
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: they need system fonts, which a fresh machine may lack.
    config = Criterion::default().without_plots();
    targets = bench_datasets
}
criterion_main!(benches);
