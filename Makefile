# The course's commands. `make lab` sets everything up and opens the lessons;
# `make test` checks the math and the notebooks.

SHELL := /bin/bash
EVCXR_VERSION := 0.22.0
VENV ?= .venv
PYTHON ?= python3

.PHONY: lab setup toolchain crates venv kernel warm data test refresh snapshots bench clean-venv

## Open the lessons in JupyterLab (sets up whatever is missing first). As root (in a
## container), JupyterLab needs --allow-root to start.
lab: setup
	$(VENV)/bin/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

## Install the toolchain component, the Python environment, the kernel and the datasets.
setup: toolchain crates venv kernel data warm

## The pinned Rust toolchain with rust-src (evcxr needs it to infer variable types).
toolchain:
	@rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install
	@rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src

## Download the crates the workspace needs: the notebooks' kernel resolves nnlib's
## dependencies offline (notebooks/evcxr.toml), from the local cargo cache.
crates: toolchain
	cargo fetch --locked

## A virtual environment with JupyterLab and the notebook client, pinned.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## The evcxr Jupyter kernel, at the version the tests' evcxr library is pinned to,
## and the lessons' kernelspec `nnlib-rust` (kernel/launch) in the Python environment.
kernel: toolchain venv
	@cargo install --list | grep -q "^evcxr_jupyter v$(EVCXR_VERSION):" \
	  || cargo install --locked evcxr_jupyter --version $(EVCXR_VERSION)
	@evcxr_jupyter --install >/dev/null
	@kernel/install $(VENV)

## Compile nnlib for the lessons' kernel once (kernel/warm), so the first lesson
## opens in seconds; skipped once done (stamp: target/evcxr-builds/warmed).
warm: target/evcxr-builds/warmed
target/evcxr-builds/warmed: | kernel
	@kernel/warm $(VENV)

## The datasets, verified by checksum (set NNLIB_DATA_MIRROR=DIR to copy from a local mirror).
data:
	data-scripts/fetch

## Every test: the math of nnlib, the dataset loaders, and every notebook at test scale.
test: toolchain crates data
	cargo test --workspace

## Re-execute notebooks at full size and store their outputs (NB=03 for one notebook).
refresh: toolchain data
	cargo run -p course-tests --bin refresh -- $(NB) --scale full

## Re-execute notebooks at test scale and store the snapshots under tests/snapshots.
snapshots: toolchain data
	cargo run -p course-tests --bin refresh -- $(NB) --scale test

## nnlib against numpy and PyTorch on the lessons' workloads.
bench: toolchain
	bench/compare
