"""Execute a notebook through a real Jupyter kernel session (nbclient).

usage: execute.py IN.ipynb OUT.ipynb WORKDIR KERNEL_NAME TIMEOUT_SECONDS

Every cell runs (errors are recorded as outputs, not raised: the
comparison decides whether an error was expected); cells tagged
`skip-execution` are skipped, as in the Rust harness.
"""

import sys
import time

import nbformat
from nbclient import NotebookClient


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
        for index, cell in enumerate(nb.cells):
            t = time.monotonic()
            client.execute_cell(cell, index)
            if cell.cell_type == "code":
                print(f"  cell {index + 1} ran in {time.monotonic() - t:.2f} s", flush=True)
    nbformat.write(nb, target)
    print(f"executed in {time.monotonic() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
