"""A field job's lifecycle and what each step needs. Pure: no Django, no clock.

``RAISED`` jobs wait for an appointment (a must-read raised by the system); booking
puts a job in a slot (``BOOKED``). The engineer sets off (``EN_ROUTE``) and finishes
(``COMPLETED``), or the visit ends without the work (``ABORTED``, always with a reason)
or never happens (``MISSED``: we did not keep the appointment, so the customer is owed
the guaranteed-standard payment).
"""

from __future__ import annotations

import dataclasses
import datetime

from kilowatt.platform.errors import Problem

SMART_INSTALL = "SMART_INSTALL"
METER_EXCHANGE = "METER_EXCHANGE"
MUST_READ = "MUST_READ"
RECERTIFICATION = "RECERTIFICATION"
KINDS = (SMART_INSTALL, METER_EXCHANGE, MUST_READ, RECERTIFICATION)
# Jobs whose completion replaces the meter.
EXCHANGES_METER = frozenset({SMART_INSTALL, METER_EXCHANGE})
# Jobs whose completion leaves the meter point with a certified meter (a new one, or the
# same one recertified): while one is open, no recertification job is raised beside it.
RENEWS_CERTIFICATION = EXCHANGES_METER | {RECERTIFICATION}

RAISED = "RAISED"
BOOKED = "BOOKED"
EN_ROUTE = "EN_ROUTE"
COMPLETED = "COMPLETED"
ABORTED = "ABORTED"
MISSED = "MISSED"
STATUSES = (RAISED, BOOKED, EN_ROUTE, COMPLETED, ABORTED, MISSED)
OPEN = frozenset({RAISED, BOOKED, EN_ROUTE})

# The only moves a job may make.
TRANSITIONS: dict[str, frozenset[str]] = {
    RAISED: frozenset({BOOKED, ABORTED}),
    BOOKED: frozenset({EN_ROUTE, ABORTED, MISSED}),
    EN_ROUTE: frozenset({COMPLETED, ABORTED, MISSED}),
    COMPLETED: frozenset(),
    ABORTED: frozenset(),
    MISSED: frozenset(),
}


def allowed_next(status: str) -> frozenset[str]:
    """Return the statuses a job in ``status`` may move to."""
    return TRANSITIONS.get(status, frozenset())


def transition_problems(*, current: str, target: str, reason: str = "") -> list[Problem]:
    """Return every rule moving a job from ``current`` to ``target`` breaks."""
    if target not in STATUSES:
        return [Problem("status", "choice", f"must be one of {', '.join(STATUSES)}")]
    if target not in allowed_next(current):
        allowed = ", ".join(sorted(allowed_next(current))) or "nothing: it is finished"
        return [
            Problem(
                "status",
                "illegal_transition",
                f"a {current.lower()} job cannot become {target.lower()} (it may become {allowed})",
            )
        ]
    if target == ABORTED and not " ".join(reason.split()):
        return [Problem("reason", "required", "say why the job was aborted")]
    return []


def frees_slot(*, current: str, target: str) -> bool:
    """Return whether the move hands the appointment back: a booked job cancelled before
    the engineer set off (a missed or attended visit used the engineer's time)."""
    return current == BOOKED and target == ABORTED


def owes_compensation(target: str) -> bool:
    """Return whether moving to ``target`` owes the customer the guaranteed standard."""
    return target == MISSED


def kind_problems(*, kind: str, current_meter_type: str | None) -> list[Problem]:
    """Return every rule booking a job of ``kind`` on a meter point whose current meter
    is of ``current_meter_type`` (None: no meter) breaks."""
    if kind not in KINDS:
        return [Problem("kind", "choice", f"must be one of {', '.join(KINDS)}")]
    if kind == SMART_INSTALL and current_meter_type == "SMART":
        return [Problem("kind", "already_smart", "the meter point already has a smart meter")]
    if kind != SMART_INSTALL and current_meter_type is None:
        return [Problem("kind", "no_meter", "the meter point has no meter to visit")]
    return []


def completion_replaces_meter(*, kind: str, new_serial: str) -> bool:
    """Return whether completing a job of ``kind`` exchanges the meter: always for an
    installation or exchange; for a recertification when the engineer fitted a new meter
    (a serial is given) rather than recertifying the old one in place."""
    return kind in EXCHANGES_METER or (kind == RECERTIFICATION and bool(new_serial.strip()))


# --- what a customer is offered on their own page ----------------------------------------

# Why we ask a customer to book a visit a job of that kind was raised for, in their words.
_RAISED_WORDING = {
    MUST_READ: (
        "We need to read your meter",
        "We have had no reading of this meter for a year. Book a visit and an engineer "
        "will read it, so your bills are not estimated.",
    ),
    RECERTIFICATION: (
        "Your meter is due its check",
        "Meters are checked for accuracy every few years. Book a visit: it takes about "
        "half an hour, and costs you nothing.",
    ),
    SMART_INSTALL: (
        "Book your smart meter installation",
        "An engineer fits it in about two hours, free of charge.",
    ),
    METER_EXCHANGE: (
        "Your meter needs replacing",
        "Book a visit and an engineer will fit a new meter, free of charge.",
    ),
}
_SMART_OFFER = (
    "Get a smart meter, free",
    "It sends us your readings, so you never need to read the meter again. An engineer "
    "fits it in about two hours.",
)


@dataclasses.dataclass(frozen=True)
class VisitOffer:
    """A visit to suggest to a customer on their own page: ``kind`` is what the booking
    page starts with; ``job_id`` names the visit already booked, which the link shows."""

    kind: str
    title: str
    text: str
    action: str  # the link's words
    job_id: int | None = None


@dataclasses.dataclass(frozen=True)
class OpenJob:
    """An open job on a meter point, as ``visit_offer`` weighs it."""

    id: int
    kind: str
    status: str
    when: str  # its slot in words (``notices.appointment_in_words``), "" if none
    raised_at: datetime.datetime


def visit_offer(
    *,
    meter_type: str | None,
    open_jobs: list[OpenJob],
    latest_actual_read_at: datetime.datetime | None = None,
) -> VisitOffer | None:
    """Return the visit to suggest for a meter point, given its current meter's type
    (None: no meter), its open jobs (booked ones soonest first) and when its latest
    accepted actual reading was taken: a visit already arranged first, then one we raised
    that waits for a slot, then a smart meter for a meter that is not one; None when there
    is nothing to book. A must-read raised before an actual reading came is not offered:
    the reading it wanted is here (the daily run closes it)."""
    booked = [job for job in open_jobs if job.status in (BOOKED, EN_ROUTE)]
    if booked:
        return VisitOffer(
            kind="",
            title="An engineer's visit is booked",
            text=f"{booked[0].when}." if booked[0].when else "See when, and what to expect.",
            action="See your visit",
            job_id=booked[0].id,
        )
    raised = [
        job.kind
        for job in open_jobs
        if job.status == RAISED
        and not (
            job.kind == MUST_READ
            and latest_actual_read_at is not None
            and latest_actual_read_at > job.raised_at
        )
    ]
    if raised:
        kind = min(raised, key=KINDS.index)
        title, text = _RAISED_WORDING[kind]
        return VisitOffer(kind=kind, title=title, text=text, action="Choose a time")
    if meter_type is not None and not kind_problems(
        kind=SMART_INSTALL, current_meter_type=meter_type
    ):
        title, text = _SMART_OFFER
        return VisitOffer(kind=SMART_INSTALL, title=title, text=text, action="Book an installation")
    return None
