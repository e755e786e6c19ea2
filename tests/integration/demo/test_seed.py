"""``kilowatt seed`` on the test database: the shape of the book, the demo logins and what
each sees through the real gate, and the bulk loads refusing bad identifiers."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from kilowatt.accounts import models as account_models
from kilowatt.customers import models as customer_models
from kilowatt.customers import operations as customer_operations
from kilowatt.customers import queries as customer_queries
from kilowatt.demo import operations as demo_operations
from kilowatt.demo.domain import logins
from kilowatt.identity import models as identity_models
from kilowatt.identity import queries as identity_queries
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering_operations
from kilowatt.platform.errors import InvalidInput
from kilowatt.properties import models as property_models
from kilowatt.properties import operations as property_operations

TODAY = "2026-05-20"
AS_AT = datetime.datetime(2026, 5, 20, 9, tzinfo=datetime.UTC)


def _seed(customers: int = 200, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "seed", "--customers", str(customers), "--seed", "1", "--today", TODAY, *extra, stdout=out
    )
    return out.getvalue()


def _sees(username: str):
    user = identity_queries.user_by_username(username=username)
    return customer_queries.visible_customers(identity_queries.principal_for(user))


@pytest.mark.django_db
def test_a_small_book_has_the_right_shape():
    output = _seed(200)
    assert "Seeded 200 customers" in output
    customers = customer_models.Customer.objects
    assert customers.count() == 200
    assert customers.filter(kind="BUSINESS").count() == 30
    points = metering_models.MeterPoint.objects
    assert 1.5 <= points.count() / 200 <= 2.0
    assert set(points.values_list("region", flat=True)) == {str(r) for r in range(10, 24)}
    assert metering_models.Meter.objects.count() == points.count()
    assert account_models.Agreement.objects.count() == points.count()
    assert account_models.PriceCap.objects.count() == 14 * 2 * 3
    assert account_models.Tariff.objects.count() == 14 * 2 * 2 * 2 * 2 + 14 * 2 * 2
    # numbers come from the contexts' own rules
    first = customers.order_by("id").first()
    assert first.number == customer_operations.customer_number(first.id)
    for account in account_models.Account.objects.all()[:20]:
        assert account.number == f"A{account.id:08d}"


@pytest.mark.django_db
def test_every_agreements_tariff_fits_its_meter_point_and_account():
    _seed(200)
    kinds = dict(customer_models.Customer.objects.values_list("id", "kind"))
    points = {p.id: p for p in metering_models.MeterPoint.objects.all()}
    agreements = account_models.Agreement.objects.select_related("tariff", "account")
    assert agreements.exists()
    for agreement in agreements:
        point, tariff = points[agreement.meter_point_id], agreement.tariff
        assert (tariff.region, tariff.fuel) == (point.region, point.fuel)
        assert tariff.payment_method == agreement.account.payment_method
        assert tariff.customer_kind == kinds[agreement.account.customer_id]
        assert tariff.valid_from <= agreement.valid_from


@pytest.mark.django_db
def test_each_demo_login_sees_what_it_should():
    _seed(200)
    for login in logins.LOGINS:
        user = identity_models.User.objects.get(username=login.username)
        assert user.role == login.role.value
        assert user.check_password(logins.PASSWORD)
    agent = identity_models.User.objects.get(username="agent")
    assert agent.manager.username == "sales-manager"
    homes = customer_models.Customer.objects.filter(kind="RESIDENTIAL")

    signed_up = _sees("agent")
    assert 0 < signed_up.count() < 10
    assert set(signed_up.values_list("signed_up_by_id", flat=True)) == {agent.id}
    assert _sees("sales-manager").count() == homes.count()
    assert set(_sees("corporate-manager").values_list("kind", flat=True)) == {"BUSINESS"}
    assert _sees("corporate-manager").count() == 30
    for username in ("telesales", "admin", "billing", "collections", "complaints", "sysadmin"):
        assert _sees(username).count() == 200
    assert list(_sees("home").values_list("kind", flat=True)) == ["RESIDENTIAL"]
    assert list(_sees("business").values_list("kind", flat=True)) == ["BUSINESS"]
    home_contact = customer_models.Contact.objects.get(user__username="home")
    assert home_contact.role == "PRIMARY"


@pytest.mark.django_db
def test_demo_logins_prints_every_login_with_the_url():
    _seed(100)
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert logins.URL in text and logins.PASSWORD in text
    for login in logins.LOGINS:
        assert f"  {login.username} " in text
    assert "all 100 customers" in text


@pytest.mark.django_db
def test_seeding_again_adds_a_book_beside_the_first_and_if_empty_skips():
    _seed(60)
    assert "not seeding" in _seed(60, "--if-empty")
    assert customer_models.Customer.objects.count() == 60
    _seed(40)
    assert customer_models.Customer.objects.count() == 100
    assert identity_models.User.objects.filter(username="agent").count() == 1
    # The logins stay linked to their first customers only.
    assert _sees("home").count() == 1 and _sees("business").count() == 1
    # New rows get fresh ids after a seed (sequences moved past the explicit ids).
    site = property_models.Site.objects.create(
        address_line_1="1 New Street", town="Leeds", postcode="LS1 1AB", created_at=AS_AT
    )
    assert site.id > property_models.Site.objects.exclude(id=site.id).order_by("-id").first().id


def _site_row(site_id: int, postcode: str) -> tuple:
    return (site_id, "1 High Street", "", "Leeds", "", postcode, AS_AT)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("load", "field"),
    [
        (
            lambda: property_operations.load_sites(
                sites=[_site_row(1, "LS1 1AB"), _site_row(2, "JUNK")]
            ),
            "site.postcode",
        ),
        (
            lambda: metering_operations.load_meter_points(
                meter_points=[
                    (1, "1312345678900", "ELECTRICITY", 1, "13", "01", "801", "021", AS_AT)
                ]
            ),
            "meter_point.identifier",
        ),
        (
            lambda: metering_operations.load_meter_points(
                meter_points=[(1, "3938424404", "GAS", 1, "13", "", "", "", AS_AT)]
            ),
            "meter_point.identifier",
        ),
        (
            lambda: metering_operations.load_meter_points(
                meter_points=[
                    (1, "1312345678907", "ELECTRICITY", 1, "12", "01", "801", "021", AS_AT)
                ]
            ),
            "meter_point.region",
        ),
        (
            lambda: customer_operations.load_customers(
                customers=[
                    (
                        1,
                        "C00000001",
                        "BUSINESS",
                        "",
                        "",
                        "",
                        None,
                        "Acme Ltd",
                        "12-34",
                        "RETAIL",
                        False,
                        "",
                        "",
                        "acme ltd",
                        None,
                        AS_AT,
                    )
                ]
            ),
            "customer.company_number",
        ),
    ],
)
def test_a_bulk_load_refuses_a_bad_identifier_naming_the_field_and_keeps_nothing(load, field):
    with pytest.raises(InvalidInput) as refused, transaction.atomic():
        load()
    assert [problem.field for problem in refused.value.problems] == [field]
    assert not property_models.Site.objects.exists()
    assert not metering_models.MeterPoint.objects.exists()
    assert not customer_models.Customer.objects.exists()


@pytest.mark.django_db
def test_a_chunk_that_fails_at_the_database_leaves_nothing_of_itself(monkeypatch):
    _seed(20)
    before = {
        model: model.objects.count()
        for model in (customer_models.Customer, property_models.Site, metering_models.MeterPoint)
    }
    real_load = account_operations_load = demo_operations.account_operations.load_accounts

    def failing_load(**kwargs):
        real_load(**kwargs)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(demo_operations.account_operations, "load_accounts", failing_load)
    with pytest.raises(RuntimeError):
        _seed(20)
    monkeypatch.setattr(
        demo_operations.account_operations, "load_accounts", account_operations_load
    )
    for model, count in before.items():
        assert model.objects.count() == count, model


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are set aside on PostgreSQL")
def test_a_big_load_sets_indexes_aside_and_builds_them_again(monkeypatch):
    def definitions():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN "
                "('customers_customer', 'metering_meterpoint', 'accounts_agreement') ORDER BY 1"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid IN "
                "('customers_customer'::regclass, 'accounts_agreement'::regclass) ORDER BY 1"
            )
            return indexes, cursor.fetchall()

    before = definitions()
    monkeypatch.setattr(demo_operations, "SET_ASIDE_FROM", 10)
    output = _seed(50)
    assert "building the indexes" in output
    assert definitions() == before
    assert customer_models.Customer.objects.count() == 50
