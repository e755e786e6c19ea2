"""Rating a bill: hand-checked figures in pence for every rule of billing.domain.rating."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kilowatt.billing.domain import back_billing, levy, rating, vat
from kilowatt.billing.domain.rating import (
    BillRequest,
    Consumption,
    Credit,
    PriceSegment,
    Supply,
)

D = Decimal
MPAN = "1012345678901"
MPRN = "7654321098"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def price(start: str, end: str | None, standing: str, **rates: str) -> PriceSegment:
    return PriceSegment(
        start=day(start),
        end=day(end) if end else None,
        standing_charge_pence_per_day=D(standing),
        unit_rates={band: D(rate) for band, rate in rates.items()},
    )


def use(
    start: str,
    end: str,
    kwh: str,
    *,
    band: str = "ANYTIME",
    meter_point: str = MPAN,
    read_from: str = "ACTUAL",
    read_to: str = "CUSTOMER",
) -> Consumption:
    return Consumption(
        meter_point=meter_point,
        band=band,
        start=day(start),
        end=day(end),
        kwh=D(kwh),
        read_from=read_from,
        read_to=read_to,
    )


def request(
    *supplies: Supply,
    kind: str = "RESIDENTIAL",
    micro: bool = False,
    bill_date: str,
    period: tuple[str, str],
    credits: tuple[Credit, ...] = (),
    obstructed: bool = False,
) -> BillRequest:
    return BillRequest(
        customer_kind=kind,
        is_micro_business=micro,
        bill_date=day(bill_date),
        period_start=day(period[0]),
        period_end=day(period[1]),
        supplies=supplies,
        credits=credits,
        back_billing_obstructed=obstructed,
    )


def kinds(bill: rating.Bill) -> list[str]:
    return [line.kind for line in bill.lines]


def of_kind(bill: rating.Bill, kind: str) -> list[rating.BillLine]:
    return [line for line in bill.lines if line.kind == kind]


JANUARY = ("2026-01-01", "2026-02-01")  # 31 days


class TestHomeDualFuelEconomy7Month:
    """January 2026, a home on Economy 7 electricity and gas, both read on 1 February.

    Electricity: standing 31 days x 53.35p = 1653.85 -> 1654
                 DAY   210.400 kWh x 27.12p = 5706.048  -> 5706
                 NIGHT 143.250 kWh x 13.05p = 1869.4125 -> 1869
    Gas:         standing 31 days x 31.65p = 981.15 -> 981
                 92.5 m3 x 1.02264 x 39.4 / 3.6 = 1035.28096... -> 1035.281 kWh
                 1035.281 kWh x 6.34p = 6563.68154 -> 6564
    Net 1654 + 5706 + 1869 + 981 + 6564 = 16774; VAT 5% = 838.7 -> 839; total 17613.
    """

    @pytest.fixture
    def bill(self) -> rating.Bill:
        electricity = Supply(
            meter_point=MPAN,
            fuel="ELECTRICITY",
            prices=[price("2025-10-01", None, "53.35", DAY="27.12", NIGHT="13.05")],
            consumptions=[
                use("2026-01-01", "2026-02-01", "210.400", band="DAY"),
                use("2026-01-01", "2026-02-01", "143.250", band="NIGHT"),
            ],
        )
        gas = Supply(
            meter_point=MPRN,
            fuel="GAS",
            prices=[price("2025-10-01", None, "31.65", ANYTIME="6.34")],
            consumptions=[
                rating.gas_consumption(
                    meter_point=MPRN,
                    band="ANYTIME",
                    start=day("2026-01-01"),
                    end=day("2026-02-01"),
                    cubic_metres=D("92.5"),
                    calorific_value=D("39.4"),
                    read_from="SMART",
                    read_to="SMART",
                )
            ],
        )
        return rating.rate_bill(request(electricity, gas, bill_date="2026-02-03", period=JANUARY))

    def test_lines_in_order_with_their_pence(self, bill):
        assert [(line.position, line.kind, line.amount_pence) for line in bill.lines] == [
            (1, "STANDING_CHARGE", 1654),
            (2, "ENERGY", 5706),
            (3, "ENERGY", 1869),
            (4, "STANDING_CHARGE", 981),
            (5, "ENERGY", 6564),
            (6, "VAT", 839),
        ]

    def test_totals(self, bill):
        assert (bill.net_pence, bill.ccl_pence, bill.vat_pence, bill.total_pence) == (
            16774,
            0,
            839,
            17613,
        )

    def test_each_line_says_how_it_was_computed(self, bill):
        standing, day_units, night_units, _, gas_units, vat_line = bill.lines

        assert standing.description == "31 days x 53.35p"
        assert (standing.quantity, standing.unit, standing.rate_pence) == (
            D("31"),
            "DAY",
            D("53.35"),
        )
        assert str(standing.quantity) == "31.000"
        assert day_units.description == "210.400 kWh x 27.12p (actual read to customer read)"
        assert (day_units.band, day_units.read_from, day_units.read_to) == (
            "DAY",
            "ACTUAL",
            "CUSTOMER",
        )
        assert night_units.band == "NIGHT"
        assert gas_units.quantity == D("1035.281")
        assert gas_units.description == (
            "92.500 m3 x 1.02264 x 39.4 MJ/m3 / 3.6 = 1035.281 kWh x 6.34p "
            "(smart read to smart read)"
        )
        assert vat_line.description == "VAT at 5% of £167.74"
        assert (vat_line.quantity, vat_line.unit, vat_line.vat_rate) == (D(5), "PCT", 0)

    def test_home_supply_is_vated_at_five_percent(self, bill):
        assert {line.vat_rate for line in bill.lines if line.kind != "VAT"} == {5}

    def test_lines_fit_the_invoice_line_columns(self, bill):
        for line in bill.lines:
            assert len(line.description) <= 200
            assert len(line.meter_point) <= 13
            assert line.quantity is None or line.quantity == line.quantity.quantize(D("0.001"))


class TestPriceChangeMidPeriod:
    """15 March to 15 April 2026 (31 days), the price changing on 1 April.

    Standing: 17 days x 50p = 850; 14 days x 48.5p = 679.
    300 kWh over 31 days: 300 x 17/31 = 164.516129 -> 164.516 at 25p = 4112.9 -> 4113;
    the rest, 135.484 at 24.5p = 3319.358 -> 3319.
    Net 850 + 679 + 4113 + 3319 = 8961; VAT 5% = 448.05 -> 448; total 9409.
    """

    PRICES = (
        price("2025-10-01", "2026-04-01", "50", ANYTIME="25"),
        price("2026-04-01", None, "48.5", ANYTIME="24.5"),
    )

    def test_standing_charge_and_energy_are_apportioned_by_day(self):
        supply = Supply(MPAN, "ELECTRICITY", self.PRICES, [use("2026-03-15", "2026-04-15", "300")])

        bill = rating.rate_bill(
            request(supply, bill_date="2026-04-16", period=("2026-03-15", "2026-04-15"))
        )

        assert [
            (line.kind, line.start_date, line.end_date, line.quantity, line.amount_pence)
            for line in bill.lines
        ] == [
            ("STANDING_CHARGE", day("2026-03-15"), day("2026-04-01"), D(17), 850),
            ("STANDING_CHARGE", day("2026-04-01"), day("2026-04-15"), D(14), 679),
            ("ENERGY", day("2026-03-15"), day("2026-04-01"), D("164.516"), 4113),
            ("ENERGY", day("2026-04-01"), day("2026-04-15"), D("135.484"), 3319),
            ("VAT", None, None, D(5), 448),
        ]
        assert bill.total_pence == 9409
        assert bill.lines[2].description == (
            "164.516 kWh x 25.00p: 17 of 31 days of 300.000 kWh (actual read to customer read)"
        )

    def test_a_consumption_from_before_the_period_is_not_clipped(self):
        # Read last on 10 March, billed from 15 March: all 22 days' energy is charged.
        # 36 days, 22 of them in March: 220 x 22/36 = 134.444 at 25p = 3361.1 -> 3361;
        # 85.556 at 24.5p = 2096.122 -> 2096.
        supply = Supply(MPAN, "ELECTRICITY", self.PRICES, [use("2026-03-10", "2026-04-15", "220")])

        bill = rating.rate_bill(
            request(supply, bill_date="2026-04-16", period=("2026-03-15", "2026-04-15"))
        )

        energy = of_kind(bill, "ENERGY")
        assert [(line.start_date, line.quantity, line.amount_pence) for line in energy] == [
            (day("2026-03-10"), D("134.444"), 3361),
            (day("2026-04-01"), D("85.556"), 2096),
        ]
        assert sum(line.quantity for line in energy) == D(220)

    def test_same_day_reads_are_charged_at_the_price_of_that_day(self):
        supply = Supply(MPAN, "ELECTRICITY", self.PRICES, [use("2026-04-01", "2026-04-01", "3")])

        bill = rating.rate_bill(
            request(supply, bill_date="2026-04-16", period=("2026-03-15", "2026-04-15"))
        )

        (energy,) = of_kind(bill, "ENERGY")
        # 3 kWh x 24.5p = 73.5 -> 74
        assert (energy.quantity, energy.rate_pence, energy.amount_pence) == (D(3), D("24.5"), 74)

    def test_a_band_the_price_does_not_have_is_an_error_naming_it(self):
        supply = Supply(
            MPAN, "ELECTRICITY", self.PRICES, [use("2026-03-15", "2026-04-15", "1", band="DAY")]
        )

        with pytest.raises(ValueError, match=rf"{MPAN}.*'DAY'"):
            rating.rate_bill(
                request(supply, bill_date="2026-04-16", period=("2026-03-15", "2026-04-15"))
            )

    def test_energy_goes_to_the_days_with_a_price(self):
        # Priced from 1 April only: the 14 days from then carry all of the 1 kWh.
        # 1 x 24.5p = 24.5 -> 25; standing 14 days x 48.5p = 679.
        supply = Supply(
            MPAN, "ELECTRICITY", self.PRICES[1:], [use("2026-03-15", "2026-04-15", "1")]
        )

        bill = rating.rate_bill(
            request(supply, bill_date="2026-04-16", period=("2026-03-15", "2026-04-15"))
        )

        (standing,) = of_kind(bill, "STANDING_CHARGE")
        (energy,) = of_kind(bill, "ENERGY")
        assert (standing.start_date, standing.quantity, standing.amount_pence) == (
            day("2026-04-01"),
            D(14),
            679,
        )
        assert (energy.start_date, energy.end_date, energy.quantity, energy.amount_pence) == (
            day("2026-04-01"),
            day("2026-04-15"),
            D(1),
            25,
        )
        assert energy.description == (
            "1.000 kWh x 24.50p: 14 of 14 priced days (31 between the reads) of 1.000 kWh "
            "(actual read to customer read)"
        )

    def test_energy_with_no_price_on_any_of_its_days_is_an_error(self):
        supply = Supply(
            MPAN, "ELECTRICITY", self.PRICES[1:], [use("2026-03-15", "2026-03-31", "1")]
        )

        with pytest.raises(
            ValueError,
            match=rf"{MPAN}: no price in force on any day from 2026-03-15 to 2026-03-31",
        ):
            rating.rate_bill(
                request(supply, bill_date="2026-04-16", period=("2026-03-15", "2026-04-15"))
            )

    def test_overlapping_prices_are_an_error(self):
        supply = Supply(MPAN, "ELECTRICITY", [*self.PRICES, price("2026-04-10", None, "1")], [])

        with pytest.raises(ValueError, match="overlap"):
            rating.rate_bill(
                request(supply, bill_date="2026-04-16", period=("2026-03-15", "2026-04-15"))
            )


class TestGasVolumeToEnergy:
    def test_cubic_metres_and_calorific_value_make_the_kwh(self):
        # 40 m3 x 1.02264 x 39.2 / 3.6 = 445.41653... -> 445.417 kWh
        consumption = rating.gas_consumption(
            meter_point=MPRN,
            band="ANYTIME",
            start=day("2026-01-01"),
            end=day("2026-02-01"),
            cubic_metres=D(40),
            calorific_value=D("39.2"),
            read_from="ACTUAL",
            read_to="CUSTOMER",
        )

        assert consumption.kwh == D("445.417")
        assert (consumption.cubic_metres, consumption.calorific_value) == (D(40), D("39.2"))

    def test_the_energy_line_shows_the_conversion(self):
        consumption = rating.gas_consumption(
            meter_point=MPRN,
            band="ANYTIME",
            start=day("2026-01-01"),
            end=day("2026-02-01"),
            cubic_metres=D(40),
            calorific_value=D("39.2"),
            read_from="ACTUAL",
            read_to="CUSTOMER",
        )
        supply = Supply(
            MPRN, "GAS", [price("2025-10-01", None, "0", ANYTIME="6.34")], [consumption]
        )

        bill = rating.rate_bill(request(supply, bill_date="2026-02-03", period=JANUARY))

        (energy,) = of_kind(bill, "ENERGY")
        # 445.417 kWh x 6.34p = 2823.94378 -> 2824
        assert energy.amount_pence == 2824
        assert energy.description == (
            "40.000 m3 x 1.02264 x 39.2 MJ/m3 / 3.6 = 445.417 kWh x 6.34p "
            "(actual read to customer read)"
        )


def business_electricity(kwh: str, *, fuel: str = "ELECTRICITY") -> Supply:
    return Supply(
        MPAN,
        fuel,
        [price("2026-01-01", None, "60", ANYTIME="22.5")],
        [use("2026-05-01", "2026-06-01", kwh)],
    )


MAY = ("2026-05-01", "2026-06-01")  # 31 days


class TestBusinessVatAndLevy:
    def test_business_supply_pays_twenty_percent_and_the_levy_itself_vated(self):
        # 5000 kWh over 31 days (161/day): standing 31 x 60 = 1860; energy 5000 x 22.5 =
        # 112500; CCL 5000 x 0.801 = 4005; VAT 20% of 1860 + 112500 + 4005 = 118365 ->
        # 23673. Net 114360 + 4005 + 23673 = 142038.
        bill = rating.rate_bill(
            request(
                business_electricity("5000"), kind="BUSINESS", bill_date="2026-06-02", period=MAY
            )
        )

        assert [(line.kind, line.amount_pence, line.vat_rate) for line in bill.lines] == [
            ("STANDING_CHARGE", 1860, 20),
            ("ENERGY", 112500, 20),
            ("CCL", 4005, 20),
            ("VAT", 23673, 0),
        ]
        (ccl,) = of_kind(bill, "CCL")
        assert (ccl.quantity, ccl.rate_pence) == (D(5000), D("0.801"))
        assert ccl.description == "5000.000 kWh x 0.801p Climate Change Levy"
        assert (bill.net_pence, bill.ccl_pence, bill.vat_pence, bill.total_pence) == (
            114360,
            4005,
            23673,
            142038,
        )

    def test_exactly_33_kwh_a_day_is_de_minimis(self):
        # 33 x 31 = 1023 kWh: 5%, no levy. 1860 + 1023 x 22.5 = 23017.5 -> 23018;
        # VAT 5% of 24878 = 1243.9 -> 1244.
        bill = rating.rate_bill(
            request(
                business_electricity("1023"), kind="BUSINESS", bill_date="2026-06-02", period=MAY
            )
        )

        assert kinds(bill) == ["STANDING_CHARGE", "ENERGY", "VAT"]
        assert {line.vat_rate for line in bill.lines[:2]} == {5}
        assert bill.vat_pence == 1244

    def test_a_thousandth_of_a_kwh_above_is_not(self):
        # 1023.001 x 22.5 = 23017.5225 -> 23018; CCL 1023.001 x 0.801 = 819.423801 -> 819;
        # VAT 20% of 1860 + 23018 + 819 = 25697 -> 5139.4 -> 5139.
        bill = rating.rate_bill(
            request(
                business_electricity("1023.001"),
                kind="BUSINESS",
                bill_date="2026-06-02",
                period=MAY,
            )
        )

        assert kinds(bill) == ["STANDING_CHARGE", "ENERGY", "CCL", "VAT"]
        assert of_kind(bill, "CCL")[0].amount_pence == 819
        assert bill.vat_pence == 5139

    def test_gas_de_minimis_is_145_kwh_a_day(self):
        at_limit = rating.rate_bill(
            request(
                business_electricity("4495", fuel="GAS"),
                kind="BUSINESS",
                bill_date="2026-06-02",
                period=MAY,
            )
        )
        above = rating.rate_bill(
            request(
                business_electricity("4495.001", fuel="GAS"),
                kind="BUSINESS",
                bill_date="2026-06-02",
                period=MAY,
            )
        )

        assert "CCL" not in kinds(at_limit)
        assert of_kind(above, "CCL")[0].rate_pence == D("0.801")

    def test_the_levy_follows_the_rate_of_each_parts_last_day(self):
        # The price and the levy both change on 1 April 2026: 3100 kWh over 31 days.
        # 3100 x 17/31 = 1700 at 0.775p = 1317.5 -> 1318; 1400 at 0.801p = 1121.4 -> 1121.
        supply = Supply(
            MPAN,
            "ELECTRICITY",
            [
                price("2025-10-01", "2026-04-01", "50", ANYTIME="20"),
                price("2026-04-01", None, "50", ANYTIME="21"),
            ],
            [use("2026-03-15", "2026-04-15", "3100")],
        )

        bill = rating.rate_bill(
            request(
                supply, kind="BUSINESS", bill_date="2026-04-16", period=("2026-03-15", "2026-04-15")
            )
        )

        assert [
            (line.quantity, line.rate_pence, line.amount_pence) for line in of_kind(bill, "CCL")
        ] == [
            (D(1700), D("0.775"), 1318),
            (D(1400), D("0.801"), 1121),
        ]
        assert bill.ccl_pence == 2439

    def test_vat_lines_one_per_rate_five_before_twenty(self):
        small_gas = Supply(
            MPRN,
            "GAS",
            [price("2026-01-01", None, "30", ANYTIME="6")],
            [use("2026-05-01", "2026-06-01", "100", meter_point=MPRN)],
        )
        # Electricity as above at 20% (118365 VATable -> 23673); gas 31 x 30 = 930 +
        # 100 x 6 = 600 -> 1530 at 5% = 76.5 -> 77.
        bill = rating.rate_bill(
            request(
                business_electricity("5000"),
                small_gas,
                kind="BUSINESS",
                bill_date="2026-06-02",
                period=MAY,
            )
        )

        vat_lines = of_kind(bill, "VAT")
        assert [(line.quantity, line.amount_pence) for line in vat_lines] == [
            (D(5), 77),
            (D(20), 23673),
        ]
        assert [line.position for line in vat_lines] == [len(bill.lines) - 1, len(bill.lines)]


class TestBackBilling:
    """A catch-up bill: read 1 March 2025, then not until 1 March 2026, billed 15 March
    2026, so the cutoff is 15 March 2025. 3650 kWh over 365 days, 50p a day, 25p a kWh.

    Protected: 14 days before the cutoff: 3650 x 14/365 = 140 kWh and 14 days' standing
    charge not charged; 351 days x 50p = 17550; 3510 kWh x 25p = 87750; VAT 5% of 105300
    = 5265.
    Not protected: 365 x 50 = 18250; 3650 x 25 = 91250; VAT 5% of 109500 = 5475 (10 kWh a
    day: de minimis).
    """

    SUPPLY = Supply(
        MPAN,
        "ELECTRICITY",
        [price("2025-01-01", None, "50", ANYTIME="25")],
        [use("2025-03-01", "2026-03-01", "3650")],
    )
    PERIOD = ("2025-03-01", "2026-03-01")

    def rate(self, **kwargs) -> rating.Bill:
        return rating.rate_bill(
            request(self.SUPPLY, bill_date="2026-03-15", period=self.PERIOD, **kwargs)
        )

    def test_a_home_is_not_charged_for_energy_older_than_12_months(self):
        bill = self.rate()

        assert [(line.kind, line.quantity, line.amount_pence) for line in bill.lines] == [
            ("STANDING_CHARGE", D(351), 17550),
            ("ENERGY", D(3510), 87750),
            ("BACK_BILLING", D(140), 0),
            ("VAT", D(5), 5265),
        ]
        back = of_kind(bill, "BACK_BILLING")[0]
        assert (back.start_date, back.end_date, back.vat_rate) == (
            day("2025-03-01"),
            day("2025-03-15"),
            0,
        )
        assert back.description == (
            "Not charged: 140.000 kWh and 14 days' standing charge from 1 Mar 2025 to "
            "14 Mar 2025: energy used more than 12 months before this bill of 15 Mar 2026"
        )
        assert bill.total_pence == 17550 + 87750 + 5265

    def test_a_micro_business_is_protected_too(self):
        bill = self.rate(kind="BUSINESS", micro=True)

        assert kinds(bill) == ["STANDING_CHARGE", "ENERGY", "BACK_BILLING", "VAT"]
        assert bill.net_pence == 17550 + 87750

    def test_a_large_business_is_charged_for_it_all(self):
        bill = self.rate(kind="BUSINESS")

        assert [(line.kind, line.amount_pence) for line in bill.lines] == [
            ("STANDING_CHARGE", 18250),
            ("ENERGY", 91250),
            ("VAT", 5475),
        ]

    def test_a_customer_who_obstructed_billing_is_charged_for_it_all(self):
        bill = self.rate(obstructed=True)

        assert "BACK_BILLING" not in kinds(bill)
        assert bill.net_pence == 18250 + 91250

    def test_energy_wholly_before_the_cutoff_is_a_line_of_its_own(self):
        supply = Supply(
            MPAN,
            "ELECTRICITY",
            [price("2025-01-01", None, "50", ANYTIME="25")],
            [use("2025-01-10", "2025-02-10", "310"), use("2026-02-01", "2026-03-01", "280")],
        )

        bill = rating.rate_bill(
            request(supply, bill_date="2026-03-15", period=("2026-02-01", "2026-03-01"))
        )

        assert [(line.kind, line.quantity) for line in bill.lines] == [
            ("STANDING_CHARGE", D(28)),
            ("ENERGY", D(280)),
            ("BACK_BILLING", D(310)),
            ("VAT", D(5)),
        ]
        assert of_kind(bill, "BACK_BILLING")[0].description == (
            "Not charged: 310.000 kWh from 10 Jan 2025 to 9 Feb 2025: energy used more than "
            "12 months before this bill of 15 Mar 2026"
        )

    def test_a_leap_day_bill_looks_back_to_28_february(self):
        # Billed 29 Feb 2028: cutoff 28 Feb 2027. 10 kWh over 27 Feb..1 Mar 2027 (2 days):
        # 5 kWh before the cutoff not charged, 5 kWh at 30p = 150.
        supply = Supply(
            MPAN,
            "ELECTRICITY",
            [price("2027-01-01", None, "0", ANYTIME="30")],
            [use("2027-02-27", "2027-03-01", "10")],
        )

        bill = rating.rate_bill(
            request(supply, bill_date="2028-02-29", period=("2027-02-27", "2028-02-29"))
        )

        energy = of_kind(bill, "ENERGY")[0]
        assert (energy.start_date, energy.quantity, energy.amount_pence) == (
            day("2027-02-28"),
            D(5),
            150,
        )
        assert of_kind(bill, "BACK_BILLING")[0].quantity == D(5)

    @pytest.mark.parametrize(
        ("bill_date", "cutoff"),
        [
            ("2026-03-15", "2025-03-15"),
            ("2028-02-29", "2027-02-28"),
            ("2029-03-01", "2028-03-01"),
            ("2029-02-28", "2028-02-28"),
        ],
    )
    def test_the_cutoff_is_the_same_day_a_year_before(self, bill_date, cutoff):
        assert back_billing.cutoff(day(bill_date)) == day(cutoff)


class TestCreditsAndCompensation:
    def test_they_are_outside_the_scope_of_vat(self):
        # Standing 31 x 50 = 1550; 100 kWh x 25 = 2500; VAT 5% of 4050 = 202.5 -> 203.
        # Net 4050 - 500 - 3000 = 550; total 753.
        supply = Supply(
            MPAN,
            "ELECTRICITY",
            [price("2025-01-01", None, "50", ANYTIME="25")],
            [use("2026-01-01", "2026-02-01", "100")],
        )
        credits = (
            Credit("CREDIT", "Goodwill credit", 500),
            Credit("COMPENSATION", "Missed appointment on 12 Jan 2026", 3000),
        )

        bill = rating.rate_bill(
            request(supply, bill_date="2026-02-03", period=JANUARY, credits=credits)
        )

        assert [
            (line.position, line.kind, line.amount_pence, line.vat_rate, line.description)
            for line in bill.lines[2:]
        ] == [
            (3, "CREDIT", -500, 0, "Goodwill credit"),
            (4, "COMPENSATION", -3000, 0, "Missed appointment on 12 Jan 2026"),
            (5, "VAT", 203, 0, "VAT at 5% of £40.50"),
        ]
        assert (bill.net_pence, bill.vat_pence, bill.total_pence) == (550, 203, 753)

    def test_an_unknown_kind_is_an_error(self):
        with pytest.raises(ValueError, match="credit kind"):
            rating.rate_bill(
                request(bill_date="2026-02-03", period=JANUARY, credits=(Credit("GIFT", "x", 1),))
            )


class TestStandingCharge:
    def test_rounded_half_up_per_line(self):
        # 3 days x 12.5p = 37.5 -> 38; 2 days x 12.25p = 24.5 -> 25 (not 62.0 -> 62 together).
        supply = Supply(
            MPAN,
            "ELECTRICITY",
            [
                price("2026-01-01", "2026-01-04", "12.5"),
                price("2026-01-04", None, "12.25"),
            ],
            [],
        )

        bill = rating.rate_bill(
            request(supply, bill_date="2026-01-07", period=("2026-01-01", "2026-01-06"))
        )

        assert [line.amount_pence for line in of_kind(bill, "STANDING_CHARGE")] == [38, 25]
        assert bill.lines[1].description == "2 days x 12.25p"

    def test_days_without_a_price_are_not_charged(self):
        supply = Supply(MPAN, "ELECTRICITY", [price("2026-01-20", None, "10")], [])

        bill = rating.rate_bill(request(supply, bill_date="2026-02-03", period=JANUARY))

        (standing,) = of_kind(bill, "STANDING_CHARGE")
        assert (standing.start_date, standing.quantity, standing.amount_pence) == (
            day("2026-01-20"),
            D(12),
            120,
        )


class TestRecords:
    def test_apportioning_gives_the_last_piece_the_remainder(self):
        # 100 x 1/3 = 33.333..., twice; the last gets 33.334.
        assert rating.apportion(D(100), [1, 1, 1]) == (D("33.333"), D("33.333"), D("33.334"))

    def test_kwh_must_be_to_the_thousandth(self):
        with pytest.raises(ValueError, match="thousandth"):
            use("2026-01-01", "2026-02-01", "1.0001")

    def test_a_period_must_have_days(self):
        with pytest.raises(ValueError, match="after its start"):
            request(bill_date="2026-02-03", period=("2026-01-01", "2026-01-01"))

    def test_the_levy_has_no_rate_before_its_table(self):
        with pytest.raises(ValueError, match="2022-03-31"):
            levy.ccl_rate(fuel="GAS", on=day("2022-03-31"))

    @pytest.mark.parametrize(
        ("on", "electricity", "gas"),
        [
            # HMRC's "Climate Change Levy rates" (gov.uk), main rates in GBP per kWh.
            ("2022-04-01", "0.775", "0.568"),
            ("2023-04-01", "0.775", "0.672"),
            ("2024-03-31", "0.775", "0.672"),
            ("2024-04-01", "0.775", "0.775"),
            ("2025-04-01", "0.775", "0.775"),
            ("2026-03-31", "0.775", "0.775"),
            ("2026-04-01", "0.801", "0.801"),
        ],
    )
    def test_the_levy_rates_in_force(self, on, electricity, gas):
        assert levy.ccl_rate(fuel="ELECTRICITY", on=day(on)) == D(electricity)
        assert levy.ccl_rate(fuel="GAS", on=day(on)) == D(gas)

    def test_tax_treatment(self):
        assert vat.tax_treatment(
            customer_kind="RESIDENTIAL", fuel="GAS", charged_kwh=D(10**6), days=1
        ) == vat.TaxTreatment(vat_rate=5, charges_ccl=False)
        assert vat.tax_treatment(
            customer_kind="BUSINESS", fuel="ELECTRICITY", charged_kwh=D(331), days=10
        ) == vat.TaxTreatment(vat_rate=20, charges_ccl=True)
