"""How long the notebooks make a learner wait: the evcxr Jupyter kernel, timed.

    python kernel_timing.py NOTEBOOKS_DIR [--starts N] [--cells N] [--rounds N] [--kernel NAME]

Starts the lessons' kernel `nnlib-rust` (kernel/launch) in NOTEBOOKS_DIR, as JupyterLab does,
so it reads notebooks/evcxr.toml and loads nnlib. Measures

* kernel start to nnlib ready: from starting the kernel process to the result
  of a first cell that calls nnlib (the prelude's `:dep` build included), for
  N successive starts; the first may rebuild nnlib, the later ones show the
  warm build a learner meets on reopening a notebook;
* the round trip of a small cell (an nnlib call on a 3-vector, printed), N
  times in the last kernel;
* with --cells-of DIR: each lesson workload of DIR (bench/kernel/<name>.rs,
  a cell that prints `unit k: S s` per unit of work) run in the last kernel,
  next to the same file compiled into a release program (--release-runner),
  alternating the two --rounds times, with the ratio of the medians: what a
  learner gets in the notebook against what the library does in a release
  build.

Prints one line per measurement and a summary (medians).
"""
import argparse
import pathlib
import re
import statistics
import subprocess
import sys
import time

from jupyter_client.manager import KernelManager

FIRST_CELL = "let s = nnlib::activation::softmax(&ndarray::array![[1.0_f64, 2.0, 0.5]].view(), ndarray::Axis(1)); s"
SMALL_CELL = "let z = ndarray::array![0.5_f64, -1.0, 2.0];\nprintln!(\"{}\", z.mapv(nnlib::activation::sigmoid));"


def run(kc, code, timeout):
    """Executes `code`, returns (seconds, text of its outputs), raising on an error."""
    start = time.perf_counter()
    msg_id = kc.execute(code)
    texts, error = [], None
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            texts.append(content["text"])
        elif kind in ("execute_result", "display_data"):
            texts.append(content["data"].get("text/plain", ""))
        elif kind == "error":
            error = f"{content['ename']}: {content['evalue']}"
        elif kind == "status" and content["execution_state"] == "idle":
            break
    seconds = time.perf_counter() - start
    if error:
        raise RuntimeError(f"cell failed: {error}\n{code}")
    return seconds, "".join(texts).strip()


UNIT = re.compile(r"^unit (\d+): ([0-9.]+) s(.*)$", re.M)


def unit_times(text, where):
    """The seconds of each `unit k: S s` line of a workload's output."""
    found = [(float(m.group(2)), m.group(3).strip()) for m in UNIT.finditer(text)]
    if not found:
        raise RuntimeError(f"{where}: no `unit k: S s` line in the output:\n{text}")
    return found


def workload_rows(kc, cells_dir, names, release_runner, timeout, rounds):
    """Runs each workload in the kernel and in the release runner, alternating
    `rounds` times (so that a slow spell of a shared machine falls on both);
    prints a row each, with the medians over all rounds' units."""
    rows = []
    for name in names:
        code = (pathlib.Path(cells_dir) / f"{name}.rs").read_text()
        kernel, release = [], []
        for _ in range(rounds):
            _, out = run(kc, code, timeout)
            kernel += unit_times(out, f"{name} in the kernel")
            done = subprocess.run([release_runner, name], capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{release_runner} {name} failed:\n{done.stderr}")
            release += unit_times(done.stdout, f"{name} in the release build")
        k = statistics.median(t for t, _ in kernel)
        r = statistics.median(t for t, _ in release)
        rows.append((name, k, r))
        print(f"workload {name}: kernel {k:.4f} s/unit, release {r:.4f} s/unit, "
              f"kernel / release {k / r:.2f} over {rounds} alternating round(s) "
              f"(kernel units {[round(t, 4) for t, _ in kernel]}, "
              f"release units {[round(t, 4) for t, _ in release]}; last: kernel {kernel[-1][1]}, release {release[-1][1]})",
              flush=True)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebooks")
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--cells", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--kernel", default="nnlib-rust",
                    help="kernelspec to start (evcxr's own is `rust`: a fresh build folder each start)")
    ap.add_argument("--cells-of", help="folder of lesson workload cells (bench/kernel)")
    ap.add_argument("--workloads", default="l01,l02,l03,l04,l05",
                    help="comma-separated workload names in --cells-of")
    ap.add_argument("--release-runner", help="the release program running the same cells")
    ap.add_argument("--rounds", type=int, default=1,
                    help="alternating kernel / release rounds per workload (medians over all)")
    args = ap.parse_args()
    rows = []
    starts, round_trips = [], []
    for i in range(args.starts):
        km = KernelManager(kernel_name=args.kernel)
        t0 = time.perf_counter()
        km.start_kernel(cwd=args.notebooks)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=args.timeout)
            _, out = run(kc, FIRST_CELL, args.timeout)
            ready = time.perf_counter() - t0
            starts.append(ready)
            print(f"start {i + 1}: kernel start to nnlib ready {ready:.1f} s ({out.splitlines()[-1]})",
                  flush=True)
            if i == args.starts - 1:
                for j in range(args.cells):
                    seconds, out = run(kc, SMALL_CELL, args.timeout)
                    round_trips.append(seconds)
                    print(f"small cell {j + 1}: {seconds:.2f} s ({out})", flush=True)
                names = [n for n in args.workloads.split(",") if n]
                if args.cells_of and names:
                    rows = workload_rows(kc, args.cells_of, names, args.release_runner, args.timeout, args.rounds)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    later = starts[1:] or starts
    print(f"kernel start to nnlib ready: first {starts[0]:.1f} s, "
          f"median of the {len(later)} later start(s) {statistics.median(later):.1f} s")
    if round_trips:
        print(f"small cell round trip: median {statistics.median(round_trips):.2f} s, "
              f"max {max(round_trips):.2f} s over {len(round_trips)} cells")
    for name, k, r in rows:
        print(f"{name}: kernel {k:.4f} s, release {r:.4f} s, kernel / release {k / r:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
