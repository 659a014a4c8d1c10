"""Backups encrypted at rest: AES-256-GCM in a streamed, chunked construction (STREAM, Hoang et al.).

    header  = b"TEPATBK1" | key fingerprint (8 bytes) | nonce prefix (7 random bytes)        (23 bytes)
    record  = ciphertext length (4 bytes, big-endian) | AES-GCM(chunk, nonce, aad=header)     (repeated)
    nonce   = nonce prefix | chunk counter (4 bytes) | 1 on the last chunk, else 0

Every chunk (1 MiB of plaintext) is authenticated; chunks cannot be reordered (the counter), dropped or
cut off at the end (only the last chunk carries the final flag, so an archive cut at a chunk boundary fails
too), and the header cannot be swapped (it is the associated data). Memory stays at one chunk whatever
the archive size. The key is 32 random bytes kept by the operator (a file, base64), never in the archive:
the header holds only a fingerprint so that a wrong key is told apart from a damaged archive.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"TEPATBK1"
CHUNK_SIZE = 1024 * 1024
_TAG = 16
HEADER_SIZE = len(MAGIC) + 8 + 7


class BackupKeyError(Exception):
    """No key, a malformed key, or not the key this archive was made with."""


class BackupIntegrityError(Exception):
    """The archive was altered, cut short or is not a Tepat backup."""


def key_generate() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def key_encode(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def key_decode(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise BackupKeyError("the backup key is not base64 / kunci cadangan bukan base64") from exc
    if len(key) != 32:
        raise BackupKeyError("the backup key must be 32 bytes (tepat backup-keygen) / kunci harus 32 byte")
    return key


def key_load(key_file: str | os.PathLike | None = None) -> bytes:
    """The key from --key-file, else TEPAT_BACKUP_KEY_FILE, else the TEPAT_BACKUP_KEY variable (base64)."""
    from django.conf import settings

    path = key_file or getattr(settings, "TEPAT_BACKUP_KEY_FILE", "")
    if path:
        try:
            return key_decode(Path(path).read_text(encoding="ascii"))
        except OSError as exc:
            raise BackupKeyError(f"cannot read the backup key file {path}: {exc.strerror}") from exc
    if os.environ.get("TEPAT_BACKUP_KEY"):
        return key_decode(os.environ["TEPAT_BACKUP_KEY"])
    raise BackupKeyError(
        "Kunci cadangan belum diatur (--key-file, TEPAT_BACKUP_KEY_FILE atau TEPAT_BACKUP_KEY) "
        "/ No backup key given (--key-file, TEPAT_BACKUP_KEY_FILE or TEPAT_BACKUP_KEY)"
    )


def key_fingerprint(key: bytes) -> bytes:
    return hashlib.sha256(b"tepat-backup-key-fingerprint\x00" + key).digest()[:8]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise BackupIntegrityError("archive too large for one key stream (4 PiB)")
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class EncryptingWriter(io.RawIOBase):
    """A write-only file object: what is written comes out encrypted on `sink`. close() writes the last
    chunk (and must be called: an archive without it is refused as cut short)."""

    def __init__(self, sink, key: bytes) -> None:
        super().__init__()
        self.sink = sink
        self.aead = AESGCM(key)
        self.prefix = os.urandom(7)
        self.header = MAGIC + key_fingerprint(key) + self.prefix
        self.counter = 0
        self.buffer = bytearray()
        self.sink.write(self.header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.buffer += data
        while len(self.buffer) > CHUNK_SIZE:  # keep at least one byte back: the last chunk is written at close
            self._emit(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]
        return len(data)

    def _emit(self, chunk: bytes, *, last: bool) -> None:
        sealed = self.aead.encrypt(_nonce(self.prefix, self.counter, last), chunk, self.header)
        self.sink.write(struct.pack(">I", len(sealed)) + sealed)
        self.counter += 1

    def close(self) -> None:
        if not self.closed:
            self._emit(bytes(self.buffer), last=True)
            self.buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only file object over an encrypted archive; raises BackupKeyError / BackupIntegrityError.
    `finished` is True only once the final chunk has been read and authenticated."""

    def __init__(self, source, key: bytes) -> None:
        super().__init__()
        self.source = source
        header = source.read(HEADER_SIZE)
        if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
            raise BackupIntegrityError("not a Tepat backup archive / bukan arsip cadangan Tepat")
        if header[len(MAGIC):len(MAGIC) + 8] != key_fingerprint(key):
            raise BackupKeyError(
                "Arsip ini dibuat dengan kunci lain / This archive was made with another key "
                f"(archive key fingerprint {header[len(MAGIC):len(MAGIC) + 8].hex()}, "
                f"yours {key_fingerprint(key).hex()})"
            )
        self.header = header
        self.prefix = header[len(MAGIC) + 8:]
        self.aead = AESGCM(key)
        self.counter = 0
        self.pending = b""
        self.position = 0
        self.finished = False
        self._next = self._read_record()

    def readable(self) -> bool:
        return True

    def _read_record(self) -> bytes | None:
        size = self.source.read(4)
        if not size:
            return None
        if len(size) != 4:
            raise BackupIntegrityError("archive cut short / arsip terpotong")
        (length,) = struct.unpack(">I", size)
        if length < _TAG or length > CHUNK_SIZE + _TAG:
            raise BackupIntegrityError("archive damaged (bad record length) / arsip rusak")
        sealed = self.source.read(length)
        if len(sealed) != length:
            raise BackupIntegrityError("archive cut short / arsip terpotong")
        return sealed

    def _advance(self) -> bool:
        if self.finished:
            return False
        sealed = self._next
        if sealed is None:
            raise BackupIntegrityError("archive cut short (no final chunk) / arsip terpotong")
        following = self._read_record()
        last = following is None
        try:
            self.position = 0
            self.pending = self.aead.decrypt(_nonce(self.prefix, self.counter, last), sealed, self.header)
        except InvalidTag:
            raise BackupIntegrityError(
                f"arsip diubah atau rusak pada bagian #{self.counter} / archive altered or damaged at chunk "
                f"#{self.counter}"
            ) from None
        self.counter += 1
        self._next = following
        self.finished = last
        return True

    def readinto(self, buffer) -> int:
        while self.position >= len(self.pending):
            if not self._advance():
                return 0
        size = min(len(buffer), len(self.pending) - self.position)
        buffer[:size] = self.pending[self.position:self.position + size]
        self.position += size
        return size
