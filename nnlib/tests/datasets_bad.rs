//! The loaders on small files generated here: good ones, and every kind of bad one.

use std::io::Write;
use std::path::{Path, PathBuf};

use nnlib::datasets::{self, CifarForm};
use nnlib::error::Location;
use nnlib::{Error, Result};

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nnlib-bad-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn idx_images(n: u32, rows: u32, cols: u32, data_len: usize) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 3];
    for d in [n, rows, cols] {
        b.extend_from_slice(&d.to_be_bytes());
    }
    b.extend((0..data_len).map(|i| (i % 251) as u8));
    b
}

fn idx_labels(labels: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 1];
    b.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    b.extend_from_slice(labels);
    b
}

/// Unpacks a format error, failing the test for any other result.
fn format_err<T: std::fmt::Debug>(r: Result<T>) -> (PathBuf, Location, String, String) {
    match r {
        Err(Error::Format {
            path,
            location,
            expected,
            found,
        }) => (path, location, expected, found),
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn idx_good_files_gzipped_or_not() {
    let dir = temp_dir("idx-good");
    let images = idx_images(3, 28, 28, 3 * 784);
    std::fs::write(dir.join("img"), gz(&images)).unwrap();
    std::fs::write(dir.join("lab"), idx_labels(&[4, 0, 9])).unwrap();
    let split = datasets::load_idx_split(&dir.join("img"), &dir.join("lab")).unwrap();
    assert_eq!(split.images.shape(), &[3, 28, 28]);
    assert_eq!(split.labels.to_vec(), [4, 0, 9]);
    // Row-major: image 1, row 2, column 5 is byte 784 + 2 * 28 + 5 of the data.
    assert_eq!(split.images[[1, 2, 5]], ((784 + 61) % 251) as u8);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn truncated_gzip_names_the_file() {
    let dir = temp_dir("trunc");
    let full = gz(&idx_images(2, 28, 28, 2 * 784));
    let path = dir.join("train-images-idx3-ubyte.gz");
    std::fs::write(&path, &full[..full.len() / 2]).unwrap();
    std::fs::write(dir.join("lab"), idx_labels(&[1, 2])).unwrap();
    let (p, _, expected, found) = format_err(datasets::load_idx_split(&path, &dir.join("lab")));
    assert_eq!(p, path);
    assert!(expected.contains("gzip"), "{expected}");
    assert!(found.contains("decompressed bytes"), "{found}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn wrong_magic_is_reported_at_offset_zero() {
    let mut b = idx_images(1, 28, 28, 784);
    b[3] = 4;
    let (_, loc, expected, found) = format_err(datasets::parse_idx_images(&b, Path::new("x")));
    assert_eq!(loc, Location::Offset(0));
    assert!(expected.contains("0x00000803"), "{expected}");
    assert_eq!(found, "0x00000804");
    // Labels given where images are expected.
    let (_, _, _, found) = format_err(datasets::parse_idx_images(
        &idx_labels(&[1]),
        Path::new("x"),
    ));
    assert_eq!(found, "0x00000801");
    // Not IDX at all, and too short to hold a magic number.
    assert!(
        format_err(datasets::parse_idx(b"PK\x03\x04", Path::new("x")))
            .3
            .contains("0x504b0304")
    );
    assert_eq!(
        format_err(datasets::parse_idx(b"\0\0", Path::new("x"))).1,
        Location::Offset(0)
    );
}

#[test]
fn dimensions_that_disagree_with_the_length() {
    let path = Path::new("images.idx");
    for data_len in [2 * 784, 3 * 784 + 1] {
        let (p, loc, expected, found) = format_err(datasets::parse_idx_images(
            &idx_images(3, 28, 28, data_len),
            path,
        ));
        assert_eq!((p.as_path(), loc), (path, Location::File));
        assert!(expected.starts_with("2352 data bytes"), "{expected}");
        assert_eq!(found, format!("{data_len} data bytes"));
    }
    // A header claiming 2^32 - 1 images of 2^32 - 1 pixels: rejected without allocating.
    let b = idx_images(u32::MAX, u32::MAX, u32::MAX, 10);
    let (_, _, expected, _) = format_err(datasets::parse_idx_images(&b, path));
    assert!(expected.starts_with("79228162458"), "{expected}");
    // A header cut short.
    let (_, loc, _, _) = format_err(datasets::parse_idx_images(&b[..10], path));
    assert_eq!(loc, Location::Offset(4));
}

#[test]
fn label_count_must_match_image_count() {
    let dir = temp_dir("count");
    std::fs::write(dir.join("img"), idx_images(3, 28, 28, 3 * 784)).unwrap();
    let labels = dir.join("labels");
    std::fs::write(&labels, idx_labels(&[1, 2])).unwrap();
    let (p, _, expected, found) = format_err(datasets::load_idx_split(&dir.join("img"), &labels));
    assert_eq!(p, labels);
    assert_eq!(expected, "3 labels, one per image of img");
    assert_eq!(found, "2 labels");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn label_outside_0_to_9() {
    let (_, loc, expected, found) = format_err(datasets::parse_idx_labels(
        &idx_labels(&[3, 10, 2]),
        Path::new("l"),
    ));
    assert_eq!(loc, Location::Offset(9));
    assert_eq!(expected, "a label 0..9");
    assert!(found.starts_with("10 "), "{found}");
}

#[test]
fn mnist_from_rejects_images_that_are_not_28x28() {
    let dir = temp_dir("not28");
    for split in ["train", "t10k"] {
        std::fs::write(
            dir.join(format!("{split}-images-idx3-ubyte.gz")),
            gz(&idx_images(2, 27, 28, 2 * 27 * 28)),
        )
        .unwrap();
        std::fs::write(
            dir.join(format!("{split}-labels-idx1-ubyte.gz")),
            gz(&idx_labels(&[0, 1])),
        )
        .unwrap();
    }
    let (_, _, expected, found) = format_err(datasets::mnist_from(&dir));
    assert!(expected.contains("28x28"), "{expected}");
    assert_eq!(found, "27x28");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A binary batch whose record i has label `labels[i]`, red = i, green = 100 + p % 100, blue = 7.
fn cifar_batch(labels: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        b.push(l);
        b.extend(std::iter::repeat_n(i as u8, 1024));
        b.extend((0..1024).map(|p| 100 + (p % 100) as u8));
        b.extend(std::iter::repeat_n(7, 1024));
    }
    b
}

#[test]
fn cifar_batch_layout_and_errors() {
    let s = datasets::parse_cifar_batch(&cifar_batch(&[3, 9]), Path::new("b")).unwrap();
    assert_eq!(s.images.shape(), &[2, 32, 32, 3]);
    assert_eq!(s.labels.to_vec(), [3, 9]);
    // Pixel (row 1, column 2) is plane index 34: RGB interleaved per pixel.
    assert_eq!(
        s.images.slice(ndarray::s![1, 1, 2, ..]).to_vec(),
        [1, 134, 7]
    );
    let (_, loc, expected, found) = format_err(datasets::parse_cifar_batch(
        &[0; 3073 * 2 + 5],
        Path::new("b"),
    ));
    assert_eq!(loc, Location::File);
    assert!(expected.contains("3,073-byte records"), "{expected}");
    assert_eq!(found, "6151 bytes (2 records and 5 bytes over)");
    format_err(datasets::parse_cifar_batch(&[], Path::new("b")));
    let (_, loc, _, found) = format_err(datasets::parse_cifar_batch(
        &cifar_batch(&[1, 2, 12]),
        Path::new("b"),
    ));
    assert_eq!(loc, Location::Offset(2 * 3073));
    assert!(found.starts_with("12 "), "{found}");
}

const BATCHES: [&str; 6] = [
    "data_batch_1.bin",
    "data_batch_2.bin",
    "data_batch_3.bin",
    "data_batch_4.bin",
    "data_batch_5.bin",
    "test_batch.bin",
];

fn write_archive(path: &Path, members: &[(&str, Vec<u8>)]) {
    let file = std::fs::File::create(path).unwrap();
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::fast(),
    ));
    for (name, data) in members {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append_data(&mut h, name, data.as_slice()).unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

#[test]
fn cifar_binary_folder_and_archive_agree() {
    let dir = temp_dir("cifar-bin");
    let batches_dir = dir.join("folder").join("cifar-10-batches-bin");
    std::fs::create_dir_all(&batches_dir).unwrap();
    let mut members = Vec::new();
    for (k, name) in BATCHES.iter().enumerate() {
        let data = cifar_batch(&[k as u8, 9 - k as u8]);
        std::fs::write(batches_dir.join(name), &data).unwrap();
        members.push((format!("cifar-10-batches-bin/{name}"), data));
    }
    let members: Vec<(&str, Vec<u8>)> = members
        .iter()
        .map(|(n, d)| (n.as_str(), d.clone()))
        .collect();
    let archive_dir = dir.join("archive");
    std::fs::create_dir_all(&archive_dir).unwrap();
    write_archive(&archive_dir.join("cifar-10-binary.tar.gz"), &members);
    let a = datasets::cifar10_from(&dir.join("folder")).unwrap();
    let b = datasets::cifar10_from(&archive_dir).unwrap();
    assert_eq!(a.form, CifarForm::Binary);
    assert_eq!(a.to_string(), "CIFAR-10");
    assert_eq!(a.train.labels.to_vec(), [0, 9, 1, 8, 2, 7, 3, 6, 4, 5]);
    assert_eq!(a.test.labels.to_vec(), [5, 4]);
    assert_eq!((a.train.clone(), a.test.clone()), (b.train, b.test));
    // A missing member, and a truncated archive.
    write_archive(&archive_dir.join("cifar-10-binary.tar.gz"), &members[..5]);
    let (_, _, expected, found) = format_err(datasets::cifar10_from(&archive_dir));
    assert!(expected.ends_with("test_batch.bin"), "{expected}");
    assert_eq!(found, "no such member");
    write_archive(&archive_dir.join("cifar-10-binary.tar.gz"), &members);
    let whole = std::fs::read(archive_dir.join("cifar-10-binary.tar.gz")).unwrap();
    std::fs::write(
        archive_dir.join("cifar-10-binary.tar.gz"),
        &whole[..whole.len() / 2],
    )
    .unwrap();
    let (p, ..) = format_err(datasets::cifar10_from(&archive_dir));
    assert!(
        p.starts_with(archive_dir.join("cifar-10-binary.tar.gz")),
        "{}",
        p.display()
    );
    // A bad batch in an archive is named archive/member.
    let mut bad = members.clone();
    bad[2].1.push(0);
    write_archive(&archive_dir.join("cifar-10-binary.tar.gz"), &bad);
    let (p, ..) = format_err(datasets::cifar10_from(&archive_dir));
    assert!(
        p.ends_with("cifar-10-binary.tar.gz/cifar-10-batches-bin/data_batch_3.bin"),
        "{}",
        p.display()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn write_image(path: &Path, w: u32, h: u32, shade: u8) {
    let img =
        image::RgbImage::from_fn(w, h, |x, _| image::Rgb([shade, (x * 8) as u8, 255 - shade]));
    img.save(path).unwrap();
}

/// An image folder with `per_class` images per class and split, in `ext` format.
fn image_folder(dir: &Path, per_class: usize, ext: &str) {
    for split in ["train", "test"] {
        for (c, class) in datasets::CIFAR10_CLASSES.iter().enumerate() {
            let folder = dir.join(split).join(class);
            std::fs::create_dir_all(&folder).unwrap();
            // Written in reverse so the directory order is not the sorted order.
            for i in (0..per_class).rev() {
                write_image(
                    &folder.join(format!("{i:04}.{ext}")),
                    32,
                    32,
                    (c * 20 + i) as u8,
                );
            }
        }
    }
}

#[test]
fn cifar_image_folder_png_is_exact_and_ordered() {
    let dir = temp_dir("png");
    image_folder(&dir, 3, "png");
    std::fs::write(
        dir.join("train").join("cat").join("notes.txt"),
        "not an image",
    )
    .unwrap();
    let ds = datasets::cifar10_from(&dir).unwrap();
    assert_eq!(ds.form, CifarForm::Png);
    assert_eq!(ds.to_string(), "CIFAR-10 (PNG)");
    assert_eq!(ds.train.images.shape(), &[30, 32, 32, 3]);
    assert_eq!(ds.train.label_counts(), [3; 10]);
    for (n, (c, i)) in [(0, (0, 0)), (7, (2, 1)), (29, (9, 2))] {
        assert_eq!(ds.train.labels[n], c as u8);
        let shade = (c * 20 + i) as u8;
        assert_eq!(
            ds.train.images.slice(ndarray::s![n, 5, 3, ..]).to_vec(),
            [shade, 24, 255 - shade]
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cifar_image_folder_errors() {
    let dir = temp_dir("jpg");
    image_folder(&dir, 2, "jpg");
    let ds = datasets::cifar10_from_images(&dir).unwrap();
    assert_eq!(ds.to_string(), "CIFAR-10 (JPEG)");
    // A corrupt JPEG.
    let bad = dir.join("train").join("deer").join("0001.jpg");
    let good = std::fs::read(&bad).unwrap();
    std::fs::write(&bad, &good[..good.len() / 3]).unwrap();
    let (p, _, expected, _) = format_err(datasets::cifar10_from_images(&dir));
    assert_eq!(p, bad);
    assert!(expected.contains("decodable"), "{expected}");
    std::fs::write(&bad, b"hello").unwrap();
    assert_eq!(format_err(datasets::cifar10_from_images(&dir)).0, bad);
    // A wrong-sized one.
    write_image(&bad, 31, 32, 0);
    let (p, _, expected, found) = format_err(datasets::cifar10_from_images(&dir));
    assert_eq!(
        (p, expected.as_str(), found.as_str()),
        (bad.clone(), "a 32x32 image", "31x32")
    );
    write_image(&bad, 32, 32, 0);
    // A missing class folder.
    let dog = dir.join("test").join("dog");
    std::fs::remove_dir_all(&dog).unwrap();
    let (p, _, expected, found) = format_err(datasets::cifar10_from(&dir));
    assert_eq!(p, dog);
    assert!(expected.contains("test/dog/"), "{expected}");
    assert_eq!(found, "no such folder");
    // An empty one.
    std::fs::create_dir_all(&dog).unwrap();
    assert_eq!(format_err(datasets::cifar10_from(&dir)).0, dog);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn csv_row(label: &str, pixels: usize, value: &str) -> String {
    let mut row = label.to_string();
    for _ in 0..pixels {
        row.push(',');
        row.push_str(value);
    }
    row
}

#[test]
fn mnist_csv_header_detection_and_errors() {
    let dir = temp_dir("csv");
    let path = dir.join("mnist_train.csv");
    let header = std::iter::once("label".to_string())
        .chain((0..784).map(|i| format!("pixel{i}")))
        .collect::<Vec<_>>()
        .join(",");
    let rows = [csv_row("7", 784, "0"), csv_row("3", 784, "255")];
    std::fs::write(&path, format!("{header}\r\n{}\r\n{}\r\n", rows[0], rows[1])).unwrap();
    let r = datasets::read_mnist_csv(&path).unwrap();
    assert_eq!(r.header.as_deref(), Some(header.as_str()));
    assert_eq!(r.data.labels.to_vec(), [7, 3]);
    assert_eq!(r.data.images[[1, 27, 27]], 255);
    std::fs::write(&path, format!("{}\n{}", rows[0], rows[1])).unwrap();
    let r = datasets::read_mnist_csv(&path).unwrap();
    assert!(!r.has_header());
    assert_eq!(r.data.images.shape(), &[2, 28, 28]);
    // A row with the wrong number of fields.
    std::fs::write(
        &path,
        format!("{}\n{}\n{}\n", rows[0], csv_row("1", 783, "0"), rows[1]),
    )
    .unwrap();
    let (p, loc, expected, found) = format_err(datasets::read_mnist_csv(&path));
    assert_eq!((p, loc), (path.clone(), Location::Line(2)));
    assert!(expected.starts_with("785 fields"), "{expected}");
    assert_eq!(found, "784 fields");
    // Values out of range, and a header of the wrong width.
    std::fs::write(
        &path,
        format!("{}\n{}\n", rows[0], csv_row("1", 784, "256")),
    )
    .unwrap();
    let (_, loc, _, found) = format_err(datasets::read_mnist_csv(&path));
    assert_eq!((loc, found.as_str()), (Location::Line(2), "\"256\""));
    std::fs::write(&path, format!("{}\n", csv_row("10", 784, "0"))).unwrap();
    assert!(
        format_err(datasets::read_mnist_csv(&path))
            .2
            .contains("label")
    );
    std::fs::write(&path, "label,a,b\n1,2,3\n").unwrap();
    assert_eq!(format_err(datasets::read_mnist_csv(&path)).3, "3 fields");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mnist_csv_first_line_as_header_loses_the_first_image() {
    let dir = temp_dir("csv-first-line");
    let path = dir.join("mnist_test.csv");
    let rows = [
        csv_row("7", 784, "0"),
        csv_row("2", 784, "9"),
        csv_row("1", 784, "255"),
    ];
    std::fs::write(&path, format!("{}\n{}\n{}\n", rows[0], rows[1], rows[2])).unwrap();
    let detected = datasets::read_mnist_csv(&path).unwrap();
    assert_eq!(detected.data.labels.to_vec(), [7, 2, 1]);
    assert!(!detected.has_header());
    let as_pandas = datasets::read_mnist_csv_with(&path, datasets::HeaderRow::FirstLine).unwrap();
    assert_eq!(as_pandas.data.labels.to_vec(), [2, 1]);
    assert_eq!(as_pandas.header.as_deref(), Some(rows[0].as_str()));
    assert_eq!(as_pandas.data.images[[0, 0, 0]], 9);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mnist_csv_non_numeric_field_is_named_by_line_and_field() {
    let dir = temp_dir("csv-field");
    let path = dir.join("mnist_train.csv");
    let mut bad = csv_row("4", 784, "0");
    bad = bad.replacen(",0", ",x", 3).replacen(",x,x", ",0,0", 1); // the third pixel is "x"
    std::fs::write(&path, format!("{}\n{bad}\n", csv_row("5", 784, "1"))).unwrap();
    let (p, loc, expected, found) = format_err(datasets::read_mnist_csv(&path));
    assert_eq!((p, loc), (path.clone(), Location::Line(2)));
    assert_eq!(expected, "field 4 (a pixel) an integer 0..=255");
    assert_eq!(found, "\"x\"");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn digits_csv_good_and_bad() {
    let dir = temp_dir("digits");
    let path = dir.join("digits.csv.gz");
    let row = |label: u8, v: &str| format!("{},{label}", vec![v; 64].join(","));
    std::fs::write(
        &path,
        gz(format!("{}\n{}\n", row(4, "16"), row(0, "0")).as_bytes()),
    )
    .unwrap();
    let d = datasets::digits_from(&path).unwrap();
    assert_eq!(d.images.shape(), &[2, 8, 8]);
    assert_eq!(d.labels.to_vec(), [4, 0]);
    assert_eq!(d.images[[0, 7, 7]], 16);
    std::fs::write(
        &path,
        gz(format!("{}\n{}\n", row(4, "16"), row(0, "17")).as_bytes()),
    )
    .unwrap();
    let (_, loc, expected, _) = format_err(datasets::digits_from(&path));
    assert_eq!(loc, Location::Line(2));
    assert!(expected.contains("0..=16"), "{expected}");
    std::fs::write(&path, gz(b"1,2,3\n")).unwrap();
    let (_, loc, expected, found) = format_err(datasets::digits_from(&path));
    assert_eq!((loc, found.as_str()), (Location::Line(1), "3 fields"));
    assert!(expected.starts_with("65 fields"), "{expected}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn error_messages_name_file_expected_and_found() {
    let e = datasets::parse_idx_labels(
        &idx_labels(&[1, 11]),
        Path::new("data/mnist/t10k-labels-idx1-ubyte.gz"),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "data/mnist/t10k-labels-idx1-ubyte.gz at byte offset 9: expected a label 0..9, found 11 (label of sample 1)"
    );
}

#[test]
fn helpers_reject_what_they_cannot_handle() {
    let zero_d = ndarray::arr0(3u8);
    assert!(matches!(
        datasets::flatten(&zero_d),
        Err(Error::InvalidArgument { .. })
    ));
    let v = ndarray::array![0u8, 8, 16];
    assert!(datasets::to_unit_with_max::<f32, _, _>(&v, 0).is_err());
    assert_eq!(
        datasets::to_unit_with_max::<f32, _, _>(&v, 16)
            .unwrap()
            .to_vec(),
        [0.0, 0.5, 1.0]
    );
    assert_eq!(datasets::flatten(&v).unwrap().dim(), (3, 1));
    assert_eq!(
        datasets::to_unit::<f64, _, _>(&ndarray::array![255u8, 51]).to_vec(),
        [1.0, 0.2]
    );
}
