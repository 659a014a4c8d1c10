"""Data: the standard relief items of Dinas Sosial Kabupaten Batang Hari (source 002, table 1.3 "Daftar Barang
Bantuan Korban Bencana Alam atau pun Bencana Sosial": the item and its unit, in the source's order).

The source lists item and unit only; whether an item is given per household or per person, and how many, is
our reading of the item (a family kit, a tent, kitchen utensils per household; clothing, blankets, mats per
person) and is data the office may change."""

from django.db import migrations

# (code, name as in the source, unit, basis, per recipient)
ITEMS = [
    ("tenda-gulung", "Tenda Gulung", "lembar", "household", 1),
    ("matras", "Matras", "lembar", "person", 1),
    ("daster-dewasa", "Daster Dewasa", "potong", "person", 1),
    ("selimut-bergaris", "Selimut Bergaris", "potong", "person", 1),
    ("seragam-sd-laki", "Seragam SD Laki-laki", "potong", "person", 1),
    ("seragam-sd-perempuan", "Seragam SD Perempuan", "potong", "person", 1),
    ("family-kit", "Family Kit", "paket", "household", 1),
    ("kids-ware", "Kids Ware", "paket", "person", 1),
    ("food-ware", "Food Ware", "paket", "household", 1),
    ("selimut-woll", "Selimut Woll", "lembar", "person", 1),
    ("paket-sandang", "Paket Sandang", "paket", "person", 1),
    ("paket-lauk-siap-saji", "Paket Lauk Siap Saji", "paket", "household", 1),
    ("paket-siap-saji", "Paket Siap Saji", "paket", "person", 1),
    ("peralatan-dapur-keluarga", "Peralatan Dapur Keluarga", "paket", "household", 1),
    ("air-minum-kemasan", "Air Minum Kemasan", "dus", "household", 1),
    ("kasur", "Kasur", "unit", "household", 1),
    ("sandang-bayi", "Sandang Bayi", "paket", "person", 1),
]


def forwards(apps, schema_editor):
    ReliefItem = apps.get_model("relief", "ReliefItem")
    for order, (code, name, unit, basis, per) in enumerate(ITEMS, start=1):
        ReliefItem.objects.update_or_create(code=code, defaults={
            "name": name, "unit": unit, "basis": basis, "per_recipient": per, "order": order, "active": True})


def backwards(apps, schema_editor):
    ReliefItem = apps.get_model("relief", "ReliefItem")
    ReliefItem.objects.filter(code__in=[code for code, *_ in ITEMS], lots__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("relief", "0002_append_only_ledger")]
    operations = [migrations.RunPython(forwards, backwards)]
