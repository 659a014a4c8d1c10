"""Coded choices of the family questionnaire (REGSOSEK2022.K, FACTS §3.3). Codes are the official ones."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.IntegerChoices):
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")


class Relation(models.IntegerChoices):  # 409 hubungan dengan kepala keluarga
    HEAD = 1, _("Head of family")
    SPOUSE = 2, _("Wife/husband")
    CHILD = 3, _("Child")
    CHILD_IN_LAW = 4, _("Son/daughter-in-law")
    GRANDCHILD = 5, _("Grandchild")
    PARENT = 6, _("Parent/parent-in-law")
    HOUSEHOLD_HELP = 7, _("Household help/driver")
    OTHER = 8, _("Other")


class MaritalStatus(models.IntegerChoices):
    SINGLE = 1, _("Not married")
    MARRIED = 2, _("Married")
    DIVORCED = 3, _("Divorced")
    WIDOWED = 4, _("Widowed")


class Presence(models.IntegerChoices):  # 404 keberadaan anggota keluarga
    LIVING = 1, _("Living with the family")
    DIED = 2, _("Died")
    MOVED_DOMESTIC = 3, _("Moved within Indonesia")
    MOVED_ABROAD = 4, _("Moved abroad")
    NEW_MEMBER = 5, _("New family member")
    NOT_FOUND = 6, _("Not found")


ACTIVE_PRESENCE = (Presence.LIVING, Presence.NEW_MEMBER)


class FamilyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REMOVED = "removed", _("Removed")


class FamilyRemovalReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("No longer eligible")
    NOT_FOUND = "not_found", _("Not found")
    MOVED = "moved", _("Moved away")
    ALL_DIED = "all_died", _("All members died")
    DUPLICATE = "duplicate", _("Duplicate record")


class Education(models.IntegerChoices):  # jenjang pendidikan tertinggi (simplified from 01–22)
    NONE = 0, _("Never attended school")
    PAKET_A = 1, _("Paket A")
    SDLB = 2, _("SDLB")
    SD = 3, _("SD/MI")
    PAKET_B = 4, _("Paket B")
    SMPLB = 5, _("SMPLB")
    SMP = 6, _("SMP/MTs")
    PAKET_C = 7, _("Paket C")
    SMLB = 8, _("SMLB")
    SMA = 9, _("SMA/MA")
    SMK = 10, _("SMK/MAK")
    D1_D3 = 11, _("Diploma I–III")
    D4_S1 = 12, _("Diploma IV/S1")
    S2 = 13, _("S2")
    S3 = 14, _("S3")


class SchoolParticipation(models.IntegerChoices):
    NEVER = 1, _("Never attended")
    ATTENDING = 2, _("Still in school")
    NOT_ANYMORE = 3, _("No longer in school")


class EmploymentStatus(models.IntegerChoices):
    NOT_WORKING = 0, _("Not working")
    SELF_EMPLOYED = 1, _("Self-employed")
    EMPLOYER_TEMPORARY = 2, _("Employer with temporary workers")
    EMPLOYER_PERMANENT = 3, _("Employer with permanent workers")
    EMPLOYEE = 4, _("Employee")
    CIVIL_SERVANT = 5, _("Civil servant/TNI/Polri/SOE")
    CASUAL_AGRICULTURE = 6, _("Casual worker, agriculture")
    CASUAL_NON_AGRICULTURE = 7, _("Casual worker, non-agriculture")
    FAMILY_WORKER = 8, _("Unpaid family worker")


class Difficulty(models.IntegerChoices):  # 428a–i functional difficulty scale
    CANNOT = 1, _("Cannot do at all")
    A_LOT = 2, _("A lot of difficulty")
    SOME = 3, _("Some difficulty")
    NONE = 4, _("No difficulty")


DIFFICULTY_DOMAINS = (
    ("seeing", _("Seeing")),
    ("hearing", _("Hearing")),
    ("walking", _("Walking/climbing stairs")),
    ("hands", _("Using hands/fingers")),
    ("learning", _("Learning/intellectual")),
    ("behaviour", _("Behaviour/emotion")),
    ("communicating", _("Speaking/communicating")),
    ("self_care", _("Self-care")),
    ("remembering", _("Remembering/concentrating")),
)


class ChronicIllness(models.IntegerChoices):  # 430
    NONE = 1, _("None")
    HYPERTENSION = 2, _("Hypertension")
    RHEUMATISM = 3, _("Rheumatism")
    ASTHMA = 4, _("Asthma")
    HEART = 5, _("Heart disease")
    DIABETES = 6, _("Diabetes")
    TUBERCULOSIS = 7, _("Tuberculosis")
    STROKE = 8, _("Stroke")
    CANCER = 9, _("Cancer")
    KIDNEY_FAILURE = 10, _("Kidney failure")
    HAEMOPHILIA = 11, _("Haemophilia")
    HIV_AIDS = 12, _("HIV/AIDS")
    CHOLESTEROL = 13, _("Cholesterol")
    CIRRHOSIS = 14, _("Cirrhosis")
    THALASSAEMIA = 15, _("Thalassaemia")
    LEUKAEMIA = 16, _("Leukaemia")
    ALZHEIMER = 17, _("Alzheimer's")
    OTHER = 18, _("Other")


class BuildingTenure(models.IntegerChoices):  # 301a
    OWNED = 1, _("Owned")
    RENTED = 2, _("Contract/rent")
    RENT_FREE = 3, _("Rent-free")
    OFFICIAL = 4, _("Official housing")
    OTHER = 5, _("Other")
    SHARED = 6, _("Shared/co-owned")


class LandProof(models.IntegerChoices):  # 301b
    SHM_FAMILY = 1, _("SHM in a family member's name")
    SHM_OTHER_WRITTEN = 2, _("SHM in another name, written agreement")
    SHM_OTHER_NO_AGREEMENT = 3, _("SHM in another name, no agreement")
    OTHER_CERTIFICATE = 4, _("Other certificate (SHGB, SHSRS)")
    GIRIK = 5, _("Girik/letter C")
    NONE = 6, _("None")


class Floor(models.IntegerChoices):  # 303
    MARBLE = 1, _("Marble/granite")
    CERAMIC = 2, _("Ceramic")
    PARQUET = 3, _("Parquet/vinyl/carpet")
    TILE = 4, _("Tile/terrazzo")
    WOOD = 5, _("Wood/board")
    CEMENT = 6, _("Cement/red brick")
    BAMBOO = 7, _("Bamboo")
    EARTH = 8, _("Earth")
    OTHER = 9, _("Other")


class Wall(models.IntegerChoices):  # 304
    MASONRY = 1, _("Masonry")
    PLASTERED_BAMBOO = 2, _("Plastered woven bamboo/wire")
    WOOD = 3, _("Wood/board/gypsum/GRC")
    WOVEN_BAMBOO = 4, _("Woven bamboo")
    LOGS = 5, _("Logs")
    BAMBOO = 6, _("Bamboo")
    OTHER = 7, _("Other")


class Roof(models.IntegerChoices):  # 305
    CONCRETE = 1, _("Concrete")
    CLAY_TILE = 2, _("Clay tile")
    ZINC = 3, _("Zinc")
    ASBESTOS = 4, _("Asbestos")
    WOOD_SHINGLE = 5, _("Wood/shingle")
    BAMBOO = 6, _("Bamboo")
    THATCH = 7, _("Straw/palm fibre/leaves")
    OTHER = 8, _("Other")


class DrinkingWater(models.IntegerChoices):  # 306a
    BOTTLED = 1, _("Bottled water")
    REFILL = 2, _("Refill water")
    PIPED = 3, _("Piped")
    BOREHOLE = 4, _("Borehole/pump")
    PROTECTED_WELL = 5, _("Protected well")
    UNPROTECTED_WELL = 6, _("Unprotected well")
    PROTECTED_SPRING = 7, _("Protected spring")
    UNPROTECTED_SPRING = 8, _("Unprotected spring")
    SURFACE = 9, _("Surface water")
    RAIN = 10, _("Rain water")
    OTHER = 11, _("Other")
    PDAM = 12, _("PDAM")
    PAMDES = 13, _("PAMDES/PAMSIMAS")


class WaterDistance(models.IntegerChoices):  # 306b
    UNDER_10M = 1, _("Under 10 m")
    AT_LEAST_10M = 2, _("10 m or more")
    UNKNOWN = 3, _("Unknown")


class Lighting(models.IntegerChoices):  # 307a
    PLN_METERED = 1, _("PLN with meter")
    PLN_UNMETERED = 2, _("PLN without meter")
    NON_PLN = 3, _("Non-PLN electricity")
    NOT_ELECTRIC = 4, _("Not electric")


class PowerCapacity(models.IntegerChoices):  # 307b
    W450 = 450, "450 W"
    W900 = 900, "900 W"
    W1300 = 1300, "1.300 W"
    W2200 = 2200, "2.200 W"
    ABOVE_2200 = 2201, "> 2.200 W"


class CookingFuel(models.IntegerChoices):  # 308
    ELECTRIC = 1, _("Electricity")
    LPG_5_5 = 2, _("LPG 5.5 kg/blue gas")
    LPG_12 = 3, _("LPG 12 kg")
    LPG_3 = 4, _("LPG 3 kg")
    TOWN_GAS = 5, _("Town gas")
    BIOGAS = 6, _("Biogas")
    KEROSENE = 7, _("Kerosene")
    BRIQUETTE = 8, _("Briquette")
    CHARCOAL = 9, _("Charcoal")
    FIREWOOD = 10, _("Firewood")
    OTHER = 11, _("Other")
    NO_COOKING = 12, _("Does not cook")


class ToiletFacility(models.IntegerChoices):  # 309a
    OWN = 1, _("Own")
    SHARED_HOUSEHOLDS = 2, _("Shared with certain households")
    COMMUNAL = 3, _("Communal MCK")
    PUBLIC = 4, _("Public MCK")
    UNUSED = 5, _("Exists but not used")
    NONE = 6, _("None")


class ToiletType(models.IntegerChoices):  # 309b
    GOOSENECK = 1, _("Gooseneck")
    PLENGSENGAN_COVERED = 2, _("Plengsengan with cover")
    PLENGSENGAN_OPEN = 3, _("Plengsengan without cover")
    PIT = 4, _("Pit latrine")


class SewageDisposal(models.IntegerChoices):  # 310
    SEPTIC_TANK = 1, _("Septic tank")
    IPAL = 2, _("Wastewater treatment (IPAL)")
    WATER_BODY = 3, _("Pond/field/river/lake/sea")
    HOLE = 4, _("Hole in the ground")
    OPEN_GROUND = 5, _("Beach/open ground/garden")
    OTHER = 6, _("Other")


# Yes/no assets of the family (FACTS §3.3, "Assets").
ASSETS = (
    ("gas_cylinder", _("Gas cylinder 5.5 kg or more")),
    ("refrigerator", _("Refrigerator")),
    ("air_conditioner", _("Air conditioner")),
    ("water_heater", _("Water heater")),
    ("landline", _("Landline telephone")),
    ("television", _("Television")),
    ("gold", _("Gold/jewellery 10 g or more")),
    ("computer", _("Computer/laptop")),
    ("motorcycle", _("Motorcycle")),
    ("bicycle", _("Bicycle")),
    ("car", _("Car")),
    ("boat", _("Boat")),
    ("motor_boat", _("Motor boat/ship")),
    ("smartphone", _("Smartphone")),
    ("land", _("Land")),
    ("house_elsewhere", _("House elsewhere")),
    ("bank_account", _("Active bank account")),
)

LIVESTOCK = (
    ("cattle", _("Cattle")),
    ("buffalo", _("Buffalo")),
    ("horse", _("Horse")),
    ("pig", _("Pig")),
    ("goat", _("Goat/sheep")),
)


class Internet(models.IntegerChoices):  # 505
    NONE = 0, _("None")
    SUBSCRIPTION = 1, _("Fixed subscription")
    WIFI = 2, _("Wi-Fi")
    MOBILE = 3, _("Mobile phone")


class Program(models.TextChoices):
    PKH = "pkh", "PKH"
    BPNT = "bpnt", "BPNT/Sembako"
    PBI_JK = "pbi_jk", "PBI-JK"
    PIP = "pip", "PIP/KIP"
    BLT_DD = "blt_dd", _("BLT Village Fund")
    ELECTRICITY_SUBSIDY = "electricity_subsidy", _("Electricity subsidy")
    LPG_SUBSIDY = "lpg_subsidy", _("LPG subsidy")
    FERTILISER_SUBSIDY = "fertiliser_subsidy", _("Fertiliser subsidy")
    REGIONAL = "regional", _("Regional government aid")


class WelfareCategory(models.TextChoices):
    """Fakir miskin / tidak mampu and the PPKS types people are listed under (Permensos 8/2012 list)."""

    POOR = "poor", _("Poor (fakir miskin)")
    UNABLE = "unable", _("Unable (tidak mampu)")
    NEGLECTED_TODDLER = "neglected_toddler", _("Neglected toddler")
    NEGLECTED_CHILD = "neglected_child", _("Neglected child")
    CHILD_IN_CONFLICT_WITH_LAW = "child_conflict_law", _("Child in conflict with the law")
    STREET_CHILD = "street_child", _("Street child")
    CHILD_WITH_DISABILITY = "child_disability", _("Child with disability")
    CHILD_VICTIM_OF_VIOLENCE = "child_violence", _("Child victim of violence")
    CHILD_NEEDING_PROTECTION = "child_protection", _("Child needing special protection")
    NEGLECTED_ELDERLY = "neglected_elderly", _("Neglected elderly")
    PERSON_WITH_DISABILITY = "disability", _("Person with disability")
    SEX_WORKER = "sex_worker", _("Sex worker")
    HOMELESS = "homeless", _("Homeless")
    BEGGAR = "beggar", _("Beggar")
    SCAVENGER = "scavenger", _("Scavenger")
    MARGINALISED = "marginalised", _("Marginalised group")
    FORMER_PRISONER = "former_prisoner", _("Former prisoner with problems")
    PERSON_WITH_HIV = "hiv", _("Person with HIV/AIDS")
    DRUG_VICTIM = "drug_victim", _("Victim of drug abuse")
    TRAFFICKING_VICTIM = "trafficking", _("Victim of trafficking")
    VIOLENCE_VICTIM = "violence_victim", _("Victim of violence")
    MIGRANT_WORKER_PROBLEM = "migrant_worker", _("Migrant worker with social problems")
    DISASTER_VICTIM = "disaster_victim", _("Natural disaster victim")
    SOCIAL_DISASTER_VICTIM = "social_disaster", _("Social disaster victim")
    VULNERABLE_WOMAN = "vulnerable_woman", _("Economically vulnerable woman")
    PROBLEM_FAMILY = "problem_family", _("Family with psychosocial problems")
    REMOTE_INDIGENOUS = "remote_indigenous", _("Remote indigenous community")


class ResourceCategory(models.TextChoices):
    """PSKS: social-welfare resources a person may be (TKSK, PSM, ...)."""

    TKSK = "tksk", "TKSK"
    PSM = "psm", _("PSM (community social worker)")
    KARANG_TARUNA = "karang_taruna", "Karang Taruna"
    LKS = "lks", _("Social welfare institution (LKS)")
    WKSBM = "wksbm", "WKSBM"
    SOCIAL_WORKER = "social_worker", _("Professional social worker")
    VOLUNTEER = "volunteer", _("Social volunteer")
    FAMILY_COUNSELLOR = "family_counsellor", _("Family counsellor")
    TAGANA = "tagana", "Tagana"
    SOCIAL_ENTREPRENEUR = "social_entrepreneur", _("Social entrepreneur")
