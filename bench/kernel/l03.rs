// Lesson 03's training cell: the 64-64-10 sigmoid/softmax network on the
// 8x8 digits, 1,000 full-batch epochs of `Trainer::fit` at lr 0.1, with the
// test set as validation, as the notebook runs it. One unit: one run.
{
    let digits = nnlib::datasets::digits()?;
    let x_all: Array2<f64> = nnlib::datasets::flatten(&digits.images)?.mapv(f64::from);
    let y_all: Array2<f64> = one_hot(&digits.labels, 10)?;
    let (x_train_raw, x_test_raw, y_train, y_test) = train_test_split(&x_all, &y_all, 0.2, 42)?;
    let scaler = MinMaxScaler::fit(&x_train_raw.view())?;
    let (x_train, x_test) = (scaler.transform(&x_train_raw.view())?, scaler.transform(&x_test_raw.view())?);
    for unit in 1..=3 {
        let started = std::time::Instant::now();
        let mut nn = Mlp::new(&[64, 64, 10], &[Activation::Sigmoid, Activation::Softmax],
                              Loss::CategoricalCrossEntropy, Init::Randn { scale: 1.0 }, 0)?;
        let history = Trainer::new(1000, Sgd::new(0.1)).log_every(0)
            .fit(&mut nn, &x_train.view(), &y_train.view(), Some((&x_test.view(), &y_test.view())))?;
        println!("unit {unit}: {:.4} s (validation accuracy {:.4})",
                 started.elapsed().as_secs_f64(), history.final_val_accuracy().unwrap_or(f64::NAN));
    }
}
