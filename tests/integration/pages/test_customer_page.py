"""The customer page shows everything the back office knows, every query run up front."""

from __future__ import annotations

import pytest

from kilowatt.customers import operations as customer_operations
from kilowatt.customers.domain.customers import CustomerDetails
from kilowatt.identity.domain.roles import Role
from tests.factories import screens


@pytest.fixture
def staff(signed_in):
    return signed_in(Role.COMPLAINTS)


@pytest.mark.django_db
class TestHomeCustomer:
    def test_shows_who_they_are_and_their_priority_needs(self, book, staff):
        body = staff.get(f"/customers/{book.home.number}/").content.decode()

        assert "Ms Ada Lovelace" in body
        assert "10 Dec 1954" in body
        assert "Priority Services Register" in body
        assert "Depends on medical equipment needing power" in body
        assert "Of pensionable age" in body

    def test_shows_contact_details_and_consent_by_channel(self, book, staff):
        body = staff.get(f"/customers/{book.home.number}/").content.decode()

        assert "ada@example.org" in body
        assert "07700900123" in body
        assert 'class="consent consent-yes">\n    <span>Email</span>' in body
        assert 'class="consent consent-no">\n    <span>Text message</span>' in body
        assert 'class="consent consent-unasked">\n    <span>Post</span>' in body

    def test_shows_the_account_site_meter_points_meters_and_agreements(self, book, staff):
        body = staff.get(f"/customers/{book.home.number}/").content.decode()
        core = book.home.mpans[0]

        assert book.home.accounts[0] in body
        assert "12 Analytical Row, London" in body
        assert "SE1 7PB" in body
        assert f"{core[:2]} {core[2:6]} {core[6:10]} {core[10:]}" in body
        assert 'London <span class="muted">(12)</span>' in body
        assert "domestic unrestricted" in body
        assert book.home.mprns[0] in body
        assert "Smart" in body and "Cubic metres" in body
        assert "Anytime" in body
        assert "Kilowatt Flexible Electricity" in body
        assert "from 1 Feb 2026, open-ended" in body

    def test_shows_the_audit_trail_of_everything_under_the_customer(self, book, staff):
        body = staff.get(f"/customers/{book.home.number}/").content.decode()
        trail = body[body.index('data-testid="audit-trail"') :]

        for entity in ("customer", "account", "site", "meter point", "agreement"):
            assert f"</span> {entity} " in trail, entity
        assert book.agent.username in trail
        assert "MEDICAL_EQUIPMENT, PENSIONABLE_AGE" in trail

    def test_a_customer_without_an_account_yet_says_so(self, book, staff):
        customer = customer_operations.create_customer(
            by=book.agent,
            details=CustomerDetails(kind="RESIDENTIAL", first_name="Mary", last_name="Somerville"),
            as_at=screens.AS_AT,
        )

        body = staff.get(f"/customers/{customer.number}/").content.decode()

        assert "Mary Somerville" in body
        assert "No accounts yet" in body
        assert "Not asked" in body
        assert "Priority Services Register" not in body

    def test_a_missing_customer_answers_404(self, staff, db):
        response = staff.get("/customers/C99999999/")

        assert response.status_code == 404
        assert b"Customer not found" in response.content


@pytest.mark.django_db
class TestBusinessCustomer:
    def test_shows_the_company_and_its_contacts_with_roles(self, book, staff):
        body = staff.get(f"/customers/{book.business.number}/").content.decode()

        assert "Babbage Engines Ltd" in body
        assert "01234567" in body
        assert "Light industry and manufacturing" in body
        assert "Micro-business" in body
        assert "Account manager</td>" in body and "Charles Babbage" in body
        assert "Billing officer</td>" in body and "Ada King" in body

    def test_shows_every_site_with_its_region(self, book, staff):
        body = staff.get(f"/customers/{book.business.number}/").content.decode()

        assert "Manchester" in body and "M1 1AE" in body
        assert "Leeds" in body and "LS1 4DY" in body
        assert "North West" in body and "Yorkshire" in body
        assert "non-domestic unrestricted" in body


@pytest.mark.django_db
def test_the_page_runs_a_fixed_number_of_queries_however_much_it_shows(
    book, signed_in, django_assert_max_num_queries
):
    client = signed_in(Role.BILLING)
    bigger = screens.business_customer(
        by=book.corporate_manager,
        company_name="Many Sites Ltd",
        postcodes=("M1 1AE", "LS1 4DY", "BS1 4DJ", "CF10 1EP"),
        regions=("16", "23", "22", "21"),
        towns=("Manchester", "Leeds", "Bristol", "Cardiff"),
    )

    for number in (book.home.number, bigger.number):
        # session, user; customer, contacts, consents, needs; accounts, agreements+tariffs;
        # meter points, meters, registers; sites; audit trail; the newest reads of every
        # meter point (one query for all)
        with django_assert_max_num_queries(14):
            response = client.get(f"/customers/{number}/")
        assert response.status_code == 200
