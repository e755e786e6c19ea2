"""Who is in the demo book: names and the makings of business names. Fixed lists.

Phone numbers come from Ofcom's ranges reserved for drama (07700 900xxx, 01632 960xxx)
and email addresses from the reserved ``example`` domains, so a demo never reaches a
real person.
"""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar",
    "William", "James", "Henry", "Leo", "Alfie", "Joshua", "Freddie", "Archie", "Ethan",
    "Isaac", "Alexander", "Joseph", "Edward", "Samuel", "Max", "Daniel", "Arthur", "Lucas",
    "Mohammed", "Logan", "Theo", "Harrison", "Benjamin", "Mason", "Sebastian", "Finley",
    "Adam", "Dylan", "Zachary", "Riley", "Toby", "David", "Michael", "Peter", "Robert",
    "John", "Paul", "Andrew", "Mark", "Stephen", "Ian", "Olivia", "Amelia", "Isla", "Ava",
    "Emily", "Isabella", "Mia", "Poppy", "Ella", "Lily", "Evie", "Grace", "Sophia",
    "Sophie", "Ruby", "Freya", "Charlotte", "Daisy", "Alice", "Florence", "Chloe",
    "Jessica", "Phoebe", "Matilda", "Evelyn", "Scarlett", "Harriet", "Imogen", "Zara",
    "Priya", "Aisha", "Fatima", "Hannah", "Rebecca", "Sarah", "Emma", "Laura", "Rachel",
    "Claire", "Helen", "Susan", "Margaret", "Elizabeth", "Catherine", "Joanne", "Nicola",
    "Karen", "Julie", "Deborah", "Siobhan", "Niamh", "Eilidh", "Catrin", "Rhys", "Dafydd",
    "Callum", "Euan", "Fraser",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook",
    "Carter", "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller",
    "Cox", "Richards", "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams",
    "Singh", "Begum", "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray",
    "Mason", "Ali", "Hunt", "Hussain", "Campbell", "Matthews", "Owen", "Palmer", "Holmes",
    "Mills", "Barnes", "Knight", "Lloyd", "Butler", "Russell", "Barker", "Fisher",
    "Stevens", "Jenkins", "Murray", "Dixon", "Harvey", "Graham", "Pearson", "Ahmed",
    "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews", "Stewart", "Elliott",
    "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day", "Brooks", "West",
    "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson", "Ball",
    "Burton", "O'Brien", "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells",
    "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman", "Barrett",
    "Webster", "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley", "Dunn",
    "Woods", "Parsons", "Berry", "Stone", "Reid", "Holland", "Hawkins", "Harding",
    "Porter", "Robertson", "Newton", "Oliver", "Reed", "Kennedy", "Williamson", "Bird",
    "Gardner", "Shah", "Dean", "Lane", "Cooke", "Bates", "Henderson", "Parry", "Burgess",
    "Bishop", "Walton", "Burns", "Nicholson", "Shepherd", "Ross", "Cross", "Long",
    "Freeman", "Warren", "Nicholls", "Hamilton", "Byrne", "Sutton", "McDonald", "Yates",
    "Hodgson", "Robson", "Curtis", "Hopkins", "O'Connor", "Harper", "Coleman", "Watkins",
    "Moss", "McCarthy", "Chambers", "Griffin", "Sharp", "Hardy", "Wheeler", "Potter",
    "Osborne", "Johnston", "Gordon", "Doyle", "Wallace", "George", "Jordan", "Hutchinson",
)  # fmt: skip

TITLES: tuple[str, ...] = ("Mr", "Mrs", "Ms", "Miss", "Dr", "Mx")

EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.co.uk", "example.org", "example.net")

# Ofcom's drama ranges: 07700 900000-900999 (mobile), 01632 960000-960999 (landline).
MOBILE_PREFIX = "07700900"
LANDLINE_PREFIX = "01632960"

# Words a business might be named after, and each sector's trades.
BUSINESS_NAME_WORDS: tuple[str, ...] = (
    "Northgate", "Riverside", "Oakwood", "Meadowbank", "Hillcrest", "Kingfisher",
    "Bluebell", "Harbour", "Castle", "Millstone", "Greenfield", "Ashdown", "Beacon",
    "Heritage", "Thistle", "Dragon", "Pennine", "Cotswold", "Wessex", "Mercia", "Albion",
    "Summit", "Crown", "Anchor", "Phoenix", "Willow", "Foxglove", "Sterling", "Granite",
    "Copper Kettle", "Old Forge", "Three Bridges", "Red Lion", "Swan", "Evergreen",
)  # fmt: skip

SECTOR_TRADES: dict[str, tuple[str, ...]] = {
    "RETAIL": ("Stores", "Hardware", "Florists", "Books", "Butchers", "Convenience Store"),
    "HOSPITALITY": ("Cafe", "Tea Rooms", "Hotel", "Kitchen", "Bakery", "Inn"),
    "OFFICE": ("Accountants", "Associates", "Consulting", "Solicitors", "Architects"),
    "MANUFACTURING": ("Engineering", "Fabrications", "Joinery", "Print", "Plastics"),
    "AGRICULTURE": ("Farms", "Nurseries", "Dairies", "Growers"),
    "HEALTH": ("Dental Practice", "Pharmacy", "Care Home", "Physiotherapy", "Vets"),
    "EDUCATION": ("Day Nursery", "Tutors", "Academy", "Music School"),
    "PUBLIC": ("Community Trust", "Village Hall", "Food Bank", "Sports Club"),
    "OTHER": ("Garage", "Hair Salon", "Self Storage", "Cleaning Services", "Removals"),
}

# How businesses spread over the sectors (shops and offices are most of them).
SECTOR_WEIGHTS: dict[str, int] = {
    "RETAIL": 24,
    "HOSPITALITY": 18,
    "OFFICE": 20,
    "MANUFACTURING": 8,
    "AGRICULTURE": 5,
    "HEALTH": 8,
    "EDUCATION": 4,
    "PUBLIC": 4,
    "OTHER": 9,
}

COMPANY_SUFFIXES: tuple[str, ...] = ("Ltd", "Limited", "Ltd", "LLP", "Ltd")

PRIORITY_NOTES: dict[str, str] = {
    "MEDICAL_EQUIPMENT": "Home oxygen concentrator",
    "HEARING_OR_SIGHT": "Large print bills",
    "TEMPORARY": "Recovering from an operation",
}
