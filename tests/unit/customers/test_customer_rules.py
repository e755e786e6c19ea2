"""What a customer's details must be before we record them."""

from __future__ import annotations

import datetime

from kilowatt.customers.domain import customers as rules

TODAY = datetime.date(2026, 11, 22)


def fields_broken(details: rules.CustomerDetails) -> dict[str, str]:
    return {p.field: p.rule for p in rules.problems(rules.normalise(details), today=TODAY)}


class TestHomeCustomer:
    def test_a_complete_home_customer_breaks_no_rule(self):
        details = rules.CustomerDetails(
            kind="residential",
            first_name=" Ada ",
            last_name="Lovelace",
            email="ADA@example.co.uk",
            phone="+44 7700 900123",
            consents=(("EMAIL", True),),
            priority_needs=("pensionable_age",),
        )

        assert fields_broken(details) == {}
        assert rules.normalise(details).email == "ada@example.co.uk"
        assert rules.normalise(details).phone == "07700900123"

    def test_needs_both_names(self):
        assert fields_broken(rules.CustomerDetails(kind="RESIDENTIAL")) == {
            "last_name": "required",
            "first_name": "required",
        }

    def test_may_not_carry_company_details(self):
        details = rules.CustomerDetails(
            kind="RESIDENTIAL", first_name="A", last_name="B", company_name="Acme Ltd"
        )

        assert fields_broken(details) == {"company_name": "business_only"}

    def test_must_be_an_adult(self):
        details = rules.CustomerDetails(
            kind="RESIDENTIAL",
            first_name="A",
            last_name="B",
            date_of_birth=datetime.date(2009, 11, 23),
        )

        assert fields_broken(details) == {"date_of_birth": "adult"}

    def test_turning_eighteen_today_is_old_enough(self):
        details = rules.CustomerDetails(
            kind="RESIDENTIAL",
            first_name="A",
            last_name="B",
            date_of_birth=datetime.date(2008, 11, 22),
        )

        assert fields_broken(details) == {}

    def test_refuses_an_unknown_priority_need_and_consent_channel(self):
        details = rules.CustomerDetails(
            kind="RESIDENTIAL",
            first_name="A",
            last_name="B",
            consents=(("PIGEON", True),),
            priority_needs=("LUCKY",),
        )

        assert fields_broken(details) == {
            "consents.0.channel": "choice",
            "priority_needs": "choice",
        }


class TestBusinessCustomer:
    def test_a_business_with_its_contacts_breaks_no_rule(self):
        details = rules.CustomerDetails(
            kind="BUSINESS",
            company_name="Harbour Cafe Ltd",
            company_number="sc123456",
            sector="hospitality",
            is_micro_business=True,
            contacts=(
                rules.ContactDetails(
                    role="ACCOUNT_MANAGER", name="Sam Lee", email="sam@harbour.example"
                ),
                rules.ContactDetails(role="BILLING_OFFICER", name="Kim Roe", phone="01632 960000"),
            ),
        )

        assert fields_broken(details) == {}
        assert rules.normalise(details).company_number == "SC123456"

    def test_names_each_broken_field(self):
        details = rules.CustomerDetails(
            kind="BUSINESS",
            company_name="",
            company_number="12AB",
            sector="PIRACY",
            email="nope",
            contacts=(rules.ContactDetails(role="BOSS", name="", email="x@"),),
        )

        assert fields_broken(details) == {
            "company_name": "required",
            "company_number": "company_number_format",
            "sector": "choice",
            "email": "email_format",
            "contacts.0.role": "choice",
            "contacts.0.name": "required",
            "contacts.0.email": "email_format",
        }

    def test_searches_by_company_name(self):
        details = rules.CustomerDetails(kind="BUSINESS", company_name="Harbour Cafe Ltd")

        assert rules.search_name(details) == "harbour cafe ltd"


def test_a_home_is_searched_surname_first():
    details = rules.CustomerDetails(kind="RESIDENTIAL", first_name="Ada", last_name="Lovelace")

    assert rules.search_name(details) == "lovelace ada"
