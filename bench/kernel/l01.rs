// Lesson 01's epoch as `make bench` times it for nnlib: the 3072-64-10
// sigmoid/softmax network, one full-batch step of `Mlp::train_step` at
// lr 0.01 over all 50,000 CIFAR-10 training images in f64. One unit: one
// epoch.
{
    let cifar = nnlib::datasets::cifar10()?;
    let x: Array2<f64> = nnlib::datasets::flatten(&cifar.train.images)?.mapv(|p: u8| f64::from(p) / 255.0);
    let y: Array2<f64> = one_hot(&cifar.train.labels, 10)?;
    drop(cifar);
    let mut net = Mlp::<f64>::new(&[3072, 64, 10], &[Activation::Sigmoid, Activation::Softmax],
                                  Loss::CategoricalCrossEntropy, Init::Randn { scale: 0.01 }, 42)?;
    let mut sgd = Sgd::new(0.01);
    for unit in 1..=6 {
        let started = std::time::Instant::now();
        let (loss, _) = net.train_step(&x.view(), &y.view(), &mut sgd)?;
        println!("unit {unit}: {:.4} s (loss {loss:.6})", started.elapsed().as_secs_f64());
    }
}
