"""Member-level draws: relation, sex and birth date within each family, then everything that follows from
age and sex (marital status, schooling, work, health, pregnancy, stale presence, names)."""

from __future__ import annotations

import numpy as np

from tepat.registry import choices as c
from tepat.registry.demo import vocabulary as v
from tepat.registry.demo.arrays import YEAR, date_parts, pick, table_pick, years
from tepat.registry.demo.households import Area
from tepat.registry.demo.tables import (
    CHRONIC_OLDER,
    CHRONIC_YOUNGER,
    DIFFICULTY_DOMAIN_WEIGHTS,
    EDUCATION_BY_COHORT,
    NAMES,
    OCCUPATIONS,
    PRESENCE_NOTES,
)

R = c.Relation
S = c.Sex
M = c.MaritalStatus
P = c.Presence
Ed = c.Education
SP = c.SchoolParticipation


def draw_individuals(rng: np.random.Generator, area: Area, fam: dict[str, np.ndarray],
                     today: int) -> dict[str, np.ndarray]:
    """One row per member, ordered by family, relation and birth date (as the register lists them)."""
    size = fam["size"]
    n = len(size)
    f = np.repeat(np.arange(n), size)
    total = len(f)
    starts = np.cumsum(size) - size
    pos = np.arange(total) - starts[f]
    b1 = 1 + fam["spouse"]
    b2 = b1 + fam["children"]
    b3 = b2 + fam["in_law"]
    b4 = b3 + fam["grandchildren"]
    b5 = b4 + fam["parent"]
    relation = np.select(
        [pos == 0, pos < b1[f], pos < b2[f], pos < b3[f], pos < b4[f], pos < b5[f]],
        [R.HEAD, R.SPOUSE, R.CHILD, R.CHILD_IN_LAW, R.GRANDCHILD, R.PARENT], R.OTHER,
    ).astype(np.int64)
    first_child = (relation == R.CHILD) & (pos == b1[f])

    u_birth, u_sex = rng.random(total), rng.random(total)
    sex = np.where(u_sex < 0.51, S.MALE, S.FEMALE).astype(np.int64)
    sex = np.where(relation == R.HEAD, np.where(fam["head_female"][f], S.FEMALE, S.MALE), sex)
    sex = np.where(relation == R.SPOUSE, S.FEMALE, sex)  # only male heads have a spouse here
    sex = np.where(relation == R.PARENT, np.where(u_sex < 0.7, S.FEMALE, S.MALE), sex)

    birth = np.zeros(total, dtype=np.int64)
    birth[relation == R.HEAD] = fam["head_birth"][f[relation == R.HEAD]]
    birth[relation == R.SPOUSE] = fam["spouse_birth"][f[relation == R.SPOUSE]]

    # Children: mother aged 17–45 (the first child of a three-generation family is 20 or older), father 18+,
    # and adult children on the card at most 35.
    mother = fam["mother_birth"][f]
    mother_age = today - mother
    low = mother + np.maximum(years(17), mother_age - years(35))
    high = mother + np.minimum(years(45), mother_age)
    eldest_tg = first_child & fam["three_gen"][f]
    low = np.where(eldest_tg, mother + years(17), low)
    high = np.where(eldest_tg, mother + np.minimum(years(45), mother_age - years(20)), high)
    low = np.minimum(np.maximum(low, fam["youngest_father"][f]), high)
    is_child = relation == R.CHILD
    birth[is_child] = (low + u_birth * (high - low)).astype(np.int64)[is_child]

    first_birth = np.zeros(n, dtype=np.int64)
    first_sex = np.zeros(n, dtype=np.int64)
    first_birth[f[first_child]] = birth[first_child]
    first_sex[f[first_child]] = sex[first_child]

    # Son/daughter-in-law: married to the first child (a younger wife or an older husband), 18 or older.
    is_in_law = relation == R.CHILD_IN_LAW
    gap = years(6 * u_birth)
    in_law_birth = np.where(first_sex[f] == S.MALE, first_birth[f] + gap, first_birth[f] - gap)
    in_law_birth = np.minimum(in_law_birth, today - years(18))
    birth[is_in_law] = in_law_birth[is_in_law]
    sex = np.where(is_in_law, np.where(first_sex[f] == S.MALE, S.FEMALE, S.MALE), sex)

    # Grandchildren: born when the younger of the first child and the in-law was 17–45.
    young_parent = first_birth.copy()
    in_law_of_family = np.zeros(n, dtype=np.int64)
    in_law_of_family[f[is_in_law]] = birth[is_in_law]
    young_parent = np.where(fam["in_law"], np.maximum(young_parent, in_law_of_family), young_parent)
    g_low = young_parent[f] + years(17)
    g_high = np.minimum(young_parent[f] + years(45), today)
    is_grandchild = relation == R.GRANDCHILD
    birth[is_grandchild] = (g_low + u_birth * (g_high - g_low)).astype(np.int64)[is_grandchild]

    is_parent = relation == R.PARENT
    parent_birth = np.maximum(fam["head_birth"][f] - years(18 + 20 * u_birth), today - years(95))
    birth[is_parent] = parent_birth[is_parent]
    is_other = relation == R.OTHER
    head_age = (today - fam["head_birth"][f]) / YEAR
    other_birth = np.minimum(fam["head_birth"][f] + years(5 + np.maximum(head_age - 20, 1) * u_birth), today - 30)
    birth[is_other] = other_birth[is_other]

    # Order members as the register does: by relation, then birth date.
    order = np.lexsort((birth, relation, f))
    f, relation, sex, birth = f[order], relation[order], sex[order], birth[order]
    first_child = first_child[order]
    position = np.arange(total) - starts[f] + 1
    age = (today - birth) / YEAR
    ind = {"family": f, "relation": relation, "sex": sex, "birth": birth, "position": position, "age": age}
    _marital(rng, fam, ind, first_child)
    _education(rng, ind)
    _work(rng, ind)
    _health(rng, ind)
    _presence(rng, ind, today)
    ind["first_name"], ind["second_name"], ind["third_name"] = _names(rng, sex, date_parts(birth)[0])
    return ind


def _marital(rng: np.random.Generator, fam: dict[str, np.ndarray], ind: dict[str, np.ndarray],
             first_child: np.ndarray) -> None:
    f, relation, age = ind["family"], ind["relation"], ind["age"]
    total = len(f)
    u = rng.random(total)
    status = np.full(total, M.SINGLE, dtype=np.int64)
    head = relation == R.HEAD
    lone_head = np.where(
        fam["young_single"][f], np.where(u < 0.7, M.SINGLE, M.DIVORCED),
        np.where(fam["single"][f], np.where(u < 0.8, M.WIDOWED, np.where(u < 0.95, M.DIVORCED, M.SINGLE)),
                 np.where(u < 0.6, M.WIDOWED, M.DIVORCED)),
    )
    status = np.where(head, np.where(fam["spouse"][f], M.MARRIED, lone_head), status)
    status = np.where((relation == R.SPOUSE) | (relation == R.CHILD_IN_LAW), M.MARRIED, status)
    adult_child = (relation == R.CHILD) & (age >= 25)
    status = np.where(adult_child, np.where(u < 0.12, M.DIVORCED, np.where(u < 0.17, M.MARRIED, M.SINGLE)), status)
    eldest_tg = first_child & fam["three_gen"][f]
    status = np.where(eldest_tg & fam["in_law"][f], M.MARRIED, status)
    status = np.where(eldest_tg & ~fam["in_law"][f],
                      np.where(u < 0.5, M.DIVORCED, np.where(u < 0.7, M.WIDOWED, M.MARRIED)), status)
    status = np.where(relation == R.PARENT,
                      np.where(u < 0.88, M.WIDOWED, np.where(u < 0.95, M.MARRIED, M.DIVORCED)),
                      status)
    adult_other = (relation == R.OTHER) & (age >= 20)
    status = np.where(adult_other, table_pick(rng, total, ((M.SINGLE, .6), (M.MARRIED, .2), (M.DIVORCED, .1),
                                                            (M.WIDOWED, .1))), status)
    adult_grandchild = (relation == R.GRANDCHILD) & (age >= 20)
    status = np.where(adult_grandchild & (u < 0.2), M.MARRIED, status)
    status = np.where((age < 17) & (relation != R.SPOUSE) & (relation != R.HEAD), M.SINGLE, status)
    ind["marital"] = status


def _education(rng: np.random.Generator, ind: dict[str, np.ndarray]) -> None:
    age, birth_year = ind["age"], date_parts(ind["birth"])[0]
    total = len(age)
    u = rng.random(total)
    edu = np.full(total, -1, dtype=np.int64)
    school = np.full(total, -1, dtype=np.int64)
    cohort = np.searchsorted((1965, 1985), birth_year, side="right")
    adult_level = np.zeros(total, dtype=np.int64)
    for index, table in enumerate(EDUCATION_BY_COHORT):
        adult_level = np.where(cohort == index, table_pick(rng, total, table), adult_level)
    upper_secondary = np.where(rng.random(total) < 0.55, Ed.SMA, Ed.SMK)
    lower_dropout = np.where(rng.random(total) < 0.7, Ed.SMP, Ed.SD)
    higher = np.where(rng.random(total) < 0.3, Ed.D1_D3, Ed.D4_S1)

    def put(mask: np.ndarray, level: np.ndarray | int, participation: np.ndarray | int) -> None:
        edu[mask] = np.broadcast_to(level, total)[mask]
        school[mask] = np.broadcast_to(participation, total)[mask]

    attending6 = u < 0.4
    put((age >= 5) & (age < 6), Ed.NONE, SP.NEVER)
    put((age >= 6) & (age < 7), np.where(attending6, Ed.SD, Ed.NONE), np.where(attending6, SP.ATTENDING, SP.NEVER))
    primary = (age >= 7) & (age < 13)
    put(primary, np.where(u < 0.98, Ed.SD, Ed.NONE), np.where(u < 0.98, SP.ATTENDING, SP.NEVER))
    junior = (age >= 13) & (age < 16)
    put(junior, np.where(u < 0.88, Ed.SMP, Ed.SD), np.where(u < 0.88, SP.ATTENDING, SP.NOT_ANYMORE))
    senior = (age >= 16) & (age < 19)
    put(senior, np.where(u < 0.68, upper_secondary, lower_dropout),
        np.where(u < 0.68, SP.ATTENDING, SP.NOT_ANYMORE))
    young_adult = (age >= 19) & (age < 24)
    put(young_adult, np.where(u < 0.10, higher, adult_level), np.where(u < 0.10, SP.ATTENDING, SP.NOT_ANYMORE))
    put(age >= 24, adult_level, SP.NOT_ANYMORE)
    school = np.where((edu == Ed.NONE) & (school == SP.NOT_ANYMORE), SP.NEVER, school)
    ind["education"], ind["school"] = edu, school


def _work(rng: np.random.Generator, ind: dict[str, np.ndarray]) -> None:
    age, sex, school, marital = ind["age"], ind["sex"], ind["school"], ind["marital"]
    total = len(age)
    code = {name: index for index, name in enumerate(OCCUPATIONS)}
    occupation = np.full(total, code[v.NOT_YET_WORKING[0]], dtype=np.int64)
    employment = np.full(total, -1, dtype=np.int64)
    attending = school == SP.ATTENDING
    occupation[attending] = code[v.STUDENT[0]]
    employment[(age >= 10)] = c.EmploymentStatus.NOT_WORKING
    for table, mask in (
        (v.OCCUPATIONS_MALE, (age >= 15) & (age < 65) & ~attending & (sex == S.MALE)),
        (v.OCCUPATIONS_FEMALE, (age >= 15) & (age < 65) & ~attending & (sex == S.FEMALE)),
        (v.OCCUPATIONS_ELDERLY, age >= 65),
    ):
        names = np.array([code[row[0]] for row in table])
        statuses = np.array([int(row[1]) for row in table])
        index = pick(rng, total, [row[2] for row in table])
        occupation[mask] = names[index][mask]
        employment[mask] = statuses[index][mask]
    never_married_homemaker = (occupation == code[v.HOMEMAKER[0]]) & (marital == M.SINGLE)
    occupation[never_married_homemaker] = code[v.NOT_YET_WORKING[0]]
    ind["occupation"], ind["employment"] = occupation, employment


def _health(rng: np.random.Generator, ind: dict[str, np.ndarray]) -> None:
    age, sex, marital = ind["age"], ind["sex"], ind["marital"]
    total = len(age)
    asked = age >= 2
    difficulty = np.where(asked[:, None], c.Difficulty.NONE, -1).astype(np.int64) * np.ones((1, 9), dtype=np.int64)
    p_difficulty = np.where(age < 15, 0.01, np.where(age < 60, 0.02, 0.12))
    has = asked & (rng.random(total) < p_difficulty)
    primary = pick(rng, total, DIFFICULTY_DOMAIN_WEIGHTS)
    primary_level = table_pick(rng, total, ((c.Difficulty.SOME, .6), (c.Difficulty.A_LOT, .3),
                                            (c.Difficulty.CANNOT, .1)))
    secondary = rng.integers(0, 9, total)
    secondary_level = table_pick(rng, total, ((c.Difficulty.SOME, .7), (c.Difficulty.A_LOT, .25),
                                               (c.Difficulty.CANNOT, .05)))
    second = has & (rng.random(total) < 0.3) & (secondary != primary)
    rows = np.arange(total)
    difficulty[rows[has], primary[has]] = primary_level[has]
    difficulty[rows[second], secondary[second]] = secondary_level[second]

    p_chronic = np.where(age >= 40, np.minimum(0.15 + (age - 40) * 0.004, 0.35), 0.02)
    chronic_draw = rng.random(total) < p_chronic
    illness = np.where(age >= 40, table_pick(rng, total, CHRONIC_OLDER), table_pick(rng, total, CHRONIC_YOUNGER))
    chronic = np.where(chronic_draw, illness, c.ChronicIllness.NONE)

    pregnant = (sex == S.FEMALE) & (age >= 17) & (age < 46) & (marital == M.MARRIED) & (rng.random(total) < 0.07)
    ind["difficulty"], ind["chronic"], ind["pregnant"] = difficulty, chronic, pregnant


def _presence(rng: np.random.Generator, ind: dict[str, np.ndarray], today: int) -> None:
    """Stale records: about 2% died, 2% moved away, 0.5% not found; the rows stay with their status."""
    age, sex, relation, birth = ind["age"], ind["sex"], ind["relation"], ind["birth"]
    total = len(age)
    if not total:
        ind.update(presence=np.zeros(0, np.int64), presence_date=np.zeros(0, np.int64),
                   presence_note=np.zeros(0, np.int64))
        return
    w_died = np.select([age >= 75, age >= 60, age >= 45, age < 1], [15.0, 6.0, 1.5, 1.0], 0.3)
    w_moved = np.where((age >= 18) & (age <= 35), 4.0, np.where(age < 15, 0.6, 1.0))
    w_moved = np.where(relation == R.HEAD, w_moved * 0.5, w_moved)
    p_died = 0.02 * w_died / w_died.mean()
    p_moved = 0.02 * w_moved / w_moved.mean()
    u = rng.random(total)
    died = u < p_died
    moved = ~died & (u < p_died + p_moved)
    not_found = ~died & ~moved & (u < p_died + p_moved + 0.005)
    presence = np.select([died, moved, not_found], [P.DIED, P.MOVED_DOMESTIC, P.NOT_FOUND], P.LIVING)
    presence = presence.astype(np.int64)
    back = np.select([died, moved, not_found], [years(3), years(4), years(1)], 0)
    presence_date = np.maximum(today - (rng.random(total) * back).astype(np.int64), birth)
    code = {text: index for index, text in enumerate(PRESENCE_NOTES)}
    moved_note = rng.integers(0, len(v.MOVED_NOTES), total) + code[v.MOVED_NOTES[0]]
    moved_note[(moved_note == code["Ikut suami"]) & (sex == S.MALE)] = code["Merantau ke Bekasi"]
    note = np.zeros(total, dtype=np.int64)
    note[died] = code[v.DIED_NOTE]
    note[moved] = moved_note[moved]
    note[not_found] = code[v.NOT_FOUND_NOTE]
    ind["pregnant"] &= presence == P.LIVING
    ind.update(presence=presence, presence_date=presence_date, presence_note=note)


def _names(rng: np.random.Generator, sex: np.ndarray,
           birth_year: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, second, third) word indices into NAMES; -1 where a name has fewer words.

    A name has one word (a single traditional name), two (given name + closing name, or two given names)
    or three (given + middle + closing), in proportions by generation; no word repeats within a name.
    """
    generation = np.searchsorted(v.GENERATION_BOUNDS, birth_year, side="right")
    out = np.full((3, len(sex)), -1, dtype=np.int64)
    code = {name: index for index, name in enumerate(NAMES)}

    def draw(group: tuple[np.ndarray, np.ndarray], k: int) -> np.ndarray:
        return np.array([code[name] for name in group[0]], dtype=np.int64)[pick(rng, k, group[1])]

    for sex_code, first, middle, last, single in (
            (S.MALE, v.FIRST_MALE, v.MIDDLE_MALE, v.SECOND_MALE, v.SINGLE_MALE),
            (S.FEMALE, v.FIRST_FEMALE, v.MIDDLE_FEMALE, v.SECOND_FEMALE, v.SINGLE_FEMALE)):
        for g in range(3):
            index = np.flatnonzero((sex == sex_code) & (generation == g))
            k = len(index)
            count = pick(rng, k, v.WORD_COUNT_SHARE[g]) + 1
            alone, a, b, z = draw(single[g], k), draw(first[g], k), draw(middle, k), draw(last, k)
            # two words: the closing word is sometimes another given name ("Rizki Fajar")
            z2 = np.where(rng.random(k) < v.GIVEN_SECOND_SHARE, b, z)
            two = (count == 2) & (a != z2)
            three = (count == 3) & (a != z) & (a != b) & (b != z)
            out[0, index] = np.where(two | three, a, alone)
            out[1, index] = np.where(three, b, np.where(two, z2, -1))
            out[2, index] = np.where(three, z, -1)
    return out[0], out[1], out[2]
