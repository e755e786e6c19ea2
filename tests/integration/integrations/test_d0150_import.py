"""D0150 (meter technical details) import: a gained meter point gets its meter and
registers from the meter operator's file, written here with ``d0150.write`` so the round
trip is exercised, and can then be read."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from kilowatt.accounts import models as account_models
from kilowatt.accounts import operations as account_operations
from kilowatt.identity.domain.roles import ANONYMOUS, Role
from kilowatt.integrations import models, operations
from kilowatt.integrations.domain import d0150, dtc
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering_operations
from kilowatt.metering.domain.supply import MeterPointDetails
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput
from kilowatt.properties import operations as property_operations
from kilowatt.properties.domain.addresses import Address
from kilowatt.sales import operations as sales_operations
from tests.factories import book
from tests.factories.sales import NOW, REGION, home_order, sign

pytestmark = pytest.mark.django_db

SWITCHED_ON = datetime.date(2026, 2, 2)  # the supply start after the switch
AS_AT = datetime.datetime(2026, 2, 4, 9, 0, tzinfo=datetime.UTC)  # the D0150 arrives
INSTALLED = datetime.date(2019, 3, 14)  # the meter has long been on the wall


@pytest.fixture(autouse=True)
def tariffs(db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


def gained_meter_point() -> tuple[str, str]:
    """Sign a home electricity customer up on the web and supply them from the switch
    day; return the MPAN core (recorded from the MPAN alone) and the account number."""
    order = sales_operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(fuels=("ELECTRICITY",)), as_at=NOW
    ).order
    sign(order)
    order.refresh_from_db()
    supply = order.supplies.get()
    account = account_models.Account.objects.get(id=order.account_id)
    # The switch completes: the agreement starts (what the sign-up journey does then).
    account_operations.add_agreement(
        by=book.principal(Role.ADMIN),
        account_number=account.number,
        meter_point_identifier=supply.identifier,
        tariff_code=supply.tariff_code,
        valid_from=SWITCHED_ON,
        as_at=NOW,
    )
    assert not metering_models.Meter.objects.filter(meter_point__identifier=supply.identifier)
    return supply.identifier, account.number


def economy_7_meter_point() -> str:
    """A profile class 02 (Economy 7) meter point with no meter yet."""
    site = property_operations.create_site(
        address=Address(address_line_1="7 Night Lane", town="London", postcode="SW1A 2AA"),
        actor=audit.SYSTEM,
        as_at=AS_AT,
    )
    point = metering_operations.register_meter_point(
        site_id=site.id,
        details=MeterPointDetails(
            fuel="ELECTRICITY", identifier=book.mpan_core(REGION), profile_class="02"
        ),
        actor=audit.SYSTEM,
        as_at=AS_AT,
    )
    return point.identifier


def installed(
    mpan: str,
    serial: str,
    *registers: str,
    meter_type: str = "N",
    digits: int = 5,
    removed: tuple[d0150.RemovedMeter, ...] = (),
    on: datetime.date = INSTALLED,
) -> d0150.MeterTechnicalDetails:
    return d0150.MeterTechnicalDetails(
        mpan_core=mpan,
        effective_from=SWITCHED_ON,
        contractor="MOPX",
        installed=(
            d0150.InstalledMeter(
                meter_id=serial,
                meter_type=meter_type,
                installed_on=on,
                certified_on=on,
                certification_expires_on=datetime.date(on.year + 10, on.month, on.day),
                retrieval_method="H",
                registers=tuple(
                    d0150.Register(register_id=register, digits=digits)
                    for register in registers or ("01",)
                ),
            ),
        ),
        removed=removed,
    )


def d0150_file(*details: d0150.MeterTechnicalDetails, file_id: str = "MOPX000001") -> bytes:
    header = dtc.Header(
        file_id=file_id,
        from_role="M",
        from_participant="MOPX",
        to_role="X",
        to_participant="KWLT",
        created_local=datetime.datetime(2026, 2, 3, 18, 0),  # noqa: DTZ001 (UK clock)
    )
    return d0150.write(header=header, details=list(details)).encode("ascii")


def import_files(*files: tuple[str, bytes], at: datetime.datetime = AS_AT) -> list:
    return operations.import_flow_files(files=list(files), as_at=at)


def meters_of(mpan: str) -> list[tuple]:
    return [
        (
            meter.serial_number,
            meter.type,
            meter.digits,
            meter.installed_date,
            meter.removed_date,
            meter.certified_until,
            sorted((r.identifier, r.band) for r in meter.registers.all()),
        )
        for meter in metering_models.Meter.objects.filter(meter_point__identifier=mpan).order_by(
            "id"
        )
    ]


def snapshot() -> tuple:
    return (
        list(metering_models.Meter.objects.order_by("id").values_list()),
        list(metering_models.Register.objects.order_by("id").values_list()),
        list(models.FlowFile.objects.order_by("id").values_list("id", "sha256")),
        list(models.MeterDetailsForReview.objects.order_by("id").values_list()),
    )


def test_a_gained_meter_point_gets_its_meter_from_the_d0150_and_can_be_read():
    mpan, _ = gained_meter_point()
    (report,) = import_files(("mopx1.d0150", d0150_file(installed(mpan, "e19k0001"))))
    assert report.flow == "D0150"
    assert report.repeat is False
    (record,) = report.records
    assert (record.line, record.action, record.meter_serial, record.status) == (
        4,  # ZHV, 288, 289, then the 290
        "INSTALL",
        "E19K0001",
        "ACCEPTED",
    )
    assert record.registers == "1 ANYTIME"
    assert meters_of(mpan) == [
        (
            "E19K0001",
            "CREDIT",
            5,
            INSTALLED,
            None,
            datetime.date(2029, 3, 14),  # the certification expiry the file gave
            [("1", "ANYTIME")],
        )
    ]
    # A customer's reading for the gained meter point is now placed and accepted, through
    # metering's one validation path (before the D0150 it had no register to go on).
    (outcome,) = metering_operations.record_reads(
        reads=[
            metering_operations.ReadIn(
                meter_point=mpan,
                read_at=datetime.datetime(2026, 2, 5, 9, 0, tzinfo=datetime.UTC),
                value=Decimal("12345"),
                meter_serial="E19K0001",
                register="1",
            )
        ],
        source="CUSTOMER",
        received_by="customer",
        as_at=datetime.datetime(2026, 2, 5, 9, 5, tzinfo=datetime.UTC),
    )
    assert (outcome.status, outcome.rule) == ("ACCEPTED", ""), outcome.message
    read = metering_models.Read.objects.get(id=outcome.read_id)
    assert (read.meter.serial_number, read.register.band) == ("E19K0001", "ANYTIME")


def test_an_economy_7_meter_gets_day_and_night_registers():
    mpan = economy_7_meter_point()
    (report,) = import_files(
        ("e7.d0150", d0150_file(installed(mpan, "E7M0001", "02", "01", digits=6)))
    )
    assert [r.status for r in report.records] == ["ACCEPTED"]
    assert report.records[0].registers == "1 DAY, 2 NIGHT"
    assert meters_of(mpan)[0][2] == 6
    assert meters_of(mpan)[0][-1] == [("1", "DAY"), ("2", "NIGHT")]


def test_one_register_on_an_economy_7_meter_point_is_refused_and_kept_for_review():
    mpan = economy_7_meter_point()
    (report,) = import_files(("e7.d0150", d0150_file(installed(mpan, "E7M0002"))))
    (record,) = report.records
    assert (record.status, record.rule) == ("REFUSED", "economy_7_registers")
    assert meters_of(mpan) == []
    kept = models.MeterDetailsForReview.objects.get()
    assert (kept.mpan_core, kept.status, kept.rule) == (mpan, "REFUSED", "economy_7_registers")


def test_an_unknown_mpan_is_kept_for_review_beside_the_known_one():
    mpan, _ = gained_meter_point()
    stranger = book.mpan_core(REGION)
    (report,) = import_files(
        ("mixed.d0150", d0150_file(installed(stranger, "X0001"), installed(mpan, "K0001")))
    )
    assert [(r.mpan_core, r.status, r.rule) for r in report.records] == [
        (stranger, "UNKNOWN", "unknown_meter_point"),
        (mpan, "ACCEPTED", ""),
    ]
    assert report.counts["UNKNOWN"] == 1
    kept = models.MeterDetailsForReview.objects.get()
    assert (kept.mpan_core, kept.status, kept.line) == (stranger, "UNKNOWN", 2)
    assert kept.content.startswith(f"288|{stranger}|")
    assert "290|X0001|" in kept.content and "293|01|" in kept.content
    assert "K0001" not in kept.content  # only its own group
    assert len(meters_of(mpan)) == 1


def test_the_same_file_twice_changes_nothing_and_answers_with_the_first_report():
    mpan, _ = gained_meter_point()
    content = d0150_file(installed(mpan, "E19K0001"), installed(book.mpan_core(REGION), "Z1"))
    (first,) = import_files(("a.d0150", content))
    before = snapshot()
    (again,) = import_files(("renamed.d0150", content), at=AS_AT + datetime.timedelta(days=1))
    assert again.repeat is True
    assert again.records == first.records
    assert again.filename == "a.d0150"
    assert snapshot() == before
    # The same details in another file (another file id) are already so: nothing changes.
    (other,) = import_files(("b.d0150", d0150_file(installed(mpan, "E19K0001"), file_id="M2")))
    assert [(r.status, r.message) for r in other.records] == [("DUPLICATE", "already recorded")]
    assert len(meters_of(mpan)) == 1


def test_a_removed_meter_ends_and_its_replacement_is_installed_in_one_group():
    mpan, _ = gained_meter_point()
    import_files(("a.d0150", d0150_file(installed(mpan, "OLD1"))))
    exchanged = datetime.date(2026, 2, 3)
    (report,) = import_files(
        (
            "b.d0150",
            d0150_file(
                installed(
                    mpan,
                    "NEW1",
                    meter_type="S2A",
                    on=exchanged,
                    removed=(d0150.RemovedMeter(meter_id="OLD1", removed_on=exchanged),),
                ),
                file_id="M2",
            ),
        )
    )
    assert [(r.action, r.meter_serial, r.status) for r in report.records] == [
        ("INSTALL", "NEW1", "ACCEPTED"),
        ("REMOVE", "OLD1", "ACCEPTED"),
    ]
    meters = meters_of(mpan)
    assert [(m[0], m[1], m[4]) for m in meters] == [
        ("OLD1", "CREDIT", exchanged),
        ("NEW1", "SMART", None),
    ]


def test_another_meter_in_service_not_removed_is_refused_for_a_person():
    mpan, _ = gained_meter_point()
    import_files(("a.d0150", d0150_file(installed(mpan, "OLD1"))))
    before = snapshot()[:2]
    (report,) = import_files(
        ("b.d0150", d0150_file(installed(mpan, "NEW1", on=datetime.date(2026, 2, 3)), file_id="M2"))
    )
    (record,) = report.records
    assert (record.status, record.rule) == ("REFUSED", "meter_in_service")
    assert "OLD1" in record.message
    assert snapshot()[:2] == before
    assert models.MeterDetailsForReview.objects.get().rule == "meter_in_service"


def test_a_refused_record_leaves_its_whole_group_unrecorded():
    mpan, _ = gained_meter_point()
    import_files(("a.d0150", d0150_file(installed(mpan, "OLD1"))))
    before = snapshot()[:2]
    exchanged = datetime.date(2026, 2, 3)
    (report,) = import_files(
        (
            "b.d0150",
            d0150_file(
                installed(
                    mpan,
                    "NEW1",
                    meter_type="H",  # half-hourly: not a meter we bill
                    on=exchanged,
                    removed=(d0150.RemovedMeter(meter_id="OLD1", removed_on=exchanged),),
                ),
                file_id="M2",
            ),
        )
    )
    assert [(r.action, r.status, r.rule) for r in report.records] == [
        ("INSTALL", "REFUSED", "meter_type"),
        ("REMOVE", "REFUSED", "group_refused"),  # its removal was rolled back
    ]
    assert snapshot()[:2] == before


@pytest.mark.parametrize(
    ("change", "line", "field", "rule"),
    [
        (lambda t: t.replace("|20190314|", "|20191314|", 1), 4, "date_of_meter_installation",
         "date_invalid"),
        (lambda t: t.replace("293|01|C|AI|1.00||5|", "293|01|C|AI|1.00||five|"), 5,
         "number_of_register_digits", "number"),
        (lambda t: t.replace("ZPT|MOPX000001|4|", "ZPT|MOPX000001|9|"), 6, "record_count",
         "trailer_count"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_refused_naming_line_field_and_rule_with_nothing_written(
    change, line, field, rule
):
    mpan, _ = gained_meter_point()
    good = d0150_file(installed(mpan, "K1"))
    bad = change(d0150_file(installed(book.mpan_core(REGION), "Z1")).decode("ascii"))
    assert bad.encode("ascii") != good
    with pytest.raises(InvalidInput) as caught:  # all or none: the good file is not kept
        import_files(("good.d0150", good), ("bad.d0150", bad.encode("ascii")))
    (problem,) = caught.value.problems
    assert (problem.field, problem.rule) == (f"bad.d0150: line {line}: {field}", rule)
    assert not models.FlowFile.objects.exists()
    assert not models.MeterDetailsForReview.objects.exists()
    assert meters_of(mpan) == []


def test_the_command_imports_a_d0150_and_prints_each_record(tmp_path):
    mpan, _ = gained_meter_point()
    path = tmp_path / "mopx1.d0150"
    path.write_bytes(d0150_file(installed(mpan, "E19K0001", "01")))
    out = io.StringIO()
    call_command("flows", "import", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines == [
        f"mopx1.d0150 line 4 {mpan} INSTALL E19K0001 [1 ANYTIME] ACCEPTED",
        "mopx1.d0150: D0150 file MOPX000001, 1 records: 1 accepted, 0 refused, "
        "0 duplicate, 0 unknown",
    ]
    bad = tmp_path / "bad.d0150"
    bad.write_bytes(path.read_bytes().replace(b"D0150001", b"D0149001"))
    with pytest.raises(
        CommandError, match=r"bad.d0150: line 1: flow: 'D0149001' is not a flow we import"
    ):
        call_command("flows", "import", str(bad), stdout=io.StringIO())
