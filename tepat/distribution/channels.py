"""The seeded channels and their export layouts (FACTS: PT Pos delivers BPNT/Sembako cash at the post
office, at a collective point or door to door; PKH and BPNT go through the Himbara banks onto the KKS
account; Bulog delivers rice in kind). Seeded by migration 0002; a change is a new migration, never an
edit in the running system."""

from __future__ import annotations

# The fields a layout may name (services.export fills them).
FIELDS = ("no", "kpm_ref", "nik", "kk", "name", "address", "rt", "rw", "village_code", "village_name",
          "kecamatan_code", "kecamatan_name", "amount", "programme", "tahap", "channel", "packages")

_POS_COLUMNS = [["NO", "no"], ["ID_KPM", "kpm_ref"], ["NIK", "nik"], ["NO_KK", "kk"], ["NAMA_PENERIMA", "name"],
                ["ALAMAT", "address"], ["RT", "rt"], ["RW", "rw"], ["KODE_DESA", "village_code"],
                ["DESA_KELURAHAN", "village_name"], ["KECAMATAN", "kecamatan_name"], ["NOMINAL", "amount"],
                ["PROGRAM", "programme"], ["TAHAP", "tahap"]]
_BANK_COLUMNS = [["NO", "no"], ["NIK_KTP", "nik"], ["NAMA_KTP", "name"], ["NO_KK", "kk"],
                 ["KODE_WILAYAH", "village_code"], ["ALAMAT", "address"], ["NOMINAL_BANSOS", "amount"],
                 ["REFERENSI", "kpm_ref"], ["PROGRAM", "programme"], ["TAHAP", "tahap"]]
_BULOG_COLUMNS = [["NO", "no"], ["ID_KPM", "kpm_ref"], ["NAMA", "name"], ["NIK", "nik"], ["ALAMAT", "address"],
                  ["RT", "rt"], ["RW", "rw"], ["DESA", "village_name"], ["KECAMATAN", "kecamatan_name"],
                  ["JUMLAH_PAKET", "packages"], ["NILAI_RP", "amount"]]

SEED = [
    # code, name, kind, mode, columns, address standard
    ("POS_KANTOR", "PT Pos – di kantor pos", "post", "post_office", _POS_COLUMNS, ["rt", "rw", "village"]),
    ("POS_KOMUNITAS", "PT Pos – titik salur komunitas", "post", "collective_point", _POS_COLUMNS,
     ["rt", "rw", "village"]),
    ("POS_RUMAH", "PT Pos – antar ke rumah", "post", "door_to_door", _POS_COLUMNS,
     ["rt", "rw", "village", "street"]),
    ("BRI", "Bank BRI (rekening KKS)", "bank", "kks_account", _BANK_COLUMNS, ["village"]),
    ("BNI", "Bank BNI (rekening KKS)", "bank", "kks_account", _BANK_COLUMNS, ["village"]),
    ("MANDIRI", "Bank Mandiri (rekening KKS)", "bank", "kks_account", _BANK_COLUMNS, ["village"]),
    ("BTN", "Bank BTN (rekening KKS)", "bank", "kks_account", _BANK_COLUMNS, ["village"]),
    ("BSI", "Bank Syariah Indonesia (rekening KKS)", "bank", "kks_account", _BANK_COLUMNS, ["village"]),
    ("BULOG", "Perum Bulog – bantuan natura (beras)", "in_kind", "in_kind", _BULOG_COLUMNS,
     ["rt", "rw", "village"]),
]


def seed_channels(apps, schema_editor=None) -> None:
    Channel = apps.get_model("distribution", "Channel")
    for order, (code, name, kind, mode, columns, standard) in enumerate(SEED):
        Channel.objects.update_or_create(code=code, defaults={
            "name": name, "kind": kind, "mode": mode, "columns": columns, "address_standard": standard,
            "password_protected": True, "active": True, "order": order})
