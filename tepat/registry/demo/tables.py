"""Distributions the demo generator draws from, for poor and vulnerable households in Banten, and the
vocabularies string columns are built from. Housing tables are (code, probability, quality score): the
score tilts richer families towards better categories.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from tepat.registry import choices as c
from tepat.registry.demo import vocabulary as v

Ed = c.Education

KK_EARLIEST = date(2005, 1, 1)  # SIAK-era KK numbers

# Family size 1..8 (mean ≈ 3.3).
SIZE_PROBABILITIES = np.array([0.13, 0.21, 0.24, 0.21, 0.11, 0.06, 0.025, 0.015])

# Housing (Blok 3) and assets of poor and vulnerable households: (code, probability, quality score).
HOUSING: dict[str, tuple[tuple[int, float, float], ...]] = {
    "building_tenure": ((c.BuildingTenure.OWNED, .75, 1), (c.BuildingTenure.RENTED, .07, 0),
                        (c.BuildingTenure.RENT_FREE, .12, -1), (c.BuildingTenure.OFFICIAL, .005, 0),
                        (c.BuildingTenure.OTHER, .01, -1), (c.BuildingTenure.SHARED, .045, -1)),
    "floor": ((c.Floor.CERAMIC, .33, 2), (c.Floor.CEMENT, .30, 0), (c.Floor.TILE, .10, 1), (c.Floor.EARTH, .12, -2),
              (c.Floor.WOOD, .05, -1), (c.Floor.BAMBOO, .05, -2), (c.Floor.MARBLE, .005, 3),
              (c.Floor.PARQUET, .005, 2), (c.Floor.OTHER, .04, -1)),
    "wall": ((c.Wall.MASONRY, .55, 2), (c.Wall.PLASTERED_BAMBOO, .08, 0), (c.Wall.WOOD, .12, 0),
             (c.Wall.WOVEN_BAMBOO, .20, -2), (c.Wall.LOGS, .01, -1), (c.Wall.BAMBOO, .03, -2), (c.Wall.OTHER, .01, -1)),
    "roof": ((c.Roof.CONCRETE, .02, 2), (c.Roof.CLAY_TILE, .60, 1), (c.Roof.ZINC, .15, -1), (c.Roof.ASBESTOS, .18, 0),
             (c.Roof.WOOD_SHINGLE, .01, 0), (c.Roof.BAMBOO, .01, -2), (c.Roof.THATCH, .02, -2), (c.Roof.OTHER, .01, -1)),
    "drinking_water": ((c.DrinkingWater.REFILL, .30, 1), (c.DrinkingWater.BOREHOLE, .25, 0),
                       (c.DrinkingWater.PROTECTED_WELL, .195, 0), (c.DrinkingWater.UNPROTECTED_WELL, .08, -2),
                       (c.DrinkingWater.PDAM, .05, 1), (c.DrinkingWater.BOTTLED, .03, 2),
                       (c.DrinkingWater.PAMDES, .04, 0), (c.DrinkingWater.PROTECTED_SPRING, .02, 0),
                       (c.DrinkingWater.UNPROTECTED_SPRING, .015, -2), (c.DrinkingWater.SURFACE, .01, -2),
                       (c.DrinkingWater.RAIN, .005, -1), (c.DrinkingWater.PIPED, .005, 1)),
    "water_distance": ((c.WaterDistance.UNDER_10M, .35, -1), (c.WaterDistance.AT_LEAST_10M, .55, 1),
                       (c.WaterDistance.UNKNOWN, .10, 0)),
    "lighting": ((c.Lighting.PLN_METERED, .85, 1), (c.Lighting.PLN_UNMETERED, .12, -1),
                 (c.Lighting.NON_PLN, .02, -1), (c.Lighting.NOT_ELECTRIC, .01, -2)),
    "power_capacity": ((c.PowerCapacity.W450, .45, -1), (c.PowerCapacity.W900, .45, 0),
                       (c.PowerCapacity.W1300, .08, 1), (c.PowerCapacity.W2200, .015, 2),
                       (c.PowerCapacity.ABOVE_2200, .005, 3)),
    "cooking_fuel": ((c.CookingFuel.LPG_3, .84, 0), (c.CookingFuel.FIREWOOD, .10, -2), (c.CookingFuel.KEROSENE, .01, -1),
                     (c.CookingFuel.LPG_5_5, .02, 1), (c.CookingFuel.LPG_12, .01, 2), (c.CookingFuel.ELECTRIC, .005, 2),
                     (c.CookingFuel.CHARCOAL, .005, -1), (c.CookingFuel.NO_COOKING, .01, 0)),
    "toilet_facility": ((c.ToiletFacility.OWN, .75, 1), (c.ToiletFacility.SHARED_HOUSEHOLDS, .07, 0),
                        (c.ToiletFacility.COMMUNAL, .04, 0), (c.ToiletFacility.PUBLIC, .03, -1),
                        (c.ToiletFacility.UNUSED, .01, -1), (c.ToiletFacility.NONE, .10, -2)),
    "toilet_type": ((c.ToiletType.GOOSENECK, .80, 1), (c.ToiletType.PLENGSENGAN_COVERED, .08, 0),
                    (c.ToiletType.PLENGSENGAN_OPEN, .05, -1), (c.ToiletType.PIT, .07, -1)),
    "sewage_disposal": ((c.SewageDisposal.SEPTIC_TANK, .58, 1), (c.SewageDisposal.IPAL, .005, 1),
                        (c.SewageDisposal.WATER_BODY, .15, -1), (c.SewageDisposal.HOLE, .20, 0),
                        (c.SewageDisposal.OPEN_GROUND, .05, -1), (c.SewageDisposal.OTHER, .015, 0)),
    "internet": ((c.Internet.MOBILE, .65, 1), (c.Internet.NONE, .30, -1), (c.Internet.WIFI, .04, 2),
                 (c.Internet.SUBSCRIPTION, .01, 2)),
}
LAND_PROOF_OWNED = ((c.LandProof.SHM_FAMILY, .30, 1), (c.LandProof.GIRIK, .40, 0), (c.LandProof.OTHER_CERTIFICATE, .02, 1),
                    (c.LandProof.NONE, .20, -1), (c.LandProof.SHM_OTHER_WRITTEN, .03, 0),
                    (c.LandProof.SHM_OTHER_NO_AGREEMENT, .05, -1))
LAND_PROOF_OTHER = ((c.LandProof.SHM_OTHER_WRITTEN, .15, 1), (c.LandProof.SHM_OTHER_NO_AGREEMENT, .45, 0),
                    (c.LandProof.NONE, .40, -1))
# Without any toilet facility there is no toilet type, and sewage goes to water or open ground.
SEWAGE_WITHOUT_TOILET = ((c.SewageDisposal.WATER_BODY, .6), (c.SewageDisposal.OPEN_GROUND, .4))
ASSET_SHARE = {
    "gas_cylinder": .06, "refrigerator": .35, "air_conditioner": .01, "water_heater": .01, "landline": .005,
    "television": .78, "gold": .06, "computer": .04, "motorcycle": .55, "bicycle": .20, "car": .01, "boat": .015,
    "motor_boat": .008, "smartphone": .72, "land": .15, "house_elsewhere": .02, "bank_account": .45,
}
# Livestock: (share of families keeping it, mean number of animals above one). Few pigs in Muslim Banten.
LIVESTOCK_SHARE = {"cattle": (.02, 1.0), "buffalo": (.03, 1.2), "horse": (.002, 0.0), "pig": (0.0, 0.0),
                   "goat": (.10, 2.5)}

EDUCATION_BY_COHORT = (  # adults no longer in school, by birth year: before 1965, 1965–1984, 1985 on
    ((Ed.NONE, .25), (Ed.PAKET_A, .01), (Ed.SD, .56), (Ed.SMP, .10), (Ed.SMA, .06), (Ed.SMK, .01),
     (Ed.D1_D3, .005), (Ed.D4_S1, .005)),
    ((Ed.NONE, .07), (Ed.PAKET_A, .01), (Ed.SD, .44), (Ed.PAKET_B, .01), (Ed.SMP, .22), (Ed.PAKET_C, .01),
     (Ed.SMA, .15), (Ed.SMK, .06), (Ed.D1_D3, .01), (Ed.D4_S1, .02)),
    ((Ed.NONE, .02), (Ed.SD, .20), (Ed.PAKET_B, .01), (Ed.SMP, .30), (Ed.PAKET_C, .02), (Ed.SMA, .23),
     (Ed.SMK, .18), (Ed.D1_D3, .015), (Ed.D4_S1, .025)),
)

# Chronic illness (430) among people aged 40 and over, and under 40.
CHRONIC_OLDER = ((c.ChronicIllness.HYPERTENSION, .38), (c.ChronicIllness.RHEUMATISM, .14),
                 (c.ChronicIllness.DIABETES, .14), (c.ChronicIllness.ASTHMA, .07), (c.ChronicIllness.HEART, .07),
                 (c.ChronicIllness.TUBERCULOSIS, .04), (c.ChronicIllness.STROKE, .05),
                 (c.ChronicIllness.CHOLESTEROL, .06), (c.ChronicIllness.KIDNEY_FAILURE, .01),
                 (c.ChronicIllness.CANCER, .01), (c.ChronicIllness.OTHER, .03))
CHRONIC_YOUNGER = ((c.ChronicIllness.ASTHMA, .40), (c.ChronicIllness.TUBERCULOSIS, .15), (c.ChronicIllness.HEART, .05),
                   (c.ChronicIllness.THALASSAEMIA, .03), (c.ChronicIllness.HIV_AIDS, .01),
                   (c.ChronicIllness.DIABETES, .06), (c.ChronicIllness.HYPERTENSION, .10), (c.ChronicIllness.OTHER, .20))
DIFFICULTY_DOMAIN_WEIGHTS = (.20, .12, .30, .06, .08, .05, .07, .06, .06)  # order of choices.DIFFICULTY_DOMAINS

# Programmes: first year a family could have joined, and the share of families enrolled.
PROGRAM_START = {c.Program.PKH: date(2012, 1, 1), c.Program.BPNT: date(2018, 1, 1),
                 c.Program.PBI_JK: date(2014, 1, 1), c.Program.PIP: date(2016, 1, 1)}
PROGRAM_SHARE = {c.Program.PKH: .25, c.Program.BPNT: .40, c.Program.PBI_JK: .60}

# Vocabularies: string columns are built by index into these (see arrays.gather).
CHANNELS = ("", "bank", "post")
OCCUPATIONS = sorted({row[0] for table in (v.OCCUPATIONS_MALE, v.OCCUPATIONS_FEMALE, v.OCCUPATIONS_ELDERLY)
                      for row in table} | {v.STUDENT[0], v.NOT_YET_WORKING[0], v.HOMEMAKER[0]})
PRESENCE_NOTES = ["", v.DIED_NOTE, v.NOT_FOUND_NOTE, *v.MOVED_NOTES]
NAMES = list(dict.fromkeys(name for group in v.NAME_GROUPS for name in group[0]))
ADDRESSES = [f"Kp. {name}" for name in v.KAMPUNG] + [f"Lingk. {name}" for name in v.KAMPUNG]
