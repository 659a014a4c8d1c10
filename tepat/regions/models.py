"""The official region master (Kemendagri codes): province → kabupaten/kota → kecamatan → desa/kelurahan.

RW and RT are parts of an address, not rows here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Kind words a master name may already start with ("Kabupaten Serang", "Kota Administrasi Jakarta Pusat").
NAME_KIND_WORDS = frozenset({"provinsi", "kabupaten", "kab.", "kota", "kecamatan", "distrik", "desa", "kelurahan"})


class Region(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency/City")
        DISTRICT = 3, _("District")
        VILLAGE = 4, _("Village")

    class Kind(models.TextChoices):
        PROVINCE = "provinsi", _("Province")
        REGENCY = "kabupaten", _("Regency")
        CITY = "kota", _("City")
        DISTRICT = "kecamatan", _("District")
        DISTRICT_PAPUA = "distrik", _("District (Papua)")
        URBAN_VILLAGE = "kelurahan", _("Urban village")
        VILLAGE = "desa", _("Village")
        CUSTOMARY_VILLAGE = "desa_adat", _("Customary village")

    code = models.CharField(max_length=13, primary_key=True, help_text="Dotted Kemendagri code, e.g. 36.73.05.1001")
    name = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField(choices=Level.choices, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    postal_code = models.CharField(max_length=5, blank=True)
    # Lower-case name without prefixes, for matching names people type ("KAB. SERANG" → "serang").
    name_key = models.CharField(max_length=120, db_index=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        """The kind and the name for headings ("Kecamatan Kramatwatu"), without doubling a kind the name
        already carries ("Kabupaten Serang", not "Kabupaten Kabupaten Serang")."""
        first = self.name.split(" ", 1)[0].lower()
        if first in NAME_KIND_WORDS:
            return self.name
        return f"{self.get_kind_display()} {self.name}"

    @property
    def code_digits(self) -> str:
        return self.code.replace(".", "")


class RegionMasterVersion(models.Model):
    """Which official master was loaded, from which package, and when."""

    decree = models.CharField(max_length=120)
    source = models.CharField(max_length=120)
    loaded_at = models.DateTimeField(auto_now_add=True)
    provinces = models.PositiveIntegerField()
    regencies = models.PositiveIntegerField()
    districts = models.PositiveIntegerField()
    villages = models.PositiveIntegerField()
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.decree} ({self.source})"
