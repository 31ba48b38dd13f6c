"""The PyTorch side of lesson 05's Fashion-MNIST workload (the Keras model).

    python workloads_torch.py l05-fashion <reps> <cache dir>

784-256-128-64-10 ReLU/softmax, Adam 1e-3 (Keras's epsilon 1e-7), batch 128,
the first 48,000 training images, shuffled every epoch, on the CPU with the
machine's cores. Prints one JSON line like workloads_numpy.py.
"""
import json
import os
import sys
import time

import numpy as np
import torch


def main():
    workload, reps, cache = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if workload != "l05-fashion":
        raise SystemExit(f"unknown workload {workload}")
    torch.set_num_threads(os.cpu_count() or 1)
    torch.manual_seed(42)
    x = np.fromfile(f"{cache}/fashion_train_x.u8", dtype=np.uint8).reshape(-1, 784)
    y = np.fromfile(f"{cache}/fashion_train_y.u8", dtype=np.uint8)
    xt = np.fromfile(f"{cache}/fashion_test_x.u8", dtype=np.uint8).reshape(-1, 784)
    yt = np.fromfile(f"{cache}/fashion_test_y.u8", dtype=np.uint8)
    n = 48000
    X = torch.from_numpy(x[:n].astype(np.float32) / 255)
    Y = torch.from_numpy(y[:n].astype(np.int64))
    Xt = torch.from_numpy(xt.astype(np.float32) / 255)
    layers = []
    sizes = [784, 256, 128, 64, 10]
    for a, b in zip(sizes, sizes[1:]):
        lin = torch.nn.Linear(a, b)
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        layers += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])  # logits; the loss applies the softmax
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        order = torch.randperm(n)
        for start in range(0, n, 128):
            idx = order[start:start + 128]
            opt.zero_grad()
            loss = loss_fn(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()

    times = []
    for _ in range(reps):
        t = time.perf_counter()
        epoch()
        times.append(time.perf_counter() - t)
    with torch.no_grad():
        acc = (model(Xt).argmax(dim=1).numpy() == yt).mean()
    print(json.dumps({"times": times, "metric_name": "test accuracy", "metric": float(acc),
                      "backend": f"torch {torch.__version__}, {torch.get_num_threads()} threads"}))


if __name__ == "__main__":
    main()
