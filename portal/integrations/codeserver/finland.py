"""Finnish reference data for the generated register: municipalities and the welfare areas they belong to.

Municipality codes and names are the real ones (Statistics Finland); the grouping follows the welfare-area
reform of 2023. Postal-code prefixes are the real first two digits of each region, close enough for demo data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Municipality:
    code: str
    name_fi: str
    name_sv: str

    @property
    def label(self) -> str:
        """The register's ``Sijainti kunta`` value: ``091 Helsinki``."""
        return f"{self.code} {self.name_fi}"


@dataclass(frozen=True)
class WelfareArea:
    name: str  # "Pohjois-Savon hyvinvointialue"
    abbreviation: str  # "PSHVA"
    region: str  # "Pohjois-Savo"
    postal_prefixes: tuple[str, ...]
    weight: int  # population in thousands, to share units out realistically
    municipalities: tuple[str, ...]  # codes, the central municipality first


# "code Finnish name[/Swedish name]", grouped by welfare area (key: abbreviation).
_TABLE = {
    "IUHVA": "638 Porvoo/Borgå; 434 Loviisa/Lovisa; 753 Sipoo/Sibbo; 018 Askola; 407 Lapinjärvi/Lappträsk; "
    "504 Myrskylä/Mörskom; 616 Pukkila",
    "KUHVA": "106 Hyvinkää/Hyvinge; 186 Järvenpää/Träskända; 505 Mäntsälä; 543 Nurmijärvi; "
    "611 Pornainen/Borgnäs; 858 Tuusula/Tusby",
    "LUHVA": "049 Espoo/Esbo; 078 Hanko/Hangö; 149 Inkoo/Ingå; 224 Karkkila/Högfors; "
    "235 Kauniainen/Grankulla; "
    "257 Kirkkonummi/Kyrkslätt; 444 Lohja/Lojo; 710 Raasepori/Raseborg; 755 Siuntio/Sjundeå; "
    "927 Vihti/Vichtis",
    "VAKEHVA": "092 Vantaa/Vanda; 245 Kerava/Kervo",
    "VSHVA": "853 Turku/Åbo; 019 Aura; 202 Kaarina/S:t Karins; 322 Kemiönsaari/Kimitoön; 284 Koski Tl; "
    "304 Kustavi/Gustavs; 400 Laitila; 423 Lieto/Lundo; 430 Loimaa; 480 Marttila; 481 Masku; "
    "503 Mynämäki/Virmo; 529 Naantali/Nådendal; 538 Nousiainen/Nousis; 561 Oripää; 577 Paimio/Pemar; "
    "445 Parainen/Pargas; 631 Pyhäranta; 636 Pöytyä; 680 Raisio/Reso; 704 Rusko; 734 Salo; 738 Sauvo/Sagu; "
    "761 Somero; 833 Taivassalo/Tövsala; 895 Uusikaupunki/Nystad; 918 Vehmaa",
    "SATAHVA": "609 Pori/Björneborg; 050 Eura; 051 Eurajoki/Euraåminne; 079 Harjavalta; 102 Huittinen; "
    "181 Jämijärvi; 214 Kankaanpää; 230 Karvia; 271 Kokemäki/Kumo; 484 Merikarvia/Sastmola; 531 Nakkila; "
    "608 Pomarkku/Påmark; 684 Rauma/Raumo; 747 Siikainen; 783 Säkylä; 886 Ulvila/Ulvsby",
    "KHHVA": "109 Hämeenlinna/Tavastehus; 061 Forssa; 082 Hattula; 086 Hausjärvi; 103 Humppila; "
    "165 Janakkala; "
    "169 Jokioinen/Jockis; 433 Loppi; 694 Riihimäki; 834 Tammela; 981 Ypäjä",
    "PIRHVA": "837 Tampere/Tammerfors; 020 Akaa; 108 Hämeenkyrö/Tavastkyro; 143 Ikaalinen/Ikalis; "
    "177 Juupajoki; "
    "211 Kangasala; 250 Kihniö; 291 Kuhmoinen; 418 Lempäälä; 508 Mänttä-Vilppula; 536 Nokia; 562 Orivesi; "
    "581 Parkano; 604 Pirkkala/Birkala; 619 Punkalaidun; 635 Pälkäne; 702 Ruovesi; 790 Sastamala; "
    "887 Urjala; "
    "908 Valkeakoski; 922 Vesilahti; 936 Virrat/Virdois; 980 Ylöjärvi",
    "PHHVA": "398 Lahti/Lahtis; 016 Asikkala; 081 Hartola/Gustav Adolfs; 111 Heinola; 098 Hollola; "
    "142 Iitti; "
    "316 Kärkölä; 560 Orimattila; 576 Padasjoki; 781 Sysmä",
    "KYMHVA": "285 Kotka; 286 Kouvola; 075 Hamina/Fredrikshamn; 489 Miehikkälä; 624 Pyhtää/Pyttis; "
    "935 Virolahti",
    "EKHVA": "405 Lappeenranta/Villmanstrand; 153 Imatra; 416 Lemi; 441 Luumäki; 580 Parikkala; "
    "689 Rautjärvi; "
    "700 Ruokolahti; 739 Savitaipale; 831 Taipalsaari",
    "ESHVA": "491 Mikkeli/S:t Michel; 740 Savonlinna/Nyslott; 593 Pieksämäki; 046 Enonkoski; "
    "097 Hirvensalmi; "
    "178 Juva; 213 Kangasniemi; 507 Mäntyharju; 588 Pertunmaa; 623 Puumala; 681 Rantasalmi; 768 Sulkava",
    "PSHVA": "297 Kuopio; 140 Iisalmi/Idensalmi; 915 Varkaus; 171 Joroinen/Jorois; 204 Kaavi; 239 Keitele; "
    "263 Kiuruvesi; 402 Lapinlahti; 420 Leppävirta; 595 Pielavesi; 686 Rautalampi; 687 Rautavaara; "
    "749 Siilinjärvi; 762 Sonkajärvi; 778 Suonenjoki; 844 Tervo; 857 Tuusniemi; 921 Vesanto; 925 Vieremä",
    "PKHVA": "167 Joensuu; 090 Heinävesi; 146 Ilomantsi/Ilomants; 176 Juuka; 260 Kitee; 276 Kontiolahti; "
    "309 Outokumpu; 422 Lieksa; 426 Liperi; 541 Nurmes; 607 Polvijärvi; 707 Rääkkylä; 848 Tohmajärvi",
    "KSHVA": "179 Jyväskylä; 077 Hankasalmi; 172 Joutsa; 182 Jämsä; 216 Kannonkoski; 226 Karstula; "
    "249 Keuruu; "
    "256 Kinnula; 265 Kivijärvi; 275 Konnevesi; 312 Kyyjärvi; 410 Laukaa; 435 Luhanka; 495 Multia; "
    "500 Muurame; "
    "592 Petäjävesi; 601 Pihtipudas; 729 Saarijärvi; 850 Toivakka; 892 Uurainen; 931 Viitasaari; "
    "992 Äänekoski",
    "EPHVA": "743 Seinäjoki; 005 Alajärvi; 010 Alavus; 052 Evijärvi; 145 Ilmajoki; 151 Isojoki/Storå; "
    "218 Karijoki/Bötom; 232 Kauhajoki; 233 Kauhava; 300 Kuortane; 301 Kurikka; 403 Lappajärvi; "
    "408 Lapua/Lappo; "
    "759 Soini; 846 Teuva/Östermark; 934 Vimpeli/Vindala; 989 Ähtäri/Etseri",
    "PHVA": "905 Vaasa/Vasa; 152 Isokyrö/Storkyro; 231 Kaskinen/Kaskö; 280 Korsnäs; "
    "287 Kristiinankaupunki/Kristinestad; 288 Kruunupyy/Kronoby; 399 Laihia/Laihela; 440 Luoto/Larsmo; "
    "475 Maalahti/Malax; 499 Mustasaari/Korsholm; 545 Närpiö/Närpes; 598 Pietarsaari/Jakobstad; "
    "599 Pedersören kunta/Pedersöre; 893 Uusikaarlepyy/Nykarleby; 946 Vöyri/Vörå",
    "KPHVA": "272 Kokkola/Karleby; 074 Halsua; 217 Kannus; 236 Kaustinen/Kaustby; 421 Lestijärvi; 584 Perho; "
    "849 Toholampi; 924 Veteli/Vetil",
    "PPHVA": "564 Oulu/Uleåborg; 009 Alavieska; 069 Haapajärvi; 071 Haapavesi; 072 Hailuoto/Karlö; 139 Ii; "
    "208 Kalajoki; 244 Kempele; 305 Kuusamo; 317 Kärsämäki; 425 Liminka/Limingo; 436 Lumijoki; "
    "483 Merijärvi; "
    "494 Muhos; 535 Nivala; 563 Oulainen; 615 Pudasjärvi; 625 Pyhäjoki; 626 Pyhäjärvi; 630 Pyhäntä; "
    "678 Raahe/Brahestad; 691 Reisjärvi; 746 Sievi; 748 Siikajoki; 791 Siikalatva; 832 Taivalkoski; "
    "859 Tyrnävä; 889 Utajärvi; 785 Vaala; 977 Ylivieska",
    "KAINHVA": "205 Kajaani/Kajana; 105 Hyrynsalmi; 290 Kuhmo; 578 Paltamo; 620 Puolanka; 697 Ristijärvi; "
    "765 Sotkamo; 777 Suomussalmi",
    "LAPHVA": "698 Rovaniemi; 047 Enontekiö/Enontekis; 148 Inari/Enare; 240 Kemi; 241 Keminmaa; 261 Kittilä; "
    "273 Kolari; 320 Kemijärvi; 498 Muonio; 583 Pelkosenniemi; 614 Posio; 683 Ranua; 732 Salla; "
    "742 Savukoski; "
    "751 Simo; 758 Sodankylä; 845 Tervola; 851 Tornio/Torneå; 854 Pello; 890 Utsjoki/Utsjok; "
    "976 Ylitornio/Övertorneå",
    # Helsinki organises its own social and health care; Åland is outside the welfare-area reform.
    "HKI": "091 Helsinki/Helsingfors",
    "ÅHS": "478 Maarianhamina/Mariehamn; 035 Brändö; 043 Eckerö; 060 Finström; 062 Föglö; 065 Geta; "
    "076 Hammarland; 170 Jomala; 295 Kumlinge; 318 Kökar; 417 Lemland; 438 Lumparland; 736 Saltvik; "
    "766 Sottunga; 771 Sund; 941 Vårdö",
}

# (abbreviation, name, region, postal prefixes, population in thousands)
_AREAS = (
    ("IUHVA", "Itä-Uudenmaan hyvinvointialue", "Itä-Uusimaa", ("06", "07"), 100),
    ("KUHVA", "Keski-Uudenmaan hyvinvointialue", "Keski-Uusimaa", ("04", "05"), 200),
    ("LUHVA", "Länsi-Uudenmaan hyvinvointialue", "Länsi-Uusimaa", ("02", "03", "08", "10"), 480),
    ("VAKEHVA", "Vantaan ja Keravan hyvinvointialue", "Vantaa ja Kerava", ("01", "04"), 280),
    ("VSHVA", "Varsinais-Suomen hyvinvointialue", "Varsinais-Suomi", ("20", "21", "23", "24", "25"), 480),
    ("SATAHVA", "Satakunnan hyvinvointialue", "Satakunta", ("26", "27", "28", "29"), 215),
    ("KHHVA", "Kanta-Hämeen hyvinvointialue", "Kanta-Häme", ("11", "12", "13", "14", "30", "31"), 170),
    ("PIRHVA", "Pirkanmaan hyvinvointialue", "Pirkanmaa", ("33", "34", "35", "36", "37", "38", "39"), 525),
    ("PHHVA", "Päijät-Hämeen hyvinvointialue", "Päijät-Häme", ("15", "16", "17", "18", "19", "47"), 205),
    ("KYMHVA", "Kymenlaakson hyvinvointialue", "Kymenlaakso", ("45", "46", "48", "49"), 160),
    ("EKHVA", "Etelä-Karjalan hyvinvointialue", "Etelä-Karjala", ("53", "54", "55", "56"), 125),
    ("ESHVA", "Etelä-Savon hyvinvointialue", "Etelä-Savo", ("50", "51", "52", "57", "58"), 130),
    ("PSHVA", "Pohjois-Savon hyvinvointialue", "Pohjois-Savo", ("70", "71", "72", "73", "74", "79"), 250),
    ("PKHVA", "Pohjois-Karjalan hyvinvointialue", "Pohjois-Karjala", ("80", "81", "82", "83"), 165),
    ("KSHVA", "Keski-Suomen hyvinvointialue", "Keski-Suomi", ("40", "41", "42", "43", "44"), 275),
    ("EPHVA", "Etelä-Pohjanmaan hyvinvointialue", "Etelä-Pohjanmaa", ("60", "61", "62", "63"), 190),
    ("PHVA", "Pohjanmaan hyvinvointialue", "Pohjanmaa", ("64", "65", "66", "68"), 175),
    ("KPHVA", "Keski-Pohjanmaan hyvinvointialue", "Keski-Pohjanmaa", ("67", "69"), 75),
    (
        "PPHVA",
        "Pohjois-Pohjanmaan hyvinvointialue",
        "Pohjois-Pohjanmaa",
        ("84", "85", "86", "90", "91", "92"),
        415,
    ),
    ("KAINHVA", "Kainuun hyvinvointialue", "Kainuu", ("87", "88", "89"), 70),
    ("LAPHVA", "Lapin hyvinvointialue", "Lappi", ("94", "95", "96", "97", "98", "99"), 175),
)


def _parse() -> tuple[dict[str, Municipality], dict[str, tuple[str, ...]]]:
    municipalities: dict[str, Municipality] = {}
    groups: dict[str, tuple[str, ...]] = {}
    for key, text in _TABLE.items():
        codes = []
        for item in text.split(";"):
            code, _, names = item.strip().partition(" ")
            fi, _, sv = names.partition("/")
            municipalities[code] = Municipality(code, fi, sv or fi)
            codes.append(code)
        groups[key] = tuple(codes)
    return municipalities, groups


MUNICIPALITIES, _GROUPS = _parse()
WELFARE_AREAS: tuple[WelfareArea, ...] = tuple(
    WelfareArea(name, abbr, region, prefixes, weight, _GROUPS[abbr])
    for abbr, name, region, prefixes, weight in _AREAS
)
HELSINKI_CODES = _GROUPS["HKI"]
ALAND_CODES = _GROUPS["ÅHS"]

# Genitives that the suffix rules below get wrong (consonant gradation and other irregular forms).
_GENITIVE_EXCEPTIONS = {
    "Helsinki": "Helsingin",
    "Lahti": "Lahden",
    "Turku": "Turun",
    "Hanko": "Hangon",
    "Lieto": "Liedon",
    "Luoto": "Luodon",
    "Kurikka": "Kurikan",
    "Pyhäntä": "Pyhännän",
    "Loppi": "Lopen",
    "Nurmes": "Nurmeksen",
    "Muhos": "Muhoksen",
    "Liminka": "Limingan",
    "Savitaipale": "Savitaipaleen",
    "Varkaus": "Varkauden",
    "Leppävirta": "Leppävirran",
    "Luhanka": "Luhangan",
    "Pihtipudas": "Pihtiputaan",
    "Toivakka": "Toivakan",
    "Alavus": "Alavuden",
    "Kristiinankaupunki": "Kristiinankaupungin",
    "Kannus": "Kannuksen",
    "Hailuoto": "Hailuodon",
    "Puolanka": "Puolangan",
    "Punkalaidun": "Punkalaitumen",
    "Pälkäne": "Pälkäneen",
    "Pomarkku": "Pomarkun",
    "Uusikaupunki": "Uudenkaupungin",
    "Vihti": "Vihdin",
    "Outokumpu": "Outokummun",
    "Virrat": "Virtojen",
    "Tampere": "Tampereen",
    "Koski Tl": "Kosken",
    "Pedersören kunta": "Pedersören",
    "Kitee": "Kiteen",
    "Uusikaarlepyy": "Uudenkaarlepyyn",
    "Juupajoki": "Juupajoen",
    "Ii": "Iin",
    "Kruunupyy": "Kruunupyyn",
    "Mänttä-Vilppula": "Mänttä-Vilppulan",
    "Ruokolahti": "Ruokolahden",
}
_GENITIVE_SUFFIXES = (
    ("joki", "joen"),
    ("lahti", "lahden"),
    ("järvi", "järven"),
    ("salmi", "salmen"),
    ("lampi", "lammen"),
    ("niemi", "niemen"),
    ("vesi", "veden"),
    ("koski", "kosken"),
    ("mäki", "mäen"),
    ("saari", "saaren"),
    ("ranta", "rannan"),
    ("nen", "sten"),
)


def genitive(name: str) -> str:
    """The Finnish genitive used in unit names: Kuopio → Kuopion, Parainen → Paraisten."""
    if name in _GENITIVE_EXCEPTIONS:
        return _GENITIVE_EXCEPTIONS[name]
    for suffix, replacement in _GENITIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] + replacement
    return name + ("n" if name[-1] in "aeiouyäö" else "in")
