"""Execute a notebook through a real Jupyter kernel session (nbclient).

usage: execute.py IN.ipynb OUT.ipynb WORKDIR KERNEL_NAME TIMEOUT_SECONDS

Every cell runs (errors are recorded as outputs, not raised: the
comparison decides whether an error was expected); cells tagged
`skip-execution` are skipped, as in the Rust harness.
"""

import queue
import sys
import time

import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

# evcxr_jupyter can report a cell idle before the last lines the cell printed
# have reached the iopub channel (evcxr issue #353), and nbclient stops
# listening at idle. JupyterLab still shows such lines, so they are collected
# here: stream messages that arrive within this many seconds after a cell ends,
# before the next cell starts, belong to that cell.
LATE_OUTPUT_GRACE_SECONDS = 1.0


def collect_late_output(client: NotebookClient, cell, index: int) -> int:
    late = 0
    while True:
        try:
            msg = run_sync(client.kc.iopub_channel.get_msg)(timeout=LATE_OUTPUT_GRACE_SECONDS)
        except queue.Empty:
            return late
        if msg["msg_type"] == "stream":
            client.process_message(msg, cell, index)
            late += 1


def main() -> int:
    source, target, workdir, kernel, timeout = sys.argv[1:6]
    nb = nbformat.read(source, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=int(timeout),
        startup_timeout=int(timeout),
        allow_errors=True,
        skip_cells_with_tag="skip-execution",
        resources={"metadata": {"path": workdir}},
    )
    started = time.monotonic()
    with client.setup_kernel():
        ready = time.monotonic()
        print(f"kernel {kernel} started in {ready - started:.1f} s", flush=True)
        listening = 0.0
        for index, cell in enumerate(nb.cells):
            t = time.monotonic()
            client.execute_cell(cell, index)
            if cell.cell_type == "code":
                ran = time.monotonic() - t
                t = time.monotonic()
                late = collect_late_output(client, cell, index)
                listening += time.monotonic() - t
                note = f" ({late} late output message(s) collected)" if late else ""
                print(f"  cell {index + 1} ran in {ran:.2f} s{note}", flush=True)
    nbformat.write(nb, target)
    print(
        f"executed in {time.monotonic() - started:.1f} s, of which {listening:.1f} s "
        "listening for late output after the cells",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
