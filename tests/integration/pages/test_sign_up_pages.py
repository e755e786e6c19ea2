"""The public web sign-up through Django's test client: each step, each refusal shown
beside its field, one order for a double submit, signing with the emailed code, and
cancelling in (and after) cooling-off."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from kilowatt.accounts import models as account_models
from kilowatt.identity.domain.roles import ANONYMOUS, Role
from kilowatt.sales import models, operations
from tests.factories import book
from tests.factories.sales import (
    ACCOUNT_NUMBER,
    NOW,
    REGION,
    SORT_CODE,
    code_sent_to,
    home_order,
    sign,
)

pytestmark = pytest.mark.django_db

HOME_ELEC = book.tariff_code(
    fuel="ELECTRICITY", region=REGION, customer_kind="RESIDENTIAL", payment_method="DIRECT_DEBIT"
)
HOME_GAS = book.tariff_code(
    fuel="GAS", region=REGION, customer_kind="RESIDENTIAL", payment_method="DIRECT_DEBIT"
)
BUSINESS_ELEC = book.tariff_code(
    fuel="ELECTRICITY", region=REGION, customer_kind="BUSINESS", payment_method="DIRECT_DEBIT"
)


@pytest.fixture(autouse=True)
def tariffs(db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


def quote_data(*, kind="RESIDENTIAL", fuels=("ELECTRICITY", "GAS"), postcode="SW1A 2AA", **more):
    data = {
        "quote-customer_kind": kind,
        "quote-payment_method": "DIRECT_DEBIT",
        "quote-sites": "1",
        "quote-site-0-postcode": postcode,
        "quote-site-0-fuels": list(fuels),
        "quote-site-0-meter_type": "STANDARD",
        "quote-site-0-usage": "MEDIUM",
        "quote-site-0-electricity_kwh": "",
        "quote-site-0-gas_kwh": "",
    }
    data.update(more)
    return data


def problem(response, field: str) -> str:
    """Return the text shown beside a field (its ``data-testid="problem-<field>"``)."""
    html = response.content.decode()
    found = re.search(rf'data-testid="problem-{re.escape(field)}">([^<]*)<', html)
    assert found, f"no problem shown beside {field}"
    return found.group(1)


def home_through_payment(client: Client, *, mpan: str, mprn: str, **payment) -> None:
    response = client.post(
        "/sign-up/",
        quote_data(action="choose", **{"offer-0-electricity": HOME_ELEC, "offer-0-gas": HOME_GAS}),
    )
    assert response.status_code == 302 and response["Location"] == "/sign-up/details/"
    response = client.post(
        "/sign-up/details/",
        {
            "customer-title": "Ms",
            "customer-first_name": "Ada",
            "customer-last_name": "Lovelace",
            "customer-email": "ada@example.com",
            "customer-phone": "07700900123",
        },
    )
    assert response["Location"] == "/sign-up/supply/"
    response = client.post(
        "/sign-up/supply/",
        {
            "site-0-address_line_1": "12 Babbage Street",
            "site-0-town": "London",
            "site-0-postcode": "SW1A 2AA",
            "supply-0-identifier": mpan,
            "supply-1-identifier": mprn,
        },
    )
    assert response["Location"] == "/sign-up/payment/"
    response = client.post(
        "/sign-up/payment/",
        {
            "payment-bill_delivery": "EMAIL",
            "payment-account_holder": "A Lovelace",
            "payment-sort_code": SORT_CODE,
            "payment-account_number": ACCOUNT_NUMBER,
            "payment-direct_debit_mandate": "on",
            "consents-terms": "on",
            "consents-marketing": ["EMAIL"],
            **payment,
        },
    )
    assert response["Location"] == "/sign-up/review/"


def review_key(client: Client) -> str:
    response = client.get("/sign-up/review/")
    assert response.status_code == 200
    return re.search(r'name="key" value="([^"]+)"', response.content.decode()).group(1)


# --- the quote --------------------------------------------------------------------------


def test_the_quote_page_opens_to_anyone_and_prices_the_tariffs_on_sale():
    client = Client()
    assert client.get("/sign-up/").status_code == 200
    response = client.post("/sign-up/", quote_data(action="price"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kilowatt Flexible Residential Electricity" in html
    assert "Kilowatt Flexible Residential Gas" in html
    assert 'name="offer-0-electricity"' in html
    assert "2,700 kWh a year" in html  # Ofgem's typical medium use
    assert not models.Order.objects.exists()


def test_a_postcode_we_do_not_supply_is_refused_beside_the_postcode():
    response = Client().post("/sign-up/", quote_data(action="price", postcode="ZZ1 1ZZ"))
    assert response.status_code == 422
    assert problem(response, "quote-site-0-postcode")


def test_kwh_asked_for_and_missing_is_shown_beside_it():
    response = Client().post(
        "/sign-up/", quote_data(action="price", **{"quote-site-0-usage": "KWH"})
    )
    assert response.status_code == 422
    assert "kWh" in problem(response, "quote-site-0-electricity_kwh")
    assert "kWh" in problem(response, "quote-site-0-gas_kwh")


def test_a_business_may_add_sites_to_its_quote():
    client = Client()
    response = client.post("/sign-up/", quote_data(kind="BUSINESS", action="add_site"))
    html = response.content.decode()
    assert html.count('data-testid="quote-site"') == 2
    assert 'name="quote-site-1-postcode"' in html


def test_the_steps_after_the_quote_send_a_newcomer_back_to_it():
    client = Client()
    for step in ("details", "supply", "payment", "review"):
        assert client.get(f"/sign-up/{step}/")["Location"] == "/sign-up/"


# --- the steps and their refusals -------------------------------------------------------


def test_a_missing_detail_is_shown_beside_its_field_and_nothing_moves_on():
    client = Client()
    client.post(
        "/sign-up/",
        quote_data(action="choose", **{"offer-0-electricity": HOME_ELEC, "offer-0-gas": HOME_GAS}),
    )
    response = client.post("/sign-up/details/", {"customer-first_name": "Ada"})
    assert response.status_code == 422
    assert problem(response, "customer-last_name") == "give the last name"
    assert "email" in problem(response, "customer-email")
    assert client.get("/sign-up/supply/")["Location"] == "/sign-up/details/"


def test_the_rules_refused_at_the_end_are_shown_beside_their_fields_and_nothing_is_written():
    client = Client()
    # An MPAN with a wrong check digit, an email the rules refuse, a bank account that
    # fails the modulus check and no mandate: the forms parse them, submit_order refuses.
    home_through_payment(
        client,
        mpan="1200000000001",
        mprn=book.mprn(),
        **{"payment-account_number": "66374959", "payment-direct_debit_mandate": ""},
    )
    response = client.post("/sign-up/review/", {"key": review_key(client)})
    assert response.status_code == 422
    assert "MPAN" in problem(response, "supply-0-identifier")
    assert 'data-testid="problems-elsewhere"' in response.content.decode()
    assert not models.Order.objects.exists()
    payment = client.get("/sign-up/payment/")
    assert problem(payment, "payment-account_number")
    assert "authorise" in problem(payment, "payment-direct_debit_mandate")


def test_a_tariff_that_no_longer_fits_is_shown_beside_its_meter_point():
    client = Client()
    home_through_payment(client, mpan=book.mpan_core(REGION), mprn=book.mprn())
    # The address moved out of the region the tariffs were quoted for.
    response = client.post(
        "/sign-up/supply/",
        {
            "site-0-address_line_1": "1 Piccadilly",
            "site-0-town": "Manchester",
            "site-0-postcode": "M1 1AE",
            "supply-0-identifier": book.mpan_core(REGION),
            "supply-1-identifier": book.mprn(),
        },
    )
    response = client.post("/sign-up/review/", {"key": review_key(client)})
    assert response.status_code == 422
    # The electricity's region follows its MPAN (London); the gas follows the postcode.
    assert problem(response, "supply-1-tariff_code") == f"{HOME_GAS} is sold in region 12"
    assert "Choose the tariff again" in response.content.decode()
    assert not models.Order.objects.exists()


# --- sending, signing ---------------------------------------------------------------------


def test_a_double_submit_makes_one_order_and_both_land_on_its_signing_page():
    client = Client()
    home_through_payment(client, mpan=book.mpan_core(REGION), mprn=book.mprn())
    key = review_key(client)
    first = client.post("/sign-up/review/", {"key": key})
    second = client.post("/sign-up/review/", {"key": key})
    assert models.Order.objects.count() == 1
    order = models.Order.objects.get()
    assert order.channel == "WEB" and order.status == "AWAITING_SIGNATURE"
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert first["Location"].startswith("/sign/")


def test_the_same_key_from_two_windows_is_still_one_order():
    one, two = Client(), Client()
    mpan, mprn = book.mpan_core(REGION), book.mprn()
    for client in (one, two):
        home_through_payment(client, mpan=mpan, mprn=mprn)
    key = review_key(one)
    session = two.session
    session["sign_up"]["key"] = key
    session.save()
    first = one.post("/sign-up/review/", {"key": key})
    second = two.post("/sign-up/review/", {"key": key})
    assert models.Order.objects.count() == 1
    assert first["Location"] == second["Location"]


def _signing_page(client: Client) -> str:
    home_through_payment(client, mpan=book.mpan_core(REGION), mprn=book.mprn())
    return client.post("/sign-up/review/", {"key": review_key(client)})["Location"]


def test_signing_with_a_wrong_code_is_refused_beside_the_code_then_the_right_one_signs():
    client = Client()
    url = _signing_page(client)
    page = client.get(url)
    assert page.status_code == 200
    assert "a***a@example.com" in page.content.decode()
    pdf = client.get(url + "contract.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    sent = client.post(url + "code/", follow=True)
    assert "We have emailed a 6-digit code to a***a@example.com" in sent.content.decode()
    too_soon = client.post(url + "code/")
    assert too_soon.status_code == 422
    assert problem(too_soon, "code")

    wrong = client.post(url, {"code": "000000"} if code_sent_to("ada@example.com") != "000000"
                        else {"code": "111111"})  # fmt: skip
    assert wrong.status_code == 422
    assert problem(wrong, "code") == "this code is not the one we sent"
    assert models.Contract.objects.get().status == "AWAITING_SIGNATURE"

    signed = client.post(
        url,
        {"code": code_sent_to("ada@example.com")},
        REMOTE_ADDR="198.51.100.7",
        HTTP_USER_AGENT="Kilowatt test browser",
    )
    assert signed["Location"] == url + "signed/"
    contract = models.Contract.objects.get()
    assert contract.status == "SIGNED"
    assert contract.signed_ip == "198.51.100.7"
    assert contract.signed_user_agent == "Kilowatt test browser"
    done = client.get(url + "signed/")
    html = done.content.decode()
    assert f"{contract.cooling_off_ends:%-d %B %Y}" in html
    assert client.get(url + "signed.pdf").content == bytes(contract.signed_document)
    account = account_models.Account.objects.get(id=contract.order.account_id)
    assert account.status == "ACTIVE"
    # The signing link now shows the done page.
    assert client.get(url)["Location"] == url + "signed/"


def test_the_signed_pdf_is_not_there_before_signing():
    client = Client()
    url = _signing_page(client)
    assert client.get(url + "signed.pdf").status_code == 404
    assert client.get(url + "signed/")["Location"] == url


def test_a_kept_signing_link_no_longer_opens_the_signed_contract_or_cancelling():
    client = Client()
    url = _signing_page(client)
    order = models.Order.objects.get()
    sign(order, at=timezone.now() - datetime.timedelta(hours=3))
    assert client.get(url + "signed.pdf").status_code == 404
    done = client.get(url + "signed/").content.decode()
    assert "/sign-up/cancel/" not in done
    assert "in the email we sent you" in done


@pytest.mark.parametrize(
    "path",
    ["/sign/forged/", "/sign/forged/contract.pdf", "/sign/forged/signed/", "/sign/forged/signed.pdf",
     "/sign-up/cancel/forged/"],
)  # fmt: skip
def test_a_forged_token_is_not_found(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()


def test_a_cancellation_token_does_not_open_a_signing_page():
    order = operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(), as_at=timezone.now()
    ).order
    assert Client().get(f"/sign/{operations.cancellation_token(order.id)}/").status_code == 404


def test_posting_a_code_to_a_forged_link_is_not_found():
    assert Client().post("/sign/forged/code/").status_code == 404
    assert Client().post("/sign/forged/", {"code": "123456"}).status_code == 404


# --- cancelling ---------------------------------------------------------------------------


def test_cancelling_within_cooling_off():
    now = timezone.now()
    order = operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(), as_at=now
    ).order
    sign(order, at=now - datetime.timedelta(minutes=5))
    url = f"/sign-up/cancel/{operations.cancellation_token(order.id)}/"
    client = Client()
    assert "14 days" in client.get(url).content.decode()
    response = client.post(url, {"reason": "found a cheaper deal"})
    assert response.status_code == 200
    assert order.reference in response.content.decode()
    order.refresh_from_db()
    assert order.status == "CANCELLED"
    again = client.post(url, {"reason": ""})
    assert again.status_code == 422
    assert "already closed" in again.content.decode()


def test_cancelling_after_cooling_off_is_refused_in_words():
    order = operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=home_order(), as_at=NOW
    ).order
    sign(order, at=NOW)  # cooling-off ended on 26 January 2026
    url = f"/sign-up/cancel/{operations.cancellation_token(order.id)}/"
    response = Client().post(url, {"reason": ""})
    assert response.status_code == 422
    assert "the cooling-off period ended on 26 January 2026" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "SIGNED"
