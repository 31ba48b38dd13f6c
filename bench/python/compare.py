"""Runs every workload in numpy (and PyTorch) and in Rust, alternating, and
writes the Markdown table. Called by bench/compare, which builds and sets up
everything first.

    python compare.py --rust BIN --cache DIR --out DIR --data DIR [--rounds N] [--only a,b]
                      [--numpy-states warm|both]

numpy runs warmed up (its thread pool started, see workloads_numpy.py); with
`--numpy-states both` each round also runs it in a fresh process, and the
faster of the two medians is the one compared.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# name, unit, units per process (the first is a warm-up), description,
# target ratio (Python time / Rust time)
WORKLOADS = [
    ("l01-f64", "epoch", 4, "lesson 01: 3072-64-10 full batch, 50,000 CIFAR-10 (JPEG) images, f64", 1.5),
    ("l01-f32", "epoch", 4, "lesson 01: same, f32 on both sides", 1.2),
    ("l02", "iteration", 3, "lesson 02: 784-40-10 per-sample SGD, 10,000 MNIST images", 5),
    ("l02-dropout", "iteration", 3, "lesson 02: same with dropout, 100 hidden", 5),
    ("l03", "run", 3, "lesson 03: 64-64-10 on digits, 1,000 full-batch epochs", 2),
    ("l04-f64", "iteration", 8, "lesson 04: 784-10-10 full batch, 60,000 MNIST, column layout, f64", 1.2),
    ("l04-f32", "iteration", 8, "lesson 04: same, f32 on both sides", None),
    ("l05-fashion", "epoch", 3, "lesson 05: 784-256-128-64-10 Adam, batch 128, Fashion-MNIST, f32", 1.5),
    ("l05-persample", "pass", 3, "lesson 05: 784-32-32-10 per-sample backprop, 10,000 samples", 15),
    ("gemm-fwd-f64", "product", 5, "product 50000x3072 · 3072x64, f64", 0.9),
    ("gemm-bwd-f64", "product", 5, "product 3072x50000 · 50000x64, f64", 0.9),
    ("gemm-fwd-f32", "product", 5, "product 50000x3072 · 3072x64, f32", 0.9),
    ("gemm-bwd-f32", "product", 5, "product 3072x50000 · 50000x64, f32", 0.9),
    ("cifar-jpeg", "pass", 2, "loading all 60,000 CIFAR-10 JPEGs (numpy side: Pillow)", 4),
]

# The lessons run numpy in f64; these rows set that time against nnlib in f32:
# (numpy workload, Rust workload, description, target ratio).
CROSS = [
    ("l01-f64", "l01-f32", "lesson 01: numpy f64 (as in the lesson) against nnlib f32", 2.5),
    ("l04-f64", "l04-f32", "lesson 04: numpy f64 (as in the lesson) against nnlib f32", 2),
]


def run_json(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss_mb(cmd):
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True)
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return int(m.group(1)) / 1024 if m else float("nan")


def peak_now(rust):
    """The peak on every core at this moment (`course-bench peak --now`), {"f64": .., "f32": ..}."""
    out = subprocess.run([rust, "peak", "--now"], capture_output=True, text=True)
    return parse_peak(out.stdout or out.stderr)


def fmt_metric(r, peak=None):
    v = r["metric"]
    if r["metric_name"] == "GFLOP/s":
        if r.get("peak_around"):
            # the peak measured just before and after this product (see main)
            around = r["peak_around"]
            above = ", above it" if v > around else ""
            return f"{v:.1f} GFLOP/s ({100 * v / around:.0f} % of the {around:.1f} around it{above})"
        if not peak:
            return f"{v:.1f} GFLOP/s"
        # a product cannot beat the FMA peak: above it, the peak was measured too low
        above = ", above it: the peak was measured too low" if v > peak else ""
        return f"{v:.1f} GFLOP/s ({100 * v / peak:.0f} % of peak{above})"
    if "accuracy" in r["metric_name"]:
        return f"{100 * v:.2f} % {r['metric_name'].replace(' accuracy', '')} acc."
    return f"{r['metric_name']} {v:.4f}"


def cpu_lines():
    """The CPU's model, cores and vector instructions, from /proc/cpuinfo."""
    model, flags = "?", []
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and model == "?":
                    model = value.strip()
                if key.strip() in ("flags", "Features") and not flags:
                    flags = value.split()
    except OSError:
        pass
    simd = sorted(f for f in flags if re.match(r"(avx|fma|sse4|neon|asimd|sve|amx)", f))
    return [f"CPU: {model}, {os.cpu_count()} logical cores",
            f"SIMD flags: {' '.join(simd) or '?'}"]


def blas_line(py):
    """numpy's version, BLAS, core type and threads (threadpoolctl), after
    the warm-up the workloads do."""
    code = ("import json, numpy as np\n"
            "a = np.ones((512, 512)); a @ a\n"
            "try:\n"
            "    from threadpoolctl import threadpool_info\n"
            "    info = [i for i in threadpool_info() if i.get('user_api') == 'blas']\n"
            "except ImportError:\n"
            "    info = []\n"
            "print(json.dumps({'numpy': np.__version__, 'blas': info}))\n")
    out = subprocess.run([py, "-c", code], capture_output=True, text=True)
    try:
        d = json.loads(out.stdout)
    except ValueError:
        return "numpy: ?"
    blas = "; ".join(f"{i.get('internal_api')} {i.get('version')}, core {i.get('architecture')}, "
                     f"{i.get('num_threads')} threads" for i in d["blas"]) or "? (threadpoolctl missing)"
    return f"numpy {d['numpy']}, BLAS: {blas}"


def machine_lines(py):
    lines = cpu_lines() + [blas_line(py)]
    try:
        import torch
        lines.append(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, "
                     f"CPU capability {torch.backends.cpu.get_cpu_capability()}")
    except Exception:  # noqa: BLE001 - PyTorch absent or older
        pass
    return lines


def parse_peak(text):
    """The peak on every core with the widest FMA (the highest of the lines
    of `course-bench peak` for the most cores), in GFLOP/s: {"f64": .., "f32": ..}."""
    found = [(int(m.group(1)), float(m.group(2)), float(m.group(3))) for m in
             re.finditer(r"peak, (\d+) core\(s\): ([\d.]+) GFLOP/s f64, ([\d.]+) GFLOP/s f32", text)]
    if not found:
        return {}
    cores = max(c for c, _, _ in found)
    f64, f32 = max((a, b) for c, a, b in found if c == cores)
    return {"f64": f64, "f32": f32}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust", required=True)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--data", required=True, help="the data folder (data-scripts/fetch's)")
    ap.add_argument("--rounds", type=int, default=1, help="alternating numpy/Rust rounds per workload")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--numpy-states", choices=["warm", "both"], default="warm",
                    help="time numpy warmed up, or also in a fresh process (keeping the faster)")
    args = ap.parse_args()
    py = sys.executable
    numpy_prog = os.path.join(HERE, "workloads_numpy.py")
    torch_prog = os.path.join(HERE, "workloads_torch.py")
    try:
        import torch  # noqa: F401
        have_torch = not args.no_torch
    except ImportError:
        have_torch = False
    only = set(filter(None, args.only.split(",")))
    machine = machine_lines(py)
    for line in machine:
        print(line, file=sys.stderr)
    peak_out = subprocess.run([args.rust, "peak"], capture_output=True, text=True)
    peak_text = peak_out.stdout or peak_out.stderr
    peaks = parse_peak(peak_text)
    rows, raw = [], {}
    started = time.time()
    load_before = os.getloadavg()
    medians, metrics = {}, {}
    for name, unit, reps, desc, target in WORKLOADS:
        if only and name not in only:
            continue
        sides = [("numpy", [py, numpy_prog, name, str(reps), args.cache, args.data]),
                 ("rust", [args.rust, "run", name, str(reps), args.cache])]
        if args.numpy_states == "both":
            sides.insert(1, ("numpy-cold", sides[0][1] + ["--cold"]))
        if name == "l05-fashion" and have_torch:
            sides.insert(1, ("torch", [py, torch_prog, name, str(reps), args.cache]))
        results = {s: [] for s, _ in sides}
        for _ in range(args.rounds):
            for side, cmd in sides:
                before = peak_now(args.rust) if name.startswith("gemm-") else {}
                r = run_json(cmd)
                if before:
                    # the product against the peak of its own minute: the higher
                    # of the peaks measured just before and just after it
                    after = peak_now(args.rust)
                    kind = "f32" if name.endswith("f32") else "f64"
                    if kind in before and kind in after:
                        r["peak_around"] = max(before[kind], after[kind])
                results[side].append(r)
                print(f"  {name:<14} {side:<6} {['%.4f' % t for t in r['times']]} {fmt_metric(r)}",
                      file=sys.stderr, flush=True)
        raw[name] = results

        def median(side):
            return statistics.median(t for r in results[side] for t in r["times"][1:])

        if "numpy-cold" in results:
            # numpy at its best: the faster state stands as "numpy"
            state = "numpy-cold" if median("numpy-cold") < median("numpy") else "numpy"
            print(f"  {name:<14} numpy faster {'fresh' if state == 'numpy-cold' else 'warmed up'}: "
                  f"{median('numpy'):.4f} warm, {median('numpy-cold'):.4f} fresh", file=sys.stderr)
            results["numpy-warm"], results["numpy"] = results["numpy"], results[state]
        peak = peaks.get("f32" if name.endswith("f32") else "f64")
        rust_t, rust_last = median("rust"), results["rust"][-1]
        medians[name] = (median("numpy"), rust_t, unit)
        metrics[name] = (fmt_metric(results["numpy"][-1], peak), fmt_metric(rust_last, peak))
        for other in [s for s, _ in sides if s in ("numpy", "torch")]:
            t = median(other)
            label = desc if other == "numpy" else desc + " (PyTorch CPU)"
            rows.append((label, unit, t, rust_t, t / rust_t, target,
                         fmt_metric(results[other][-1], peak), fmt_metric(rust_last, peak)))
    for py_name, rust_name, desc, target in CROSS:
        if py_name in medians and rust_name in medians:
            t, rt, unit = medians[py_name][0], medians[rust_name][1], medians[py_name][2]
            rows.append((desc, unit, t, rt, t / rt, target, metrics[py_name][0], metrics[rust_name][1]))
    memory = None
    if not args.no_memory and (not only or "l01-f64" in only):
        memory = (peak_rss_mb([py, numpy_prog, "l01-f64", "2", args.cache]),
                  peak_rss_mb([args.rust, "run", "l01-f64", "2", args.cache]))
    load_after = os.getloadavg()
    paths = subprocess.run([args.rust, "gemm", "4"], capture_output=True, text=True).stdout
    paths += peak_text

    lines = ["| workload | unit | Python s/unit | Rust s/unit | ratio | target | Python metric | Rust metric |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"]
    for label, unit, t, rt, ratio, target, m1, m2 in rows:
        goal = "" if target is None else f"≥ {target}" + ("" if ratio >= target else " (missed)")
        lines.append(f"| {label} | {unit} | {t:.4f} | {rt:.4f} | {ratio:.2f} | {goal} | {m1} | {m2} |")
    backend = raw[next(iter(raw))]["rust"][-1]["backend"] if raw else "?"
    notes = [
        "",
        f"Python: {raw[next(iter(raw))]['numpy'][-1]['backend'] if raw else '?'}; "
        f"Rust: nnlib, large products on `{backend}`. Ratio = Python time / Rust time, "
        f"medians of {args.rounds} alternating round(s), the first unit of each process dropped as a warm-up; "
        + ("numpy warmed up (its thread pool started before timing)." if args.numpy_states == "warm" else
           "numpy timed warmed up and in a fresh process, the faster state kept per workload."),
        "GEMM rows: % of the peak on every core with the widest FMA, measured just before and just "
        "after the product's process (`course-bench peak --now`, the higher of the two), since a shared "
        "machine's rate drifts from minute to minute; the run's first, longer measurement: "
        + ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in sorted(peaks.items())) + ".",
        f"Load average (1, 5, 15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
        f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} on {os.cpu_count()} cores; "
        f"{time.time() - started:.0f} s in all.",
    ]
    if memory:
        notes.append(f"Peak memory of lesson 01 (f64, 2 epochs, `/usr/bin/time -v`): "
                     f"numpy {memory[0]:.0f} MiB, Rust {memory[1]:.0f} MiB.")
    notes += ["", "Machine:", ""] + [f"- {line}" for line in machine]
    notes += ["", "Matrix-product paths of this Rust build, and the machine's multiply-add peak (GFLOP/s):",
              "", "```", paths.rstrip(), "```"]
    text = "\n".join(lines + notes) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"raw": raw, "memory_mib": memory, "load_before": load_before,
                   "load_after": load_after, "machine": machine, "peak_gflops": peaks}, f, indent=1)


if __name__ == "__main__":
    main()
