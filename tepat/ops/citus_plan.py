"""Where every table would live on PostgreSQL with Citus, for the nation (docs/SCALING.md).

One plan entry per model (`PLAN`, keyed by the model's label); `tepat/ops/tests/test_citus_plan.py` walks
`django.apps.get_models()` and holds every model to it, so a new model or a new unique key fails the test
until it is placed here.

- **distributed**: hash-distributed on `district_code`, the kabupaten/kota code (the first five characters
  of the region code, "36.04"), all in one co-location group with `registry_family`, so that a district's
  families, members, proposals, flags, lists and distribution rows sit on the same worker and every query
  of a district (import, duplicates of a district, determination, lists, pages) is routed to one shard.
  `source` says where the value comes from today: a region field of the row (`region`, `region_code`) or
  a path through a foreign key to one (`family__region`). The column does not exist yet on any table: the
  Citus migration adds `district_code` (filled from `source`) to each distributed table, makes every primary
  key `(district_code, id)` and every foreign key between distributed tables `(district_code, …_id)`.
  Unique keys other than the primary key are listed one by one: `prepend` (they become
  `(district_code, …)`, unique per district, as the rule they express is per district) or `global_unique`
  (they must stay unique across the nation: how, is the value).
  `cross` names foreign keys whose two rows may be in different districts (a Citus foreign key cannot
  cross shards): the value says what replaces the constraint.
- **reference**: small, read-mostly tables copied to every worker (regions, users, programme rules, job
  and run headers, periods); distributed tables may refer to them. A reference table never refers to a
  distributed one.
- **local**: on the coordinator only (sessions, the task queue, login throttling, heartbeats, counters,
  import and desil issue reports); no distributed table refers to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DISTRIBUTION_COLUMN = "district_code"
COLOCATION = "registry.Family"


@dataclass(frozen=True)
class Placement:
    kind: str  # "distributed", "reference", "local"
    source: str = ""  # distributed: the field path the district code is read from
    prepend: tuple[str, ...] = ()  # unique keys that become (district_code, ...): "field" or "a+b"
    global_unique: dict[str, str] = field(default_factory=dict)  # unique keys kept national, and how
    cross: dict[str, str] = field(
        default_factory=dict
    )  # FKs that may cross districts, and what replaces them
    note: str = ""


def dist(
    source: str,
    *,
    prepend: tuple[str, ...] = (),
    global_unique: dict[str, str] | None = None,
    cross: dict[str, str] | None = None,
    note: str = "",
) -> Placement:
    return Placement("distributed", source, prepend, global_unique or {}, cross or {}, note)


def ref(note: str = "") -> Placement:
    return Placement("reference", note=note)


def local(note: str = "") -> Placement:
    return Placement("local", note=note)


CODE_HAS_DISTRICT = "the code is made unique per district and carries the district code as its prefix"
LOOKUP = "a small reference table (code → district_code) routes lookups and keeps the code unique"

PLAN: dict[str, Placement] = {
    # Django, django-tasks, axes
    "auth.Permission": ref(),
    "auth.Group": ref(),
    "contenttypes.ContentType": ref(),
    "sessions.Session": local("sessions of the web servers; the coordinator serves the pages"),
    "django_tasks_database.DBTaskResult": local("the job queue: workers claim with SKIP LOCKED on one node"),
    "axes.AccessFailureLog": local(),
    "axes.AccessAttempt": local(),
    "axes.AccessAttemptExpiration": local(),
    "axes.AccessLog": local(),
    # audit
    "audit.AuditEvent": dist(
        "region_code",
        global_unique={
            "hash": "a SHA-256 of the event and its predecessor: unique by construction, the index stays per shard"
        },
        note="one hash chain per district (today one chain for the database, AuditChainHead); events "
        "without a district (system, national) go to the chain of the pseudo-district '00.00'",
    ),
    "audit.AuditChainHead": local(
        "today one row for the whole database: every write of the nation would "
        "queue on it; the Citus change is one head per district, distributed "
        "with the events"
    ),
    # regions, accounts
    "regions.Region": ref("91,599 rows"),
    "regions.RegionMasterVersion": ref(),
    "accounts.User": ref("staff of the nation: tens of thousands of rows"),
    "accounts.RegionAssignment": ref(),
    "accounts.LoginGate": local(),
    "accounts.ApiClient": ref(),
    "accounts.ApiToken": ref(),
    "accounts.IdempotencyRecord": local(),
    # registry
    "registry.Family": dist("region", note="the co-location anchor: 94M families"),
    "registry.KKNumberHistory": dist("family__region"),
    "registry.Individual": dist("family__region", note="286M people; a NIK that moves district moves rows"),
    "registry.WelfareStatus": dist("family__region"),
    "registry.ProgramParticipation": dist("family__region"),
    "registry.ImportJob": ref("one row per import; progress updates are few (one per batch)"),
    "registry.ImportIssue": local("the rejected rows of an import, read on the job's page"),
    "registry.ExportJob": ref(),
    # quality
    "quality.MatchRun": ref("run headers: any region level, province included"),
    "quality.CivilRegistryMatch": dist("region_code"),
    "quality.ExternalList": ref(),
    "quality.ListMatch": dist("region_code"),
    "quality.CandidatePair": dist(
        "region_code",
        cross={
            "right": "a pair across districts is stored with the left record's district; the right side is "
            "checked by the service, not by a foreign key",
            "right_family": "as right",
        },
    ),
    "quality.Flag": dist(
        "region_code",
        global_unique={
            "fingerprint": "the fingerprint of a pair across districts is raised in the left record's "
            "district only, so (district_code, fingerprint) keeps one flag per evidence"
        },
    ),
    "quality.MergeJournal": dist(
        "flag__region_code",
        cross={
            "kept": "a merge across districts is a move of the record first (an update proposal), then a merge "
            "in one district",
            "dropped": "as kept",
        },
    ),
    # updates
    "updates.Deliberation": dist("region"),
    "updates.DeliberationAttendee": dist("deliberation__region"),
    "updates.DeliberationItem": dist("deliberation__region", prepend=("deliberation+proposal",)),
    "updates.DeterminationPeriod": ref("one row per district and month"),
    "updates.DeterminedFamily": dist("region_code", prepend=("period+family",)),
    "updates.DeterminationHold": dist("proposal__region", prepend=("period+proposal",)),
    "updates.FreezePeriod": ref(),
    "updates.Document": dist("region"),
    "updates.Proposal": dist("region", global_unique={"reference": CODE_HAS_DISTRICT}),
    "updates.ProposalTransition": dist("proposal__region"),
    "updates.ProposalClaim": dist(
        "proposal__region",
        global_unique={
            "key": "a claim on a NIK or KK is per district once the record lives in one district; a NIK claimed in "
            "two districts is what the national duplicate search (Spark) reports"
        },
    ),
    "updates.DistrictReview": dist("proposal__region"),
    "updates.Objection": dist("region", prepend=("proposal",)),
    "updates.SubmissionBatch": dist("region", global_unique={"number": CODE_HAS_DISTRICT}),
    "updates.SubmissionRecord": dist("batch__region", prepend=("batch+proposal",)),
    "updates.FieldVerification": dist("proposal__region"),
    # targeting
    "targeting.DesilRelease": ref(),
    "targeting.FamilyDesil": dist("family__region", prepend=("release+family",)),
    "targeting.DesilIssue": local("the rejected rows of a desil import"),
    "targeting.PmtWeightSet": ref(),
    "targeting.PmtWeight": ref(),
    "targeting.PmtEstimate": dist("region_code", prepend=("weight_set+family",)),
    # programs
    "programs.Programme": ref(),
    "programs.ProgrammeRelease": ref(),
    "programs.Component": ref(),
    "programs.Rule": ref(),
    "programs.Quota": ref(),
    "programs.BeneficiaryList": ref("list headers; the entries are distributed"),
    "programs.ListEntry": dist(
        "region_code",
        prepend=("list+idx",),
        note="idx numbers a list's entries; per district it is the rank within the district",
    ),
    "programs.Substitution": dist(
        "removed__region_code",
        cross={
            "added": "the reserve family that replaces a recipient is taken from the same district's reserve "
            "(the service picks it so); the constraint is checked by the service"
        },
    ),
    "programs.ReviewItem": dist("region_code", prepend=("list+idx",)),
    "programs.VersionFacts": dist("region_code", prepend=("period+region_code+layout",),
                                  note="a list's region is inside the period's district"),
    # relief
    "relief.DisasterEvent": ref("a disaster may span districts"),
    "relief.IntakeHousehold": dist(
        "region",
        global_unique={"reference": CODE_HAS_DISTRICT},
        cross={
            "family": "evacuees are taken in where they shelter; their registry family may be in another district: "
            "matched by NIK through the service",
            "proposal": "as family",
        },
    ),
    "relief.IntakePerson": dist("household__region", cross={"individual": "as IntakeHousehold.family"}),
    "relief.ReliefItem": ref(),
    "relief.Warehouse": ref(),
    "relief.StockLot": ref(),
    "relief.StockBalance": ref("one row per warehouse and lot, updated by each movement"),
    "relief.StockMovement": dist(
        "warehouse__region",
        cross={
            "household": "a warehouse may issue to a shelter of another district; the household is checked by the "
            "service",
            "person": "as household",
        },
    ),
    "relief.MealRecord": dist("household__region"),
    # distribution
    "distribution.Channel": ref(),
    "distribution.Distribution": ref("one row per beneficiary list"),
    "distribution.DistributionList": ref(),
    "distribution.DistributionEntry": dist("region_code", prepend=("list+kpm_ref", "list+family")),
    "distribution.ExportFile": ref(),
    "distribution.ReturnItem": dist("region_code"),
    "distribution.Receipt": dist("entry__region_code", prepend=("entry",)),
    "distribution.RealisationImport": ref(),
    "distribution.RealisationLine": dist("entry__region_code", prepend=("key",)),
    "distribution.InvitationScan": dist("region_code", global_unique={"token_id": LOOKUP}),
    "distribution.InvitationPrintJob": ref(),
    "distribution.SusulanBatch": ref("one row per follow-up batch of a distribution"),
    "distribution.SusulanEntry": dist("region_code", prepend=("distribution+family",)),
    "distribution.PostCheck": ref("one row per village and distribution: the sample's header"),
    "distribution.PostCheckItem": dist("entry__region_code", prepend=("postcheck+entry",)),
    "distribution.ReceiptFile": dist("receipt__entry__region_code", prepend=("receipt",)),
    # grievances
    "grievances.Category": ref(),
    "grievances.Complaint": dist(
        "region",
        global_unique={"reference": LOOKUP},
        cross={
            "duplicate_of": "a complaint filed again in another district is linked by reference, not by a key"
        },
    ),
    "grievances.ComplaintPause": dist("complaint__region"),
    "grievances.Attachment": dist("complaint__region"),
    "grievances.FollowUp": dist("complaint__region"),
    "grievances.Institution": ref(),
    "grievances.ReferralService": ref(),
    "grievances.LetterSequence": local("the letter counter of the office"),
    "grievances.Referral": dist(
        "complaint__region", prepend=("year+sequence",), global_unique={"letter_number": CODE_HAS_DISTRICT}
    ),
    "grievances.SlaTarget": ref(),
    "grievances.Holiday": ref(),
    "grievances.Escalation": dist("region_code", prepend=("complaint+stage+state",)),
    # planning: a district's plan is a few thousand rows
    "planning.NomenclatureVersion": ref(),
    "planning.NomenclatureItem": ref(),
    "planning.NomenclatureCrosswalk": ref(),
    "planning.PredicateBand": ref(),
    "planning.Plan": ref(),
    "planning.PlanVersion": ref(),
    "planning.PlanLine": ref(),
    "planning.RenstraTarget": ref(),
    "planning.QuarterSnapshot": ref(),
    "planning.Realisation": ref(),
    "planning.SourceDocument": ref(),
    "planning.SourceRow": ref(),
    # public
    "public.CitizenReport": dist("region", global_unique={"tracking_code": LOOKUP}, prepend=("objection",)),
    "public.SpentChallenge": local(),
    # reports
    "reports.RecapRun": ref("one row per computation of a region's recap"),
    "reports.RecapFigure": dist("region_code", note="one row per village, figure and run; summed upward by the pages"),
    # ops
    "ops.WorkerHeartbeat": local(),
}
