"""The public surface: lookup (identical answers, exact match only, throttles, the challenge), citizens'
reports (tracking code, objector hidden from the village, queue actions), transparency, and a crawler
that finds no personal data on any public page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import DISTRICT, VILLAGE, assert_audited, audit_seq, client_for
from tepat.public.tests.conftest import solved

MATRIX_ROUTES = {
    "page public:index", "page public:challenge", "page public:region_picker", "page public:lookup",
    "page public:objection", "page public:proposal", "page public:track", "page public:transparency",
    "page public:published_list", "page public:open_data", "page public:queue", "page public:report_detail",
    "GET /api/v1/public/challenge", "POST /api/v1/public/lookup", "POST /api/v1/public/track",
    "GET /api/v1/public/transparency/recipients",
    "page public:complaint_open_data", "GET /api/v1/public/transparency/complaints",
}

PICK = {"province": "36", "regency": "36.04", "kecamatan": "36.04.05", "village": VILLAGE}
_TOKENS = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": |nonce=)"[^"]*"')


def _body(response) -> str:
    return _TOKENS.sub("", response.content.decode())


def _lookup(client, **data):
    return client.post(reverse("public:lookup"), {**PICK, "altcha": solved(), **data})


pytestmark = pytest.mark.django_db


def test_recipient_sees_programmes_with_a_masked_name(approved):
    response = _lookup(Client(), name="  budi ")
    text = response.content.decode()
    assert response.status_code == 200
    assert "Bu•••" in text and "Program Keluarga Harapan" in text and "Jan–Mar" in text
    assert_audited("public.lookup", actor=_anon(), by="name")


def test_absent_and_not_recipient_answer_identically(approved):
    # f_rich's head "Kaya" is in the registry but on no approved list; "Tidak Ada" is nobody.
    not_recipient = _lookup(Client(), name="Kaya")
    absent = _lookup(Client(), name="Tidak Ada Orang Ini")
    assert not_recipient.status_code == absent.status_code == 200
    assert _body(not_recipient) == _body(absent)
    assert "Kaya" not in not_recipient.content.decode()
    api = Client()
    a = api.post("/api/v1/public/lookup", {"name": "Kaya", "village": VILLAGE, "altcha": solved()},
                 content_type="application/json")
    b = api.post("/api/v1/public/lookup", {"name": "Tidak Ada", "village": VILLAGE, "altcha": solved()},
                 content_type="application/json")
    assert a.status_code == b.status_code == 200 and a.json() == b.json() == {"recipient": False, "masked_name": "",
                                                                                 "programmes": []}


def test_never_matches_partially(approved):
    for name in ("Bud", "bu", "Budi Santoso", "Budy", "B*", "%", "Budi%", "_udi"):
        response = Client().post("/api/v1/public/lookup", {"name": name, "village": VILLAGE, "altcha": solved()},
                                 content_type="application/json")
        assert response.json()["recipient"] is False, name
    exact = Client().post("/api/v1/public/lookup", {"name": "BUDI", "village": VILLAGE, "altcha": solved()},
                          content_type="application/json")
    assert exact.json()["recipient"] is True


def test_nik_and_name_must_both_match(approved):
    head = approved.f_preg3.members.get(relation=1)
    ok = Client().post("/api/v1/public/lookup", {"name": "BUDI", "nik": head.nik, "altcha": solved()},
                       content_type="application/json")
    assert ok.json()["recipient"] is True and ok.json()["masked_name"] == "Bu•••"
    wrong = Client().post("/api/v1/public/lookup", {"name": "Siti", "nik": head.nik, "altcha": solved()},
                          content_type="application/json")
    assert wrong.json()["recipient"] is False


def test_lookup_is_audited_with_hashes_only(approved):
    from tepat.audit.models import AuditEvent

    head = approved.f_preg3.members.get(relation=1)
    before = audit_seq()
    Client().post("/api/v1/public/lookup", {"name": "Budi", "nik": head.nik, "altcha": solved()},
                  content_type="application/json")
    event = AuditEvent.objects.get(seq__gt=before, action="public.lookup")
    assert event.actor_label == "anonymous" and len(event.data["subject_hash"]) == 64
    assert head.nik not in str(event.data) and "Budi" not in str(event.data) and "127.0.0.1" not in str(event.data)


def test_challenge_required_and_not_replayable(db):
    client = Client()
    missing = client.post("/api/v1/public/lookup", {"name": "Budi", "village": VILLAGE, "altcha": ""},
                          content_type="application/json")
    assert missing.status_code == 422
    bogus = client.post("/api/v1/public/lookup", {"name": "Budi", "village": VILLAGE, "altcha": "eyJ4IjoxfQ=="},
                        content_type="application/json")
    assert bogus.status_code == 422
    payload = solved()
    first = client.post("/api/v1/public/lookup", {"name": "Budi", "village": VILLAGE, "altcha": payload},
                        content_type="application/json")
    replay = client.post("/api/v1/public/lookup", {"name": "Budi", "village": VILLAGE, "altcha": payload},
                         content_type="application/json")
    assert first.status_code == 200 and replay.status_code == 422
    page = client.post(reverse("public:lookup"), {**PICK, "name": "Budi", "altcha": payload})
    assert "lookup-answer" not in page.content.decode() and "alert--error" in page.content.decode()


def _api_lookup(client, name="Budi", **extra):
    return client.post("/api/v1/public/lookup", {"name": name, "village": VILLAGE, "altcha": solved(), **extra},
                       content_type="application/json")


def test_throttle_per_ip(approved, settings):
    settings.TEPAT_PUBLIC_LIMIT_IP = 3
    client = Client()
    codes = [_api_lookup(client, name=f"Orang {i}").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _api_lookup(other, name="Orang X").status_code == 200
    assert_audited("public.throttled", actor=_anon(), limit="ip")


def test_throttle_per_subject(approved, settings):
    settings.TEPAT_PUBLIC_LIMIT_SUBJECT = 2
    codes = [_api_lookup(Client(REMOTE_ADDR=f"10.0.1.{i}")).status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert _api_lookup(Client(REMOTE_ADDR="10.0.2.1"), name="Siti").status_code == 200
    assert_audited("public.throttled", actor=_anon(), limit="subject")


def test_throttle_global(approved, settings):
    settings.TEPAT_PUBLIC_LIMIT_GLOBAL = 2
    codes = [_api_lookup(Client(REMOTE_ADDR=f"10.0.3.{i}"), name=f"Nama {i}").status_code for i in range(3)]
    assert codes == [200, 200, 429]
    page = Client(REMOTE_ADDR="10.0.3.99").post(reverse("public:lookup"), {**PICK, "name": "Budi", "altcha": solved()})
    assert page.status_code == 429 and "Program Keluarga Harapan" not in page.content.decode()


def _anon():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


# ---- citizens' reports ------------------------------------------------------------------------------


def _sanggah(client=None, **data):
    client = client or Client()
    return client.post(reverse("public:objection"), {
        **PICK, "send": "1", "subject_name": "Kaya", "rt": "1", "reason": "not_eligible",
        "statement": "Punya mobil dan toko besar.", "objector_name": "Pelapor Rahasia",
        "objector_contact": "0812-1111-2222", "altcha": solved(), **data})


def _code(response) -> str:
    match = re.search(r"data-tracking-code>([A-Z0-9-]+)<", response.content.decode())
    assert match, response.content.decode()[-1500:]
    return match.group(1)


def test_sanggah_gets_a_tracking_code_and_is_audited(approved):
    from tepat.public.models import CitizenReport

    response = _sanggah()
    code = _code(response)
    report = CitizenReport.objects.get(tracking_code=code)
    assert report.family_id == approved.f_rich.pk and report.status == "received"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code)
    assert_audited("citizen_report.create", actor=_anon(), target=report, kind="sanggah", identified=True)
    assert "Pelapor Rahasia" not in str(list(report.__class__.objects.none()))


def test_sanggah_answer_does_not_depend_on_the_person(approved):
    known, unknown = _sanggah(), _sanggah(subject_name="Tidak Pernah Ada")
    strip = lambda r: re.sub(r"data-tracking-code>[A-Z0-9-]+<", "", _body(r))  # noqa: E731
    assert known.status_code == unknown.status_code == 200 and strip(known) == strip(unknown)


def test_sanggah_needs_the_challenge(db):
    from tepat.public.models import CitizenReport

    response = _sanggah(altcha="")
    assert response.status_code == 200 and CitizenReport.objects.count() == 0


def test_report_throttle_per_ip(db, settings):
    settings.TEPAT_PUBLIC_REPORT_LIMIT_IP = 2
    client = Client()
    statuses = [_sanggah(client).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_tracking_code_shows_status_only(approved, village_operator):
    code = _code(_sanggah())
    client = Client()
    page = client.post(reverse("public:track"), {"code": code.lower().replace("-", " ")})
    text = page.content.decode()
    assert "Kaya" not in text and "Pelapor" not in text and "0812" not in text
    assert re.search(r"data-status>[^<]+<", text)
    api = client.post("/api/v1/public/track", {"code": code}, content_type="application/json").json()
    assert api["found"] is True and api["status"] == "received"
    assert client.post("/api/v1/public/track", {"code": "ZZZZ-ZZZZ-ZZZZ"},
                       content_type="application/json").json() == {"found": False, "kind": "", "status": "",
                                                                   "workflow_status": ""}


def test_objector_identity_hidden_from_the_village(approved, village_operator, dinsos_operator):
    from tepat.public.models import CitizenReport
    from tepat.updates.models import Objection

    report = CitizenReport.objects.get(tracking_code=_code(_sanggah()))
    village = client_for(village_operator)
    detail = village.get(reverse("public:report_detail", args=[report.pk]))
    assert detail.status_code == 200
    assert "Pelapor Rahasia" not in detail.content.decode() and "0812" not in detail.content.decode()
    assert village.post(reverse("public:report_detail", args=[report.pk]),
                        {"action": "view_contact"}).content.decode().count("0812") == 0
    before = audit_seq()
    forwarded = village.post(reverse("public:report_detail", args=[report.pk]), {"action": "forward"})
    assert forwarded.status_code == 302
    report.refresh_from_db()
    assert report.status == "forwarded" and report.proposal is not None
    objection = Objection.objects.get(proposal=report.proposal)
    assert objection.source == "citizen" and "Pelapor" not in objection.objector_name
    assert objection.objector_contact == "" and "Pelapor" not in report.proposal.reporter_name
    assert_audited("citizen_report.forward", actor=village_operator, target=report, after=before)
    proposal_page = village.get(reverse("updates:proposal_detail", args=[report.proposal.pk])).content.decode()
    assert "Pelapor Rahasia" not in proposal_page and "0812" not in proposal_page
    dinsos = client_for(dinsos_operator).post(reverse("public:report_detail", args=[report.pk]),
                                              {"action": "view_contact"})
    assert "0812-1111-2222" in dinsos.content.decode()
    assert_audited("citizen_report.contact_view", actor=dinsos_operator, target=report)
    track = Client().post(reverse("public:track"), {"code": report.tracking_code}).content.decode()
    assert report.proposal.get_status_display() in track


def test_mark_abuse_audited_and_refused_outside_scope(approved, village_operator, other_village_operator):
    from tepat.public.models import CitizenReport

    report = CitizenReport.objects.get(tracking_code=_code(_sanggah()))
    other = client_for(other_village_operator).post(reverse("public:report_detail", args=[report.pk]),
                                                    {"action": "mark_abuse", "reason": "spam"})
    assert other.status_code == 404
    report.refresh_from_db()
    assert report.status == "received"
    client_for(village_operator).post(reverse("public:report_detail", args=[report.pk]),
                                      {"action": "mark_abuse", "reason": "spam berulang"})
    report.refresh_from_db()
    assert report.status == "abuse"
    assert_audited("citizen_report.mark_abuse", actor=village_operator, target=report)


def test_usul_linked_by_proposal_reference_is_refused_without_one(approved, village_operator):
    from tepat.public.models import CitizenReport

    response = Client().post(reverse("public:proposal"), {
        **PICK, "send": "1", "proposal_for": "self", "subject_name": "Warga Baru", "rt": "2",
        "statement": "Belum terdaftar.", "altcha": solved()})
    report = CitizenReport.objects.get(tracking_code=_code(response))
    page = client_for(village_operator).post(reverse("public:report_detail", args=[report.pk]), {"action": "forward"})
    assert page.status_code == 200
    report.refresh_from_db()
    assert report.status == "received"


# ---- authorization matrix of the staff routes ---------------------------------------------------------


def test_staff_routes_matrix(approved, village_operator, other_village_operator, dinsos_operator, make_user):
    from tepat.public.models import CitizenReport

    report = CitizenReport.objects.get(tracking_code=_code(_sanggah()))
    queue, detail = reverse("public:queue"), reverse("public:report_detail", args=[report.pk])
    anonymous = Client()
    assert anonymous.get(queue).status_code == 302 and anonymous.get(detail).status_code == 302
    admin = client_for(make_user("administrator", [DISTRICT], "adm_pub"))  # wrong role: no updates.view
    assert report.tracking_code not in admin.get(queue).content.decode()
    assert admin.get(detail).status_code == 404
    wrong_region = client_for(other_village_operator)
    assert report.tracking_code not in wrong_region.get(queue).content.decode()
    assert wrong_region.get(detail).status_code == 404
    right = client_for(village_operator)
    assert report.tracking_code in right.get(queue).content.decode()
    assert right.get(detail).status_code == 200
    assert client_for(dinsos_operator).get(detail).status_code == 200


def test_public_routes_anonymous_never_see_staff_data(approved):
    """Anonymous is the right actor of the public routes: they answer 200 and hold no staff-only data
    (no queue, no objector, no proposal references, no KK numbers)."""
    _sanggah()
    client = Client()
    for name in ("index", "lookup", "objection", "proposal", "track", "transparency", "published_list",
                 "open_data", "complaint_open_data", "region_picker", "challenge"):
        response = client.get(reverse(f"public:{name}"))
        assert response.status_code == 200, name
        text = response.content.decode()
        assert "Pelapor" not in text and "0812" not in text and "USL-" not in text
    assert client.get("/api/v1/public/challenge").status_code == 200
    assert client.get("/api/v1/public/transparency/recipients").status_code == 200
    assert client.get("/api/v1/public/transparency/complaints").status_code == 200


# ---- transparency ------------------------------------------------------------------------------------


def test_small_cells_suppressed_everywhere(approved):
    from tepat.public import suppression

    assert suppression.cell(3) == "< 5" and suppression.cell(5) == "5" and suppression.cell(0) == "0"
    page = Client().get(reverse("public:transparency")).content.decode()
    assert "&lt; 5" in page
    csv_text = Client().get(reverse("public:open_data")).content.decode()
    assert "< 5" in csv_text and "Kramatwatu" in csv_text
    rows = Client().get("/api/v1/public/transparency/recipients").json()
    assert rows and any(r["families"] == "< 5" for r in rows)
    assert all(r["tahap_amount"] == "–" for r in rows if r["families"] == "< 5")
    assert all(r["families"] == "< 5" or int(r["families"].replace(".", "")) >= 5 for r in rows)


def test_name_lists_only_when_switched_on_and_masked(approved, settings):
    url = reverse("public:published_list") + "?" + "&".join(f"{k}={v}" for k, v in PICK.items())
    assert "Bu•••" not in Client().get(url).content.decode()
    settings.TEPAT_PUBLIC_NAME_LISTS = ["PKH"]
    text = Client().get(url).content.decode()
    assert "Bu•••" in text and "Budi" not in text
    page = Client().get(reverse("public:objection") + "?" + "&".join(f"{k}={v}" for k, v in PICK.items()))
    assert 'name="entry"' in page.content.decode()


# ---- the crawler ---------------------------------------------------------------------------------------


_LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"]*)?"')
_SIXTEEN = re.compile(r"(?<!\d)\d{16}(?!\d)")
_ISO_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b")


def test_crawler_finds_no_personal_data(approved, settings, village_operator):
    from tepat.grievances.tests.factories import about_family
    from tepat.registry.models import Family, Individual

    settings.TEPAT_PUBLIC_NAME_LISTS = ["PKH", "SEMBAKO"]
    _sanggah()
    for family in Family.objects.filter(region_id=VILLAGE)[:6]:  # the complaint statistics have a row
        about_family(village_operator, family, "service-information")
    people = list(Individual.objects.values_list("name", "nik", "birth_date"))
    full_names = {n for n, _, _ in people if " " in n or len(n) > 3}
    births = {b.strftime(fmt) for _, _, b in people for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d")}
    public = [reverse(f"public:{n}") for n in ("index", "lookup", "objection", "proposal", "track", "transparency",
                                               "published_list", "open_data", "region_picker", "challenge")]
    public += ["/api/v1/public/challenge", "/api/v1/public/transparency/recipients",
               "/api/v1/public/transparency/complaints",
               reverse("public:published_list") + "?" + "&".join(f"{k}={v}" for k, v in PICK.items()),
               reverse("public:objection") + "?" + "&".join(f"{k}={v}" for k, v in PICK.items()),
               reverse("public:region_picker") + "?province=36&regency=36.04&kecamatan=36.04.05"]
    allowed = ("/publik/", "/cek-bansos/", "/sanggah/", "/usul/", "/lacak/", "/transparansi/", "/static/", "/i18n/")
    seen, todo, client = set(), list(public), Client()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        if url.startswith("/static/"):
            continue  # the project's own files (CSS, htmx, pow.js), not data
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert not _SIXTEEN.search(text), (url, _SIXTEEN.search(text).group(0))
        assert not _ISO_DATE.search(text), url
        for name in full_names:
            assert not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text), (url, name)
        for born in births:
            assert born not in text, (url, born)
        for link in _LINK.findall(text):
            if link.startswith(allowed) and not link.startswith("/i18n/"):
                todo.append(link)
    # lookups answered for a recipient and for nobody hold nothing either
    for name in ("Budi", "Kaya", "Lansia"):
        text = _lookup(Client(REMOTE_ADDR=f"10.9.9.{len(name)}"), name=name).content.decode()
        assert not _SIXTEEN.search(text) and name not in text.replace("Bu•••", "")
    assert len(seen) >= 12


# ---- evidence, published-list picking, tracking limits ------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_evidence_bounded_and_attached_on_forward(approved, village_operator, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tepat.public.models import CitizenReport
    from tepat.updates.models import Document

    settings.TEPAT_PUBLIC_EVIDENCE_MAX_BYTES = 1000
    big = _sanggah(evidence=SimpleUploadedFile("foto.png", PNG + b"\x00" * 2000, content_type="image/png"))
    assert "data-tracking-code" not in big.content.decode() and CitizenReport.objects.count() == 0
    fake = _sanggah(evidence=SimpleUploadedFile("foto.png", b"not a png at all", content_type="image/png"))
    assert CitizenReport.objects.count() == 0 and fake.status_code == 200
    good = _sanggah(evidence=SimpleUploadedFile("foto.png", PNG, content_type="image/png"))
    report = CitizenReport.objects.get(tracking_code=_code(good))
    assert report.evidence and report.evidence_type == "image/png"
    client_for(village_operator).post(reverse("public:report_detail", args=[report.pk]), {"action": "forward"})
    report.refresh_from_db()
    assert Document.objects.filter(proposal=report.proposal, kind="other").count() == 1


def test_sanggah_picks_from_the_published_list(approved, settings):
    from tepat.public import selectors
    from tepat.public.models import CitizenReport

    settings.TEPAT_PUBLIC_NAME_LISTS = ["PKH"]
    names = selectors.published_names(VILLAGE)
    assert names and all(set(row) == {"entry_id", "programme", "name", "rt"} for row in names)
    chosen = names[0]
    report = CitizenReport.objects.get(tracking_code=_code(_sanggah(entry=str(chosen["entry_id"]), subject_name="")))
    assert report.list_entry_id == chosen["entry_id"] and report.subject_name == chosen["name"]
    assert report.family_id is not None
    refused = _sanggah(entry="999999", subject_name="")
    assert "data-tracking-code" not in refused.content.decode()


def test_tracking_is_rate_limited_per_ip(db, settings):
    settings.TEPAT_PUBLIC_LIMIT_IP = 2
    client = Client()
    codes = [client.post("/api/v1/public/track", {"code": "AAAA-BBBB-CCCC"},
                         content_type="application/json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
