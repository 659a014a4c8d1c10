from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import KECAMATAN, VILLAGE
from tepat.core.actors import SYSTEM
from tepat.quality.tests.factories import raw_family, raw_member


@pytest.fixture
def stale_world(family, other_village_family):
    """The `family` fixture plus: a died head elsewhere, a moved member, an unknown NIK."""
    moved_family = raw_family(region=VILLAGE, external_id="DTKS-M")
    moved = raw_member(moved_family, name="Hj. Rina Wahyuni", born=date(1990, 2, 3), sex=2)
    ghost = raw_member(moved_family, name="Asep Saepudin", born=date(2012, 6, 1), relation=3)
    return {"family": family, "moved": moved, "ghost": ghost, "other": other_village_family}


def extract_rows(world) -> list[dict]:
    """A Dukcapil extract for the world: spelling and title variants, one death, one move, one unknown NIK."""
    head, wife, child = world["family"].members.order_by("relation")
    return [
        {"NIK": head.nik, "NAMA_LGKP": "BOEDI SANTOSO", "TGL_LHR": head.birth_date.strftime("%d-%m-%Y"),
         "JENIS_KLMIN": "LAKI-LAKI"},
        {"NIK": wife.nik, "NAMA_LGKP": "SITI AMINAH", "TGL_LHR": wife.birth_date.strftime("%d-%m-%Y"),
         "JENIS_KLMIN": "PEREMPUAN", "TGL_KEMATIAN": "02-01-2026"},
        {"NIK": child.nik, "NAMA_LGKP": "RIZKI PRATAMA", "TGL_LHR": "03-11-2010", "JENIS_KLMIN": "LAKI-LAKI"},
        {"NIK": world["moved"].nik, "NAMA_LGKP": "RINA WAHYUNI", "TGL_LHR": "03-02-1990", "JENIS_KLMIN": "P",
         "TGL_PINDAH": "01-03-2026", "TUJUAN_PINDAH": "Kota Tangerang"},
    ]


class FakeDukcapil(BaseHTTPRequestHandler):
    records: list[dict] = []
    token = "rahasia"
    calls: list[list[str]] = []

    def do_POST(self):
        if self.headers.get("Authorization") != f"Bearer {self.token}":
            self.send_response(401)
            self.end_headers()
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).calls.append(body["nik"])
        found = [r for r in self.records if r["NIK"] in set(body["nik"])]
        data = json.dumps({"records": found}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_dukcapil():
    """A civil-registry web service on 127.0.0.1 in a thread: nothing leaves the machine."""
    FakeDukcapil.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDukcapil)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/padan"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def duplicate_world(family, dinsos_operator):
    """A demo kecamatan (400 families, about 1,300 people) plus, on top of `family`: its head listed in a second family
    (same NIK), its KK number on another family, its child's NIK given to a sibling, and its wife listed again
    with a typo and no NIK."""
    from tepat.registry.demo import demo_data_load, demo_generate_for_region

    data = demo_generate_for_region(region_code=KECAMATAN, families=400, seed=5)
    demo_data_load(actor=SYSTEM, data=data, region_code=KECAMATAN)
    head, wife, child = family.members.order_by("relation")
    second = raw_family(region=VILLAGE, external_id="DTKS-SECOND")
    again_head = raw_member(second, name=head.name, born=head.birth_date, nik=head.nik, external_id="DTKS-2-01")
    same_kk = raw_family(region=VILLAGE, kk=family.kk_number, external_id="DTKS-SAME-KK")
    raw_member(same_kk, name="Udin Samsudin", born=date(1970, 8, 17))
    sibling = raw_member(family, name="Rina Pratiwi", born=child.birth_date, sex=2, nik=child.nik, relation=3)
    third = raw_family(region=VILLAGE, external_id="DTKS-THIRD")
    wife_again = raw_member(third, name="Siti Aminh", born=wife.birth_date, sex=2, nik="", relation=2,
                            external_id="DTKS-3-02")
    raw_member(third, name="Joko Widodo", born=date(1979, 2, 2), relation=1)
    return {"family": family, "head": head, "wife": wife, "child": child, "again_head": again_head,
            "same_kk": same_kk, "sibling": sibling, "wife_again": wife_again}
