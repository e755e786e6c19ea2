"""Where the demo book lives: towns of each of the 14 electricity regions, with postcode
areas that belong there, and street names. Fixed lists, no network.

Postcode districts are real outward codes of each town (``M20``, ``LS6``, ``SW11`` ...);
the inward codes the generator adds are well-formed but made up.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Town:
    name: str
    county: str
    area: str  # the postcode area: "M", "LS", "SW"
    districts: tuple[int, ...]  # the district numbers in that area that serve the town

    def outward_codes(self) -> tuple[str, ...]:
        """Return the town's outward codes (``LS1`` ... ``LS29``)."""
        return tuple(f"{self.area}{district}" for district in self.districts)


def _span(first: int, last: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1))


# Distributor ID -> the towns the region's network serves.
TOWNS: dict[str, tuple[Town, ...]] = {
    "10": (
        Town("Norwich", "Norfolk", "NR", _span(1, 14)),
        Town("Cambridge", "Cambridgeshire", "CB", _span(1, 5)),
        Town("Ipswich", "Suffolk", "IP", _span(1, 10)),
        Town("Chelmsford", "Essex", "CM", _span(1, 3)),
        Town("Colchester", "Essex", "CO", _span(1, 7)),
        Town("Luton", "Bedfordshire", "LU", _span(1, 4)),
        Town("Peterborough", "Cambridgeshire", "PE", _span(1, 7)),
    ),
    "11": (
        Town("Nottingham", "Nottinghamshire", "NG", _span(1, 17)),
        Town("Leicester", "Leicestershire", "LE", _span(1, 9)),
        Town("Derby", "Derbyshire", "DE", _span(1, 24)),
        Town("Northampton", "Northamptonshire", "NN", _span(1, 7)),
        Town("Lincoln", "Lincolnshire", "LN", _span(1, 6)),
    ),
    "12": (
        Town("London", "", "E", _span(1, 18)),
        Town("London", "", "N", _span(1, 22)),
        Town("London", "", "SE", _span(1, 28)),
        Town("London", "", "SW", _span(1, 20)),
        Town("London", "", "W", _span(2, 14)),
        Town("London", "", "NW", _span(1, 11)),
    ),
    "13": (
        Town("Liverpool", "Merseyside", "L", _span(1, 38)),
        Town("Birkenhead", "Merseyside", "CH", _span(41, 43)),
        Town("Chester", "Cheshire", "CH", _span(1, 4)),
        Town("Wrexham", "Wrexham", "LL", _span(11, 14)),
        Town("Bangor", "Gwynedd", "LL", (57,)),
        Town("Rhyl", "Denbighshire", "LL", (18,)),
    ),
    "14": (
        Town("Birmingham", "West Midlands", "B", _span(1, 38)),
        Town("Coventry", "West Midlands", "CV", _span(1, 6)),
        Town("Wolverhampton", "West Midlands", "WV", _span(1, 14)),
        Town("Stoke-on-Trent", "Staffordshire", "ST", _span(1, 12)),
        Town("Worcester", "Worcestershire", "WR", _span(1, 5)),
        Town("Shrewsbury", "Shropshire", "SY", _span(1, 5)),
    ),
    "15": (
        Town("Newcastle upon Tyne", "Tyne and Wear", "NE", _span(1, 15)),
        Town("Sunderland", "Tyne and Wear", "SR", _span(1, 6)),
        Town("Durham", "County Durham", "DH", _span(1, 7)),
        Town("Middlesbrough", "North Yorkshire", "TS", _span(1, 8)),
        Town("Darlington", "County Durham", "DL", _span(1, 3)),
    ),
    "16": (
        Town("Manchester", "Greater Manchester", "M", _span(1, 46)),
        Town("Preston", "Lancashire", "PR", _span(1, 5)),
        Town("Bolton", "Greater Manchester", "BL", _span(1, 7)),
        Town("Lancaster", "Lancashire", "LA", _span(1, 2)),
        Town("Blackpool", "Lancashire", "FY", _span(1, 5)),
        Town("Warrington", "Cheshire", "WA", _span(1, 5)),
    ),
    "17": (
        Town("Aberdeen", "Aberdeenshire", "AB", _span(10, 25)),
        Town("Inverness", "Highland", "IV", _span(1, 3)),
        Town("Dundee", "Angus", "DD", _span(1, 5)),
        Town("Perth", "Perth and Kinross", "PH", _span(1, 2)),
    ),
    "18": (
        Town("Glasgow", "Lanarkshire", "G", _span(1, 53)),
        Town("Edinburgh", "Midlothian", "EH", _span(1, 17)),
        Town("Kilmarnock", "Ayrshire", "KA", _span(1, 3)),
        Town("Dumfries", "Dumfriesshire", "DG", _span(1, 2)),
    ),
    "19": (
        Town("Brighton", "East Sussex", "BN", _span(1, 3)),
        Town("Canterbury", "Kent", "CT", _span(1, 4)),
        Town("Maidstone", "Kent", "ME", _span(14, 17)),
        Town("Tunbridge Wells", "Kent", "TN", _span(1, 4)),
        Town("Crawley", "West Sussex", "RH", _span(10, 11)),
    ),
    "20": (
        Town("Southampton", "Hampshire", "SO", _span(14, 19)),
        Town("Portsmouth", "Hampshire", "PO", _span(1, 6)),
        Town("Reading", "Berkshire", "RG", _span(1, 6)),
        Town("Oxford", "Oxfordshire", "OX", _span(1, 4)),
        Town("Bournemouth", "Dorset", "BH", _span(1, 11)),
        Town("Guildford", "Surrey", "GU", _span(1, 5)),
    ),
    "21": (
        Town("Cardiff", "South Glamorgan", "CF", _span(3, 24)),
        Town("Swansea", "West Glamorgan", "SA", _span(1, 9)),
        Town("Newport", "Gwent", "NP", _span(10, 20)),
        Town("Carmarthen", "Carmarthenshire", "SA", _span(31, 33)),
    ),
    "22": (
        Town("Bristol", "Bristol", "BS", _span(1, 16)),
        Town("Exeter", "Devon", "EX", _span(1, 6)),
        Town("Plymouth", "Devon", "PL", _span(1, 9)),
        Town("Taunton", "Somerset", "TA", _span(1, 3)),
        Town("Truro", "Cornwall", "TR", _span(1, 4)),
    ),
    "23": (
        Town("Leeds", "West Yorkshire", "LS", _span(1, 29)),
        Town("Sheffield", "South Yorkshire", "S", _span(1, 36)),
        Town("Bradford", "West Yorkshire", "BD", _span(1, 15)),
        Town("York", "North Yorkshire", "YO", _span(1, 32)),
        Town("Hull", "East Yorkshire", "HU", _span(1, 17)),
    ),
}

# How the book spreads over the regions, roughly in proportion to their homes.
REGION_WEIGHTS: dict[str, int] = {
    "10": 10,
    "11": 8,
    "12": 14,
    "13": 5,
    "14": 9,
    "15": 5,
    "16": 9,
    "17": 3,
    "18": 7,
    "19": 8,
    "20": 10,
    "21": 4,
    "22": 6,
    "23": 9,
}

# Inward code letters (never C, I, K, M, O or V). A dozen units per sector keeps about
# fifteen homes to a postcode at a million customers, as in the real address file.
INWARD_UNITS: tuple[str, ...] = (
    "AB",
    "BD",
    "DE",
    "EF",
    "FG",
    "GH",
    "HJ",
    "JL",
    "LN",
    "NP",
    "PQ",
    "RS",
)

STREETS: tuple[str, ...] = (
    "High Street",
    "Station Road",
    "Church Lane",
    "Victoria Road",
    "Green Lane",
    "Manor Road",
    "Park Road",
    "Queens Road",
    "Kings Road",
    "New Road",
    "Mill Lane",
    "School Lane",
    "The Crescent",
    "Grange Road",
    "Springfield Road",
    "Alexandra Road",
    "Albert Road",
    "Windsor Road",
    "York Road",
    "Highfield Road",
    "London Road",
    "Chapel Street",
    "North Street",
    "South Street",
    "West Street",
    "Orchard Close",
    "Willow Close",
    "Beech Grove",
    "Oak Avenue",
    "Elm Grove",
    "Ash Grove",
    "Cedar Drive",
    "Meadow Way",
    "Brook Street",
    "Mount Pleasant",
    "Castle Street",
    "Market Street",
    "Bridge Street",
    "Water Lane",
    "King Street",
    "Queen Street",
    "George Street",
    "Princes Street",
    "Stanley Road",
    "Richmond Road",
    "Cromwell Road",
    "Nelson Street",
    "Wellington Road",
    "Chestnut Avenue",
    "Hawthorn Road",
    "Rowan Close",
    "Heather Drive",
    "Primrose Hill",
    "Lime Tree Walk",
    "Fairfield Road",
    "Hillside Avenue",
    "Riverside",
    "Canal Street",
    "Foundry Lane",
    "Bakers Row",
    "Cherry Tree Lane",
    "Holly Bank",
    "St Mary's Road",
    "St John's Road",
    "Tudor Close",
    "Clarendon Road",
    "Belmont Avenue",
    "Kingsway",
    "Broadway",
    "The Avenue",
)

FLAT_LINES: tuple[str, ...] = ("Flat 1", "Flat 2", "Flat 3", "Flat 4", "Flat A", "Flat B")

BUSINESS_LINES: tuple[str, ...] = (
    "Unit 1",
    "Unit 2",
    "Unit 4",
    "Unit 7",
    "Unit 12",
    "Ground Floor",
    "First Floor",
    "Suite 3",
)
