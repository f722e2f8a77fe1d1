"""The printable roster: `jur roster [NAME] -f html | md`.

A police office puts up its 辖区 notice: for each station, the subdistrict or township it
serves and every community and village inside it, with the sub-bureau's address and where
each fact comes from. `page_data` gathers that into plain dicts and lists; `render_html`
and `render_markdown` write the same content from it.

Imported only when one of these two formats is asked for (commands.run_roster), so the
cold `jur find` path never pays for it. The stdlib is enough: every piece of dataset text
goes through `html.escape` (or `md_text`) on its way out, and a test feeds a dataset whose
station is named `<b>&"x"` to prove it.
"""

from __future__ import annotations

import html
import os
import re
import time

from .model import Dataset, Station, SubBureau

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Community and village names are written with their official NBS suffixes; this is the id
# of that source in units.yaml (communities.yaml says so in its header, records have none).
COMMUNITY_SOURCE = "nbs-2020-villages"

KIND_LABELS = {
    "territorial": "辖区派出所 (territorial)",
    "place": "场所派出所 (place)",
    "special": "专业派出所 (special)",
}
STATIONS_UNKNOWN = "其派出所未见于任何来源 — its stations are not known: no source found names them"


def made_date() -> str:
    """Today, or the day of SOURCE_DATE_EPOCH when set (reproducible builds and tests)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))
    return time.strftime("%Y-%m-%d")


class Notes:
    """Footnotes: each source id gets a number the first time a fact cites it."""

    def __init__(self, ds: Dataset) -> None:
        self.known = {
            str(s.get("id")): s for s in ds.meta.get("sources") or [] if isinstance(s, dict)
        }
        self.numbers: dict[str, int] = {}

    def cite(self, source: str | None) -> list[int]:
        refs = []
        for sid in (source or "").split(";"):
            sid = sid.strip()
            if not sid:
                continue
            if sid not in self.numbers:
                self.numbers[sid] = len(self.numbers) + 1
            refs.append(self.numbers[sid])
        return sorted(set(refs))

    def listing(self) -> list[dict[str, Any]]:
        out = []
        for sid, n in self.numbers.items():
            s = self.known.get(sid) or {}
            out.append(
                {
                    "n": n,
                    "id": sid,
                    "title": str(s.get("title") or sid),
                    "date": str(s.get("date") or ""),
                    "url": str(s.get("url") or ""),
                    "file": str(s.get("file") or ""),
                    "listed": bool(s),
                }
            )
        return out


def line_key(line: str) -> tuple[int, str]:
    m = re.match(r"\d+", line)
    return (int(m.group()) if m else 10_000, line)


def page_data(
    ds: Dataset,
    kind: str | None,
    unit: Any,
    stations: list[Station] | None = None,
    *,
    made: str | None = None,
) -> dict[str, Any]:
    """Everything the page shows, as plain data. kind/unit are lookup_unit's answer
    ('bureau', SubBureau) or ('district', row), or None for the whole city; stations are the
    roster's stations for a district (commands.roster_stations)."""
    notes = Notes(ds)
    city = ds.meta.get("city_bureau") or {}
    city_name = str(city.get("name") or "")
    streets = {s.code: s for s in ds.streets}
    communities: dict[str, list[Any]] = {}
    for c in ds.communities:
        communities.setdefault(c.street, []).append(c)
    by_station: dict[str, list[Any]] = {}
    by_bureau: dict[str, list[Any]] = {}
    for p in ds.places:
        if p.district is not None:
            continue  # a landmark a public page locates: `jur list places`, not the roster
        owner = p.station or (streets[p.street].station if p.street in streets else None)
        if owner:
            by_station.setdefault(owner, []).append(p)
        elif p.sub_bureau:
            by_bureau.setdefault(p.sub_bureau, []).append(p)

    scope_note = None
    scope_refs: list[int] = []
    if kind is None:
        bureaus = list(ds.sub_bureaus)
        chosen = None
        scope = city_name or "all sub-bureaus"
        announced = city.get("stations_announced")
        if announced:
            scope_note = (
                f"{len(ds.sub_bureaus)} 个分局, 公布 {announced} 个派出所, 本表收录 "
                f"{len(ds.stations)} 个 — {announced} stations announced, "
                f"{len(ds.stations)} recorded here; the others are not named by any source"
            )
    elif kind == "bureau":
        bureaus = [unit]
        chosen = None
        scope = unit.name
    else:
        name, bureau, _code, _kind, mixed = unit
        chosen = {st.name for st in stations or []}
        names = list(dict.fromkeys(st.sub_bureau for st in stations or []))
        if bureau and bureau not in names:
            names.insert(0, bureau)
        bureaus = [b for b in ds.sub_bureaus if b.name in names]
        scope = name
        if bureau is None:
            scope_note = f"{name} 不在11个分局辖区内 — {name} is outside the 11 sub-bureaus' area"
            district = next((d for d in ds.districts if d.name == name), None)
            # the place from its district record, "outside" from the report's 11 areas
            scope_refs = notes.cite(
                "; ".join(filter(None, [district and district.source, city.get("source")]))
            )
        elif mixed:
            scope_note = mixed

    # Footnotes are numbered in the order the page shows them: the sub-bureau's header,
    # the teams, then each station (its name, its street, its communities) in turn.
    first_refs = notes.cite(bureaus[0].source) if len(bureaus) == 1 else []
    teams = ds.meta.get("teams") or {}
    names_shown = {b.name for b in bureaus}
    has_stations = any(
        st.sub_bureau in names_shown and (chosen is None or st.name in chosen) for st in ds.stations
    )
    teams_refs = notes.cite(teams.get("source")) if has_stations else []
    sections = [
        bureau_section(ds, b, chosen, notes, streets, communities, by_station, by_bureau)
        for b in bureaus
    ]
    team_list = [
        {
            "name": str(t.get("name") or ""),
            "role": str(t.get("role") or ""),
            "duties": str(t.get("duties") or ""),
        }
        for t in teams.get("list") or []
        if isinstance(t, dict)
    ]
    single = sections[0] if len(sections) == 1 else None
    return {
        "title": (single["full_name"] if single else city_name or scope),
        "scope": scope,
        "scope_note": scope_note,
        "scope_refs": scope_refs,
        "city_bureau": city_name,
        "address": single["address"] if single else None,
        "title_refs": first_refs,
        "edition": ds.edition,
        "made": made or made_date(),
        "teams": {
            "structure": str(teams.get("structure") or "两队一室"),
            "joint_duty": str(teams.get("joint_duty") or ""),
            "list": team_list,
            "refs": teams_refs,
        }
        if team_list and has_stations
        else None,
        "sub_bureaus": sections,
        "stations": sum(len(s["stations"]) for s in sections),
        "communities": sum(st["communities_count"] for s in sections for st in s["stations"]),
        "sources": notes.listing(),
    }


def bureau_section(
    ds: Dataset,
    b: SubBureau,
    chosen: set[str] | None,
    notes: Notes,
    streets: dict[str, Any],
    communities: dict[str, list[Any]],
    by_station: dict[str, list[Any]],
    by_bureau: dict[str, list[Any]],
) -> dict[str, Any]:
    refs = notes.cite(b.source)
    rows = []
    for st in ds.stations:
        if st.sub_bureau != b.name or (chosen is not None and st.name not in chosen):
            continue
        rows.append(station_entry(st, notes, streets, communities, by_station.get(st.name, [])))
    places = by_bureau.get(b.name, [])
    metro = [p for p in places if p.kind == "metro-station"]
    lines: dict[str, list[str]] = {}
    for p in metro:
        for line in p.lines or ("(line not recorded)",):
            lines.setdefault(line, []).append(p.name)
    other = [p for p in places if p.kind != "metro-station"]
    return {
        "name": b.name,
        "full_name": b.full_name or b.name,
        "kind": b.kind,
        "area": list(b.area),
        "address": b.address,
        "established": b.established,
        "refs": refs,
        "stations": rows,
        "stations_total": sum(1 for st in ds.stations if st.sub_bureau == b.name),
        "stations_note": None if rows or chosen is not None else STATIONS_UNKNOWN,
        "places": [place_entry(p, notes) for p in other],
        "metro_lines": [
            {"line": line, "stations": names}
            for line, names in sorted(lines.items(), key=lambda kv: line_key(kv[0]))
        ],
        "metro_count": len(metro),
        "metro_refs": notes.cite("; ".join(p.source or "" for p in metro)) if metro else [],
    }


def station_entry(
    st: Station,
    notes: Notes,
    streets: dict[str, Any],
    communities: dict[str, list[Any]],
    places: list[Any],
) -> dict[str, Any]:
    refs = notes.cite(st.source)
    served = []
    names: list[str] = []
    n_comm = n_vill = 0
    for code in st.streets:
        s = streets.get(code)
        if s is None:  # pragma: no cover - the loader checks every reference
            continue
        inside = communities.get(code, [])
        served.append(
            {
                "name": s.name,
                "code": s.code,
                "district": s.district,
                "verified": bool(s.verified),
                "note": s.note if not s.verified else None,
                "refs": notes.cite(s.source),
            }
        )
        for c in inside:
            names.append(c.name)
            if c.kind == "village":
                n_vill += 1
            else:
                n_comm += 1
    return {
        "name": st.name,
        "kind": st.kind,
        "refs": refs,
        "note": st.note,
        "streets": served,
        "verified": all(s["verified"] for s in served),
        "communities": names,
        "communities_count": len(names),
        "community_count": n_comm,
        "village_count": n_vill,
        "communities_refs": notes.cite(COMMUNITY_SOURCE) if names else [],
        "places": [place_entry(p, notes) for p in places],
    }


def place_entry(p: Any, notes: Notes) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind,
        "aliases": list(p.aliases),
        "note": p.note,
        "refs": notes.cite(p.source),
    }


# --- HTML -----------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 14mm 13mm 15mm 13mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0 auto; max-width: 184mm; padding: 6mm 0; color: #111; background: #fff;
  font: 10pt/1.5 "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC",
  "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; }
header.page { border-bottom: 2px solid #111; padding-bottom: 2mm; margin-bottom: 3mm; }
h1 { font-size: 17pt; margin: 0; line-height: 1.3; }
h1 .sub { font-size: 11pt; font-weight: normal; margin-left: 0.6em; }
h2 { font-size: 13pt; margin: 0 0 1mm; padding: 1mm 2mm; background: #eee;
  border-left: 4px solid #111; break-after: avoid; }
.meta { margin: 1mm 0 0; display: flex; flex-wrap: wrap; gap: 0 6mm; font-size: 9.5pt; }
.meta b { font-weight: bold; }
.scope-note, .gap { border: 1px dashed #555; padding: 1mm 2mm; margin: 2mm 0; font-size: 9pt; }
.teams { margin: 0 0 3mm; font-size: 8.5pt; line-height: 1.45; border: 1px solid #999;
  padding: 1.5mm 2.5mm; break-inside: avoid; }
.teams p { margin: 0.5mm 0; }
/* each sub-bureau that has stations starts a page (one sheet per office); the short
   sections of the special sub-bureaus follow on */
section.bureau + section.bureau.paged { break-before: page; }
section.bureau + section.bureau:not(.paged) { margin-top: 5mm; }
.bureau-meta { font-size: 9pt; margin: 0 0 2mm; }
.station { border-top: 1px solid #bbb; padding: 1.5mm 0 1.8mm; break-inside: avoid; }
.station h3 { font-size: 11.5pt; margin: 0; display: flex; flex-wrap: wrap;
  align-items: baseline; gap: 0 3mm; break-after: avoid; }
.station h3 .no { display: inline-block; min-width: 6mm; color: #444; }
.tag { font-size: 8pt; font-weight: normal; border: 1px solid #777; border-radius: 1mm;
  padding: 0 1mm; white-space: nowrap; }
.serves { margin: 0.3mm 0 0.6mm 9mm; font-size: 10pt; }
.serves .code { color: #555; font-size: 8.5pt; }
.unverified { font-weight: bold; border: 1.5px dashed #000; padding: 0 1mm; white-space: nowrap; }
.caveat { margin: 0.5mm 0 0.5mm 9mm; font-size: 8.5pt; color: #333; }
.names { margin: 0 0 0 9mm; font-size: 9pt; line-height: 1.55; }
.names .count { font-weight: bold; margin-right: 1.5mm; white-space: nowrap; }
.names .n { white-space: nowrap; }
h2, h3 { break-after: avoid; }
.metro h3 { font-size: 11pt; margin: 2mm 0 1mm; }
.metro .names { margin-left: 0; }
.metro .line { break-inside: avoid; margin: 0 0 1.2mm; }
sup { font-size: 6.5pt; line-height: 0; color: #333; }
footer.sources { border-top: 2px solid #111; margin-top: 4mm; padding-top: 1.5mm; font-size: 8pt;
  line-height: 1.4; break-before: auto; }
footer.sources h2 { background: none; border: 0; padding: 0; font-size: 10pt; }
footer.sources ol { margin: 0; padding-left: 7mm; }
footer.sources li { overflow-wrap: anywhere; }
.made { color: #444; font-size: 8pt; margin-top: 2mm; }
@media print { body { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; } }
"""


def esc(value: Any) -> str:
    """Dataset text as HTML text (quotes too, so it is safe in attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def sup(refs: list[int]) -> str:
    if not refs:
        return ""
    return "<sup>[" + ",".join(f'<a href="#src-{n}">{n}</a>' for n in refs) + "]</sup>"


def names_html(names: list[str]) -> str:
    return "、".join(f'<span class="n">{esc(n)}</span>' for n in names)


def render_html(page: dict[str, Any]) -> str:
    out: list[str] = []
    w = out.append
    w('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n')
    w(f"<title>{esc(page['title'])} — {esc(page['scope'])} 辖区派出所</title>\n")
    w(f"<style>{CSS}</style>\n</head>\n<body>\n")
    w('<header class="page">\n')
    sub = "" if page["title"] == page["scope"] else f'<span class="sub">{esc(page["scope"])}</span>'
    w(f"<h1>{esc(page['title'])}{sup(page['title_refs'])}{sub} 辖区派出所一览</h1>\n")
    w('<p class="meta">')
    if len(page["sub_bureaus"]) == 1:
        addr = page["address"]
        w(
            f"<span><b>地址</b> {esc(addr)}</span>"
            if addr
            else "<span><b>地址</b> 未见公开来源 (address not published)</span>"
        )
    w(f"<span><b>派出所</b> {page['stations']}</span>")
    w(f"<span><b>社区和村</b> {page['communities']}</span>")
    w(f"<span><b>数据版本</b> {esc(page['edition'])}</span>")
    w(f"<span><b>制表日期</b> {esc(page['made'])}</span>")
    w("</p>\n")
    if page["scope_note"]:
        w(f'<p class="scope-note">{esc(page["scope_note"])}{sup(page["scope_refs"])}</p>\n')
    w("</header>\n")
    teams = page["teams"]
    if teams:
        w('<div class="teams">\n')
        w(
            f"<p><b>每个派出所设{esc(teams['structure'])}</b>{sup(teams['refs'])} "
            "— every station is organised the same way:</p>\n"
        )
        for t in teams["list"]:
            w(f"<p><b>{esc(t['name'])}</b> ({esc(t['role'])}): {esc(t['duties'])}</p>\n")
        if teams["joint_duty"]:
            w(f"<p>{esc(teams['joint_duty'])}</p>\n")
        w("</div>\n")
    for b in page["sub_bureaus"]:
        w(bureau_html(b, show_head=len(page["sub_bureaus"]) > 1))
    w('<footer class="sources">\n')
    if page["sources"]:
        w("<h2>来源 Sources</h2>\n<ol>\n")
        for s in page["sources"]:
            w(f'<li id="src-{s["n"]}">{source_html(s)}</li>\n')
        w("</ol>\n")
    w(
        f'<p class="made">jur · 数据版本 edition {esc(page["edition"])} · '
        f"制表 made {esc(page['made'])} · 未核实 marks an assignment that rests on an unclear "
        "source. Offline dataset: a gap is left a gap.</p>\n"
    )
    w("</footer>\n</body>\n</html>\n")
    return "".join(out)


def source_html(s: dict[str, Any]) -> str:
    bits = [esc(s["title"])]
    if s["date"]:
        bits.append(esc(s["date"]))
    url = s["url"]
    if url:
        if url.startswith(("http://", "https://")):
            link = url.split(" ", 1)[0]
            bits.append(f'<a href="{esc(link)}">{esc(url)}</a>')
        else:
            bits.append(esc(url))
    if s["file"]:
        bits.append(f"<code>{esc(s['file'])}</code>")
    if not s["listed"]:
        bits.append("(id not listed in the dataset's sources)")
    return " — ".join(bits)


def bureau_html(b: dict[str, Any], *, show_head: bool) -> str:
    out: list[str] = []
    w = out.append
    paged = " paged" if b["stations"] else ""
    w(f'<section class="bureau{paged}" id="{esc(b["name"])}">\n')
    if show_head:
        w(f"<h2>{esc(b['full_name'])}{sup(b['refs'])}</h2>\n")
        bits = [f"<b>地址</b> {esc(b['address'])}" if b["address"] else "<b>地址</b> 未见公开来源"]
        bits.append(f"<b>辖区</b> {esc('、'.join(b['area']))}")
        if b["established"]:
            bits.append(f"<b>成立</b> {esc(b['established'])}")
        bits.append(f"<b>派出所</b> {esc(station_count(b))}")
        w('<p class="bureau-meta">' + " · ".join(bits) + "</p>\n")
    if b["stations_note"]:
        w(f'<p class="gap">{esc(b["stations_note"])}</p>\n')
    for i, st in enumerate(b["stations"], 1):
        w(station_html(i, st))
    if b["places"]:
        w('<div class="station">\n<h3>本分局负责的场所 — places it answers for</h3>\n')
        for p in b["places"]:
            w(f'<p class="serves">{place_html(p)}</p>\n')
            if p["note"]:
                w(f'<p class="caveat">{esc(p["note"])}</p>\n')
        w("</div>\n")
    if b["metro_lines"]:
        w('<div class="metro">\n')
        w(
            f"<h3>地铁线路和车站 — metro lines and stations it polices: "
            f"{len(b['metro_lines'])} 条线路, {b['metro_count']} 座车站{sup(b['metro_refs'])}</h3>\n"
        )
        for line in b["metro_lines"]:
            w(
                f'<p class="line names"><span class="count">{esc(line["line"])} '
                f"({len(line['stations'])})</span>{names_html(line['stations'])}</p>\n"
            )
        w("</div>\n")
    w("</section>\n")
    return "".join(out)


def station_count(b: dict[str, Any]) -> str:
    """The number of stations shown; on a district's page a sub-bureau may have more."""
    shown, total = len(b["stations"]), b["stations_total"]
    if shown == total:
        return str(shown)
    return f"{shown} of its {total}: those serving this district"


def place_html(p: dict[str, Any]) -> str:
    also = f" (又称 {esc('、'.join(p['aliases']))})" if p["aliases"] else ""
    return f"<b>{esc(p['name'])}</b>{also}{sup(p['refs'])}"


def station_html(i: int, st: dict[str, Any]) -> str:
    out: list[str] = []
    w = out.append
    w(f'<div class="station" id="st-{i}">\n<h3><span><span class="no">{i}</span>')
    w(f"{esc(st['name'])}{sup(st['refs'])}</span>")
    w(f'<span class="tag">{esc(KIND_LABELS.get(st["kind"], st["kind"]))}</span>')
    if not st["verified"]:
        w('<span class="unverified">未核实 unverified</span>')
    w("</h3>\n")
    if st["streets"]:
        for s in st["streets"]:
            w(
                f'<p class="serves">辖区 {esc(s["name"])}{sup(s["refs"])} '
                f'<span class="code">{esc(s["district"])} · {esc(s["code"])}</span></p>\n'
            )
            if s["note"]:
                w(f'<p class="caveat">未核实: {esc(s["note"])}</p>\n')
    else:
        w('<p class="serves">辖区 无街道 — named after a place; its area is not published</p>\n')
    for p in st["places"]:
        w(f'<p class="serves">负责场所 {place_html(p)}</p>\n')
    if st["note"]:
        w(f'<p class="caveat">{esc(st["note"])}</p>\n')
    if st["communities"]:
        w(
            f'<p class="names"><span class="count">社区 {st["community_count"]} · '
            f"村 {st['village_count']}{sup(st['communities_refs'])}</span>"
            f"{names_html(st['communities'])}</p>\n"
        )
    w("</div>\n")
    return "".join(out)


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#])")


def md_text(value: Any) -> str:
    """Dataset text as Markdown text: every character that could start markup is escaped."""
    return _MD_SPECIAL.sub(r"\\\1", "" if value is None else " ".join(str(value).split()))


def md_refs(refs: list[int]) -> str:
    return "".join(f"[^{n}]" for n in refs)


def render_markdown(page: dict[str, Any]) -> str:
    out: list[str] = []
    w = out.append
    scope = "" if page["title"] == page["scope"] else f" {md_text(page['scope'])}"
    w(f"# {md_text(page['title'])}{md_refs(page['title_refs'])}{scope} 辖区派出所一览\n\n")
    if len(page["sub_bureaus"]) == 1:
        addr = page["address"]
        w(f"- **地址**: {md_text(addr) if addr else '未见公开来源 (address not published)'}\n")
    w(f"- **派出所**: {page['stations']}\n")
    w(f"- **社区和村**: {page['communities']}\n")
    w(f"- **数据版本**: {md_text(page['edition'])}\n")
    w(f"- **制表日期**: {md_text(page['made'])}\n\n")
    if page["scope_note"]:
        w(f"> {md_text(page['scope_note'])}{md_refs(page['scope_refs'])}\n\n")
    teams = page["teams"]
    if teams:
        w(
            f"**每个派出所设{md_text(teams['structure'])}**{md_refs(teams['refs'])} — "
            "every station is organised the same way:\n\n"
        )
        for t in teams["list"]:
            w(f"- **{md_text(t['name'])}** ({md_text(t['role'])}): {md_text(t['duties'])}\n")
        if teams["joint_duty"]:
            w(f"- {md_text(teams['joint_duty'])}\n")
        w("\n")
    for b in page["sub_bureaus"]:
        w(bureau_markdown(b, show_head=len(page["sub_bureaus"]) > 1))
    if page["sources"]:
        w("## 来源 Sources\n\n")
    for s in page["sources"]:
        bits = [md_text(s["title"])]
        if s["date"]:
            bits.append(md_text(s["date"]))
        if s["url"]:
            bits.append(md_text(s["url"]))
        if s["file"]:
            bits.append(md_text(s["file"]))
        if not s["listed"]:
            bits.append("(id not listed in the dataset's sources)")
        w(f"[^{s['n']}]: " + " — ".join(bits) + "\n")
    w(
        f"\njur · 数据版本 edition {md_text(page['edition'])} · 制表 made "
        f"{md_text(page['made'])} · **未核实** marks an assignment that rests on an unclear "
        "source. Offline dataset: a gap is left a gap.\n"
    )
    return "".join(out)


def bureau_markdown(b: dict[str, Any], *, show_head: bool) -> str:
    out: list[str] = []
    w = out.append
    if show_head:
        w(f"## {md_text(b['full_name'])}{md_refs(b['refs'])}\n\n")
        addr = md_text(b["address"]) if b["address"] else "未见公开来源"
        bits = [f"**地址** {addr}", f"**辖区** {md_text('、'.join(b['area']))}"]
        if b["established"]:
            bits.append(f"**成立** {md_text(b['established'])}")
        bits.append(f"**派出所** {md_text(station_count(b))}")
        w(" · ".join(bits) + "\n\n")
    if b["stations_note"]:
        w(f"> {md_text(b['stations_note'])}\n\n")
    for i, st in enumerate(b["stations"], 1):
        w(station_markdown(i, st))
    if b["places"]:
        w("### 本分局负责的场所 — places it answers for\n\n")
        for p in b["places"]:
            w(f"- {place_markdown(p)}\n")
            if p["note"]:
                w(f"  - {md_text(p['note'])}\n")
        w("\n")
    if b["metro_lines"]:
        w(
            f"### 地铁线路和车站 — metro lines and stations it polices: "
            f"{len(b['metro_lines'])} 条线路, {b['metro_count']} 座车站{md_refs(b['metro_refs'])}\n\n"
        )
        for line in b["metro_lines"]:
            names = "、".join(md_text(n) for n in line["stations"])
            w(f"- **{md_text(line['line'])}** ({len(line['stations'])}): {names}\n")
        w("\n")
    return "".join(out)


def place_markdown(p: dict[str, Any]) -> str:
    also = f" (又称 {md_text('、'.join(p['aliases']))})" if p["aliases"] else ""
    return f"**{md_text(p['name'])}**{also}{md_refs(p['refs'])}"


def station_markdown(i: int, st: dict[str, Any]) -> str:
    out: list[str] = []
    w = out.append
    flag = " · **未核实 unverified**" if not st["verified"] else ""
    w(
        f"### {i}. {md_text(st['name'])}{md_refs(st['refs'])} · "
        f"{md_text(KIND_LABELS.get(st['kind'], st['kind']))}{flag}\n\n"
    )
    if st["streets"]:
        for s in st["streets"]:
            w(
                f"- **辖区**: {md_text(s['name'])}{md_refs(s['refs'])} "
                f"({md_text(s['district'])}, {md_text(s['code'])})\n"
            )
            if s["note"]:
                w(f"  - 未核实: {md_text(s['note'])}\n")
    else:
        w("- **辖区**: 无街道 — named after a place; its area is not published\n")
    for p in st["places"]:
        w(f"- **负责场所**: {place_markdown(p)}\n")
    if st["note"]:
        w(f"- **注意 caveat**: {md_text(st['note'])}\n")
    if st["communities"]:
        names = "、".join(md_text(n) for n in st["communities"])
        w(
            f"- **社区 {st['community_count']} · 村 {st['village_count']}**"
            f"{md_refs(st['communities_refs'])}: {names}\n"
        )
    w("\n")
    return "".join(out)
