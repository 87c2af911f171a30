"""Fixed lists that become open data, so they follow public standards."""

# UK Standard Industrial Classification 2007, sections A–U.
SECTORS = [
    ("A", "Agriculture, forestry and fishing"),
    ("B", "Mining and quarrying"),
    ("C", "Manufacturing"),
    ("D", "Electricity, gas, steam and air conditioning supply"),
    ("E", "Water supply; sewerage, waste management and remediation activities"),
    ("F", "Construction"),
    ("G", "Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    ("H", "Transportation and storage"),
    ("I", "Accommodation and food service activities"),
    ("J", "Information and communication"),
    ("K", "Financial and insurance activities"),
    ("L", "Real estate activities"),
    ("M", "Professional, scientific and technical activities"),
    ("N", "Administrative and support service activities"),
    ("O", "Public administration and defence; compulsory social security"),
    ("P", "Education"),
    ("Q", "Human health and social work activities"),
    ("R", "Arts, entertainment and recreation"),
    ("S", "Other service activities"),
    ("T", "Activities of households as employers"),
    ("U", "Activities of extraterritorial organisations and bodies"),
]

# The 12 UK ITL1 regions, plus companies based abroad.
REGIONS = [
    ("TLC", "North East"),
    ("TLD", "North West"),
    ("TLE", "Yorkshire and The Humber"),
    ("TLF", "East Midlands"),
    ("TLG", "West Midlands"),
    ("TLH", "East of England"),
    ("TLI", "London"),
    ("TLJ", "South East"),
    ("TLK", "South West"),
    ("TLL", "Wales"),
    ("TLM", "Scotland"),
    ("TLN", "Northern Ireland"),
    ("XX", "Outside the UK"),
]

HEADCOUNT_BANDS = [
    ("1-9", "1–9"),
    ("10-49", "10–49"),
    ("50-249", "50–249"),
    ("250-999", "250–999"),
    ("1000+", "1,000 or more"),
]

SECTOR_NAMES = dict(SECTORS)
REGION_NAMES = dict(REGIONS)
HEADCOUNT_BAND_NAMES = dict(HEADCOUNT_BANDS)
