"""The polars pre-step of the duplicate search: the compared columns, the blocking keys (a block past its cap
is left out by a null key, so Splink's equi-join never sees it) and the household context, all per record, so
that the blocking, the comparison and the score run in DuckDB through Splink (ADR 0016)."""

from __future__ import annotations

import polars as pl

from tepat.quality.matching.names import match_key_expr, sorted_words_expr

BROAD_BLOCK = 150  # people per block of a broad blocking rule (heaped dates: 1 January, 31 December)
HOUSEHOLD_FAMILY_CAP = 30  # members per family for the household expansion

# the blocking keys: (column, compared columns, broad); every rule also requires two different families
BLOCKS = (
    ("b_nik", ("nik",), False),
    ("b_name", ("key", "bd_canon"), False),
    ("b_prefix", ("bd_canon", "prefix"), True),
    ("b_kec", ("bd_canon", "kecamatan", "initial"), True),
    ("b_village", ("bd_canon", "village"), True),
)


def nik_date_expr(birth_date: str = "birth_date", sex: str = "sex") -> pl.Expr:
    """The DDMMYY a NIK encodes for a birth date (yyyymmdd integer) and sex (women: day + 40)."""
    bd = pl.col(birth_date)
    day = bd % 100 + pl.when(pl.col(sex) == 2).then(40).otherwise(0)
    return (day.cast(pl.String).str.zfill(2) + (bd // 100 % 100).cast(pl.String).str.zfill(2)
            + (bd // 10000 % 100).cast(pl.String).str.zfill(2))


def prepare(frame: pl.DataFrame) -> pl.DataFrame:
    """The compared columns: a valid NIK or null (and whether it encodes the record's own birth date and sex),
    the match key and its words sorted, dates as yyyymmdd integers (and swapped, and a swap-proof key),
    kecamatan."""
    bd = pl.col("birth_date")
    day, month, year = bd.dt.day().cast(pl.Int64), bd.dt.month().cast(pl.Int64), bd.dt.year().cast(pl.Int64)
    keys = frame.select(pl.col("name_key").fill_null("").unique())
    keys = keys.with_columns(match_key_expr("name_key").alias("key")).with_columns(
        sorted_words_expr("key").alias("key_sorted"))
    nik = pl.col("nik").fill_null("")
    prepared = frame.join(keys, on=pl.col("name_key").fill_null(""), how="left", maintain_order="left").select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("row_id"),
        pl.col("id").cast(pl.String),
        pl.col("family_id").cast(pl.String),
        pl.when(nik.str.contains(r"^\d{16}$")).then(nik).otherwise(None).alias("nik"),
        pl.when(pl.col("name_key").fill_null("") != "").then(pl.col("name_key")).otherwise(None).alias("name_key"),
        pl.when(pl.col("key") != "").then(pl.col("key")).otherwise(None).alias("key"),
        pl.when(pl.col("key") != "").then(pl.col("key_sorted")).otherwise(None).alias("key_sorted"),
        pl.col("key").str.slice(0, 1).alias("initial"),
        pl.col("key").str.slice(0, 3).alias("prefix"),
        (year * 10000 + month * 100 + day).alias("birth_date"),
        pl.when(day <= 12).then(year * 10000 + day * 100 + month).otherwise(None).alias("bd_swapped"),
        (year * 10000 + pl.min_horizontal(day, month) * 100 + pl.max_horizontal(day, month)).alias("bd_canon"),
        pl.col("sex").cast(pl.Int16),
        pl.col("village").cast(pl.String),
        pl.col("village").cast(pl.String).str.slice(0, 8).alias("kecamatan"),
    )
    return prepared.with_columns(
        (pl.col("nik").str.slice(6, 6) == nik_date_expr()).fill_null(True).alias("nik_ok"),
        # integer codes for the joins and comparisons in DuckDB
        pl.col("family_id").rank("dense").cast(pl.Int64).alias("family"),
        pl.col("village").hash(7).alias("village_code"), pl.col("kecamatan").hash(7).alias("kecamatan_code"))


def block_keys(people: pl.DataFrame, max_block: int) -> pl.DataFrame:
    """One key column per blocking rule: a 64-bit hash of the compared columns (a collision only adds a pair to
    score), null where one is missing or where the block holds one person or more than its cap (`max_block`,
    the broad rules `BROAD_BLOCK`)."""
    broad = max(2, min(max_block, BROAD_BLOCK))
    columns = []
    for name, cols, is_broad in BLOCKS:
        present = pl.all_horizontal([pl.col(c).is_not_null() for c in cols])
        key = pl.when(present).then(pl.struct(cols).hash(11) if len(cols) > 1 else pl.col(cols[0]).hash(11))
        size = pl.len().over(key)
        columns.append(pl.when(key.is_not_null() & (size > 1) & (size <= (broad if is_broad else max_block)))
                       .then(key).otherwise(None).alias(name))
    return people.with_columns(columns)


def _strong_pairs(people: pl.DataFrame) -> pl.DataFrame:
    """Pairs (l < r) in two families sharing the NIK block or the name-and-date block: the same person for sure
    enough to bring the rest of both households into the comparison."""
    out = []
    for column in ("b_nik", "b_name"):
        sub = people.select("row_id", "family", column).drop_nulls(column)
        out.append(sub.join(sub, on=column, suffix="_r").filter(
            (pl.col("row_id") < pl.col("row_id_r")) & (pl.col("family") != pl.col("family_r")))
            .select(pl.col("row_id").alias("l"), pl.col("row_id_r").alias("r")))
    return pl.concat(out).unique()


def household_links(people: pl.DataFrame) -> pl.DataFrame:
    """Family pairs (fa < fb) linked by strong pairs, with how many, and the families' sizes."""
    fam = people.select("row_id", pl.col("family").alias("family_id"))
    strong = _strong_pairs(people)
    linked = strong.join(fam.rename({"row_id": "l", "family_id": "fl"}), on="l").join(
        fam.rename({"row_id": "r", "family_id": "fr"}), on="r").select(
        pl.min_horizontal("fl", "fr").alias("fa"), pl.max_horizontal("fl", "fr").alias("fb"))
    sizes = fam.group_by("family_id").len()
    return (linked.group_by("fa", "fb").agg(pl.len().alias("links"))
            .join(sizes.rename({"family_id": "fa", "len": "size_a"}), on="fa")
            .join(sizes.rename({"family_id": "fb", "len": "size_b"}), on="fb"))


def _groups(edges: pl.DataFrame) -> pl.DataFrame:
    """family_id -> the smallest family within two links (exact for the groups a household listed twice or three
    times makes; a longer chain is split, which only leaves some of its member pairs to the other rules)."""
    both = pl.concat([edges.select(pl.col("fa").alias("family_id"), pl.col("fb").alias("other")),
                      edges.select(pl.col("fb").alias("family_id"), pl.col("fa").alias("other"))])
    one = both.group_by("family_id").agg(pl.min_horizontal(pl.col("other").min(), pl.col("family_id").first())
                                         .alias("group"))
    two = both.join(one.rename({"family_id": "other", "group": "g"}), on="other").group_by("family_id").agg(
        pl.col("g").min())
    return one.join(two, on="family_id").select("family_id", pl.min_horizontal("group", "g").alias("group"))


def with_household(people: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """Per record: `hh`, the group of families linked by strong pairs (families of at most
    `HOUSEHOLD_FAMILY_CAP` members, groups of at most twice that many people), and `b_hh` the group with the
    swap-proof birth date: Splink blocks on it, so a member of a household listed twice whose name and NIK were
    both mistyped is still compared with its other listing (household support needs the date anyway); as lists,
    `linked1` the families linked to its family by one strong pair or more, `linked2` by two or more (a pair
    that is itself strong has household support only when another pair links the families too). Families are
    the integer codes of `prepare` (`family`)."""
    small = links.filter((pl.col("size_a") <= HOUSEHOLD_FAMILY_CAP) & (pl.col("size_b") <= HOUSEHOLD_FAMILY_CAP))
    groups = _groups(small.select("fa", "fb"))
    sizes = people.group_by(pl.col("family").alias("family_id")).len()
    groups = groups.join(sizes, on="family_id").filter(
        pl.col("len").sum().over("group") <= 2 * HOUSEHOLD_FAMILY_CAP).select(
        pl.col("family_id").alias("family"), pl.col("group").alias("hh"))
    both = pl.concat([links.select(pl.col("fa").alias("family"), pl.col("fb").alias("other"), "links"),
                      links.select(pl.col("fb").alias("family"), pl.col("fa").alias("other"), "links")])
    per_family = both.group_by("family").agg(
        pl.col("other").alias("linked1"), pl.col("other").filter(pl.col("links") >= 2).alias("linked2"))
    empty = pl.lit([], dtype=pl.List(pl.Int64))
    return (people.join(groups, on="family", how="left", maintain_order="left")
            .join(per_family, on="family", how="left", maintain_order="left")
            .with_columns(pl.col("linked1").fill_null(empty), pl.col("linked2").fill_null(empty),
                          pl.when(pl.col("hh").is_not_null()).then(pl.struct("hh", "bd_canon").hash(13))
                          .alias("b_hh")))
