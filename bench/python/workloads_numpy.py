"""The numpy side of the speed comparison: the lessons' training loops.

    python workloads_numpy.py <workload> <reps> <cache dir> [<data dir>] [--cold]

prints one JSON line: the seconds of each unit and the final metric. The
loops follow the Python lessons (with their errata corrected, as in the
notebooks), written for this benchmark.

numpy is timed at its best: before the workload, a large product in each
precision starts OpenBLAS's thread pool (`warm_up`). In a fresh process
numpy's small products (lesson 02's per-sample loop) run up to three times
slower until that has happened. `--cold` skips the warm-up, to measure the
fresh state.
"""
import json
import os
import sys
import time

import numpy as np

CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck"]


def load(cache, name, width):
    x = np.fromfile(f"{cache}/{name}_x.u8", dtype=np.uint8).reshape(-1, width)
    y = np.fromfile(f"{cache}/{name}_y.u8", dtype=np.uint8)
    return x, y


def one_hot(y, k=10, dtype=np.float64):
    out = np.zeros((y.size, k), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out


def timed(reps, unit):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        unit()
        times.append(time.perf_counter() - t)
    return times


def report(times, name, metric):
    print(json.dumps({"times": times, "metric_name": name, "metric": float(metric),
                      "backend": "numpy " + np.__version__}))


def sigmoid(z):
    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def lesson01(reps, cache, dtype):
    x, y = load(cache, "cifar_train", 3072)
    X = x.astype(dtype)
    del x
    X /= 255
    Y = one_hot(y, dtype=dtype)
    m = X.shape[0]
    rng = np.random.default_rng(42)
    W1 = (rng.standard_normal((3072, 64)) * 0.01).astype(dtype)
    b1 = np.zeros((1, 64), dtype)
    W2 = (rng.standard_normal((64, 10)) * 0.01).astype(dtype)
    b2 = np.zeros((1, 10), dtype)
    lr = 0.01
    state = {}

    def epoch():
        nonlocal W1, b1, W2, b2
        A1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
        A2 = softmax_rows(A1 @ W2 + b2)
        state["loss"] = -np.sum(Y * np.log(np.clip(A2, 1e-7, 1 - 1e-7))) / m
        dZ2 = (A2 - Y) / m
        dW2 = A1.T @ dZ2
        db2 = dZ2.sum(axis=0, keepdims=True)
        dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
        dW1 = X.T @ dZ1
        db1 = dZ1.sum(axis=0, keepdims=True)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2

    report(timed(reps, epoch), "loss", state["loss"])


def lesson02(reps, cache, hidden, dropout):
    x, y = load(cache, "mnist_train", 784)
    xt, yt = load(cache, "mnist_test", 784)
    images, labels = x[:10000] / 255, one_hot(y[:10000])
    test_images = xt / 255
    np.random.seed(1)
    alpha = 0.005
    w01 = 0.2 * np.random.random((784, hidden)) - 0.1
    w12 = 0.2 * np.random.random((hidden, 10)) - 0.1

    def iteration():
        nonlocal w01, w12
        for i in range(len(images)):
            l0 = images[i:i + 1]
            l1 = np.maximum(l0.dot(w01), 0)
            if dropout:
                mask = np.random.randint(2, size=l1.shape)
                l1 *= mask * 2
            l2 = l1.dot(w12)
            d2 = l2 - labels[i:i + 1]
            d1 = d2.dot(w12.T) * (l1 > 0)
            if dropout:
                d1 *= mask
            w12 -= alpha * l1.T.dot(d2)
            w01 -= alpha * l0.T.dot(d1)

    times = timed(reps, iteration)
    out = np.maximum(test_images @ w01, 0) @ w12
    report(times, "test accuracy", np.mean(out.argmax(axis=1) == yt))


def lesson03(reps, cache):
    x, y = load(cache, "digits", 64)
    x = x.astype(np.float64)
    order = np.random.default_rng(42).permutation(len(y))
    n_train = len(y) * 4 // 5
    tr, te = order[:n_train], order[n_train:]
    lo, hi = x[tr].min(axis=0), x[tr].max(axis=0)
    span = np.where(hi > lo, hi - lo, 1)
    xtr, xte = (x[tr] - lo) / span, (x[te] - lo) / span
    ytr, yte = one_hot(y[tr]), y[te]
    m = len(tr)
    state = {}

    def run():
        rng = np.random.default_rng(42)
        W1, b1 = rng.standard_normal((64, 64)), np.zeros(64)
        W2, b2 = rng.standard_normal((64, 10)), np.zeros(10)
        for _ in range(1000):
            A1 = sigmoid(xtr @ W1 + b1)
            A2 = softmax_rows(A1 @ W2 + b2)
            dZ2 = (A2 - ytr) / m
            dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
            dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
            dW1, db1 = xtr.T @ dZ1, dZ1.sum(axis=0)
            W1 -= 0.1 * dW1
            b1 -= 0.1 * db1
            W2 -= 0.1 * dW2
            b2 -= 0.1 * db2
        p = softmax_rows(sigmoid(xte @ W1 + b1) @ W2 + b2)
        state["acc"] = np.mean(p.argmax(axis=1) == yte)

    report(timed(reps, run), "test accuracy", state["acc"])


def lesson04(reps, cache, dtype):
    x, y = load(cache, "mnist_train", 784)
    X = (x.astype(dtype) / 255).T  # (784, m), one column per sample
    m = X.shape[1]
    Y = one_hot(y, dtype=dtype).T
    rng = np.random.default_rng(42)
    W1 = (rng.random((10, 784)) - 0.5).astype(dtype)
    b1 = (rng.random((10, 1)) - 0.5).astype(dtype)
    W2 = (rng.random((10, 10)) - 0.5).astype(dtype)
    b2 = (rng.random((10, 1)) - 0.5).astype(dtype)
    state = {}

    def iteration():
        nonlocal W1, b1, W2, b2
        Z1 = W1.dot(X) + b1
        A1 = np.maximum(Z1, 0)
        Z2 = W2.dot(A1) + b2
        e = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
        A2 = e / e.sum(axis=0, keepdims=True)
        dZ2 = A2 - Y
        dW2 = dZ2.dot(A1.T) / m
        db2 = dZ2.sum(axis=1, keepdims=True) / m
        dZ1 = W2.T.dot(dZ2) * (Z1 > 0)
        dW1 = dZ1.dot(X.T) / m
        db1 = dZ1.sum(axis=1, keepdims=True) / m
        W1 = W1 - 0.1 * dW1
        b1 = b1 - 0.1 * db1
        W2 = W2 - 0.1 * dW2
        b2 = b2 - 0.1 * db2
        state["acc"] = np.mean(A2.argmax(axis=0) == y)

    report(timed(reps, iteration), "train accuracy", state["acc"])


def lesson05_fashion(reps, cache):
    x, y = load(cache, "fashion_train", 784)
    xt, yt = load(cache, "fashion_test", 784)
    n = 48000
    X = x[:n].astype(np.float32) / 255
    Y = one_hot(y[:n], dtype=np.float32)
    Xt = xt.astype(np.float32) / 255
    sizes = [784, 256, 128, 64, 10]
    rng = np.random.default_rng(42)
    Ws, bs = [], []
    for a, b in zip(sizes, sizes[1:]):
        r = np.sqrt(6 / (a + b))
        Ws.append(rng.uniform(-r, r, (a, b)).astype(np.float32))
        bs.append(np.zeros(b, np.float32))
    params = [p for wb in zip(Ws, bs) for p in wb]
    m_state = [np.zeros_like(p) for p in params]
    v_state = [np.zeros_like(p) for p in params]
    step = [0]
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-7

    def forward(xb):
        acts = [xb]
        for i, (W, b) in enumerate(zip(Ws, bs)):
            z = acts[-1] @ W + b
            acts.append(softmax_rows(z) if i == len(Ws) - 1 else np.maximum(z, 0))
        return acts

    def epoch():
        order = rng.permutation(n)
        for start in range(0, n, 128):
            idx = order[start:start + 128]
            xb, yb = X[idx], Y[idx]
            acts = forward(xb)
            dz = (acts[-1] - yb) / len(idx)
            grads = []
            for i in range(len(Ws) - 1, -1, -1):
                grads.append(dz.sum(axis=0))
                grads.append(acts[i].T @ dz)
                if i > 0:
                    dz = (dz @ Ws[i].T) * (acts[i] > 0)
            grads.reverse()  # W1, b1, W2, b2, ...
            step[0] += 1
            t = step[0]
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            for p, g, m_, v_ in zip(params, grads, m_state, v_state):
                m_ *= b1
                m_ += (1 - b1) * g
                v_ *= b2
                v_ += (1 - b2) * g * g
                p -= alpha * m_ / (np.sqrt(v_) + eps)

    times = timed(reps, epoch)
    report(times, "test accuracy", np.mean(forward(Xt)[-1].argmax(axis=1) == yt))


def lesson05_per_sample(reps, cache):
    x, y = load(cache, "mnist_train", 784)
    xt, yt = load(cache, "mnist_test", 784)
    X, Y = x[:10000] / 255, one_hot(y[:10000])
    Xt = xt / 255
    sizes = [784, 32, 32, 10]
    rng = np.random.default_rng(42)
    # column layout, as in the lesson: W is (n_out, n_in), z = W a + b
    Ws = [rng.normal(0, 1 / np.sqrt(max(a, b)), (b, a)) for a, b in zip(sizes, sizes[1:])]
    bs = [np.zeros((b, 1)) for b in sizes[1:]]
    lr = 0.003

    def sig(z):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))

    def epoch():
        for j in range(len(X)):
            a = [X[j].reshape(784, 1)]
            for l in range(3):
                z = Ws[l].dot(a[-1]) + bs[l]
                if l < 2:
                    a.append(sig(z))
                else:
                    e = np.exp(z - z.max())
                    a.append(e / e.sum())
            delta = a[3] - Y[j].reshape(10, 1)
            deltas = [delta]
            for l in range(2, 0, -1):
                delta = Ws[l].T.dot(delta) * a[l] * (1 - a[l])
                deltas.insert(0, delta)
            for l in range(3):
                Ws[l] -= lr * deltas[l].dot(a[l].T)
                bs[l] -= lr * deltas[l]

    times = timed(reps, epoch)
    h = Xt.T
    for l in range(3):
        h = Ws[l].dot(h) + bs[l]
        if l < 2:
            h = 1 / (1 + np.exp(-h))
    report(times, "test accuracy", np.mean(h.argmax(axis=0) == yt))


def product(reps, dtype, backward):
    rng = np.random.default_rng(3)
    X = rng.random((50000, 3072)).astype(dtype)
    other = rng.random((50000, 64) if backward else (3072, 64)).astype(dtype)
    times = timed(reps, (lambda: X.T @ other) if backward else (lambda: X @ other))
    t = sorted(times[1:])[len(times[1:]) // 2]
    report(times, "GFLOP/s", 2 * 50000 * 3072 * 64 / t / 1e9)


def jpeg(reps, data):
    """Reads and decodes every image of the data folder's CIFAR-10 image
    folders (train/<class>/*.jpg, test/<class>/*.jpg), as the Rust side does."""
    from PIL import Image
    root = os.path.join(data, "cifar-10")
    files = [os.path.join(root, split, c, f)
             for split in ("train", "test") for c in CLASSES
             for f in sorted(os.listdir(os.path.join(root, split, c)))]
    state = {}

    def load_all():
        total, count = 0, 0
        for path in files:
            with Image.open(path) as im:
                img = np.asarray(im.convert("RGB"))
            total += int(img.sum(dtype=np.uint64))
            count += img.size
        state["mean"] = total / count

    report(timed(reps, load_all), "mean pixel", state["mean"])


def warm_up():
    """A large product in f64 and in f32, which starts OpenBLAS's threads."""
    for dtype in (np.float64, np.float32):
        a = np.ones((1024, 1024), dtype=dtype)
        for _ in range(3):
            a @ a


def main():
    cold = "--cold" in sys.argv
    argv = [a for a in sys.argv if a != "--cold"]
    workload, reps, cache = argv[1], int(argv[2]), argv[3]
    data = argv[4] if len(argv) > 4 else None
    if not cold:
        warm_up()
    table = {
        "l01-f64": lambda: lesson01(reps, cache, np.float64),
        "l01-f32": lambda: lesson01(reps, cache, np.float32),
        "l02": lambda: lesson02(reps, cache, 40, False),
        "l02-dropout": lambda: lesson02(reps, cache, 100, True),
        "l03": lambda: lesson03(reps, cache),
        "l04-f64": lambda: lesson04(reps, cache, np.float64),
        "l04-f32": lambda: lesson04(reps, cache, np.float32),
        "l05-fashion": lambda: lesson05_fashion(reps, cache),
        "l05-persample": lambda: lesson05_per_sample(reps, cache),
        "gemm-fwd-f64": lambda: product(reps, np.float64, False),
        "gemm-bwd-f64": lambda: product(reps, np.float64, True),
        "gemm-fwd-f32": lambda: product(reps, np.float32, False),
        "gemm-bwd-f32": lambda: product(reps, np.float32, True),
        "cifar-jpeg": lambda: jpeg(reps, data),
    }
    table[workload]()


if __name__ == "__main__":
    main()
