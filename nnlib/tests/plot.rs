//! Figures: rendered size, pixels where the data says, inspectable data, errors.

use ndarray::{Array2, Array3, array};
use nnlib::Error;
use nnlib::plot::*;

/// Saves a figure under the test temp dir (for looking at it) and decodes
/// its PNG back, checking the size.
fn roundtrip(fig: &Figure, name: &str) -> image::RgbImage {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.png"));
    fig.save(&path).unwrap();
    let decoded = image::open(&path).unwrap().to_rgb8();
    assert_eq!(decoded.dimensions(), (fig.width(), fig.height()));
    assert_eq!(decoded.as_raw().as_slice(), fig.rgb());
    decoded
}

fn distinct_colors(fig: &Figure) -> usize {
    let mut seen = std::collections::HashSet::new();
    for p in fig.rgb().chunks(3) {
        seen.insert([p[0], p[1], p[2]]);
    }
    seen.len()
}

/// Whether a pixel within `r` of `(x, y)` has exactly colour `c`.
fn color_near(fig: &Figure, (x, y): (i32, i32), c: [u8; 3], r: i32) -> bool {
    (-r..=r).any(|dx| (-r..=r).any(|dy| fig.pixel(x + dx, y + dy) == Some(c)))
}

fn charts(fig: &Figure) -> &[ChartData] {
    match fig.data() {
        FigureData::Charts(c) => c,
        other => panic!("expected charts, found {other:?}"),
    }
}

#[test]
fn line_chart_draws_each_series_at_its_points() {
    let train = [2.30, 1.60, 1.10, 0.80, 0.62, 0.51, 0.45, 0.41];
    let valid = [2.45, 1.75, 1.30, 1.10, 1.02, 1.00, 1.01, 1.03];
    let fig = LineChart::new("Loss per epoch")
        .y_label("loss")
        .series("train", train)
        .series("validation", valid.iter().map(|&v| v as f32))
        .render()
        .unwrap();
    roundtrip(&fig, "line_chart");
    assert_eq!((fig.width(), fig.height()), (640, 400));
    let c = &charts(&fig)[0];
    assert_eq!(c.series.len(), 2);
    assert_eq!(c.series[0].ys, train.to_vec());
    assert_eq!(c.series[0].xs, (1..=8).map(f64::from).collect::<Vec<_>>());
    assert!((c.series[1].ys[2] - 1.30).abs() < 1e-6);
    assert_ne!(c.series[0].color, c.series[1].color);
    // x spans the epochs exactly, y covers the data.
    assert_eq!(c.x_range, (1.0, 8.0));
    assert!(c.y_range.0 < 0.41 && c.y_range.1 > 2.45);
    // Each series' colour sits at each of its points.
    for s in &c.series {
        for (&x, &y) in s.xs.iter().zip(&s.ys) {
            let p = c.to_pixel(x, y);
            assert!(
                color_near(&fig, p, s.color, 2),
                "{} at ({x}, {y}) -> {p:?}",
                s.name
            );
        }
    }
    // ...and not in a column where no series passes (above both lines).
    let (x, y_top) = c.to_pixel(5.0, 2.2);
    assert!(!color_near(&fig, (x, y_top), c.series[0].color, 3));
    // The legend is inside the plot and clear of every point.
    let legend = c.legend.unwrap();
    assert!(legend.x0 >= c.plot_area.x0 && legend.x1 <= c.plot_area.x1);
    for s in &c.series {
        for (&x, &y) in s.xs.iter().zip(&s.ys) {
            let (px, py) = c.to_pixel(x, y);
            assert!(!(px >= legend.x0 && px < legend.x1 && py >= legend.y0 && py < legend.y1));
        }
    }
    // Text was drawn (the font works): many grey levels from antialiasing.
    assert!(distinct_colors(&fig) > 20);
}

#[test]
fn legend_moves_beside_the_chart_when_every_corner_holds_data() {
    // A zig-zag through all four corners.
    let ys: Vec<f64> = (0..60)
        .map(|i| if i % 2 == 0 { 0.0 } else { 1.0 })
        .collect();
    let fig = LineChart::new("zig-zag")
        .series("a long series name", &ys)
        .series("b", ys.iter().map(|y| 1.0 - y))
        .render()
        .unwrap();
    roundtrip(&fig, "line_chart_legend_outside");
    let c = &charts(&fig)[0];
    let legend = c.legend.unwrap();
    assert!(
        legend.x0 >= c.plot_area.x1,
        "{legend:?} vs {:?}",
        c.plot_area
    );
}

#[test]
fn line_chart_accepts_xy_series_and_gaps() {
    let fig = LineChart::new("")
        .x_label("iteration")
        .series_xy("acc", [0, 10, 20, 30], [0.5, f64::NAN, 0.8, 0.85])
        .size(400, 300)
        .render()
        .unwrap();
    assert_eq!((fig.width(), fig.height()), (400, 300));
    let c = &charts(&fig)[0];
    assert_eq!(c.x_range, (0.0, 30.0));
    let p = c.to_pixel(20.0, 0.8);
    assert!(color_near(&fig, p, c.series[0].color, 2));
    // No line between x = 0 and x = 20 (the NaN breaks it).
    let mid = c.to_pixel(10.0, 0.65);
    assert!(!color_near(&fig, mid, c.series[0].color, 3));
}

#[test]
fn line_chart_errors() {
    let e = LineChart::new("t").render().unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
    let e = LineChart::new("t")
        .series("a", Vec::<f64>::new())
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("empty series"), "{e}");
    let e = LineChart::new("t")
        .series("a", [f64::NAN, f64::NAN])
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("finite"), "{e}");
    let e = LineChart::new("t")
        .series_xy("a", [1.0, 2.0], [1.0])
        .render()
        .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    let e = LineChart::new("t")
        .series("a", [1.0])
        .size(10, 10)
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("10x10"), "{e}");
    let e = LineChart::new("t")
        .series("a", [1.0])
        .y_range(1.0, 0.0)
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("y range"), "{e}");
}

#[test]
fn single_point_and_constant_series_render() {
    let fig = LineChart::new("one").series("a", [3.0]).render().unwrap();
    let c = &charts(&fig)[0];
    assert!(c.x_range.0 < 1.0 && c.x_range.1 > 1.0);
    assert!(color_near(&fig, c.to_pixel(1.0, 3.0), c.series[0].color, 2));
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn function_plot_samples_each_function() {
    let fig = FunctionPlot::new("Sigmoid and its derivative", -6.0, 6.0)
        .function("sigmoid", sigmoid)
        .function("derivative", |x| sigmoid(x) * (1.0 - sigmoid(x)))
        .render()
        .unwrap();
    roundtrip(&fig, "function_plot");
    let c = &charts(&fig)[0];
    assert_eq!(c.series[0].xs.len(), 401);
    assert_eq!(c.series[0].xs[0], -6.0);
    assert_eq!(c.series[0].xs[400], 6.0);
    assert!((c.series[0].ys[200] - 0.5).abs() < 1e-12);
    assert!((c.series[1].ys[200] - 0.25).abs() < 1e-12);
    assert_eq!(c.x_range, (-6.0, 6.0));
    // Points where the two curves are apart (below x = -2 the derivative,
    // drawn second, covers the sigmoid).
    for (s, x) in [(0, -1.5), (0, 4.0), (1, 0.0), (1, -2.0)] {
        let s = &c.series[s];
        let y = if s.name == "sigmoid" {
            sigmoid(x)
        } else {
            sigmoid(x) * (1.0 - sigmoid(x))
        };
        assert!(
            color_near(&fig, c.to_pixel(x, y), s.color, 2),
            "{} at {x}",
            s.name
        );
    }
    // The x = 0 axis is drawn where no function is.
    let (px, py) = c.to_pixel(0.0, 0.9);
    let axis = (-1..=1).any(|dx| {
        let p = fig.pixel(px + dx, py).unwrap();
        p[0] < 200 && p[0] == p[1] && p[1] == p[2]
    });
    assert!(axis, "no grey axis at {px}, {py}");
}

/// Whether `p` is a blend of `c` over white, strictly between the two
/// (each channel `255 + t (c - 255)` for one `t` in (0.1, 0.9), within 3).
fn blended(p: [u8; 3], c: [u8; 3]) -> bool {
    let (k, span) = (0..3)
        .map(|k| (k, 255.0 - f64::from(c[k])))
        .fold((0, 0.0), |best, x| if x.1 > best.1 { x } else { best });
    let t = (255.0 - f64::from(p[k])) / span;
    (0.1..0.9).contains(&t)
        && (0..3).all(|i| {
            let want = 255.0 + t * (f64::from(c[i]) - 255.0);
            (f64::from(p[i]) - want).abs() <= 3.0
        })
}

#[test]
fn slanted_lines_are_anti_aliased_and_points_keep_their_colour() {
    // A straight line of slope 0.37 crosses pixel rows between columns: an
    // anti-aliased renderer shades the edge pixels with a mix of the line's
    // colour and the white background, along the whole line.
    let fig = FunctionPlot::new("slope", 0.0, 10.0)
        .function("y = 0.37 x", |x| 0.37 * x)
        .render()
        .unwrap();
    roundtrip(&fig, "function_plot_slope");
    let c = &charts(&fig)[0];
    let color = c.series[0].color;
    let (mut edge, mut full) = (0, 0);
    for k in 1..100 {
        let x = k as f64 / 10.0;
        let (px, py) = c.to_pixel(x, 0.37 * x);
        full += usize::from(color_near(&fig, (px, py), color, 1));
        edge += (-4..=4)
            .filter(|dy| blended(fig.pixel(px, py + dy).unwrap(), color))
            .count();
    }
    // Every sampled point lies on pixels of the line's exact colour...
    assert_eq!(full, 99);
    // ...with blended pixels beside it (at least one per column on average).
    assert!(edge >= 99, "only {edge} blended edge pixels");
}

#[test]
fn log_y_places_values_by_their_logarithm() {
    let ys = [100.0, 30.0, 10.0, 3.0, 1.0, 0.5];
    let fig = LineChart::new("log")
        .log_y()
        .series("loss", ys)
        .render()
        .unwrap();
    roundtrip(&fig, "line_chart_log_y");
    let c = &charts(&fig)[0];
    assert!(c.log_y);
    assert!(c.y_range.0 < 0.5 && c.y_range.0 > 0.0 && c.y_range.1 > 100.0);
    for (i, &y) in ys.iter().enumerate() {
        let p = c.to_pixel((i + 1) as f64, y);
        assert!(color_near(&fig, p, c.series[0].color, 2), "{y} at {p:?}");
    }
    // Equal ratios are equal distances: 1 -> 10 as far as 10 -> 100.
    let row = |y: f64| c.to_pixel(1.0, y).1;
    assert!(((row(1.0) - row(10.0)) - (row(10.0) - row(100.0))).abs() <= 1);
    // The grid lines of the ticks 1, 10 and 100 cross the plot at those rows,
    // and the row of 30, not a tick, holds none.
    let grid = |py: i32| fig.pixel(c.plot_area.x1 - 3, py) == Some([225, 225, 225]);
    for y in [1.0, 10.0, 100.0] {
        assert!(grid(row(y)), "no grid line at {y}");
    }
    assert!(!grid(row(30.0)));
    // Values that have no logarithm are an error.
    let e = LineChart::new("bad")
        .log_y()
        .series("a", [1.0, 0.0])
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("positive"), "{e}");
    let e = LineChart::new("bad")
        .log_y()
        .y_range(0.0, 1.0)
        .series("a", [1.0, 0.5])
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("positive"), "{e}");
}

#[test]
fn function_plot_from_samples_and_errors() {
    let xs = [-1.0, 0.0, 1.0];
    let fig = FunctionPlot::new("relu", -1.0, 1.0)
        .samples("relu", xs, xs.map(|x: f64| x.max(0.0)))
        .render()
        .unwrap();
    assert_eq!(charts(&fig)[0].series[0].ys, vec![0.0, 0.0, 1.0]);
    let e = FunctionPlot::new("bad", 1.0, -1.0)
        .function("f", |x| x)
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("x range"), "{e}");
    let e = FunctionPlot::new("nan", -1.0, 1.0)
        .function("f", |_| f64::NAN)
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("finite"), "{e}");
}

#[test]
fn subplots_put_panels_in_one_image() {
    type Act = (&'static str, fn(f64) -> f64);
    let acts: [Act; 6] = [
        ("sigmoid", sigmoid),
        ("tanh", f64::tanh),
        ("ReLU", |x| x.max(0.0)),
        ("leaky ReLU", |x| if x > 0.0 { x } else { 0.01 * x }),
        ("ELU", |x| if x > 0.0 { x } else { x.exp() - 1.0 }),
        ("step", |x| if x >= 0.0 { 1.0 } else { 0.0 }),
    ];
    let mut grid = Subplots::new(2, 3).title("Activation functions");
    for (name, f) in acts {
        grid.push(FunctionPlot::new(name, -4.0, 4.0).function(name, f));
    }
    let fig = grid.render().unwrap();
    roundtrip(&fig, "subplots");
    assert_eq!((fig.width(), fig.height()), (960, 534));
    let cs = charts(&fig);
    assert_eq!(cs.len(), 6);
    // Panels sit in reading order, without overlap.
    assert!(cs[0].plot_area.x1 <= cs[1].plot_area.x0);
    assert!(cs[0].plot_area.y1 <= cs[3].plot_area.y0);
    for c in cs {
        let s = &c.series[0];
        let (x, y) = (s.xs[300], s.ys[300]);
        assert!(
            color_near(&fig, c.to_pixel(x, y), s.color, 2),
            "{}",
            c.title
        );
    }
    assert_eq!(cs[2].series[0].ys[0], 0.0);
    let e = Subplots::new(1, 1)
        .panel(LineChart::new("a").series("a", [1.0]))
        .panel(LineChart::new("b").series("b", [1.0]))
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("2 panels"), "{e}");
    assert!(Subplots::new(0, 2).render().is_err());
}

#[test]
fn image_grid_places_each_image_with_its_caption() {
    // 6 gray u8 images: image k is a constant k * 40 with one white pixel.
    let mut grid = ImageGrid::new(3).title("Digits");
    for k in 0..6u8 {
        let mut a = Array2::<u8>::from_elem((8, 8), k * 40);
        a[[0, 0]] = 255;
        grid.push(Image::gray(a.view()).unwrap(), format!("label {k}"));
    }
    let fig = grid.render().unwrap();
    roundtrip(&fig, "image_grid");
    let FigureData::Images(cells) = fig.data() else {
        panic!()
    };
    assert_eq!(cells.len(), 6);
    assert_eq!(cells[4].caption, "label 4");
    for (k, cell) in cells.iter().enumerate() {
        let v = k as u8 * 40;
        let (x, y) = cell.rect.center();
        assert_eq!(fig.pixel(x, y), Some([v, v, v]), "cell {k}");
        assert_eq!(fig.pixel(cell.rect.x0, cell.rect.y0), Some([255, 255, 255]));
        assert!((cell.image.get(3, 3)[0] - v as f64 / 255.0).abs() < 1e-12);
    }
    // Row 2 is below row 1, column 2 right of column 1.
    assert!(cells[3].rect.y0 > cells[0].rect.y1);
    assert!(cells[1].rect.x0 > cells[0].rect.x1);
    // Captions are drawn under the images (dark text pixels there).
    let r = cells[0].rect;
    let dark =
        (r.x0..r.x1).any(|x| (r.y1 + 2..r.y1 + 16).any(|y| fig.pixel(x, y).unwrap()[0] < 100));
    assert!(dark);
}

#[test]
fn image_grid_rgb_and_float_images() {
    let mut rgb = Array3::<f32>::zeros((4, 4, 3));
    rgb.slice_mut(ndarray::s![.., .., 0]).fill(1.0);
    let red = Image::rgb(rgb.view()).unwrap();
    // Floats outside [0, 1] are min-max scaled.
    let raw = array![[0.0f64, 255.0], [127.5, 255.0]];
    let gray = Image::gray(raw.view()).unwrap();
    assert_eq!(gray.get(1, 0), &[0.5]);
    let flat = Image::from_flat(ndarray::Array1::<u8>::from_elem(48, 200).view(), 4, 4).unwrap();
    assert_eq!(flat.channels(), 3);
    let fig = ImageGrid::new(2)
        .image(red, "red")
        .image(flat, "flat")
        .render()
        .unwrap();
    roundtrip(&fig, "image_grid_rgb");
    let FigureData::Images(cells) = fig.data() else {
        panic!()
    };
    assert_eq!(
        fig.pixel(cells[0].rect.center().0, cells[0].rect.center().1),
        Some([255, 0, 0])
    );
    assert_eq!(
        fig.pixel(cells[1].rect.center().0, cells[1].rect.center().1),
        Some([200, 200, 200])
    );
}

#[test]
fn image_errors() {
    let a = Array2::<u8>::zeros((4, 4));
    let b = Array2::<u8>::zeros((5, 4));
    let e = ImageGrid::new(2)
        .image(Image::gray(a.view()).unwrap(), "")
        .image(Image::gray(b.view()).unwrap(), "")
        .render()
        .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    assert!(ImageGrid::new(2).render().is_err());
    assert!(
        ImageGrid::new(0)
            .image(Image::gray(a.view()).unwrap(), "")
            .render()
            .is_err()
    );
    let nan = array![[f64::NAN]];
    assert!(Image::gray(nan.view()).is_err());
    let e = Image::from_flat(ndarray::Array1::<u8>::zeros(10).view(), 3, 3).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    assert!(Image::rgb(Array3::<u8>::zeros((2, 2, 2)).view()).is_err());
    assert!(Image::gray(Array2::<u8>::zeros((0, 3)).view()).is_err());
}

#[test]
fn heatmap_writes_each_value_with_contrast() {
    let digit = array![
        [0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 13.0, 15.0, 10.0, 15.0, 5.0, 0.0],
        [0.0, 3.0, 15.0, 2.0, 0.0, 11.0, 8.0, 0.0],
        [0.0, 4.0, 12.0, 0.0, 0.0, 8.0, 8.0, 0.0],
        [0.0, 5.0, 8.0, 0.0, 0.0, 9.0, 8.0, 0.0],
        [0.0, 4.0, 11.0, 0.0, 1.0, 12.0, 7.0, 0.0],
        [0.0, 2.0, 14.0, 5.0, 10.0, 12.0, 0.0, 0.0],
        [0.0, 0.0, 6.0, 13.0, 10.0, 0.0, 0.0, 16.0]
    ];
    let fig = Heatmap::new(digit.view())
        .title("Digit 0")
        .render()
        .unwrap();
    roundtrip(&fig, "heatmap");
    let FigureData::Heatmap(h) = fig.data() else {
        panic!()
    };
    assert_eq!(h.values, digit);
    assert_eq!(h.texts[[1, 3]], "15");
    assert_eq!(h.range, (0.0, 16.0));
    // Corner of a 0 cell is black and its text white; a 16 cell is white with black text.
    let r = h.cell_rect(0, 0);
    assert_eq!(fig.pixel(r.x0 + 1, r.y0 + 1), Some([0, 0, 0]));
    let has = |r: PixelRect, c: [u8; 3]| {
        (r.x0 + 3..r.x1 - 3).any(|x| (r.y0 + 3..r.y1 - 3).any(|y| fig.pixel(x, y) == Some(c)))
    };
    assert!(has(r, [255, 255, 255]), "white text on black");
    let r = h.cell_rect(7, 7);
    assert_eq!(fig.pixel(r.x0 + 1, r.y0 + 1), Some([255, 255, 255]));
    assert!(has(r, [0, 0, 0]), "black text on white");
    // Non-integer values get 2 decimals by default.
    let fig = Heatmap::new(array![[0.25f32, 1.0]].view())
        .render()
        .unwrap();
    let FigureData::Heatmap(h) = fig.data() else {
        panic!()
    };
    assert_eq!(h.texts[[0, 0]], "0.25");
    assert!(
        Heatmap::new(Array2::<f64>::zeros((0, 2)).view())
            .render()
            .is_err()
    );
    assert!(Heatmap::new(array![[f64::NAN]].view()).render().is_err());
    assert!(
        Heatmap::new(array![[1.0]].view())
            .range(2.0, 1.0)
            .render()
            .is_err()
    );
}

#[test]
fn probability_bars_match_the_probabilities() {
    let names = nnlib::datasets::FASHION_MNIST_CLASSES;
    let img = Image::gray(Array2::<u8>::from_shape_fn((28, 28), |(i, j)| (i * 9 + j) as u8).view())
        .unwrap();
    let p1 = [0.01, 0.0, 0.02, 0.0, 0.0, 0.05, 0.0, 0.12, 0.0, 0.80];
    let p2 = [0.1, 0.0, 0.5, 0.0, 0.3, 0.0, 0.1, 0.0, 0.0, 0.0];
    let fig = ProbabilityBars::new(names)
        .title("Predictions")
        .row(img.clone(), p1, Some(9))
        .row(img, p2, Some(4))
        .render()
        .unwrap();
    roundtrip(&fig, "probability_bars");
    let FigureData::Probabilities(rows) = fig.data() else {
        panic!()
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].predicted, 9);
    assert_eq!(rows[1].predicted, 2);
    assert_eq!(rows[1].probabilities, p2.to_vec());
    // Bar lengths are proportional to the probabilities.
    let full = rows[0].bars[9].width() as f64 / 0.80;
    for (b, p) in rows[0].bars.iter().zip(p1) {
        assert!((b.width() as f64 - p * full).abs() <= 1.0, "{b:?} {p}");
    }
    // Colours: right prediction green; wrong prediction red, true class blue.
    let at = |r: PixelRect| fig.pixel(r.x0 + 1, r.center().1).unwrap();
    assert_eq!(at(rows[0].bars[9]), [44, 160, 44]);
    assert_eq!(at(rows[1].bars[2]), [214, 39, 40]);
    assert_eq!(at(rows[1].bars[4]), [31, 119, 180]);
    assert_eq!(at(rows[1].bars[0]), [170, 180, 195]);
    // The image is left of the bars, in the same row.
    assert!(rows[0].image_rect.x1 < rows[0].bars[0].x0);
    assert!(rows[1].image_rect.y0 > rows[0].image_rect.y1);
    let (cx, cy) = rows[0].image_rect.center();
    assert_ne!(fig.pixel(cx, cy), Some([255, 255, 255]));
}

#[test]
fn probability_bar_errors() {
    let img = Image::gray(Array2::<u8>::zeros((2, 2)).view()).unwrap();
    let e = ProbabilityBars::new(["a", "b"])
        .row(img.clone(), [1.0], None)
        .render()
        .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    let e = ProbabilityBars::new(["a", "b"])
        .row(img.clone(), [1.5, 0.0], None)
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("[0, 1]"), "{e}");
    let e = ProbabilityBars::new(["a", "b"])
        .row(img.clone(), [0.5, 0.5], Some(2))
        .render()
        .unwrap_err();
    assert!(e.to_string().contains("true class"), "{e}");
    assert!(ProbabilityBars::new(["a"]).render().is_err());
    assert!(
        ProbabilityBars::new(Vec::<String>::new())
            .row(img, [0.5], None)
            .render()
            .is_err()
    );
}

#[test]
fn confusion_matrix_counts_and_cells() {
    let truth = [0usize, 0, 0, 1, 1, 2, 2, 2, 2, 1];
    let pred = [0usize, 0, 1, 1, 2, 2, 2, 2, 0, 1];
    let cm = ConfusionMatrix::from_labels(truth, pred, 3)
        .unwrap()
        .class_names(["airplane", "automobile", "bird"]);
    let mut expected = Array2::<usize>::zeros((3, 3));
    for (&t, &p) in truth.iter().zip(&pred) {
        expected[[t, p]] += 1;
    }
    assert_eq!(cm.counts(), &expected);
    assert!((cm.accuracy() - 0.7).abs() < 1e-12);
    let fig = cm.render().unwrap();
    roundtrip(&fig, "confusion");
    let FigureData::Confusion(d) = fig.data() else {
        panic!()
    };
    assert_eq!(d.counts, expected);
    // The fullest share of a row (3 of 4 on [2, 2]) is darkest; empty cells are lightest.
    let corner = |t, p| {
        let r = d.cell_rect(t, p);
        fig.pixel(r.x0 + 1, r.y0 + 1).unwrap()
    };
    assert_eq!(corner(0, 2), [247, 251, 255]);
    assert!(corner(2, 2)[0] < corner(2, 0)[0]);
    assert!(corner(0, 0)[0] < corner(0, 1)[0]);
    let e = ConfusionMatrix::from_labels([0, 1], [0], 2).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    let e = ConfusionMatrix::from_labels([0, 3], [0, 1], 3).unwrap_err();
    assert!(e.to_string().contains("0..3"), "{e}");
    let e = ConfusionMatrix::from_labels([0], [0], 2)
        .unwrap()
        .class_names(["x"])
        .render()
        .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
}

#[test]
fn confusion_matrix_ten_classes_renders() {
    let truth: Vec<u8> = (0..500).map(|i| (i % 10) as u8).collect();
    let pred: Vec<u8> = (0..500)
        .map(|i| {
            if i % 7 == 0 {
                ((i / 7) % 10) as u8
            } else {
                (i % 10) as u8
            }
        })
        .collect();
    let names = nnlib::datasets::CIFAR10_CLASSES;
    let fig = ConfusionMatrix::from_labels(&truth, &pred, 10)
        .unwrap()
        .class_names(names)
        .render()
        .unwrap();
    roundtrip(&fig, "confusion10");
    let FigureData::Confusion(d) = fig.data() else {
        panic!()
    };
    assert_eq!(d.counts.sum(), 500);
}

#[test]
fn weight_tiles_normalise_each_unit() {
    // 6 units of 4x5 weights; unit u has its largest weight at input u and
    // the smallest at input 19, with unit-specific scales.
    let w = Array2::from_shape_fn((6, 20), |(u, i)| {
        let scale = (u + 1) as f64 * 0.1;
        if i == u {
            scale
        } else if i == 19 {
            -scale
        } else {
            0.0
        }
    });
    let fig = WeightTiles::from_rows(w.view(), 4, 5).render().unwrap();
    roundtrip(&fig, "weight_tiles");
    let FigureData::Images(cells) = fig.data() else {
        panic!()
    };
    assert_eq!(cells.len(), 6);
    for (u, c) in cells.iter().enumerate() {
        assert_eq!(c.caption, u.to_string());
        assert_eq!(c.image.get(u / 5, u % 5), &[1.0]);
        assert_eq!(c.image.get(3, 4), &[0.0]);
        assert_eq!(c.image.get(2, 2), &[0.5]);
        // The brightest pixel of the tile is white in the figure.
        let px = c.rect.x0 + ((u % 5) as i32 * c.rect.width() + c.rect.width() / 10) / 5;
        let py = c.rect.y0 + ((u / 5) as i32 * c.rect.height() + c.rect.height() / 8) / 4;
        assert_eq!(fig.pixel(px, py), Some([255, 255, 255]), "unit {u}");
    }
    // Columns: the transpose gives the same tiles.
    let t = w.t().to_owned();
    let fig2 = WeightTiles::from_columns(t.view(), 4, 5).render().unwrap();
    assert_eq!(fig2.data(), fig.data());
    let e = WeightTiles::from_rows(w.view(), 3, 3).render().unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
}

#[test]
fn png_and_evcxr_output() {
    let fig = LineChart::new("t")
        .series("a", [1.0, 2.0])
        .size(200, 120)
        .render()
        .unwrap();
    let png = fig.to_png().unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let content = fig.evcxr_content().unwrap();
    let lines: Vec<&str> = content.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], "EVCXR_BEGIN_CONTENT image/png");
    assert_eq!(lines[2], "EVCXR_END_CONTENT");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(lines[1])
        .unwrap();
    assert_eq!(bytes, png);
    let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (200, 120));
    assert_eq!(img.as_raw().as_slice(), fig.rgb());
}

#[test]
fn save_is_atomic_and_reports_bad_paths() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("save_test");
    std::fs::create_dir_all(&dir).unwrap();
    let fig = LineChart::new("t")
        .series("a", [1.0, 2.0])
        .size(100, 80)
        .render()
        .unwrap();
    let path = dir.join("fig.png");
    fig.save(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), fig.to_png().unwrap());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    let e = fig
        .save(dir.join("missing_dir").join("fig.png"))
        .unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
}
