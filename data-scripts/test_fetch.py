"""End-to-end tests of data-scripts/fetch against temporary mirrors.

Run with `python3 -m unittest discover -s data-scripts -p 'test_*.py'`, or
through `cargo test -p nnlib --test datasets_fetch`. Standard library only.
The mirrors hold small generated files and a checksum file written for them;
one test also runs with the shipped checksums on a corrupted copy of a real
file, when the data folder holds it.
"""

import gzip
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
FETCH = HERE / "fetch"
CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
IDX = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
       "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def make_tar(members):
    """members: list of (name, bytes or None for a folder, tar type)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data, kind in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
                tar.addfile(info)
            elif data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def idx_bytes(shape, data):
    """A gzipped IDX file of unsigned bytes."""
    header = bytes([0, 0, 8, len(shape)]) + b"".join(d.to_bytes(4, "big") for d in shape)
    return gzip.compress(header + bytes(data), mtime=0)


def small_mnist(n, seed):
    """IDX files of n 28x28 images (pixel values 0..255) and their labels, and the CSV
    text they give: `label,p1,...,p784` per image."""
    pixels = [(seed * 7919 + i * 31) % 256 for i in range(n * 784)]
    labels = [(seed + i) % 10 for i in range(n)]
    csv = "".join(f"{labels[i]}," + ",".join(map(str, pixels[i * 784:(i + 1) * 784])) + "\n"
                  for i in range(n))
    return idx_bytes((n, 28, 28), pixels), idx_bytes((n,), labels), csv.encode()


def jpg_members(extra=()):
    members = []
    for split in ("train", "test"):
        members.append((f"{split}/", None, tarfile.DIRTYPE))
        for c in CLASSES:
            members.append((f"{split}/{c}/", None, tarfile.DIRTYPE))
            members.append((f"{split}/{c}/0000.jpg", f"{split}-{c}".encode(), tarfile.REGTYPE))
    return members + list(extra)


class FetchTest(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="nnlib-fetch-test-"))
        self.mirror = self.tmp / "mirror"
        self.data = self.tmp / "data"
        self.sums = self.tmp / "checksums.txt"
        self.files = {}
        for name in IDX:
            self.files[f"fashion-mnist/{name}"] = gzip.compress(f"fashion-mnist {name}".encode() * 50, mtime=0)
        # MNIST as real (small) IDX files: the fetch writes the CSV files from them.
        self.csv = {}
        for split, n, seed in (("train", 3, 1), ("t10k", 2, 2)):
            images, labels, csv = small_mnist(n, seed)
            self.files[f"mnist/{split}-images-idx3-ubyte.gz"] = images
            self.files[f"mnist/{split}-labels-idx1-ubyte.gz"] = labels
            self.csv["mnist/mnist_train.csv" if split == "train" else "mnist/mnist_test.csv"] = csv
        self.files["digits/digits.csv.gz"] = gzip.compress(b"0,1,2\n", mtime=0)
        self.files["cifar-10/cifar-10-images-jpg.tar.gz"] = make_tar(jpg_members())
        for rel, data in self.files.items():
            (self.mirror / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.mirror / rel).write_bytes(data)
        self.write_sums()

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write_sums(self):
        lines = [f"sha256:{sha256(d)}  {rel}" for rel, d in self.files.items()]
        lines += [f"md5:{hashlib.md5(d).hexdigest()}  {rel}" for rel, d in self.files.items()]
        lines += [f"sha256:{sha256(d)}  {rel}" for rel, d in self.csv.items()]
        self.sums.write_text("# test checksums\n" + "\n".join(lines) + "\n")

    def run_fetch(self, *args, sums=True):
        cmd = [sys.executable, str(FETCH), "--data-dir", str(self.data)]
        if sums:
            cmd += ["--checksums", str(self.sums)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("NNLIB_DATA")}
        return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, timeout=120)

    def listing(self):
        return sorted(str(p.relative_to(self.data)) for p in self.data.rglob("*")) if self.data.exists() else []

    def assert_no_temporaries(self):
        left = [p for p in self.listing() if ".part" in p or ".extract" in p]
        self.assertEqual(left, [])

    def test_fetch_all_from_mirror_then_skip_then_verify(self):
        r = self.run_fetch("--mirror", str(self.mirror))
        self.assertEqual(r.returncode, 0, r.stderr)
        for rel, data in self.files.items():
            self.assertEqual((self.data / rel).read_bytes(), data, rel)
        for rel, text in self.csv.items():
            self.assertEqual((self.data / rel).read_bytes(), text, rel)
        for split in ("train", "test"):
            for c in CLASSES:
                got = (self.data / "cifar-10" / split / c / "0000.jpg").read_bytes()
                self.assertEqual(got, f"{split}-{c}".encode())
        self.assert_no_temporaries()
        r = self.run_fetch("--mirror", str(self.mirror))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.count("verified, skipped"), 12, r.stderr)
        self.assertIn("present and complete, skipped", r.stderr)
        r = self.run_fetch("--verify")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("all verified", r.stderr)

    def test_mirror_from_environment_and_subset(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("NNLIB_DATA")}
        env["NNLIB_DATA_MIRROR"] = str(self.mirror)
        env["NNLIB_DATA_DIR"] = str(self.data)
        env["NNLIB_DATA_CHECKSUMS"] = str(self.sums)
        r = subprocess.run([sys.executable, str(FETCH), "digits"], capture_output=True, text=True, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.listing(), ["digits", "digits/digits.csv.gz"])

    def test_corrupted_mirror_file_fails_and_leaves_nothing(self):
        rel = "mnist/train-labels-idx1-ubyte.gz"
        bad = bytearray(self.files[rel])
        bad[20] ^= 0xFF
        (self.mirror / rel).write_bytes(bytes(bad))
        r = self.run_fetch("--mirror", str(self.mirror), "mnist", "digits")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f"checksum mismatch for {rel}", r.stderr)
        self.assertIn(f"expected sha256 {sha256(self.files[rel])}", r.stderr)
        self.assertIn(f"found sha256 {sha256(bytes(bad))}", r.stderr)
        self.assertFalse((self.data / rel).exists())
        self.assert_no_temporaries()
        # The other dataset was still fetched.
        self.assertTrue((self.data / "digits/digits.csv.gz").exists())

    def test_verify_removes_a_bad_file_and_refetch_repairs_it(self):
        self.assertEqual(self.run_fetch("--mirror", str(self.mirror), "fashion-mnist").returncode, 0)
        rel = "fashion-mnist/t10k-images-idx3-ubyte.gz"
        (self.data / rel).write_bytes(b"truncated")
        r = self.run_fetch("--verify", "fashion-mnist")
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"checksum mismatch for {rel}", r.stderr)
        self.assertFalse((self.data / rel).exists())
        r = self.run_fetch("--verify", "fashion-mnist")
        self.assertIn(f"{rel}: missing", r.stderr)
        r = self.run_fetch("--mirror", str(self.mirror), "fashion-mnist")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((self.data / rel).read_bytes(), self.files[rel])

    def test_mnist_csv_is_written_from_the_idx_files_and_repaired(self):
        r = self.run_fetch("--mirror", str(self.mirror), "mnist")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("mnist/mnist_train.csv: written from the IDX files and verified", r.stderr)
        train = (self.data / "mnist/mnist_train.csv").read_text().splitlines()
        self.assertEqual(len(train), 3)
        self.assertEqual(len(train[0].split(",")), 785)
        self.assertEqual(train[0].split(",")[:3], ["1", str(7919 % 256), str((7919 + 31) % 256)])
        # A damaged CSV file is found by --verify, removed, and written again.
        (self.data / "mnist/mnist_test.csv").write_text("7,0,0\n")
        r = self.run_fetch("--verify", "mnist")
        self.assertEqual(r.returncode, 1)
        self.assertIn("checksum mismatch for mnist/mnist_test.csv", r.stderr)
        r = self.run_fetch("--mirror", str(self.mirror), "mnist")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((self.data / "mnist/mnist_test.csv").read_bytes(), self.csv["mnist/mnist_test.csv"])

    def test_mnist_csv_with_a_wrong_checksum_is_not_kept(self):
        self.csv["mnist/mnist_train.csv"] = b"not what the fetch writes"
        self.write_sums()
        r = self.run_fetch("--mirror", str(self.mirror), "mnist")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("checksum mismatch for mnist/mnist_train.csv", r.stderr)
        self.assertFalse((self.data / "mnist/mnist_train.csv").exists())
        self.assert_no_temporaries()

    def test_idx_file_that_is_not_idx_gives_a_named_error(self):
        rel = "mnist/train-labels-idx1-ubyte.gz"
        self.files[rel] = gzip.compress(b"\x00\x00\x08\x03" + bytes(12), mtime=0)
        (self.mirror / rel).write_bytes(self.files[rel])
        self.write_sums()
        r = self.run_fetch("--mirror", str(self.mirror), "mnist")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(f"{rel}: not an IDX file of unsigned bytes with 1 dimensions", r.stderr)
        self.assertFalse((self.data / "mnist/mnist_train.csv").exists())

    def test_interrupted_fetch_leftovers_are_removed(self):
        (self.data / "digits").mkdir(parents=True)
        (self.data / "digits" / ".digits.csv.gz.part-12345").write_bytes(b"half")
        r = self.run_fetch("--mirror", str(self.mirror), "digits")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.listing(), ["digits", "digits/digits.csv.gz"])

    def test_archive_with_path_traversal_is_refused(self):
        for evil in [("../evil.jpg", b"x", tarfile.REGTYPE),
                     ("train/cat/../../../evil.jpg", b"x", tarfile.REGTYPE),
                     ("/tmp/evil.jpg", b"x", tarfile.REGTYPE),
                     ("train/cat/link.jpg", b"", tarfile.SYMTYPE)]:
            with self.subTest(member=evil[0]):
                archive = make_tar(jpg_members([evil]))
                self.files["cifar-10/cifar-10-images-jpg.tar.gz"] = archive
                (self.mirror / "cifar-10/cifar-10-images-jpg.tar.gz").write_bytes(archive)
                self.write_sums()
                r = self.run_fetch("--mirror", str(self.mirror), "cifar-10")
                self.assertNotEqual(r.returncode, 0)
                self.assertIn("archive", r.stderr)
                self.assertFalse((self.tmp / "evil.jpg").exists())
                self.assertFalse((self.data / "cifar-10" / "train").exists())
                self.assertFalse((self.data / "cifar-10" / ".images-extracted").exists())
                self.assert_no_temporaries()

    def test_archive_missing_a_class_is_refused(self):
        members = [m for m in jpg_members() if "/dog" not in m[0] or m[0].startswith("train")]
        archive = make_tar(members)
        self.files["cifar-10/cifar-10-images-jpg.tar.gz"] = archive
        (self.mirror / "cifar-10/cifar-10-images-jpg.tar.gz").write_bytes(archive)
        self.write_sums()
        r = self.run_fetch("--mirror", str(self.mirror), "cifar-10")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("test/dog/ is missing", r.stderr)
        self.assertFalse((self.data / "cifar-10" / "test").exists())

    def test_unknown_dataset_is_a_usage_error(self):
        r = self.run_fetch("mnsit")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown dataset mnsit", r.stderr)

    def test_shipped_checksums_reject_a_corrupted_real_file(self):
        data_dir = Path(os.environ.get("NNLIB_DATA_DIR") or HERE.parent / "data")
        real = data_dir / "mnist" / "t10k-labels-idx1-ubyte.gz"
        self.assertTrue(real.is_file(), f"{real} is missing: run data-scripts/fetch first")
        mirror = self.tmp / "real-mirror"
        (mirror / "mnist").mkdir(parents=True)
        good = real.read_bytes()
        for name in IDX:
            (mirror / "mnist" / name).write_bytes(b"")
        bad = bytearray(good)
        bad[len(bad) // 2] ^= 0x01
        (mirror / "mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(bytes(bad))
        r = self.run_fetch("--mirror", str(mirror), "mnist", sums=False)
        self.assertNotEqual(r.returncode, 0)
        # The shipped checksum of this file, as listed by the mirror's SHA256SUMS.
        self.assertIn("expected sha256 f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", r.stderr)
        self.assertEqual(sha256(good), "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")
        self.assertEqual([p for p in self.listing() if p != "mnist"], [])


if __name__ == "__main__":
    unittest.main()
