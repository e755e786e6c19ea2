"""The demo book generator: deterministic, realistic in shape, valid in every identifier."""

from __future__ import annotations

import collections

from hypothesis import given, settings
from hypothesis import strategies as st

from kilowatt import validation
from kilowatt.demo.domain import book, catalogue, places, rows
from tests.factories import demo_book

BOOK = demo_book.whole(demo_book.plan(customers=400))


def _named(columns, table):
    return [dict(zip(columns, row, strict=True)) for row in table]


CUSTOMERS = _named(rows.CUSTOMER, BOOK.customers)
SITES = {site["id"]: site for site in _named(rows.SITE, BOOK.sites)}
POINTS = {point["id"]: point for point in _named(rows.METER_POINT, BOOK.meter_points)}
ACCOUNTS = {account["id"]: account for account in _named(rows.ACCOUNT, BOOK.accounts)}
AGREEMENTS = _named(rows.AGREEMENT, BOOK.agreements)


def test_the_same_plan_gives_the_same_book():
    assert demo_book.whole(demo_book.plan(customers=400)) == BOOK


def test_the_book_does_not_depend_on_the_chunk_size():
    assert demo_book.whole(demo_book.plan(customers=400), chunk_size=37) == BOOK


def test_another_seed_gives_another_book():
    assert demo_book.whole(demo_book.plan(customers=400, seed=2)).customers != BOOK.customers


def test_every_row_has_its_tables_width():
    widths = {
        "customers": rows.CUSTOMER,
        "contacts": rows.CONTACT,
        "consents": rows.CONSENT,
        "priority_needs": rows.PRIORITY_NEED,
        "sites": rows.SITE,
        "meter_points": rows.METER_POINT,
        "meters": rows.METER,
        "registers": rows.REGISTER,
        "accounts": rows.ACCOUNT,
        "agreements": rows.AGREEMENT,
    }
    for table, table_rows in BOOK.tables().items():
        assert {len(row) for row in table_rows} == {len(widths[table])}, table


def test_85_percent_of_customers_are_homes():
    kinds = collections.Counter(customer["kind"] for customer in CUSTOMERS)
    assert kinds["RESIDENTIAL"] / len(CUSTOMERS) == book.RESIDENTIAL_SHARE


def _points_per_customer() -> dict[int, int]:
    per_account = collections.Counter(agreement["account_id"] for agreement in AGREEMENTS)
    per_customer: collections.Counter[int] = collections.Counter()
    for account_id, count in per_account.items():
        per_customer[ACCOUNTS[account_id]["customer_id"]] += count
    return per_customer


def test_homes_average_one_and_a_half_meter_points_and_businesses_at_least_two():
    per_customer = _points_per_customer()
    homes = [c["id"] for c in CUSTOMERS if c["kind"] == "RESIDENTIAL"]
    businesses = [c["id"] for c in CUSTOMERS if c["kind"] == "BUSINESS"]
    assert 1.35 <= sum(per_customer[i] for i in homes) / len(homes) <= 1.65
    assert min(per_customer[i] for i in businesses) >= 2


def test_homes_hold_one_account_and_businesses_one_to_three():
    accounts_of = collections.Counter(account["customer_id"] for account in ACCOUNTS.values())
    for customer in CUSTOMERS:
        allowed = {1} if customer["kind"] == "RESIDENTIAL" else {1, 2, 3}
        assert accounts_of[customer["id"]] in allowed


def test_supply_mixes_electricity_only_gas_only_dual_fuel_and_economy_7():
    fuels_of_site = collections.defaultdict(set)
    for point in POINTS.values():
        fuels_of_site[point["site_id"]].add(point["fuel"])
    mixes = collections.Counter(frozenset(fuels) for fuels in fuels_of_site.values())
    assert mixes[frozenset({"ELECTRICITY"})] and mixes[frozenset({"GAS"})]
    assert mixes[frozenset({"ELECTRICITY", "GAS"})]
    profile_classes = collections.Counter(p["profile_class"] for p in POINTS.values())
    assert {"01", "02", "03", "04"} <= set(profile_classes)


def test_economy_7_meters_have_day_and_night_registers():
    meter_of_point = {meter[1]: meter[0] for meter in BOOK.meters}
    bands_of_meter = collections.defaultdict(set)
    for _id, meter_id, _identifier, band, _eac in BOOK.registers:
        bands_of_meter[meter_id].add(band)
    for point in POINTS.values():
        bands = bands_of_meter[meter_of_point[point["id"]]]
        if point["profile_class"] in ("02", "04"):
            assert bands == {"DAY", "NIGHT"}
        else:
            assert bands == {"ANYTIME"}


def test_every_identifier_passes_the_public_validators():
    for point in POINTS.values():
        if point["fuel"] == "ELECTRICITY":
            assert validation.is_valid_mpan(point["identifier"]), point
            assert validation.region_for_mpan(point["identifier"]) == point["region"]
        else:
            assert validation.is_valid_mprn(point["identifier"]), point
    for site in SITES.values():
        assert validation.is_valid_postcode(site["postcode"]), site
        assert validation.normalise_postcode(site["postcode"]) == site["postcode"]
    for customer in CUSTOMERS:
        if customer["company_number"]:
            assert validation.is_valid_company_number(customer["company_number"]), customer
        if customer["email"]:
            assert validation.email_problem(customer["email"]) is None
        if customer["phone"]:
            assert validation.phone_problem(customer["phone"]) is None


def test_meter_points_cover_all_14_regions_uniquely():
    assert {point["region"] for point in POINTS.values()} == set(validation.REGIONS)
    identifiers = [point["identifier"] for point in POINTS.values()]
    assert len(set(identifiers)) == len(identifiers)


def test_postcodes_fit_the_region_of_the_meter_points_at_the_site():
    outward_region = {
        code: region
        for region, towns in places.TOWNS.items()
        for town in towns
        for code in town.outward_codes()
    }
    for point in POINTS.values():
        outward = SITES[point["site_id"]]["postcode"].split()[0]
        assert outward_region[outward] == point["region"]


def test_every_agreement_is_on_a_tariff_of_its_meter_point_and_account():
    offers = {
        offer_id: offer
        for offer, offer_id in (
            (offer, demo_book.tariff_ids()[offer.key])
            for offer in catalogue.tariffs(demo_book.TODAY)
        )
    }
    kind_of = {customer["id"]: customer["kind"] for customer in CUSTOMERS}
    for agreement in AGREEMENTS:
        offer = offers[agreement["tariff_id"]]
        point = POINTS[agreement["meter_point_id"]]
        account = ACCOUNTS[agreement["account_id"]]
        assert (offer.region, offer.fuel) == (point["region"], point["fuel"])
        assert offer.payment_method == account["payment_method"]
        assert offer.customer_kind == kind_of[account["customer_id"]]
        assert (offer.product == catalogue.ECONOMY_7) == (point["profile_class"] in ("02", "04"))
        assert agreement["valid_from"] >= offer.valid_from
        assert agreement["valid_from"] <= demo_book.TODAY
        if offer.kind == "FIXED":
            assert (agreement["valid_to"] - agreement["valid_from"]).days == 365


def test_businesses_have_an_account_manager_and_a_billing_officer():
    roles_of = collections.defaultdict(list)
    for contact in _named(rows.CONTACT, BOOK.contacts):
        roles_of[contact["customer_id"]].append(contact["role"])
    for customer in CUSTOMERS:
        if customer["kind"] == "BUSINESS":
            assert sorted(roles_of[customer["id"]]) == ["ACCOUNT_MANAGER", "BILLING_OFFICER"]
            assert customer["sector"] and customer["company_name"]


def test_the_demo_logins_are_linked_and_the_agent_signed_up_a_handful():
    contacts = _named(rows.CONTACT, BOOK.contacts)
    home = [c for c in contacts if c["user_id"] == 8]
    business = [c for c in contacts if c["user_id"] == 9]
    assert [c["role"] for c in home] == ["PRIMARY"]
    assert [c["role"] for c in business] == ["ACCOUNT_MANAGER"]
    kind_of = {customer["id"]: customer["kind"] for customer in CUSTOMERS}
    assert kind_of[home[0]["customer_id"]] == "RESIDENTIAL"
    assert kind_of[business[0]["customer_id"]] == "BUSINESS"
    signed_up = [c for c in CUSTOMERS if c["signed_up_by_id"] == 7]
    assert 1 <= len(signed_up) <= 5
    assert {c["kind"] for c in signed_up} == {"RESIDENTIAL"}


def test_about_a_tenth_of_homes_have_priority_needs():
    homes = sum(1 for c in CUSTOMERS if c["kind"] == "RESIDENTIAL")
    with_needs = len({need[1] for need in BOOK.priority_needs})
    assert 0.05 <= with_needs / homes <= 0.15


def test_ids_start_where_the_plan_says():
    first = book.FirstIds(*(1000 + n for n in range(10)))
    chunk = demo_book.whole(demo_book.plan(customers=20, first_ids=first))
    assert chunk.customers[0][0] == 1000
    assert chunk.customers[0][1] == "C00001000"
    assert chunk.sites[0][0] == first.site
    assert chunk.accounts[0][1] == f"A{first.account:08d}"


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), start=st.integers(1, 10**7))
def test_any_seed_and_any_first_id_give_valid_unique_identifiers(seed, start):
    first = book.FirstIds(*(start,) * 10)
    chunk = demo_book.whole(demo_book.plan(customers=40, seed=seed, first_ids=first))
    identifiers = [row[1] for row in chunk.meter_points]
    assert len(set(identifiers)) == len(identifiers)
    for _id, identifier, fuel, *_rest in chunk.meter_points:
        valid = validation.is_valid_mpan if fuel == "ELECTRICITY" else validation.is_valid_mprn
        assert valid(identifier)
    assert all(validation.is_valid_postcode(site[5]) for site in chunk.sites)


@given(ids=st.lists(st.integers(1, 9 * 10**7 - 1), min_size=2, max_size=50, unique=True))
def test_identifiers_made_from_distinct_ids_are_distinct(ids):
    assert len({book.mprn(i) for i in ids}) == len(ids)
    assert len({book.mpan_core("12", i) for i in ids}) == len(ids)
