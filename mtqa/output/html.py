"""The review page: each article with its flags highlighted, for an editor to judge one by one.

One self-contained HTML file: the CSS and JS (`report.css`, `report.js` beside this module) are
inlined, and a Content-Security-Policy forbids every fetch, so the page loads nothing from the
network. Each flag is one `<mark>` whose `data-start`/`data-end` are the JSON output's offsets;
marks never nest (an overlap, which the detectors merge away, would show the later mark's
uncovered part only), and an insertion (start == end) is an empty mark the CSS draws as a caret.
The JSON document is embedded too (`#mtqa-data`): what `--format json` prints, or `fix --report` writes.

Article text and messages are untrusted: everything is HTML-escaped, and control and format
characters (bidi overrides, escape sequences) are shown as escapes, as in the terminal output.
"""

from __future__ import annotations

import base64
import hashlib
import html
import unicodedata
from importlib import resources

import regex

from mtqa.correct.fixing import FixResult
from mtqa.edits import KINDS
from mtqa.output.fixes import report_data
from mtqa.output.report import JSON_VERSION, FileFlags, dumps, flag_json, printable

_SHOWN = regex.compile(r"\r\n|[\p{Cc}\p{Cf}\p{Zl}\p{Zp}--[\t\n]]", regex.V1)
_NEWLINES = regex.compile(r"(?:\r?\n)+")
_PART_NAMES = {"glossary": "glossary", "lm": "LM", "lm_bits": "LM bits", "reference": "reference", "rule": "rule"}


def check_page(files: list[FileFlags], errors: list[dict[str, str]] | None = None) -> str:
    """The page for `mtqa check --format html`: every file's article with its flags."""
    data: dict = {"version": JSON_VERSION, "files": [{"path": f.path, "flags": [flag_json(f.doc, e) for e in f.flags]} for f in files]}
    if errors:
        data["errors"] = errors
    sections = [
        _article(f"a{n}", file.path, file.doc.text, entry["flags"]) for n, (file, entry) in enumerate(zip(files, data["files"]))
    ]
    flags = [flag for entry in data["files"] for flag in entry["flags"]]
    return _page("mtqa check", sections, flags, data, errors or [], statuses=False)


def fix_page(files: list[tuple[str, str, FixResult]], min_score: float) -> str:
    """The page for `mtqa fix --report-html`: for each (path, text before, result), the article
    before (every flag, applied or left) and after."""
    data = report_data([(path, result) for path, _, result in files])
    sections = [
        _article(f"a{n}", path, before, entry["edits"], min_score=min_score) for n, ((path, before, _), entry) in enumerate(zip(files, data["files"]))
    ]
    edits = [edit for entry in data["files"] for edit in entry["edits"]]
    return _page("mtqa fix", sections, edits, data, [], statuses=True)


def _status(flag: dict) -> str | None:
    """On the fix page, whether the flag's edit was "applied" or "left"; None on the check page."""
    return None if "applied" not in flag else "applied" if flag["applied"] else "left"


def _left_reason(edit: dict, min_score: float) -> str:
    """Why `fix` left a flag unapplied (see `mtqa.correct.fixing.correct`)."""
    best = edit["suggestions"][0]["score"] if edit["suggestions"] else None
    if best is None:
        return "no candidate"
    if best < min_score:
        return f"best candidate scores {best:.2f}, below --min-score {min_score:g}"
    return "only the language model backs this rewrite"


# -- text ------------------------------------------------------------------------------------------


def visible(text: str) -> str:
    """`text` as HTML: escaped, CRLF shown as a line break, other control and format characters
    as a marked-up escape (`\\u202e`) so that none of them acts on the page."""
    out, pos = [], 0
    for match in _SHOWN.finditer(text):
        out.append(html.escape(text[pos : match.start()]))
        char = match.group()
        if char == "\r\n":
            out.append("\n")
        else:
            name = unicodedata.name(char, "control character")
            out.append(f'<span class="ctl" title="U+{ord(char):04X} {name}">{html.escape(printable(char))}</span>')
        pos = match.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _plain(text: str) -> str:
    """Article text outside marks: `visible`, with a gap after a single line break so that paragraphs
    stand apart (a blank line already does)."""
    out, pos = [], 0
    for match in _NEWLINES.finditer(text):
        gap = '<span class="gap"></span>' if match.group().count("\n") == 1 else ""
        out.append(visible(text[pos : match.end()]) + gap)
        pos = match.end()
    out.append(visible(text[pos:]))
    return "".join(out)


def _kind_class(kind: str) -> str:
    return f"k-{kind}" if kind in KINDS else "k-other"


def _level(score: float) -> str:
    """Colour strength: a surer flag is drawn stronger."""
    return "s3" if score >= 0.85 else "s2" if score >= 0.65 else "s1"


def _attr(value) -> str:
    return html.escape(str(value), quote=True)


def _suggestion_text(text: str) -> str:
    if text == "":
        return "<em>delete</em>"
    if text.isspace():
        return "<em>a space</em>" if text == " " else f"<em>whitespace</em> <code>{visible(repr(text))}</code>"
    return visible(text)


def _excerpt(text: str, flag: dict) -> str:
    """The flagged text, or for an insertion the few characters around the point, with a caret."""
    start, end = flag["start"], flag["end"]
    if start < end:
        return visible(flag["text"])
    return f"{visible(text[max(0, start - 10) : start])}<b class=\"caret\">‸</b>{visible(text[end : end + 10])}"


# -- pieces ----------------------------------------------------------------------------------------


def _mark(fid: str, flag: dict, inner: str) -> str:
    classes = ["flag", _kind_class(flag["kind"]), _level(flag["score"])]
    if not inner:
        classes.append("insertion")
    status = f' data-status="{_status(flag)}"' if _status(flag) else ""
    return (
        f'<mark id="{fid}" class="{" ".join(classes)}" tabindex="0" aria-describedby="tip-{fid}"'
        f' data-start="{flag["start"]}" data-end="{flag["end"]}" data-kind="{_attr(flag["kind"])}"'
        f' data-source="{_attr(flag["source"])}" data-score="{flag["score"]}"{status}>{_plain(inner)}</mark>'
    )


def _marked(prefix: str, text: str, flags: list[dict]) -> str:
    """The article with one flat `<mark>` a flag, in text order."""
    out, pos = [], 0
    for n, flag in sorted(enumerate(flags), key=lambda item: (item[1]["start"], item[1]["end"])):
        shown_from = max(flag["start"], pos)
        out.append(_plain(text[pos:shown_from]))
        out.append(_mark(f"{prefix}-{n}", flag, text[shown_from : flag["end"]]))
        pos = max(pos, flag["end"])
    out.append(_plain(text[pos:]))
    return "".join(out)


def _after(prefix: str, text: str, flags: list[dict]) -> str:
    """The corrected text, each applied edit's replacement marked `<ins>` and tied to its flag."""
    out, pos = [], 0
    for n, flag in sorted(enumerate(flags), key=lambda item: item[1]["start"]):
        if not flag["applied"]:
            continue
        fid = f"{prefix}-{n}"
        replacement = flag["replacement"] or ""
        classes = ["edit", _kind_class(flag["kind"]), "s3"] + ([] if replacement.strip() else ["blank" if replacement else "deletion"])
        out.append(_plain(text[pos : flag["start"]]))
        out.append(
            f'<ins class="{" ".join(classes)}" data-flag="{fid}" tabindex="0" aria-describedby="tip-{fid}">{_plain(replacement)}</ins>'
        )
        pos = flag["end"]
    out.append(_plain(text[pos:]))
    return "".join(out)


def _evidence(parts: dict[str, float]) -> str:
    """A suggestion's score parts: "glossary 0.75 · LM bits 11.7"."""
    shown = [f"{_PART_NAMES.get(name, visible(name))} {value:.{1 if name == 'lm_bits' else 2}f}" for name, value in parts.items()]
    return " · ".join(shown) or "–"


def _tip(fid: str, text: str, flag: dict, min_score: float) -> str:
    rows = "".join(
        f"<tr><td>{_suggestion_text(s['text'])}</td><td>{s['score']:.2f}</td><td>{_evidence(s['parts'])}</td></tr>" for s in flag["suggestions"]
    )
    table = (
        f'<table><thead><tr><th scope="col">suggestion</th><th scope="col">score</th><th scope="col">evidence</th></tr></thead><tbody>{rows}</tbody></table>'
        if rows
        else "<p>no suggestion</p>"
    )
    status = ""
    if _status(flag) == "applied":
        status = f'<p class="status applied">applied: {_excerpt(text, flag)} → {_suggestion_text(flag["replacement"] or "")}</p>'
    elif _status(flag) == "left":
        status = f'<p class="status left">left unapplied: {visible(_left_reason(flag, min_score))}</p>'
    return (
        f'<div class="tip {_kind_class(flag["kind"])}" role="tooltip" id="tip-{fid}" hidden>'
        f'<p class="tip-head"><span class="badge {_kind_class(flag["kind"])}">{visible(flag["kind"] or "other")}</span> '
        f'<span class="rule">{visible(flag["rule"] or flag["source"])}</span> <span class="score">score {flag["score"]:.2f}</span></p>'
        f"{status}<p class=\"msg\">{visible(flag['message'])}</p>{table}</div>"
    )


def _item(fid: str, text: str, flag: dict) -> str:
    best = flag["suggestions"][0]["text"] if flag["suggestions"] else None
    fix = f' → <span class="best">{_suggestion_text(best)}</span>' if best is not None else ""
    status = f' <span class="status {_status(flag)}">{_status(flag)}</span>' if _status(flag) else ""
    return (
        f'<li id="li-{fid}" data-flag="{fid}"><a href="#{fid}"><span class="swatch {_kind_class(flag["kind"])}"></span>'
        f'<span class="where">{flag["line"]}:{flag["column"]}</span> <span class="what"><q>{_excerpt(text, flag)}</q>{fix}</span> '
        f'<span class="score">{flag["score"]:.2f}</span>{status}</a><p class="msg">{visible(flag["message"])}</p></li>'
    )


def _article(prefix: str, path: str, text: str, flags: list[dict], min_score: float | None = None) -> dict[str, str]:
    """The article's section, its tooltips and its side-list entries; with `min_score` (the fix page)
    the text after the applied edits too."""
    count = f'<span class="count" data-article="{prefix}" data-total="{len(flags)}">{len(flags)} flag(s)</span>'
    body = f'<div class="text" lang="en" dir="ltr">{_marked(prefix, text, flags)}</div>'
    if min_score is not None:
        applied = sum(f["applied"] for f in flags)
        body = (
            f'<div class="panes"><div class="pane"><h3>Before: {len(flags)} flag(s), {applied} applied, {len(flags) - applied} left</h3>{body}</div>'
            f'<div class="pane"><h3>After: {applied} edit(s) applied</h3><div class="text after" lang="en" dir="ltr">{_after(prefix, text, flags)}</div></div></div>'
        )
    tips = "".join(_tip(f"{prefix}-{n}", text, f, min_score or 0.0) for n, f in enumerate(flags))
    ordered = sorted(enumerate(flags), key=lambda item: item[1]["start"])
    items = "".join(_item(f"{prefix}-{n}", text, f) for n, f in ordered) or "<li class=\"none\">nothing flagged</li>"
    return {
        "article": f'<section class="article" id="{prefix}" aria-labelledby="{prefix}-h"><h2 id="{prefix}-h">{visible(path)} {count}</h2>{body}</section>',
        "tips": tips,
        "list": f'<h3>{visible(path)}</h3><ol class="flags">{items}</ol>',
    }


def _checkboxes(name: str, values: list[str]) -> str:
    def box(value: str) -> str:
        swatch = f'<span class="swatch {_kind_class(value)}"></span>' if name == "kind" else ""
        return (
            f'<label><input type="checkbox" value="{_attr(value)}" checked>{swatch}{visible(value or "other")} '
            f'<span class="n" data-value="{_attr(value)}"></span></label>'
        )

    boxes = "".join(box(v) for v in values)
    return f'<fieldset data-filter="{name}"><legend>{name}</legend>{boxes}</fieldset>'


def _filters(flags: list[dict], statuses: bool) -> str:
    kinds = sorted({f["kind"] for f in flags}, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))
    groups = [_checkboxes("kind", kinds), _checkboxes("source", sorted({f["source"] for f in flags}))]
    if statuses:
        groups.append(_checkboxes("status", ["applied", "left"]))
    slider = (
        '<label class="slider">score at least <output id="min-score-value" for="min-score">0.00</output>'
        '<input id="min-score" type="range" min="0" max="1" step="0.01" value="0"></label>'
    )
    return (
        f'<div id="filters" class="filters" hidden><p><strong id="shown">{len(flags)}</strong> of {len(flags)} flag(s) shown</p>'
        f"{''.join(groups)}{slider}<p class=\"hint\">Colour: kind; stronger colour: higher score. Tab through the flags; Esc hides a tooltip.</p></div>"
    )


# -- the page --------------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _csp_hash(content: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode("ascii") + "'"


def embedded_json(value) -> str:
    """JSON safe inside a `<script>` element: `<`, `>` and `&` \\u-escaped (only strings hold them)."""
    return dumps(value, indent=None).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, sections: list[dict[str, str]], flags: list[dict], data: dict, errors: list[dict], statuses: bool) -> str:
    css, js = _asset("report.css"), _asset("report.js")
    # Nothing may be fetched: no default source at all, and only this page's own style and script run.
    policy = f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; img-src data:; form-action 'none'; base-uri 'none'"
    problems = "".join(f"<li>{visible(e['path'])}: {visible(e['message'])}</li>" for e in errors)
    problems = f'<section class="errors"><h2>Not checked</h2><ul>{problems}</ul></section>' if problems else ""
    files = len(sections)
    return (
        "<!doctype html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}: {len(flags)} flag(s) in {files} file(s)</title><style>{css}</style></head>"
        f"<body><header><h1>{title}</h1><p>{len(flags)} flag(s) in {files} file(s). "
        "Hover over or tab to a highlighted flag for why it was flagged and the ranked suggestions.</p></header>"
        f'<div class="layout"><main>{problems}{"".join(s["article"] for s in sections)}</main>'
        f'<aside aria-label="Flags">{_filters(flags, statuses)}<nav class="list">{"".join(s["list"] for s in sections)}</nav></aside></div>'
        f'<div class="tips">{"".join(s["tips"] for s in sections)}</div>'
        f'<script type="application/json" id="mtqa-data">{embedded_json(data)}</script>'
        f"<script>{js}</script></body></html>\n"
    )
