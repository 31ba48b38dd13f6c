"""How long the notebooks make a learner wait: the evcxr Jupyter kernel, timed.

    python kernel_timing.py NOTEBOOKS_DIR [--starts N] [--cells N] [--kernel NAME]

Starts the lessons' kernel `nnlib-rust` (kernel/launch) in NOTEBOOKS_DIR, as JupyterLab does,
so it reads notebooks/evcxr.toml and loads nnlib. Measures

* kernel start to nnlib ready: from starting the kernel process to the result
  of a first cell that calls nnlib (the prelude's `:dep` build included), for
  N successive starts; the first may rebuild nnlib, the later ones show the
  warm build a learner meets on reopening a notebook;
* the round trip of a small cell (an nnlib call on a 3-vector, printed), N
  times in the last kernel.

Prints one line per measurement and a summary (medians).
"""
import argparse
import statistics
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebooks")
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--cells", type=int, default=10)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--kernel", default="nnlib-rust",
                    help="kernelspec to start (evcxr's own is `rust`: a fresh build folder each start)")
    args = ap.parse_args()
    starts, rounds = [], []
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
                    rounds.append(seconds)
                    print(f"small cell {j + 1}: {seconds:.2f} s ({out})", flush=True)
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    later = starts[1:] or starts
    print(f"kernel start to nnlib ready: first {starts[0]:.1f} s, "
          f"median of the {len(later)} later start(s) {statistics.median(later):.1f} s")
    if rounds:
        print(f"small cell round trip: median {statistics.median(rounds):.2f} s, "
              f"max {max(rounds):.2f} s over {len(rounds)} cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
