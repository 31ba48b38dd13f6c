"""Run the first code cells of a notebook through a real Jupyter kernel and
save it the way JupyterLab's autosave does halfway through a run.

usage: run_partly.py NOTEBOOK WORKDIR KERNEL_NAME CODE_CELLS TIMEOUT_SECONDS

The first CODE_CELLS code cells run (in the kernel KERNEL_NAME, started in
WORKDIR); the notebook is then written back in place through nbformat, as
the Jupyter server writes it: the cells that ran carry their outputs and
execution counts, the later ones none. Prints how many cells ran.
"""

import sys

import nbformat
from nbclient import NotebookClient


def main() -> int:
    path, workdir, kernel, count, timeout = sys.argv[1:6]
    count, timeout = int(count), int(timeout)
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(nb, kernel_name=kernel, timeout=timeout, startup_timeout=timeout,
                            allow_errors=True, resources={"metadata": {"path": workdir}})
    ran = 0
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or "skip-execution" in cell.metadata.get("tags", []):
                continue
            if ran == count:
                break
            client.execute_cell(cell, index)
            ran += 1
    nb.metadata["kernelspec"] = {"display_name": "Rust (nnlib)", "language": "rust", "name": kernel}
    nbformat.write(nb, path)
    print(f"ran the first {ran} code cells of {path} in the kernel {kernel} and saved it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
