// Lesson 04's gradient descent, written out with ndarray as the lesson
// writes it, its products through `matmul_named` as in the notebook:
// samples in columns (X is 784 x 60,000), 784-10-10 ReLU/softmax, one
// full-batch iteration of forward pass, backward pass and update at alpha
// 0.1. One unit: one iteration.
{
    let mnist = nnlib::datasets::mnist()?;
    let x: Array2<f64> = nnlib::datasets::flatten(&mnist.train.images)?.mapv(|p: u8| f64::from(p) / 255.0).reversed_axes();
    let m = x.ncols();
    let y: Array2<f64> = one_hot(&mnist.train.labels, 10)?.reversed_axes();
    let init = Init::Uniform { low: -0.5, high: 0.5 };
    let (mut w1, mut w2): (Array2<f64>, Array2<f64>) = (init.weights(10, 784, &mut rng(0))?, init.weights(10, 10, &mut rng(1))?);
    let (mut b1, mut b2): (Array2<f64>, Array2<f64>) = (init.weights(10, 1, &mut rng(2))?, init.weights(10, 1, &mut rng(3))?);
    let alpha = 0.1;
    for unit in 1..=5 {
        let started = std::time::Instant::now();
        let z1 = matmul_named("W1", &w1.view(), "X", &x.view())? + &b1;
        let a1 = z1.mapv(|v| v.max(0.0));
        let z2 = matmul_named("W2", &w2.view(), "A1", &a1.view())? + &b2;
        let a2 = nnlib::activation::softmax(&z2.view(), Axis(0));
        let dz2 = &a2 - &y;
        let dw2 = matmul_named("dZ2", &dz2.view(), "A1ᵀ", &a1.t())? / m as f64;
        let db2 = dz2.sum_axis(Axis(1)).insert_axis(Axis(1)) / m as f64;
        let dz1 = matmul_named("W2ᵀ", &w2.t(), "dZ2", &dz2.view())? * z1.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
        let dw1 = matmul_named("dZ1", &dz1.view(), "Xᵀ", &x.t())? / m as f64;
        let db1 = dz1.sum_axis(Axis(1)).insert_axis(Axis(1)) / m as f64;
        w1 = w1 - alpha * dw1;
        b1 = b1 - alpha * db1;
        w2 = w2 - alpha * dw2;
        b2 = b2 - alpha * db2;
        let correct = argmax_rows(&a2.t()).iter().zip(mnist.train.labels.iter()).filter(|(p, l)| **p == usize::from(**l)).count();
        println!("unit {unit}: {:.4} s (training accuracy {:.4})", started.elapsed().as_secs_f64(), correct as f64 / m as f64);
    }
}
