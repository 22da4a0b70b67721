"""Vocabulary for the generated register: how Finnish social and health care units are named."""

# fmt: off

from __future__ import annotations

# Service lines of a welfare area: toimialue → palvelualue → unit-name templates.
# Kind: H health care, S social care, B both. Placeholders: {g} the municipality in the genitive,
# {m} the municipality, {d} a district, {dir} a compass direction, {h} the area's central hospital.
SERVICE_LINES: tuple[tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    ("Perusterveydenhuolto", (
        ("Terveysasemapalvelut", "H", (
            "{g} terveysasema", "{g} terveysasema, {d}", "{g} terveysaseman laboratorio",
            "{g} diabetesvastaanotto", "{g} muistipoliklinikka", "{g} sairaanhoitajan vastaanotto",
        )),
        ("Neuvolapalvelut", "H", (
            "{g} äitiysneuvola", "{g} lastenneuvola", "{g} lastenneuvola, {d}", "{g} perhesuunnitteluneuvola",
        )),
        ("Koulu- ja opiskeluterveydenhuolto", "H", (
            "{g} kouluterveydenhuolto", "{g} opiskeluterveydenhuolto", "{g} kouluterveydenhuolto, {d}",
        )),
        ("Suun terveydenhuolto", "H", (
            "{g} hammashoitola", "{g} hammashoitola, {d}", "{g} suuhygienistin vastaanotto",
        )),
        ("Kuntoutus", "H", (
            "{g} fysioterapia", "{g} toimintaterapia", "{g} puheterapia", "Apuvälinepalvelut, {m}",
        )),
    )),
    ("Sairaalapalvelut", (
        ("Operatiivinen hoito", "H", (
            "{h}, kirurgian poliklinikka", "{h}, ortopedian poliklinikka", "{h}, päiväkirurgia",
            "{h}, kirurginen vuodeosasto", "{h}, leikkausosasto", "{h}, teho-osasto",
            "{h}, silmätautien poliklinikka", "{h}, korva-, nenä- ja kurkkutautien poliklinikka",
            "{h}, naistentautien poliklinikka", "{h}, synnytysosasto",
        )),
        ("Konservatiivinen hoito", "H", (
            "{h}, sisätautien poliklinikka", "{h}, kardiologian poliklinikka",
            "{h}, neurologian poliklinikka",
            "{h}, keuhkosairauksien poliklinikka", "{h}, syöpätautien poliklinikka",
            "{h}, ihotautien poliklinikka", "{h}, reumapoliklinikka", "{h}, lastentautien poliklinikka",
            "{h}, sisätautien vuodeosasto", "{h}, lastenosasto",
        )),
        ("Päivystys ja ensihoito", "H", (
            "{h}, yhteispäivystys", "Ensihoito, {m}", "{g} terveyskeskuspäivystys", "Ensihoidon asema, {m}",
        )),
        ("Akuuttisairaanhoito", "H", (
            "{g} akuuttiosasto", "{g} kuntoutusosasto", "{g} terveyskeskussairaala",
        )),
        ("Diagnostiikka", "H", (
            "{h}, kuvantaminen", "{h}, laboratorio", "Kuvantaminen, {m}", "Laboratorio, {m}",
        )),
    )),
    ("Mielenterveys- ja päihdepalvelut", (
        ("Aikuisten mielenterveyspalvelut", "B", (
            "Aikuispsykiatrian poliklinikka, {m}", "{g} mielenterveys- ja päihdepalvelut",
            "Psykiatrinen kuntoutumiskoti {d}", "{h}, psykiatrian osasto",
        )),
        ("Lasten ja nuorten mielenterveyspalvelut", "H", (
            "Lasten ja nuorten psykiatrian poliklinikka, {m}", "Nuorisopsykiatrian poliklinikka, {m}",
            "Lastenpsykiatrian poliklinikka, {m}",
        )),
        ("Päihdepalvelut", "B", (
            "A-klinikka, {m}", "Päihdepoliklinikka, {m}", "Katkaisuhoitoasema, {m}",
            "Päihdekuntoutusyksikkö {d}", "Matalan kynnyksen palvelupiste, {m}",
        )),
    )),
    ("Perhe- ja sosiaalipalvelut", (
        ("Lastensuojelu", "S", (
            "Lastensuojelun avohuolto, {m}", "Lastensuojelun sijaishuolto, {m}",
            "Lastensuojelun jälkihuolto, {m}",
            "Nuorisokoti {d}", "Lastenkoti {d}", "Perhetukikeskus {d}",
            "Lastensuojelun vastaanottoyksikkö, {m}",
        )),
        ("Lapsiperheiden palvelut", "S", (
            "Perhekeskus {m}", "Perhesosiaalityö, {m}", "Kasvatus- ja perheneuvola, {m}",
            "Lapsiperheiden kotipalvelu, {m}", "Perhetyö, {m}",
        )),
        ("Aikuissosiaalityö", "S", (
            "Aikuissosiaalityö, {m}", "Sosiaaliohjaus, {m}", "Kuntouttava työtoiminta, {m}",
            "Työllistymistä tukeva toiminta, {m}", "Asumisneuvonta, {m}",
        )),
        ("Vammaispalvelut", "S", (
            "Vammaispalvelut, {m}", "Asumisyksikkö {d}", "Päivätoimintakeskus {d}", "Työtoimintakeskus, {m}",
            "Kehitysvammapoliklinikka, {m}", "Henkilökohtaisen avun palvelukeskus, {m}",
        )),
        ("Sosiaalipäivystys", "S", (
            "Sosiaalipäivystys, {m}", "Kriisikeskus, {m}", "Turvakoti {d}",
        )),
    )),
    ("Ikäihmisten palvelut", (
        ("Kotihoito", "B", (
            "Kotihoito {dir}", "Kotihoito {m} {dir}", "Kotihoito {d}", "Kotisairaala, {m}",
            "Yökotihoito, {m}",
        )),
        ("Asumispalvelut", "S", (
            "Palvelutalo {d}", "Ympärivuorokautinen palveluasuminen {d}", "Yhteisöllinen asuminen {d}",
            "{g} palvelukeskus", "Ryhmäkoti {d}", "Hoivakoti {d}",
        )),
        ("Asiakasohjaus", "S", (
            "Asiakasohjaus, {m}", "Omaishoidon tuki, {m}", "Seniorineuvola, {m}", "Päivätoiminta {d}",
        )),
    )),
)

HOSPITALS = {
    "PSHVA": "Kuopion yliopistollinen sairaala",
    "PIRHVA": "Tampereen yliopistollinen sairaala",
    "PPHVA": "Oulun yliopistollinen sairaala",
    "VSHVA": "Turun yliopistollinen keskussairaala",
    "IUHVA": "Porvoon sairaala",
    "KUHVA": "Hyvinkään sairaala",
    "LUHVA": "Lohjan sairaala",
    "VAKEHVA": "Katriinan sairaala",
    "KSHVA": "Keski-Suomen keskussairaala Nova",
    "EPHVA": "Seinäjoen keskussairaala",
    "PHVA": "Vaasan keskussairaala",
    "ESHVA": "Mikkelin keskussairaala",
}

DIRECTIONS = ("Pohjoinen", "Etelä", "Itä", "Länsi", "Keskusta")

DISTRICTS = (
    "Koivula", "Kuusela", "Mäntylä", "Rantala", "Päivölä", "Harjula", "Metsola", "Onnela", "Aurinkorinne",
    "Hopearanta", "Kultarinne", "Tammirinne", "Pihlajamäki", "Kielo", "Sinivuokko", "Kanerva", "Kataja",
    "Lumikello", "Ruusula", "Puistola", "Mäkelä", "Niittylä", "Peltola", "Järvelä", "Kallio", "Linnala",
    "Honkala", "Lehtola", "Kirkonkylä", "Asemanseutu", "Keskusta", "Satama", "Vanhakaupunki", "Kaivopuisto",
    "Mäntyrinne", "Koivikko", "Kuusikko", "Hiekkaharju", "Lepola", "Vuorela", "Tapiola", "Ojala", "Karhula",
    "Pappila", "Myllymäki", "Hovila", "Kartano", "Lähderanta", "Vaahterakuja", "Tuomela", "Sammalmäki",
    "Lintula", "Kotikumpu", "Kaislaranta", "Hakala", "Salmela", "Vesikko", "Männistö", "Rauhala", "Saarela",
)

STREETS = (
    "Kauppakatu", "Asemakatu", "Koulukatu", "Kirkkokatu", "Puistokatu", "Rantakatu", "Keskuskatu", "Torikatu",
    "Sairaalantie", "Terveystie", "Myllytie", "Koivutie", "Kuusitie", "Mäntytie", "Rantatie", "Harjutie",
    "Kirkkotie", "Teollisuustie", "Hallituskatu", "Satamakatu", "Sepänkatu", "Tehtaankatu", "Pajatie",
    "Opintie", "Urheilutie", "Puistotie", "Peltotie", "Niittytie", "Metsätie", "Koulutie", "Hoitajantie",
    "Lääkärinkatu", "Kalevankatu", "Väinämöisenkatu", "Ilmarisenkatu", "Pohjolankatu", "Karjalankatu",
)

# Telephone area codes by welfare area (the Uusimaa areas share 09 and 019).
AREA_CODES = {
    "IUHVA": "019", "KUHVA": "09", "LUHVA": "09", "VAKEHVA": "09", "VSHVA": "02", "SATAHVA": "02",
    "KHHVA": "03", "PIRHVA": "03", "PHHVA": "03", "KYMHVA": "05", "EKHVA": "05", "ESHVA": "015",
    "PSHVA": "017", "PKHVA": "013", "KSHVA": "014", "EPHVA": "06", "PHVA": "06", "KPHVA": "06",
    "PPHVA": "08", "KAINHVA": "08", "LAPHVA": "016", "HKI": "09", "ÅHS": "018",
}

# Private providers: brand prefixes by kind, stems, legal forms.
PROVIDER_PREFIXES = {
    "H": (
        "Lääkärikeskus", "Lääkäriasema", "Hammaslääkäriasema", "Hammasklinikka", "Fysioterapia",
        "Työterveysasema",
        "Silmäklinikka", "Terapiakeskus", "Psykoterapiakeskus", "Jalkaterapia", "Naistenklinikka",
        "Lastenklinikka", "Ihoklinikka", "Ortopediakeskus", "Uniklinikka", "Kuvantamiskeskus", "Laboratorio",
    ),
    "S": (
        "Hoivakoti", "Palvelukoti", "Perhekoti", "Nuorisokoti", "Lastenkoti", "Kotipalvelu", "Kotihoito",
        "Asumispalvelu", "Tukikoti", "Ryhmäkoti", "Hoivapalvelu", "Päiväkeskus", "Perhetyö",
    ),
    "B": ("Hoiva- ja terveyspalvelu", "Kuntoutuskoti", "Mielenterveyskuntoutus", "Päihdekuntoutus",
    "Kuntoutuskeskus"),
}
PROVIDER_STEMS = (
    "Aalto", "Koivu", "Lehmus", "Tammi", "Mänty", "Pihlaja", "Kataja", "Vaahtera", "Kielo", "Kaste",
    "Aurinko",
    "Helmi", "Tähti", "Kanerva", "Leppä", "Paju", "Haapa", "Raita", "Saarni", "Vuokko", "Ruusu", "Lilja",
    "Orvokki", "Kaisla", "Niitty", "Kallio", "Harju", "Laakso", "Virta", "Lähde", "Honka", "Vire", "Iris",
    "Aamu", "Sointu", "Hely", "Onni", "Ilo", "Toivo", "Sisu", "Kurki", "Joutsen", "Kuikka", "Tiira", "Pääsky",
    "Satakieli", "Kiuru", "Peippo", "Tikka", "Lumme", "Mesikkä", "Puolukka", "Mustikka", "Kuura", "Revontuli",
    "Kotiranta", "Kuusela", "Mäntylä", "Päivölä", "Harjula", "Onnela", "Aurinkorinne", "Kultarinne",
    "Ruusula",
)
LEGAL_FORMS = ("Oy", "Oy", "Oy", "Oy", "Oy", "Ky", "Oy Ab", "Tmi")
CHAIN_SERVICES = {
    "H": ("lääkärin vastaanotto", "työterveyshuolto", "fysioterapia", "hammashoito", "laboratorio",
          "kuvantaminen", "psykoterapia", "päiväkirurgia"),
    "S": ("asumisyksikkö", "päivätoiminta", "kotihoito", "tukiasunnot", "perhetyö"),
    "B": ("kuntoutus", "vastaanotto", "asumisyksikkö", "avopalvelut"),
}

# Independent practitioners: profession, health (H) or social (S), and personal names.
PROFESSIONS = (
    ("Fysioterapia", "H"), ("Psykoterapia", "H"), ("Puheterapia", "H"), ("Toimintaterapia", "H"),
    ("Jalkaterapia", "H"), ("Lääkäripalvelu", "H"), ("Hammaslääkäri", "H"), ("Psykologipalvelut", "H"),
    ("Ravitsemusterapia", "H"), ("Kätilöpalvelu", "H"), ("Sairaanhoitopalvelu", "H"), ("Osteopatia", "H"),
    ("Sosiaalityön palvelut", "S"), ("Perheterapia", "S"),
)
FIRST_NAMES = (
    "Anna", "Maria", "Pirjo", "Kaisa", "Liisa", "Sari", "Tiina", "Minna", "Johanna", "Katja", "Hanna",
    "Laura",
    "Elina", "Riikka", "Satu", "Paula", "Noora", "Aino", "Helmi", "Emilia", "Sanna", "Marjut", "Heidi",
    "Outi",
    "Jukka", "Mikko", "Timo", "Matti", "Kari", "Antti", "Juha", "Pekka", "Ville", "Janne", "Markku", "Tuomas",
    "Jari", "Sami", "Petri", "Olli", "Lauri", "Eero", "Henrik", "Mats", "Erik", "Johan", "Karin", "Ulla",
)
SURNAMES = (
    "Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen",
    "Järvinen", "Lehtonen", "Lehtinen", "Saarinen", "Salminen", "Heinonen", "Niemi", "Heikkilä", "Kinnunen",
    "Salonen", "Turunen", "Salo", "Laitinen", "Tuominen", "Rantanen", "Karjalainen", "Jokinen", "Mattila",
    "Savolainen", "Lahtinen", "Ahonen", "Leinonen", "Hiltunen", "Miettinen", "Kettunen", "Pitkänen",
    "Lindholm", "Lindqvist", "Nyman", "Sjöberg", "Holmström", "Kallio", "Väisänen", "Koivisto", "Ojala",
    "Anttila", "Hirvonen", "Seppälä", "Manninen", "Peltonen", "Aaltonen", "Laaksonen", "Räsänen", "Rinne",
)

# Pharmacy name parts: "<municipality genitive> <part>".
PHARMACY_NAMES = (
    "Keskusapteekki", "Uusi apteekki", "Rautatien apteekki", "Torin apteekki", "Kauppakadun apteekki",
    "Kirkonkylän apteekki", "Aseman apteekki", "Sataman apteekki", "Linnan apteekki", "Puiston apteekki",
    "Kävelykadun apteekki", "Joen apteekki", "Kauppatorin apteekki", "Pohjoinen apteekki",
    "Eteläinen apteekki",
    "Itäinen apteekki", "Läntinen apteekki", "Ylioppilasapteekki", "Kauppakeskuksen apteekki",
)

# Social welfare service tasks (palvelutehtävä): code, Finnish, Swedish, English.
# The codes are ours, and stable.
SERVICE_TASKS = (
    ("1010", "Lapsiperheiden sosiaalityö", "Socialt arbete för barnfamiljer",
    "Social work for families with children"),
    ("1020", "Lastensuojelu", "Barnskydd", "Child welfare"),
    ("1021", "Lastensuojelun avohuolto", "Öppenvård inom barnskyddet", "Community-based child welfare"),
    ("1022", "Lastensuojelun sijaishuolto", "Vård utom hemmet inom barnskyddet",
    "Substitute care in child welfare"),
    ("1023", "Lastensuojelun jälkihuolto", "Eftervård inom barnskyddet", "Aftercare in child welfare"),
    ("1030", "Perhehoito", "Familjevård", "Family care"),
    ("1040", "Kasvatus- ja perheneuvonta", "Uppfostrings- och familjerådgivning",
     "Child guidance and family counselling"),
    ("1050", "Lapsiperheiden kotipalvelu", "Hemservice för barnfamiljer",
    "Home help for families with children"),
    ("1060", "Perhetyö", "Familjearbete", "Family work"),
    ("1070", "Perheasioiden sovittelu", "Medling i familjefrågor", "Family mediation"),
    ("1080", "Lapsen tapaamisten valvonta", "Övervakning av umgänge", "Supervised child visitation"),
    ("1090", "Adoptioneuvonta", "Adoptionsrådgivning", "Adoption counselling"),
    ("2010", "Kotihoito", "Hemvård", "Home care"),
    ("2020", "Ympärivuorokautinen palveluasuminen", "Serviceboende med heldygnsomsorg",
     "24-hour sheltered housing"),
    ("2030", "Yhteisöllinen asuminen", "Gemenskapsboende", "Communal housing"),
    ("2040", "Pitkäaikainen laitoshoito", "Långvarig institutionsvård", "Long-term institutional care"),
    ("2050", "Omaishoidon tuki", "Stöd för närståendevård", "Informal care support"),
    ("2060", "Päivätoiminta", "Dagverksamhet", "Day activities"),
    ("2070", "Lyhytaikainen huolenpito", "Kortvarig omsorg", "Short-term care"),
    ("3010", "Vammaispalvelut", "Handikappservice", "Disability services"),
    ("3020", "Kehitysvammaisten erityishuolto", "Specialomsorger om utvecklingsstörda",
     "Special care for persons with intellectual disabilities"),
    ("3030", "Henkilökohtainen apu", "Personlig assistans", "Personal assistance"),
    ("3040", "Liikkumista tukevat palvelut", "Tjänster som stöder rörlighet", "Mobility support services"),
    ("3050", "Asumispalvelut vammaisille henkilöille", "Boendeservice för personer med funktionsnedsättning",
     "Housing services for persons with disabilities"),
    ("3060", "Työtoiminta", "Arbetsverksamhet", "Work activities"),
    ("4010", "Päihdepalvelut", "Missbrukarvård", "Substance abuse services"),
    ("4020", "Päihdehuollon avopalvelut", "Öppenvård inom missbrukarvården",
    "Outpatient substance abuse services"),
    ("4030", "Päihdehuollon laitospalvelut", "Institutionsvård inom missbrukarvården",
     "Residential substance abuse treatment"),
    ("4040", "Mielenterveystyön sosiaalipalvelut", "Sociala tjänster inom mentalvårdsarbetet",
     "Social services in mental health work"),
    ("4050", "Mielenterveyskuntoutujien asumispalvelut", "Boendeservice för mentalvårdsrehabiliterande",
     "Housing services for mental health rehabilitees"),
    ("5010", "Aikuissosiaalityö", "Socialt arbete för vuxna", "Social work for adults"),
    ("5020", "Sosiaaliohjaus", "Socialhandledning", "Social guidance"),
    ("5030", "Sosiaalipäivystys", "Socialjour", "Social emergency services"),
    ("5040", "Kriisityö", "Krisarbete", "Crisis work"),
    ("5050", "Lähisuhdeväkivallan ehkäisy", "Förebyggande av våld i nära relationer",
     "Prevention of domestic violence"),
    ("5060", "Turvakotipalvelut", "Skyddshemstjänster", "Shelter services"),
    ("5070", "Kuntouttava työtoiminta", "Arbetsverksamhet i rehabiliteringssyfte",
    "Rehabilitative work activities"),
    ("5080", "Sosiaalinen kuntoutus", "Social rehabilitering", "Social rehabilitation"),
    ("5090", "Asumisneuvonta", "Boenderådgivning", "Housing advice"),
    ("5100", "Täydentävä ja ehkäisevä toimeentulotuki", "Kompletterande och förebyggande utkomststöd",
     "Supplementary and preventive social assistance"),
    ("5110", "Talous- ja velkaneuvonta", "Ekonomi- och skuldrådgivning", "Financial and debt counselling"),
    ("5120", "Maahanmuuttajien sosiaalityö", "Socialt arbete för invandrare", "Social work for immigrants"),
)
