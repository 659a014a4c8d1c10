"""The update workflow at work in the demo district (`tepat demo-workflow`, part of `make demo`).

Proposals of every kind and in every stage, in the demo users' village (Kramatwatu, 36.04.05.2001) and a
few more in other villages of its kecamatan, moved only through this app's services (so each step has
its transition row and audit event, exactly as when people click). Three phases, each idempotent:

1. proposals walked to a signed village deliberation (one rejected there), the first ones approved by the
   district (removals through the supervisor);
2. the current month's determination period determined (applies what phase 1 approved, freezes the
   version); skipped when the district already has a determined period;
3. after it: the accepted ones approved, rejected with a reason, approved and pulled back; new drafts,
   submitted ones, open field assignments for the PSM, visits (GPS), a planned deliberation with attendees
   and one decision, a withdrawal, a rejection in the field; the next period opened.

Phases 1 and 3 each run in one transaction and are recognised by their deliberation's number, so a rerun
(or a run after a failure) creates nothing twice. Civil-registry flags (died, moved) raised by
`match-civil-registry` are turned into proposals with `proposal_create_from_flag` where there are some.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tepat.accounts.demo import DEMO_DISTRICT, DEMO_VILLAGE
from tepat.accounts.models import User
from tepat.core.exceptions import ApplicationError, BusinessRuleViolation
from tepat.quality.models import Flag
from tepat.registry import choices as c
from tepat.registry.models import Family, Individual
from tepat.updates import kinds
from tepat.updates.models import Deliberation, DeliberationItem, DeterminationPeriod, Proposal, ProposalClaim
from tepat.updates.pdf import minutes_pdf
from tepat.updates.services.deliberations import (
    deliberation_agenda_add,
    deliberation_attendee_add,
    deliberation_create,
    deliberation_decide,
    deliberation_finalise,
    deliberation_sign,
)
from tepat.updates.services.determination import (
    period_bounds,
    period_create,
    period_determine,
    period_determine_run,
)
from tepat.updates.services.from_flags import proposal_create_from_flag
from tepat.updates.services.proposals import (
    proposal_assign,
    proposal_create,
    proposal_submit,
    proposal_withdraw,
)
from tepat.updates.services.reviews import proposal_approve, proposal_pull_back, proposal_reject
from tepat.updates.services.verification import verification_record

S = Proposal.Status
K = Proposal.Kind
SESSION_SIGNED = "DEMO/MUSDES/1"  # phase 1's session: its existence marks the phase as done
SESSION_PLANNED = "DEMO/MUSDES/2"  # phase 3's session
USERNAMES = ("operator.desa", "psm", "kades", "tksk", "dinsos.operator", "dinsos.supervisor")
GPS = ("-6.0478", "106.1032")  # Kramatwatu
PLACE = "Balai Desa Kramatwatu"


class DemoWorkflowError(BusinessRuleViolation):
    pass


@dataclass
class Actors:
    operator: User  # operator.desa: proposes, assigns, runs the session
    psm: User  # facilitator: field visits
    head: User  # kades: finalises and signs the minutes
    tksk: User  # district officer: assigns
    dinsos: User  # dinsos.operator: district check, proposes for other villages
    supervisor: User  # dinsos.supervisor: removals, pull back, determination


@dataclass
class Report:
    phases: dict[str, str] = field(default_factory=dict)
    created: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    open_assignments: int = 0
    period: str = ""
    next_period: str = ""
    flags_used: int = 0


def demo_actors() -> Actors:
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES, is_active=True)}
    missing = [name for name in USERNAMES if name not in users]
    if missing:
        raise DemoWorkflowError(f"Pengguna demo {', '.join(missing)} tidak ada: jalankan `tepat demo-users` / "
                                f"demo users {', '.join(missing)} missing: run `tepat demo-users`")
    u = users
    return Actors(u["operator.desa"], u["psm"], u["kades"], u["tksk"], u["dinsos.operator"], u["dinsos.supervisor"])


# Picking registry records and fresh numbers ------------------------------------------------------------------

class Picker:
    """Families and members nobody's open proposal or open flag concerns, in a stable order; fresh KK/NIK."""

    def __init__(self, village: str):
        self.village = village
        keys = set(ProposalClaim.objects.values_list("key", flat=True))
        flagged = set(Flag.objects.filter(status=Flag.Status.OPEN, region_code__startswith=village)
                      .values_list("family_id", flat=True))
        self.families = [f for f in Family.objects.filter(region_id=village, status=c.FamilyStatus.ACTIVE)
                         .order_by("id") if f"family:{f.pk}" not in keys and f.pk not in flagged]
        self.used: set[Any] = set()
        self.serial = 9000

    def family(self) -> Family:
        for family in self.families:
            if family.pk not in self.used:
                self.used.add(family.pk)
                return family
        raise DemoWorkflowError(f"Keluarga di {self.village} tidak cukup untuk demo alur / not enough families in "
                                f"{self.village} for the workflow demo (run `tepat demo-data` with more families)")

    def member(self, family: Family, *, head: bool) -> Individual:
        people = Individual.objects.filter(family=family, presence__in=c.ACTIVE_PRESENCE).order_by("relation", "id")
        person = people.first() if head else people.exclude(relation=c.Relation.HEAD).first() or people.first()
        if person is None:
            raise DemoWorkflowError(f"Keluarga {family.pk} tanpa anggota / family without members")
        return person

    def _number(self, issued: date, *, sex: int = 1, kk: bool = False) -> str:
        while True:
            self.serial += 1
            day = issued.day + (40 if sex == 2 and not kk else 0)
            number = f"360405{day:02d}{issued.month:02d}{issued.year % 100:02d}{self.serial % 10000:04d}"
            taken = (Family.objects.filter(kk_number=number) if kk else Individual.objects.filter(nik=number)).exists()
            if not taken and not ProposalClaim.objects.filter(key=f"{'kk' if kk else 'nik'}:{number}").exists():
                return number

    def person(self, name: str, *, relation: int, sex: int, born: date, **extra: Any) -> dict[str, Any]:
        return {"nik": self._number(born, sex=sex), "name": name, "sex": sex, "birth_place": "Serang",
                "birth_date": born.isoformat(), "relation": relation,
                "marital_status": c.MaritalStatus.MARRIED if relation in (1, 2) else c.MaritalStatus.SINGLE,
                **extra}

    def new_family(self, head: str, spouse: str, *, child: str = "", rt: str = "2") -> dict[str, Any]:
        members = [self.person(head, relation=1, sex=1, born=date(1988, 3, 14), occupation="Buruh harian"),
                   self.person(spouse, relation=2, sex=2, born=date(1991, 8, 2))]
        if child:
            members.append(self.person(child, relation=3, sex=1, born=date(2016, 1, 20)))
        return {"family": {"kk_number": self._number(date(2024, 11, 5), kk=True), "rw": "4", "rt": rt,
                           "address": f"Kp. Pejaten RT {rt} RW 4"}, "members": members}


# Moving proposals through the services ---------------------------------------------------------------------

class Flow:
    def __init__(self, actors: Actors, report: Report):
        self.a = actors
        self.report = report
        self.today = timezone.localdate()

    def propose(self, kind: str, payload: dict[str, Any], *, actor: User | None = None, submit: bool = True,
                source: str = Proposal.Source.VILLAGE_OPERATOR, note: str = "", **target: Any) -> Proposal:
        if "family" not in target and "individual" not in target:
            target.setdefault("region_code", DEMO_VILLAGE)
        proposal = proposal_create(actor=actor or self.a.operator, kind=kind, source=source, payload=payload,
                                   submit=submit, note=note, **target)
        self.report.created += 1
        return proposal

    def from_flag(self, flag: Flag, *, actor: User, note: str) -> Proposal:
        proposal = proposal_create_from_flag(actor=actor, flag=flag, note=note)
        proposal = proposal_submit(actor=actor, proposal=proposal)
        self.report.created += 1
        self.report.flags_used += 1
        return proposal

    def assign(self, proposal: Proposal, *, by: User | None = None) -> Proposal:
        return proposal_assign(actor=by or self.a.operator, proposal=proposal, facilitator=self.a.psm)

    def visit(self, proposal: Proposal, *, corrections: dict[str, Any] | None = None, reject: str = "",
              days_ago: int = 2, notes: str = "") -> Proposal:
        corrections = corrections or {}
        results = {fact.path: ({"result": "corrected", "value": corrections[fact.path]}
                               if fact.path in corrections else {"result": "confirmed"})
                   for fact in kinds.facts(proposal.kind, proposal.payload)}
        verification_record(
            actor=self.a.psm, proposal=proposal, visited_on=self.today - timedelta(days=days_ago),
            household_found=not reject, outcome="rejected" if reject else "confirmed", results={} if reject
            else results, rejection_reason=reject, latitude=GPS[0], longitude=GPS[1], accuracy_m=12,
            notes=notes or "Kunjungan rumah bersama ketua RT; data dicocokkan dengan KK asli.",
        )
        return Proposal.objects.get(pk=proposal.pk)

    def verified(self, proposal: Proposal, **visit: Any) -> Proposal:
        return self.visit(self.assign(proposal), **visit)

    def session(self, number: str, *, held_on: date) -> Deliberation:
        deliberation = deliberation_create(actor=self.a.operator, region_code=DEMO_VILLAGE, held_on=held_on,
                                           place=PLACE, chair_name="H. Sukarna", number=number)
        for name, position in (("H. Sukarna", "Kepala Desa"), ("Ibu Ratna Sari", "Ketua BPD"),
                               ("Dedi Supriadi", "Pendamping PSM"), ("Ust. Mahmud", "Tokoh agama"),
                               ("Siti Aminah", "Ketua RT 002")):
            deliberation_attendee_add(actor=self.a.operator, deliberation=deliberation, name=name, position=position)
        return deliberation

    def decide(self, deliberation: Deliberation, decisions: dict[Any, tuple[str, str]]) -> None:
        for item in DeliberationItem.objects.filter(deliberation=deliberation).select_related("proposal",
                                                                                               "deliberation"):
            if item.proposal_id in decisions:
                decision, reason = decisions[item.proposal_id]
                deliberation_decide(actor=self.a.operator, item=item, decision=decision, reason=reason)

    def approve(self, proposal: Proposal) -> Proposal:
        proposal = proposal_approve(actor=self.a.dinsos, proposal=proposal,
                                    note="Dokumen lengkap, sesuai hasil verifikasi dan musdes.")
        if proposal.status == S.AWAITING_SUPERVISOR:  # a removal goes on to the supervisor
            proposal = proposal_approve(actor=self.a.supervisor, proposal=proposal, note="Disetujui supervisor.")
        return proposal


def _open_flags(kind: str, *, within: str, exclude_village: str = "") -> list[Flag]:
    flags = (Flag.objects.filter(kind=kind, status=Flag.Status.OPEN, region_code__startswith=within,
                                 individual__isnull=False)
             .exclude(individual__presence__in=[c.Presence.DIED, c.Presence.MOVED_DOMESTIC])
             .order_by("region_code", "id"))
    if exclude_village:
        flags = flags.exclude(region_code=exclude_village)
    claimed = set(ProposalClaim.objects.values_list("key", flat=True))
    return [f for f in flags[:50] if f"member:{f.individual_id}" not in claimed]


# The three phases --------------------------------------------------------------------------------------------

@transaction.atomic
def _phase_before_determination(flow: Flow, pick: Picker) -> None:
    a = flow.a
    to_apply: list[Proposal] = []
    session_items: list[Proposal] = []
    # Approved before the determination: applied by it.
    newcomer = flow.verified(flow.propose(K.NEW_FAMILY, pick.new_family("Rahmat Hidayat", "Nurhayati", child="Fajar"),
                                          note="Keluarga pindahan dari Cilegon, mengontrak sejak 2024."))
    to_apply.append(newcomer)
    family = pick.family()
    change = flow.verified(flow.propose(K.CHANGE_DATA, {"target": "family", "changes": {
        "floor_area_m2": (family.floor_area_m2 or 30) + 6}}, family=family, note="Rumah ditambah satu kamar."))
    to_apply.append(change)
    died = _open_flags(Flag.Kind.DIED, within=DEMO_VILLAGE)
    if died:
        death = flow.from_flag(died[0], actor=a.operator, note="Dukcapil: meninggal; dicek ke keluarga.")
    else:  # no civil-registry flag in the village: the operator reports the death
        person = pick.member(pick.family(), head=False)
        death = flow.propose(K.REMOVE_MEMBER, {"reason": "died", "on_date": (flow.today - timedelta(days=40))
                                               .isoformat(), "note": "Laporan RT: meninggal dunia"},
                             individual=person, source=Proposal.Source.RT_RW_REPORT, reporter_name="Siti Aminah")
    to_apply.append(flow.verified(death))
    moved = _open_flags(Flag.Kind.MOVED, within=DEMO_VILLAGE)
    if moved:
        to_apply.append(flow.verified(flow.from_flag(moved[0], actor=a.operator, note="Dukcapil: pindah domisili.")))
    # Stay in the district check after the determination (phase 3 decides them).
    recovered_family = pick.family()
    recovered = flow.verified(flow.propose(K.REMOVE_FAMILY, {
        "reason": c.FamilyRemovalReason.NOT_ELIGIBLE, "on_date": "",
        "note": "Sudah mampu (graduasi): usaha warung berkembang, anak sulung bekerja tetap."},
        family=recovered_family))
    later = []
    for floor_area, note in ((45, "Lantai rumah sudah dikeramik."), (36, "Data luas rumah dikoreksi."),
                             (52, "Luas rumah setelah renovasi; menunggu pemeriksaan kabupaten.")):
        later.append(flow.verified(flow.propose(K.CHANGE_DATA, {"target": "family", "changes": {
            "floor_area_m2": floor_area}}, family=pick.family(), note=note)))
    baby_family = pick.family()
    baby = flow.verified(flow.propose(K.ADD_MEMBER, {"member": pick.person(
        "Aisyah Putri", relation=3, sex=2, born=flow.today - timedelta(days=75))}, family=baby_family,
        note="Kelahiran; akta lahir terlampir di desa."))
    pulled = flow.verified(flow.propose(K.NEW_FAMILY, pick.new_family("Asep Saepudin", "Iis Aisyah", rt="5"),
                                        note="Pasangan baru menikah, pisah KK dari orang tua."),
                           corrections={"family.rt": "6"})
    refused = flow.verified(flow.propose(K.NEW_FAMILY, pick.new_family("Wawan Kurniawan", "Lilis", rt="3"),
                                         note="Mengaku belum terdaftar."))
    session_items = [*to_apply, recovered, *later, baby, pulled, refused]
    session = flow.session(SESSION_SIGNED, held_on=flow.today - timedelta(days=1))
    deliberation_agenda_add(actor=a.operator, deliberation=session, proposals=session_items)
    decisions = {p.pk: ("accepted", "") for p in session_items}
    decisions[refused.pk] = ("rejected", "Musdes: rumah tangga tercatat di desa lain (Margasana); tidak layak diusulkan.")
    flow.decide(session, decisions)
    session = deliberation_finalise(actor=a.head, deliberation=session)
    scan = SimpleUploadedFile("berita-acara-musdes.pdf", minutes_pdf(session), content_type="application/pdf")
    deliberation_sign(actor=a.head, deliberation=session, signed_scan=scan)
    for proposal in to_apply:
        flow.approve(Proposal.objects.get(pk=proposal.pk))
    # The operator's check of the removal: forwarded, waiting for the supervisor.
    proposal_approve(actor=a.dinsos, proposal=Proposal.objects.get(pk=recovered.pk),
                     note="Hasil verifikasi: sudah mampu; diteruskan ke supervisor.")


def _phase_determination(flow: Flow, region: str) -> DeterminationPeriod | None:
    periods = DeterminationPeriod.objects.filter(region_id=region)
    running = periods.filter(status=DeterminationPeriod.Status.DETERMINING).first()
    if running is not None:  # a run stopped half-way (crash): finish it
        return period_determine_run(actor=flow.a.supervisor, period_id=running.pk)
    if periods.filter(status=DeterminationPeriod.Status.DETERMINED).exists():
        return None
    start = flow.today.replace(day=1)
    period = (periods.filter(status=DeterminationPeriod.Status.OPEN, starts_on__lte=flow.today)
              .order_by("starts_on").first()
              or period_create(actor=flow.a.dinsos, region_code=region, starts_on=start, cadence="monthly"))
    return period_determine(actor=flow.a.supervisor, period=period, decree_number=f"SK-DEMO/{period.label}",
                            decree_date=flow.today)


@transaction.atomic
def _phase_after_determination(flow: Flow, pick: Picker, region: str) -> None:
    a = flow.a
    signed = Deliberation.objects.filter(number=SESSION_SIGNED, region_id=DEMO_VILLAGE).first()
    waiting = (Proposal.objects.filter(deliberation_items__deliberation=signed, status=S.ACCEPTED)
               .order_by("created_at") if signed else Proposal.objects.none())
    by_kind: dict[str, list[Proposal]] = {}
    for proposal in waiting:
        by_kind.setdefault(proposal.kind, []).append(proposal)
    changes, newcomers, members = by_kind.get(K.CHANGE_DATA, []), by_kind.get(K.NEW_FAMILY, []), \
        by_kind.get(K.ADD_MEMBER, [])
    if changes:
        flow.approve(changes[0])  # approved, waiting for the next period
    if len(changes) > 1:
        proposal_reject(actor=a.dinsos, proposal=changes[1],
                        reason="Luas lantai tidak sesuai foto rumah; ajukan ulang dengan pengukuran.")
    # changes[2:] stay accepted: the Dinsos operator's queue (district check)
    for proposal in members:
        flow.approve(proposal)
    for proposal in newcomers:  # approved, then taken back by the supervisor (a duplicate found late)
        proposal = flow.approve(proposal)
        proposal_pull_back(actor=a.supervisor, proposal=proposal,
                           reason="Diduga sama dengan usulan keluarga di desa tetangga; periksa ulang sebelum penetapan.")

    # Early stages in the village.
    flow.propose(K.NEW_FAMILY, pick.new_family("Ujang Sopandi", "Euis Komariah", rt="1"), submit=False,
                 note="Draf: menunggu fotokopi KK.")
    flow.propose(K.CHANGE_DATA, {"target": "member", "changes": {"occupation": "Pedagang keliling"}},
                 individual=pick.member(pick.family(), head=True), submit=False, note="Draf: pekerjaan berubah.")
    for head, spouse in (("Dadang Suherman", "Yeni"), ("Oman Abdurahman", "Tati")):
        flow.propose(K.NEW_FAMILY, pick.new_family(head, spouse, rt="7"), source=Proposal.Source.OUTREACH,
                     note="Dari penjangkauan PSM; menunggu penugasan verifikasi.")
    withdrawn = flow.propose(K.CHANGE_DATA, {"target": "family", "changes": {"floor_area_m2": 28}},
                             family=pick.family())
    proposal_withdraw(actor=a.operator, proposal=withdrawn, reason="Salah keluarga; diusulkan ulang dengan KK benar.")
    # Open assignments for the PSM's field app (/lapangan/).
    field_work = [
        flow.propose(K.NEW_FAMILY, pick.new_family("Endang Kosasih", "Imas", child="Rizki", rt="8"),
                     source=Proposal.Source.CITIZEN_REQUEST, source_reference="140/27/Ds.Krw/2026",
                     note="Surat permohonan warga."),
        flow.propose(K.CHANGE_DATA, {"target": "family", "changes": {"floor_area_m2": 21}}, family=pick.family(),
                     note="Rumah rusak sebagian setelah hujan angin."),
        flow.propose(K.REMOVE_FAMILY, {"reason": c.FamilyRemovalReason.NOT_ELIGIBLE, "on_date": "",
                                       "note": "Laporan RT: sudah mampu, memiliki mobil angkutan."},
                     family=pick.family(), source=Proposal.Source.RT_RW_REPORT, reporter_name="Siti Aminah"),
        flow.propose(K.ADD_MEMBER, {"member": pick.person("Muhammad Rafa", relation=3, sex=1,
                                                          born=flow.today - timedelta(days=30))},
                     family=pick.family(), note="Kelahiran bulan lalu."),
        flow.propose(K.CHANGE_DATA, {"target": "member", "changes": {"education": c.Education.SD}},
                     individual=pick.member(pick.family(), head=False), note="Anak sudah masuk SD."),
    ]
    for index, proposal in enumerate(field_work):
        flow.assign(proposal, by=a.tksk if index % 2 else a.operator)
    # Visited: rejected in the field, and verified ones for the next session.
    flow.verified(flow.propose(K.NEW_FAMILY, pick.new_family("Karta", "Enok", rt="9")),
                  reject="Rumah kosong; tetangga menyatakan keluarga sudah pindah ke Tangerang.")
    ready = [
        flow.verified(flow.propose(K.CHANGE_DATA, {"target": "family", "changes": {"floor_area_m2": 24}},
                                   family=pick.family())),
        flow.verified(flow.propose(K.NEW_FAMILY, pick.new_family("Jajang Nurjaman", "Ela", rt="4")),
                      corrections={"family.address": "Kp. Pejaten Hilir RT 4 RW 4"}),
        flow.verified(flow.propose(K.REMOVE_FAMILY, {"reason": c.FamilyRemovalReason.NOT_ELIGIBLE, "on_date": "",
                                                     "note": "Sudah mampu: kepala keluarga diangkat PPPK."},
                                   family=pick.family())),
    ]
    session = flow.session(SESSION_PLANNED, held_on=flow.today + timedelta(days=7))
    deliberation_agenda_add(actor=a.operator, deliberation=session, proposals=ready[:2])
    flow.decide(session, {ready[0].pk: ("accepted", "")})  # one decided, one still to discuss; ready[2] waits

    # Other villages of the kecamatan: the Dinsos operator's entries and the civil-registry flags there.
    others = list(Family.objects.filter(region__code__startswith=DEMO_DISTRICT, status=c.FamilyStatus.ACTIVE)
                  .exclude(region_id=DEMO_VILLAGE).values_list("region_id", flat=True).distinct()
                  .order_by("region_id")[:2])
    for village, (head, spouse) in zip(others, (("Tarya", "Sumiati"), ("Ade Rohmat", "Nani Suryani")), strict=False):
        flow.propose(K.NEW_FAMILY, pick.new_family(head, spouse, rt="1"), actor=a.dinsos,
                     source=Proposal.Source.DISTRICT, region_code=village, note="Rujukan dari SLRT kabupaten.")
    for kind in (Flag.Kind.DIED, Flag.Kind.MOVED):
        for flag in _open_flags(kind, within=DEMO_DISTRICT, exclude_village=DEMO_VILLAGE)[:2]:
            try:
                with transaction.atomic():
                    flow.from_flag(flag, actor=a.dinsos, note="Dari pencocokan Dukcapil.")
            except ApplicationError:  # e.g. the member is already claimed by another proposal: leave the flag open
                continue
    # The next period, open: the determination page shows what waits for it.
    current = (DeterminationPeriod.objects.filter(region_id=region).order_by("-starts_on").first())
    if current is not None:
        start = current.ends_on + timedelta(days=1)
        if not DeterminationPeriod.objects.filter(region_id=region, starts_on__lte=period_bounds(
                start, current.cadence)[0], ends_on__gte=start).exists():
            period_create(actor=a.dinsos, region_code=region, starts_on=start, cadence=current.cadence)


def demo_workflow_ensure(*, region_code: str = "36.04") -> Report:
    """Make sure the demo district shows every stage of the update workflow. Safe to rerun."""
    if not DEMO_VILLAGE.startswith(region_code):
        raise DemoWorkflowError(f"Desa demo {DEMO_VILLAGE} tidak di bawah {region_code} / the demo village is not "
                                f"under {region_code}")
    actors = demo_actors()
    report = Report()
    flow = Flow(actors, report)
    village = Deliberation.objects.filter(region_id=DEMO_VILLAGE)
    if village.filter(number=SESSION_SIGNED).exists():
        report.phases["1"] = "skipped"
    else:
        _phase_before_determination(flow, Picker(DEMO_VILLAGE))
        report.phases["1"] = "done"
    if village.filter(number=SESSION_PLANNED).exists():
        report.phases["2"] = report.phases["3"] = "skipped"
    else:
        period = _phase_determination(flow, region_code)
        report.phases["2"] = "done" if period is not None else "skipped (already determined)"
        _phase_after_determination(flow, Picker(DEMO_VILLAGE), region_code)
        report.phases["3"] = "done"
    return summarise(report, region_code=region_code, psm=actors.psm)


def summarise(report: Report, *, region_code: str, psm: User) -> Report:
    within = Proposal.objects.filter(region__code__startswith=DEMO_DISTRICT)
    report.statuses = dict(Counter(within.values_list("status", flat=True)))
    report.open_assignments = within.filter(status=S.IN_VERIFICATION, assigned_to=psm).count()
    periods = DeterminationPeriod.objects.filter(region_id=region_code).order_by("starts_on")
    determined = periods.filter(status=DeterminationPeriod.Status.DETERMINED).last()
    upcoming = periods.filter(status=DeterminationPeriod.Status.OPEN).last()
    report.period = f"{determined.label} ({determined.applied_count} applied)" if determined else ""
    report.next_period = upcoming.label if upcoming else ""
    return report
