//! Tables: exact HTML and text on small inputs, abbreviation, errors.

use ndarray::{Array1, Array2, array};
use nnlib::Error;
use nnlib::display::Table;

#[test]
fn html_with_headers_and_decimals() {
    let t = Table::new(array![[0.0, 0.3125], [1.0, -0.004]].view())
        .decimals(2)
        .column_headers(["Pix1", "Pix2"])
        .unwrap()
        .row_headers(["a", "b<c"])
        .unwrap();
    assert_eq!(
        t.to_html(),
        "<table class=\"nnlib-table\">\n\
         <thead><tr><th></th><th>Pix1</th><th>Pix2</th></tr></thead>\n\
         <tbody>\n\
         <tr><th>a</th><td>0.00</td><td>0.31</td></tr>\n\
         <tr><th>b&lt;c</th><td>1.00</td><td>0.00</td></tr>\n\
         </tbody>\n</table>"
    );
    assert_eq!(
        t.to_string(),
        "     Pix1  Pix2\n\
         a    0.00  0.31\n\
         b<c  1.00  0.00"
    );
    let content = t.evcxr_content();
    assert!(content.starts_with("EVCXR_BEGIN_CONTENT text/html\n<table"));
    assert!(content.ends_with("</table>\nEVCXR_END_CONTENT\n"));
}

#[test]
fn plain_tables_of_integers_and_1d() {
    let t = Table::new(array![[1u8, 200], [30, 4]].view());
    assert_eq!(t.to_string(), " 1  200\n30    4");
    assert_eq!(
        t.to_html(),
        "<table class=\"nnlib-table\">\n<tbody>\n\
         <tr><td>1</td><td>200</td></tr>\n\
         <tr><td>30</td><td>4</td></tr>\n\
         </tbody>\n</table>"
    );
    let v = Table::from_1d(array![0.5f32, f32::NAN, 2.0].view()).decimals(1);
    assert_eq!(v.shape(), &[3]);
    assert_eq!(v.to_string(), "0.5  nan  2.0");
    let v = v.column_headers(["x", "y", "z"]).unwrap();
    assert_eq!(v.to_string(), "  x    y    z\n0.5  nan  2.0");
}

#[test]
fn large_arrays_are_abbreviated_like_numpy() {
    // 40 x 30 = 1200 values > 1000: first and last 3 rows and columns.
    let a = Array2::from_shape_fn((40, 30), |(i, j)| (i * 100 + j) as i64);
    let t = Table::new(a.view());
    assert!(t.is_abbreviated());
    let text = t.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 8);
    let first: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!(first, ["0", "1", "2", "...", "27", "28", "29"]);
    let last: Vec<&str> = lines[6].split_whitespace().collect();
    assert_eq!(
        last,
        ["3900", "3901", "3902", "...", "3927", "3928", "3929"]
    );
    assert!(lines[3].split_whitespace().all(|c| c == "..."));
    assert_eq!(lines[7], "shape (40, 30)");
    let html = t.to_html();
    assert!(html.contains("<caption>shape (40, 30)</caption>"));
    assert_eq!(html.matches("<tr>").count(), 7);
    assert!(html.contains("<td>3929</td>"));
    assert!(!html.contains("<td>3903</td>"));
    // Headers follow the kept columns.
    let t = t.column_headers((0..30).map(|j| format!("c{j}"))).unwrap();
    assert!(
        t.to_string()
            .lines()
            .next()
            .unwrap()
            .ends_with("c27   c28   c29")
    );
    // 1000 values or fewer: shown in full; full() never abbreviates.
    let small = Array2::<f64>::zeros((10, 100));
    assert!(!Table::new(small.view()).is_abbreviated());
    assert!(!Table::full(a.view()).is_abbreviated());
    assert_eq!(Table::full(a.view()).to_string().lines().count(), 40);
    // A long 1-D array keeps 3 values at each end.
    let v = Table::from_1d(Array1::from_iter(0..2000usize).view());
    assert_eq!(
        v.to_string(),
        "0  1  2  ...  1997  1998  1999\nshape (2000,)"
    );
}

#[test]
fn header_length_errors() {
    let a = Array2::<f32>::zeros((2, 3));
    let e = Table::new(a.view()).column_headers(["a", "b"]).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    assert!(e.to_string().contains("3 expected"), "{e}");
    let e = Table::new(a.view())
        .row_headers(["a", "b", "c"])
        .unwrap_err();
    assert!(e.to_string().contains("2 expected"), "{e}");
    assert!(
        Table::from_1d(array![1.0].view())
            .row_headers(["only"])
            .is_ok()
    );
}
