// Lesson 02's first training loop, written out with ndarray as the lesson
// writes it: 784-40-10, ReLU, squared error, one sample at a time at
// alpha 0.005 over the first 10,000 MNIST training images. One unit: one
// iteration (a pass over the 10,000 images).
{
    let mnist = nnlib::datasets::mnist()?;
    let n = 10_000;
    let images: Array2<f64> = nnlib::datasets::flatten(&mnist.train.images.slice(s![..n, .., ..]))?
        .mapv(|p: u8| f64::from(p) / 255.0);
    let labels: Array2<f64> = one_hot(mnist.train.labels.slice(s![..n]), 10)?;
    let mut w_0_1: Array2<f64> = Init::Uniform { low: -0.1, high: 0.1 }.weights(784, 40, &mut rng(1))?;
    let mut w_1_2: Array2<f64> = Init::Uniform { low: -0.1, high: 0.1 }.weights(40, 10, &mut rng(2))?;
    let alpha = 0.005;
    for unit in 1..=3 {
        let started = std::time::Instant::now();
        let mut error = 0.0;
        for i in 0..n {
            let layer_0 = images.slice(s![i..i + 1, ..]);
            let layer_1 = layer_0.dot(&w_0_1).mapv(|v| v.max(0.0));
            let layer_2 = layer_1.dot(&w_1_2);
            let delta_2 = &labels.slice(s![i..i + 1, ..]) - &layer_2;
            error += delta_2.mapv(|d| d * d).sum();
            let delta_1 = delta_2.dot(&w_1_2.t()) * layer_1.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
            w_1_2 = w_1_2 + alpha * layer_1.t().dot(&delta_2);
            w_0_1 = w_0_1 + alpha * layer_0.t().dot(&delta_1);
        }
        println!("unit {unit}: {:.4} s (error {:.4})", started.elapsed().as_secs_f64(), error / n as f64);
    }
}
