"""Postcode areas to electricity regions: the table covers GB, agrees with the demo."""

from __future__ import annotations

import pytest

from kilowatt import validation
from kilowatt.demo.domain import places
from kilowatt.sales.domain import regions


@pytest.mark.parametrize(
    ("postcode", "region"),
    [
        ("SW1A 1AA", "12"),
        ("sw1a1aa", "12"),
        ("B15 2TT", "14"),
        ("AB10 1XG", "17"),
        ("M1 1AE", "16"),
        ("L1 8JQ", "13"),
        ("LS1 4AP", "23"),
        ("CF10 1EP", "21"),
        ("EH1 1YZ", "18"),
        ("NR1 3JU", "10"),
        ("NG1 5FS", "11"),
        ("NE1 7RU", "15"),
        ("BN1 1AE", "19"),
        ("SO14 7DW", "20"),
        ("EX1 1HS", "22"),
    ],
)
def test_a_postcode_is_in_its_areas_region(postcode, region):
    assert regions.region_for_postcode(postcode) == region


@pytest.mark.parametrize("postcode", ["BT1 1AA", "JE2 3AB", "GY1 1AA", "IM1 1AA", "GIR 0AA"])
def test_areas_outside_the_gb_networks_have_no_region(postcode):
    assert regions.region_for_postcode(postcode) is None


@pytest.mark.parametrize("postcode", ["", "junk M1 1AA", "M1", "QQ1 1AA"])
def test_a_malformed_postcode_has_no_region(postcode):
    assert regions.region_for_postcode(postcode) is None


def test_the_area_is_the_outward_codes_leading_letters():
    assert regions.postcode_area("sw1a 1aa") == "SW"
    assert regions.postcode_area("B15 2TT") == "B"
    assert regions.postcode_area("W1A 0AX") == "W"


def test_every_region_has_areas_and_every_area_a_known_region():
    assert set(regions.AREA_REGIONS.values()) == set(validation.REGIONS)
    assert not regions.OUTSIDE_GB_NETWORKS & set(regions.AREA_REGIONS)
    assert all(area.isalpha() and area.isupper() for area in regions.AREA_REGIONS)


def test_every_demo_town_is_in_the_region_the_demo_gives_it():
    for region, towns in places.TOWNS.items():
        for town in towns:
            for outward in town.outward_codes():
                assert regions.region_for_postcode(f"{outward} 1AB") == region, (town, outward)
