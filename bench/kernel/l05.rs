// Lesson 05's Fashion-MNIST model: 784-256-128-64-10, ReLU and softmax,
// cross-entropy, Adam at lr 1e-3, batches of 128, trained with
// `Trainer::fit` on 48,000 images in f32. One unit: one epoch.
{
    let fashion = nnlib::datasets::fashion_mnist()?;
    let n = 48_000;
    let x: Array2<f32> = nnlib::datasets::flatten(&fashion.train.images.slice(s![..n, .., ..]))?.mapv(|p: u8| f32::from(p) / 255.0);
    let y: Array2<f32> = one_hot(fashion.train.labels.slice(s![..n]), 10)?;
    let mut nn = Mlp::<f32>::new(&[784, 256, 128, 64, 10],
        &[Activation::Relu, Activation::Relu, Activation::Relu, Activation::Softmax],
        Loss::CategoricalCrossEntropy, Init::XavierUniform, 42)?;
    let mut trainer = Trainer::new(1, Adam::new(1e-3)).batch_size(128).shuffle_seed(7).log_every(0);
    for unit in 1..=3 {
        let started = std::time::Instant::now();
        let history = trainer.fit(&mut nn, &x.view(), &y.view(), None)?;
        println!("unit {unit}: {:.4} s (training loss {:.4})", started.elapsed().as_secs_f64(), history.final_train_loss().unwrap_or(f64::NAN));
    }
}
