"""The CarePlan of a handout: the sheet's timeline as activities, each with its real time.

Every time comes from the resolved document, which already has the clock times across
daylight-saving changes; nothing is added to the plan that the sheet does not say. A moment
(a fasting cut-off, arrival, a follow-up) is a Timing event; a stretch of days (a recovery
window, an activity limit, a paused medicine) is a Period. A paused medicine is a
do-not-perform medication activity, from the first day without it; it ends only where the
clinician gave a restart, else it stays open, as the sheet says ("start it again only when
your care team tells you to"). The narrative is the same activities as escaped XHTML.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from procguide.i18n.languages import gettext as _  # the document's language (see encode)

if TYPE_CHECKING:
    from procguide.document.types import Document, PrepData

URI_SYSTEM = "urn:ietf:rfc:3986"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
ASSESS_PLAN = {
    "system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
    "code": "assess-plan",
    "display": "Assessment and Plan of Treatment",
}
XHTML = "http://www.w3.org/1999/xhtml"

Line = tuple[str | None, dict[str, Any]]
"""One activity: the phrase saying when (or None), and its detail."""


def care_plan(
    document: Document,
    rid: str,
    *,
    subject: dict[str, Any],
    created: str,
    document_reference: str,
) -> dict[str, Any]:
    """The CarePlan (US Core CarePlan) of ``document``'s timeline, linked to its sheet."""
    sections = _sections(document)
    title = f"{document['procedure']['name']}: {_title(document)}"
    plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": rid,
        "meta": {"profile": [US_CORE + "us-core-careplan"]},
        "language": document["language"],
        "text": {"status": "generated", "div": _div(title, sections)},
        "identifier": [{"system": URI_SYSTEM, "value": f"urn:uuid:{rid}"}],
        "status": "active",
        "intent": "plan",
        "category": [{"coding": [ASSESS_PLAN]}],
        "title": title,
        "subject": subject,
        "created": created,
    }
    written_by = authors(document)
    if written_by:
        plan["author"] = written_by[0]
    plan["supportingInfo"] = [{"reference": document_reference, "type": "DocumentReference"}]
    activities = [{"detail": detail} for _, lines in sections for _, detail in lines]
    if activities:
        plan["activity"] = activities
    return plan


def authors(document: Document) -> list[dict[str, Any]]:
    """The clinician who gave the handout, by name, when one was given."""
    clinician = document["patient"]["clinician"]
    return [{"type": "Practitioner", "display": clinician}] if clinician else []


def narrative(lines: Iterable[str | None]) -> dict[str, str]:
    """A generated narrative of one paragraph per line given (None lines are left out)."""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    return {"status": "generated", "div": f'<div xmlns="{XHTML}">{body}</div>'}


def _title(document: Document) -> str:
    return _("Going home") if document["kind"] == "discharge" else _("Your procedure")


def _sections(document: Document) -> list[tuple[str, list[Line]]]:
    """The sheet's timed sections in its order, as the sheet of this kind prints them."""
    after = [
        (_("Your recovery"), _recovery(document)),
        (_("Activity limits"), _restrictions(document)),
        (_("Follow-up"), _follow_up(document)),
    ]
    if document["kind"] == "discharge":
        first = (_("Your medicines"), _medicines(document))
    else:
        prep = [_prep(item, document) for item in document["preparation"]]
        first = (_("Before your procedure"), prep)
    return [(heading, lines) for heading, lines in (first, *after) if lines]


def _detail(text: str, scheduled: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """An activity's detail, its elements in the order FHIR lists them."""
    detail: dict[str, Any] = {}
    if "kind" in extra:
        detail["kind"] = extra.pop("kind")
    detail["status"] = "scheduled" if scheduled else "not-started"
    if extra.pop("do_not_perform", False):
        detail["doNotPerform"] = True
    if scheduled:
        detail.update(scheduled)
    if "medicine" in extra:
        detail["productCodeableConcept"] = {"text": extra.pop("medicine")}
    detail["description"] = text
    return detail


def _prep(item: PrepData, document: Document) -> Line:
    due = item["due"]
    at = due["at"] if due else None
    label = due["label"] if due else None
    medicine = item.get("medicine")
    if item["kind"] == "hold" and medicine is not None:
        scheduled: dict[str, Any] | None = None
        if at is not None:
            scheduled = {"scheduledPeriod": _without(at, _restart(document, medicine))}
        detail = _detail(
            item["text"],
            scheduled,
            kind="MedicationRequest",
            do_not_perform=True,
            medicine=medicine,
        )
        return label, detail
    timing = {"scheduledTiming": {"event": [at]}} if at is not None else None
    return label, _detail(item["text"], timing)


def _without(last_dose: str, end: str | None) -> dict[str, str]:
    """The time without a paused medicine: from just after the last dose, to the restart.

    A last dose on a date leaves the next day as the first without it; one at a clock time
    (a hold in hours) starts the time without it at that moment.
    """
    start = last_dose
    if "T" not in last_dose:
        start = (date.fromisoformat(last_dose) + timedelta(days=1)).isoformat()
    period = {"start": start}
    if end is not None:
        period["end"] = end
    return period


def _restart(document: Document, medicine: str) -> str | None:
    """The last day without ``medicine``: the day before its restart, when one was given.

    A restart on the procedure day itself ends the time without it at the procedure.
    """
    appointment = document["appointment"]
    for held in document["medicines"]:
        if held["medicine"] == medicine and held["restart"]["date"] and appointment:
            restart = date.fromisoformat(held["restart"]["date"])
            if restart.isoformat() <= appointment["date"]:
                return appointment["start"]
            return (restart - timedelta(days=1)).isoformat()
    return None


def _medicines(document: Document) -> list[Line]:
    lines: list[Line] = []
    for held in document["medicines"]:
        day = held["restart"]["date"]
        scheduled = {"scheduledPeriod": {"start": day}} if day else None
        medicine = held["medicine"]
        detail = _detail(held["text"], scheduled, kind="MedicationRequest", medicine=medicine)
        lines.append((None, detail))
    return lines


def _recovery(document: Document) -> list[Line]:
    lines: list[Line] = []
    for item in document["recovery"]:
        window = item["window"]
        label = window["relative"] + (f" ({window['display']})" if window["display"] else "")
        scheduled = None
        if window["start_date"] is not None:
            period = {"start": window["start_date"]}
            if window["end_date"] is not None:
                period["end"] = window["end_date"]
            scheduled = {"scheduledPeriod": period}
        lines.append((label, _detail(item["text"], scheduled)))
    return lines


def _restrictions(document: Document) -> list[Line]:
    appointment = document["appointment"]
    lines: list[Line] = []
    for item in document["restrictions"]:
        until = item["until"]
        scheduled = None
        if until is not None and until["date"] is not None and appointment is not None:
            scheduled = {"scheduledPeriod": {"start": appointment["date"], "end": until["date"]}}
        lines.append((until["label"] if until else None, _detail(item["text"], scheduled)))
    return lines


def _follow_up(document: Document) -> list[Line]:
    lines: list[Line] = []
    for item in document["follow_up"]:
        due = item["due"]
        scheduled = None
        if due is not None and due["date"] is not None:
            scheduled = {"scheduledTiming": {"event": [due["date"]]}}
        lines.append((due["label"] if due else None, _detail(item["text"], scheduled)))
    return lines


def _div(title: str, sections: list[tuple[str, list[Line]]]) -> str:
    """The plan as XHTML: every phrase escaped, so content never becomes markup."""
    parts = [f'<div xmlns="{XHTML}">', f"<p><b>{html.escape(title)}</b></p>"]
    for heading, lines in sections:
        parts.append(f"<h3>{html.escape(heading)}</h3><ul>")
        for label, detail in lines:
            when = f"<b>{html.escape(label)}:</b> " if label else ""
            parts.append(f"<li>{when}{html.escape(detail['description'])}</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)
