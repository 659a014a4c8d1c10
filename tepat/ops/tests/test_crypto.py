"""The archive encryption: round trip over several chunks, a wrong key told apart from a damaged archive,
every kind of tampering refused (a flipped byte, chunks swapped, dropped, cut off at the end, header
swapped)."""

import io
import struct

import pytest

from tepat.ops import crypto
from tepat.ops.crypto import (
    HEADER_SIZE,
    BackupIntegrityError,
    BackupKeyError,
    DecryptingReader,
    EncryptingWriter,
    key_decode,
    key_encode,
    key_generate,
)


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    monkeypatch.setattr(crypto, "CHUNK_SIZE", 1000)


def _seal(data: bytes, key: bytes) -> bytes:
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, key)
    for start in range(0, len(data), 333):
        writer.write(data[start:start + 333])
    writer.close()
    return sink.getvalue()


def _open(blob: bytes, key: bytes) -> bytes:
    reader = DecryptingReader(io.BytesIO(blob), key)
    out = reader.read()
    assert reader.finished
    return out


def _records(blob: bytes) -> list[bytes]:
    records, position = [], HEADER_SIZE
    while position < len(blob):
        (length,) = struct.unpack(">I", blob[position:position + 4])
        records.append(blob[position:position + 4 + length])
        position += 4 + length
    return records


DATA = bytes(range(256)) * 20  # 5,120 bytes: six chunks of 1,000


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, len(DATA)])
def test_round_trip(size):
    key = key_generate()
    blob = _seal(DATA[:size], key)
    assert size < 64 or DATA[:64] not in blob
    assert _open(blob, key) == DATA[:size]


def test_key_encoding_round_trip_and_refusals():
    key = key_generate()
    assert key_decode(key_encode(key)) == key
    with pytest.raises(BackupKeyError):
        key_decode("c2hvcnQ=")  # 5 bytes
    with pytest.raises(BackupKeyError):
        key_decode("not base64 ***")


def test_wrong_key_is_named_as_such():
    blob = _seal(DATA, key_generate())
    with pytest.raises(BackupKeyError, match="another key"):
        _open(blob, key_generate())


def test_not_an_archive():
    with pytest.raises(BackupIntegrityError, match="not a Tepat backup"):
        _open(b"PK\x03\x04 a zip file" + bytes(40), key_generate())


def test_flipped_byte_refused():
    key = key_generate()
    blob = bytearray(_seal(DATA, key))
    blob[HEADER_SIZE + 2500] ^= 0x01
    with pytest.raises(BackupIntegrityError, match="altered"):
        _open(bytes(blob), key)


def test_swapped_chunks_refused():
    key = key_generate()
    blob = _seal(DATA, key)
    records = _records(blob)
    swapped = blob[:HEADER_SIZE] + records[1] + records[0] + b"".join(records[2:])
    with pytest.raises(BackupIntegrityError):
        _open(swapped, key)


def test_dropped_chunk_refused():
    key = key_generate()
    blob = _seal(DATA, key)
    records = _records(blob)
    with pytest.raises(BackupIntegrityError):
        _open(blob[:HEADER_SIZE] + records[0] + b"".join(records[2:]), key)


def test_cut_at_a_chunk_boundary_refused():
    key = key_generate()
    blob = _seal(DATA, key)
    records = _records(blob)
    with pytest.raises(BackupIntegrityError):
        _open(blob[:HEADER_SIZE] + b"".join(records[:-1]), key)


def test_cut_inside_a_chunk_refused():
    key = key_generate()
    blob = _seal(DATA, key)
    with pytest.raises(BackupIntegrityError, match="cut short"):
        _open(blob[:-7], key)


def test_header_of_another_archive_refused():
    key = key_generate()
    first, second = _seal(DATA, key), _seal(DATA, key)
    with pytest.raises(BackupIntegrityError):
        _open(second[:HEADER_SIZE] + first[HEADER_SIZE:], key)
