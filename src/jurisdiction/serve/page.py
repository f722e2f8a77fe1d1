"""The HTML of `jur serve`: the search page and a station's or sub-bureau's page.

Chinese first, because the people at the desk read Chinese; the English word follows in small
type where it helps someone who reads the CLI's output. Every string that comes from the
dataset or a query goes through `esc` (html.escape, quotes included) or `url_part`; a test
puts `<script>` in both. The page carries no inline script and no inline style: its script
and style are files under /static/, so the Content-Security-Policy can forbid everything else.

The answer fragment below is also built by static/app.js from the JSON of /api/find (same
elements, same classes): Python renders a `/?q=` link's answer, the script renders what is
typed. Keep the two in step.
"""

from __future__ import annotations

import html
from urllib.parse import quote

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ..model import Answer

STATUS_WORDS = {
    "found": "已确定",
    "partial": "仅知分局",
    "ambiguous": "有歧义",
    "outside": "辖区外",
    "not_found": "未找到",
}
STATUS_HINTS = {
    "found": "派出所和分局都已确定",
    "partial": "分局已知，派出所不能确定：请补充街道、社区或村",
    "ambiguous": "有几个地方同样符合：请从候选中选择，或补充区县",
    "outside": "郑州市的地方，但不在11个分局的辖区内",
    "not_found": "没有足够把握的答案，jur 不猜",
}
MATCH_WORDS = {
    "exact": "正式名称",
    "alias": "简称或别称",
    "pinyin": "拼音",
    "address": "地址中的地名",
    "fuzzy": "近似 (错字)",
    "district": "区县",
    "geocoder": "在线地图",
}
KIND_WORDS = {"territorial": "辖区", "place": "场所", "special": "专业"}


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def url_part(value: str) -> str:
    """A name as one path segment: percent-encoded, so '/', '?' and '#' stay inside it."""
    return quote(value, safe="")


def head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)}</title>\n"
        '<link rel="stylesheet" href="/static/style.css">\n'
        '<link rel="icon" href="/static/icon.svg" type="image/svg+xml">\n'
        "</head>\n"
    )


def station_link(name: str | None) -> str:
    if not name:
        return ""
    return f'<a class="station" href="/show/{esc(url_part(name))}">{esc(name)}</a>'


def bureau_link(name: str | None) -> str:
    if not name:
        return ""
    return f'<a class="bureau" href="/roster/{esc(url_part(name))}">{esc(name)}</a>'


def choice_query(c: Any) -> str:
    """The query a candidate stands for: its station (unique), else its place or street with
    the district, else its sub-bureau."""
    if c.station:
        return c.station
    if c.place:
        return c.place
    if c.street:
        return f"{c.district or ''}{c.street}"
    return c.sub_bureau or c.district or ""


def answer_html(a: Answer) -> str:
    """The answer of one query (the fragment app.js builds from /api/find's JSON)."""
    out: list[str] = []
    w = out.append
    w(f'<p class="status"><span class="badge">{STATUS_WORDS.get(a.status, esc(a.status))}</span>')
    w(f' <span class="en">{esc(a.status)}</span>')
    w(f' <span class="hint">{esc(STATUS_HINTS.get(a.status, ""))}</span></p>\n')
    if a.station or a.sub_bureau:
        w('<p class="big">')
        w(station_link(a.station) or '<span class="station none">派出所未知</span>')
        w(bureau_link(a.sub_bureau))
        w("</p>\n")
    facts = [
        ("街道/乡镇", a.street),
        ("区县", a.district),
        ("社区/村/地点", a.place),
        ("分数", f"{a.score}" + (f" · {MATCH_WORDS.get(a.match, a.match)}" if a.match else "")),
        ("代码", a.code),
        ("说明", a.note),
    ]
    w('<dl class="facts">')
    for label, value in facts:
        if value not in (None, ""):
            w(f"<dt>{label}</dt><dd>{esc(value)}</dd>")
    if not a.verified:
        w('<dt>核实</dt><dd class="unverified">未核实 — 依据的来源不明确 (unverified)</dd>')
    w("</dl>\n")
    if a.candidates:
        w('<div class="cands"><h3>候选 <span class="en">candidates</span></h3><ul>')
        for c in a.candidates:
            bits = [c.station or "派出所未知", c.sub_bureau or "", c.street or "", c.district or ""]
            label = " · ".join(b for b in bits if b)
            if c.place:
                label += f" · {c.place}"
            q = choice_query(c)
            w(
                f'<li><a class="cand" href="/?q={esc(quote(q, safe=""))}" data-q="{esc(q)}">'
                f'{esc(label)} <span class="score">{c.score}</span></a></li>'
            )
        w("</ul></div>\n")
    if a.explain:
        w('<details class="explain" open><summary>解析过程 <span class="en">explain</span>')
        w("</summary><ol>")
        for step in a.explain:
            w(f"<li>{esc(step)}</li>")
        w("</ol></details>\n")
    return "".join(out)


def home(
    *, edition: str, version: str, q: str = "", answer: Answer | None = None, online: bool = False
) -> str:
    out: list[str] = [head("派出所辖区查询 — jur")]
    w = out.append
    w(f'<body data-online="{"1" if online else "0"}">\n<header class="top">')
    w('<h1>派出所辖区查询 <span class="en">which police station</span></h1>')
    w(
        f'<p class="meta">郑州市公安局 · 数据版本 {esc(edition)} · jur {esc(version)}'
        + (" · 联网查询已开启 (回车)" if online else " · 离线")
        + "</p></header>\n<main>\n"
    )
    w('<form id="search" class="search" action="/" method="get" role="search">')
    w('<label for="q">地址、街道、社区、村或地名</label>')
    w(
        f'<input id="q" name="q" type="search" value="{esc(q)}" autocomplete="off" '
        'autofocus maxlength="1000" placeholder="例：德化街、碧沙岗社区、郑州市二七区淮南街7号">'
    )
    w('<button type="submit">查询</button></form>\n')
    hidden = "" if answer is not None else " hidden"
    w(f'<section id="answer" class="answer s-{esc(answer.status) if answer else "none"}"')
    w(f' aria-live="polite"{hidden}>')
    if answer is not None:
        w(answer_html(answer))
    w("</section>\n")
    w('<section class="batch"><h2>批量查询 <span class="en">many at once</span></h2>')
    w('<form id="batch-form"><label for="batch">每行一个地址，可从表格粘贴</label>')
    w('<textarea id="batch" rows="6" spellcheck="false"></textarea>')
    w('<button type="submit">批量查询</button> ')
    w('<button type="button" id="copy" hidden>复制结果 (可粘贴到表格)</button>')
    w('<span id="batch-msg" class="msg" role="status"></span></form>')
    w('<div class="table-wrap"><table id="results" hidden><thead><tr>')
    for h in ("查询", "状态", "派出所", "分局", "街道/乡镇", "区县", "分数"):
        w(f"<th>{h}</th>")
    w("</tr></thead><tbody></tbody></table></div></section>\n")
    w(
        '<footer class="foot"><p>离线数据，答案不确定时会说明 (ambiguous / partial / not_found)。'
        ' <a href="/roster">全市派出所一览</a> · <a href="/openapi.json">API</a> · '
        '<a href="/healthz">状态</a></p></footer>\n'
    )
    w('</main>\n<script src="/static/app.js"></script>\n</body>\n</html>\n')
    return "".join(out)


def names_list(names: list[str], link: bool = False) -> str:
    if link:
        return "、".join(station_link(n) for n in names)
    return "、".join(esc(n) for n in names)


def show(r: dict[str, Any], *, edition: str) -> str:
    """The page of one station or sub-bureau: what `jur show NAME` prints (commands.show_record)."""
    out: list[str] = [head(f"{r['name']} — jur")]
    w = out.append
    w('<body>\n<header class="top"><p class="meta"><a href="/">← 查询</a></p>')
    rows: list[tuple[str, str]] = []
    if r["type"] == "station":
        w(f"<h1>{esc(r['name'])}</h1>")
        rows.append(
            ("分局", bureau_link(r["sub_bureau"]) + ' <span class="en">(辖区派出所一览)</span>')
        )
        rows.append(("类型", esc(KIND_WORDS.get(r["kind"], r["kind"])) + f" ({esc(r['kind'])})"))
        if r["streets"]:
            streets = []
            for s in r["streets"]:
                flag = (
                    ""
                    if s["verified"]
                    else f' <span class="unverified">未核实: {esc(s["note"] or "")}</span>'
                )
                streets.append(f"{esc(s['name'])} ({esc(s['district'])}, {esc(s['code'])}){flag}")
            rows.append(("辖区街道/乡镇", "<br>".join(streets)))
        else:
            rows.append(("辖区街道/乡镇", "无: 以地点命名的派出所，辖区未公开"))
        if r["communities"]:
            kinds = [c["kind"] for c in r["communities"]]
            count = (
                f"{len(kinds)} 个 (社区 {kinds.count('community')}，村 {kinds.count('village')})"
            )
            rows.append(
                ("社区和村", f"{count}<br>{names_list([c['name'] for c in r['communities']])}")
            )
        if r["places"]:
            rows.append(("地点", names_list(r["places"])))
        teams = "<br>".join(f"<b>{esc(t['name'])}</b>: {esc(t['duties'])}" for t in r["teams"])
        if teams:
            rows.append(("两队一室", teams))
        rows.append(("地址电话", "无公开来源 (address, phone: no source gives them)"))
        rows.append(("来源", "<br>".join(esc(s) for s in r["source_detail"]) or "—"))
        if r.get("source_note"):
            rows.append(("说明", esc(r["source_note"])))
    elif r["type"] == "sub_bureau":
        w(f'<h1>{esc(r["name"])} <span class="en">{esc(r["full_name"] or "")}</span></h1>')
        rows.append(("辖区派出所一览", bureau_link(r["name"])))
        if r["aliases"]:
            rows.append(("别称", names_list(r["aliases"])))
        rows.append(("类型", esc(r["kind"])))
        rows.append(("辖区", names_list(r["area"])))
        rows.append(("地址", esc(r["address"]) if r["address"] else "未见公开来源"))
        rows.append(("成立", esc(r["established"] or "未知")))
        rows.append(
            ("内设机构", f"{esc(r['departments_note'] or '')}<br>{names_list(r['departments'])}")
        )
        if r["stations"]:
            rows.append((f"派出所 ({len(r['stations'])})", names_list(r["stations"], link=True)))
        else:
            rows.append(("派出所", "未见于任何来源 (its stations are not yet known)"))
        rows.append(("来源", "<br>".join(esc(s) for s in r["source_detail"]) or "—"))
    else:
        w(f"<h1>{esc(r['name'])}</h1>")
        rows.append(("说明", "辖区外: " + esc(r["note"])))
    w(f'<p class="meta">数据版本 {esc(edition)}</p></header>\n<main>\n<dl class="facts wide">')
    for label, value in rows:
        w(f"<dt>{esc(label)}</dt><dd>{value}</dd>")
    w("</dl>\n</main>\n</body>\n</html>\n")
    return "".join(out)
