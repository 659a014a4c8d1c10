"""The offline field app for facilitators (issue 14 items 5, 6, 8): a progressive web app under /lapangan/.

Three public resources, none with personal data: the app shell (HTML with its interface text in the
request's language), its service worker (served from /lapangan/ so that its scope is the app, never the
rest of the site) and its web app manifest. Everything else the app does goes through the JSON API with a
device token (POST /api/v1/auth/login, GET /api/v1/sync/changes, POST /api/v1/sync/visits), so the same
authorization, region scope and audit apply as to any other device. See docs/adr/0029-offline-field-app.md.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

SCOPE = "/lapangan/"
ASSETS = (
    "updates/field/app.js",
    "updates/field/store.js",
    "updates/field/app.css",
    "updates/field/icon-192.png",
    "updates/field/icon-512.png",
)
PHOTO_MAX_BYTES = 300 * 1024


def keep_hours() -> int:
    """How long the device keeps downloaded personal data without a successful sync (item 8)."""
    return int(getattr(settings, "TEPAT_FIELD_APP_KEEP_HOURS", 168))


def _version() -> str:
    digest = hashlib.sha256(get_language().encode())
    for name in ASSETS:
        digest.update(static(name).encode())
        found = finders.find(name)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    digest.update(render_to_string("updates/field/sw.js", {"assets": [], "version": ""}).encode())
    return digest.hexdigest()[:12]


def catalogue() -> dict[str, str]:
    """The app's interface text in the active language (Indonesian first), embedded in the shell as JSON."""
    return {
        "app_title": _("Field app"),
        "sign_in": _("Sign in"),
        "username": _("Username"),
        "password": _("Password"),
        "sign_out": _("Sign out"),
        "signing_in": _("Signing in…"),
        "online": _("Online"),
        "offline": _("Offline"),
        "download": _("Download assignments"),
        "downloading": _("Downloading…"),
        "sync_now": _("Send now"),
        "assignments": _("Assignments"),
        "no_assignments": _("No assignments to visit."),
        "queued_visit": _("Visit recorded, waiting to be sent"),
        "visit": _("Record visit"),
        "visit_date": _("Visit date"),
        "household_found": _("Household found"),
        "yes": _("Yes"),
        "no": _("No"),
        "check_facts": _("Check each proposed fact"),
        "as_proposed": _("As proposed"),
        "corrected": _("Corrected"),
        "correct_value": _("Correct value"),
        "location": _("Location"),
        "use_location": _("Use my location"),
        "no_location": _("This device cannot give a location."),
        "accuracy": _("accuracy"),
        "photos": _("Photos"),
        "add_photo": _("Take or add a photo"),
        "notes": _("Notes"),
        "outcome": _("Outcome"),
        "outcome_confirmed": _("Confirmed (as proposed or with the corrections above)"),
        "outcome_rejected": _("Rejected in the field"),
        "rejection_reason": _("Reason for rejection"),
        "save_visit": _("Save the visit"),
        "cancel": _("Cancel"),
        "saved": _("Saved on this device."),
        "pending": _("Waiting to send"),
        "sent": _("Sent"),
        "conflicts": _("Conflicts"),
        "conflict_help": _(
            "The server changed since this visit was recorded. Nothing was overwritten: choose what to do."
        ),
        "your_visit": _("Your visit (on this device)"),
        "server_now": _("On the server now"),
        "discard": _("Discard my visit"),
        "resend": _("Send again against the current version"),
        "errors": _("Refused"),
        "storage": _("Storage on this device"),
        "stored_records": _("Assignments stored"),
        "stored_bytes": _("Bytes used"),
        "pending_count": _("Visits waiting to send"),
        "signed_out": _("Signed out; the data on this device was erased."),
        "confirm_sign_out": _("Visits still waiting to send will be erased. Sign out anyway?"),
        "session_expired": _("Your sign-in expired. Sign in again: the waiting visits are kept."),
        "expired_data": _("The downloaded data was older than allowed and was erased. Download again."),
        "required": _("Required"),
        "status": _("Status"),
        "last_sync": _("Last download"),
        "back": _("Back"),
        "photo_too_large": _("The photo could not be made small enough."),
        "family": _("Family"),
        "members": _("Members"),
        "proposal": _("Proposal"),
        "never": _("never"),
        "sync_failed": _("Sending failed; it will retry."),
        # complaint intake in the field (item 7); the channel is the village's Puskesos
        "new_complaint": _("Record a complaint"),
        "complaint": _("Complaint"),
        "category": _("Category"),
        "description": _("Description"),
        "subject": _("Who the complaint is about"),
        "unregistered": _("Person not in the registry"),
        "subject_name": _("Name"),
        "subject_address": _("Address"),
        "village": _("Village"),
        "complainant": _("Complainant"),
        "anonymous": _("Anonymous"),
        "complainant_name": _("Complainant's name"),
        "complainant_contact": _("Contact (phone)"),
        "save_complaint": _("Save the complaint"),
        # invitations verified offline (item 7)
        "check_invitation": _("Check an invitation"),
        "invitation_text": _("The invitation's QR text"),
        "verify": _("Verify"),
        "invitation_valid": _("Genuine invitation (signature verified on this device)"),
        "invitation_bad_signature": _("Bad signature: the invitation has been altered or forged."),
        "invitation_unknown_key": _("Unknown signing key: not from this system, or its key was revoked."),
        "invitation_expired": _("Genuine, but expired."),
        "invitation_malformed": _("Not an invitation code."),
        "programme": _("Programme"),
        "amount": _("Amount"),
        "expires": _("Valid until"),
        # distribution receipts in the field (item 7)
        "receipts": _("Distribution receipts"),
        "stored_kpm": _("KPM stored for receipts"),
        "record_receipt": _("Record the receipt"),
        "receipt_wrong_distribution": _(
            "Genuine, but not for a distribution downloaded to this device (another tahap or region)."
        ),
        "receipt_received_server": _("Already received: the server has this KPM's receipt."),
        "receipt_received_device": _("Already received: recorded on this device, waiting to be sent."),
        "scan_invitation": _("Scan the invitation"),
        "scan_camera": _("Scan with the camera"),
        "scan_photo": _("Read from a photo"),
        "no_camera": _("The camera is not available."),
        "no_qr_found": _("No QR code found in the photo."),
        "no_qr_reader": _("This browser cannot read QR codes: type the code printed under the QR."),
        "kpm_waiting": _("KPM awaiting distribution"),
        "without_invitation": _("Without an invitation (lost, or not delivered): choose the KPM."),
        "search_kpm": _("Search name or KPM reference"),
        "no_kpm": _("No KPM awaiting distribution."),
        "collected_by": _("Who collected"),
        "collector_name": _("Collector's name"),
        "relation": _("Relation to the KPM"),
        "authority_letter": _("Letter of authority number"),
        "authority_letter_photo": _("Photo of the letter of authority"),
        "reason": _("Reason not delivered"),
        "signature": _("Signature"),
        "signature_help": _("The recipient signs with a finger in the box."),
        "clear": _("Clear"),
        "save_receipt": _("Save the receipt"),
        "outcome_full": _("Delivered in full"),
        "outcome_partly": _("Delivered in part"),
        "outcome_none": _("Not delivered"),
        "amount_received": _("Amount received (Rp)"),
        "invitation": _("Invitation"),
        "invitation_checked": _("Scanned and verified on this device"),
        "no_invitation": _("None"),
        "your_receipt": _("Your receipt (on this device)"),
        "time": _("Time"),
        "officer": _("Officer"),
        "discard_receipt": _("Discard my receipt"),
    }


@require_GET
def field_app(request: HttpRequest) -> HttpResponse:
    """The app shell. Public (it holds no data); the app signs in with the API and keeps a device token."""
    config = {
        "api": "/api/v1",
        "scope": SCOPE,
        "worker": reverse("field:worker"),
        "keep_hours": keep_hours(),
        "photo_max_bytes": PHOTO_MAX_BYTES,
        "version": _version(),
        "language": get_language(),
    }
    response = HttpResponse(
        render_to_string(
            "updates/field/app.html",
            {"config": config, "catalogue": catalogue(), "manifest": reverse("field:manifest")},
            request=request,
        )
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def field_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the app's path so that its scope is /lapangan/ and nothing wider."""
    body = render_to_string(
        "updates/field/sw.js",
        {
            "assets": json.dumps([SCOPE, *(static(name) for name in ASSETS)]),
            "version": json.dumps(_version()),
            "store": json.dumps(static("updates/field/store.js")),
        },
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def field_manifest(request: HttpRequest) -> HttpResponse:
    manifest = {
        "name": "Tepat — " + _("Field app"),
        "short_name": "Tepat Lapangan",
        "lang": get_language(),
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5d4b",
        "icons": [
            {"src": static("updates/field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {
                "src": static("updates/field/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
        ],
    }
    response = JsonResponse(
        manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "no-cache"
    return response
