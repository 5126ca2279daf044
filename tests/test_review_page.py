"""The review page in a real browser (issue 26): Debian's chromium driven by Playwright.

A creator opens the link `nemo review` prints, sees one row per cue, clicks to seek, edits
and saves; the files are written again. Hostile cue text stays text; the page refuses a
visitor without the claim; a save with overlapping times changes nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pysubs2
import pytest
import requests
from review_env import (
    CHROMIUM,
    LAUNCH_ARGS,
    ZH,
    Served,
    browser_or_skip,
    make_video,
    project,
    serve,
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return make_video(tmp_path_factory.mktemp("review-media") / "talk.mp4")


@pytest.fixture
def served(tmp_path, clip):
    engine, url, server, thread = serve(tmp_path / "engine")
    token, session_id = project(engine, clip, tmp_path / "out",
                                extra={2: {"confidence": 0.41, "unsure": [{"text": "压岁钱", "start": 2.5, "end": 3}]},
                                       1: {"confidence": 0.95}})
    yield Served(engine, url, token, session_id, tmp_path / "out")
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    sync_playwright = browser_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def expect(locator):
    from playwright.sync_api import expect as playwright_expect  # only where chromium runs
    return playwright_expect(locator)


def open_review(page, served: Served):
    page.goto(served.link())
    page.wait_for_selector('#rows tr[data-cue="1"]')
    return page


def save_and_wait(page) -> str:
    page.click('[data-action="save"]')
    expect(page.locator("#status")).not_to_contain_text("Saving")
    return page.locator("#status").inner_text()


def test_rows_match_the_cues_and_a_click_seeks(page, served):
    link = served.link()
    page.goto(link)
    page.wait_for_selector('#rows tr[data-cue="1"]')
    assert "ct=" not in page.url                                   # the claim left the address bar
    cookie = next(c for c in page.context.cookies() if c["name"] == "nemo_review")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    rows = page.locator("#rows tr")
    assert rows.count() == len(ZH)
    for n, cue in enumerate(ZH, 1):
        row = page.locator(f'#rows tr[data-cue="{n}"]')
        assert row.locator('[data-field="text"]').input_value() == cue.text
        assert row.locator('[data-field="start"]').input_value() == f"0:{cue.start:06.3f}"
    assert page.locator('#rows tr[data-cue="1"] [data-field="text-en"]').input_value().startswith("In recent")
    assert page.locator("video track").count() == 2
    # the recogniser's doubt is shown, the low one highlighted; the findings are in their row
    assert page.locator('#rows tr[data-cue="2"] .conf.low').inner_text() == "41%"
    assert page.locator('#rows tr[data-cue="2"] .unsure').inner_text() == "压岁钱"
    assert page.locator('#rows tr[data-cue="1"] .conf.low').count() == 0
    assert "reading" in page.locator('#rows tr[data-cue="2"] [data-field="findings"]').inner_text() or \
        page.locator('#rows tr[data-cue="2"] [data-field="findings"] li').count() >= 1
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    page.click('#rows tr[data-cue="3"] th')
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 4.4) < 0.05")
    expect(page.locator('#rows tr[data-cue="3"]')).to_have_class(re.compile(r"\bcurrent\b"))
    page.reload()                                                   # the cookie keeps it open
    page.wait_for_selector('#rows tr[data-cue="4"]')
    page.goto(link)                                                 # the used link, in the same browser
    page.wait_for_selector('#rows tr[data-cue="4"]')
    assert not page.errors


def test_edit_and_save_round_trip_into_the_files(page, served):
    (served.out_dir / "talk.bilibili.mp4").write_bytes(b"an old render")
    open_review(page, served)
    page.fill('#rows tr[data-cue="1"] [data-field="text"]', "近几年我用书给女儿压岁钱")
    page.fill('#rows tr[data-cue="2"] [data-field="text-en"]', "and asked our friends to give no money")
    end = page.locator('#rows tr[data-cue="3"] [data-field="end"]')
    end.fill("0:06.100")
    end.press("Tab")
    said = save_and_wait(page)
    assert "已保存" in said and "talk.bilibili.mp4" in said            # the render is now out of date
    zh = pysubs2.load(str(served.out_dir / "talk.zh.srt"))
    assert [e.plaintext for e in zh][0] == "近几年我用书给女儿压岁钱" and zh[2].end == 6100
    en = json.loads((served.out_dir / "talk.en.bcc").read_text(encoding="utf-8"))
    assert en["body"][1]["content"] == "and asked our friends to give no money"
    both = pysubs2.load(str(served.out_dir / "talk.zh-en.srt"))
    assert both[0].plaintext.split("\n") == ["近几年我用书给女儿压岁钱", "In recent years I gave my daughter books"]
    assert (served.out_dir / "talk.ass").is_file() and (served.out_dir / "talk.zh.vtt").is_file()
    _, draft = served.draft()
    zh_track = next(t for t in draft["t"] if t["id"] == "subtitle_zh")
    assert zh_track["sg"][0]["txt"] == "近几年我用书给女儿压岁钱"
    assert zh_track["sg"][1]["m"]["confidence"] == 0.41               # an untouched cue keeps its doubt
    assert "confidence" not in (zh_track["sg"][0].get("m") or {})     # an edited one is the creator's
    page.reload()
    page.wait_for_selector('#rows tr[data-cue="1"]')
    assert page.locator('#rows tr[data-cue="1"] [data-field="text"]').input_value() == "近几年我用书给女儿压岁钱"
    assert not page.errors


def test_split_merge_insert_delete_and_the_playhead(page, served):
    open_review(page, served)
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    page.click('#rows tr[data-cue="1"] th')
    page.evaluate("document.querySelector('video').currentTime = 1.2")
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 1.2) < 0.05")
    page.click('[data-action="set-end"]')
    assert page.locator('#rows tr[data-cue="1"] [data-field="end"]').input_value() == "0:01.200"
    box = page.locator('#rows tr[data-cue="3"] [data-field="text"]')
    box.click()
    box.evaluate("b => { b.setSelectionRange(2, 2); b.dispatchEvent(new Event('select')); }")
    page.click('[data-action="split"]')
    assert page.locator("#rows tr").count() == 5
    assert page.locator('#rows tr[data-cue="3"] [data-field="text"]').input_value() == "攀岩"
    assert page.locator('#rows tr[data-cue="4"] [data-field="text"]').input_value() == "徒步滑雪"
    page.click('#rows tr[data-cue="3"] th')
    page.click('[data-action="merge"]')
    assert page.locator('#rows tr[data-cue="3"] [data-field="text"]').input_value() == "攀岩徒步滑雪"
    page.click('#rows tr[data-cue="4"] th')
    page.click('[data-action="delete"]')
    page.click('#rows tr[data-cue="1"] th')
    page.click('[data-action="insert"]')
    page.locator('#rows tr[data-cue="2"] [data-field="text"]').fill("新的一句")
    assert "已保存" in save_and_wait(page)
    texts = [e.plaintext for e in pysubs2.load(str(served.out_dir / "talk.zh.srt"))]
    assert texts == ["近几年我用书给女儿压岁", "新的一句", "也劝说亲朋不要给压岁钱", "攀岩徒步滑雪"]
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")                              # next cue: seeks there
    page.wait_for_function("() => document.querySelector('#rows tr.selected') !== null")


HOSTILE = "<img src=x onerror=\"window.__pwned=1\">{\\fs200}大字"


def test_hostile_text_stays_text(page, served):
    open_review(page, served)
    page.fill('#rows tr[data-cue="1"] [data-field="text"]', HOSTILE)
    assert "已保存" in save_and_wait(page)
    page.reload()
    page.wait_for_selector('#rows tr[data-cue="1"]')
    assert page.locator('#rows tr[data-cue="1"] [data-field="text"]').input_value() == HOSTILE
    assert page.locator("img").count() == 0 and page.evaluate("window.__pwned") is None
    srt = (served.out_dir / "talk.zh.srt").read_text(encoding="utf-8")
    assert "<img src=x onerror=\"window.__pwned=1\">｛＼fs200｝大字" in srt    # shown, never obeyed
    ass = (served.out_dir / "talk.ass").read_text(encoding="utf-8")
    assert "{\\fs200}" not in ass                                   # an override tag stays text in ASS
    assert pysubs2.load(str(served.out_dir / "talk.ass"))[0].plaintext.startswith("<img src=x")
    # a right-to-left override would turn the line around on screen: refused, nothing changes
    version, _ = served.draft()
    page.fill('#rows tr[data-cue="2"] [data-field="text"]', "abc\u202edef")
    said = save_and_wait(page)
    assert "未保存" in said and "cue 2" in said and "U+202E" in said
    assert served.draft()[0] == version
    assert not page.errors


def test_an_overlapping_save_is_refused_and_nothing_changes(page, served):
    open_review(page, served)
    assert "已保存" in save_and_wait(page)            # the files exist before the refused edit
    before = {p.name: p.read_bytes() for p in served.out_dir.iterdir()}
    version, draft = served.draft()
    start = page.locator('#rows tr[data-cue="2"] [data-field="start"]')
    start.fill("0:01.500")                              # cue 1 ends at 2.0
    start.press("Tab")
    page.fill('#rows tr[data-cue="2"] [data-field="text"]', "改过的字")
    said = save_and_wait(page)
    assert "未保存" in said and "overlap" in said
    assert served.draft() == (version, draft)
    assert {p.name: p.read_bytes() for p in served.out_dir.iterdir()} == before


def test_the_page_is_refused_without_the_claim(served, tmp_path):
    bare = requests.get(f"{served.url}/review", allow_redirects=False)
    assert bare.status_code == 401 and "nemo review" in bare.text
    assert "script-src 'self'" in bare.headers["Content-Security-Policy"]
    forged = requests.get(f"{served.url}/review?ct=clm_forged", allow_redirects=False)
    assert forged.status_code == 403
    link = served.link()
    first = requests.get(link, allow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/review"
    assert "httponly" in first.headers["set-cookie"].lower() and "samesite=strict" in first.headers["set-cookie"].lower()
    assert requests.get(link, allow_redirects=False).status_code == 403      # a claim opens the page once
    for path in ("/review/api/project", "/review/api/video", "/review/api/vtt/zh"):
        assert requests.get(served.url + path).status_code == 401
    assert requests.post(f"{served.url}/review/api/save", json={"revision": 1, "cues": []}).status_code == 401
    # the claim: only the project's owner gets one
    other = requests.post(f"{served.url}/api/review/link", json={"session_id": served.session_id})
    assert other.status_code == 401
    # a different Host (DNS rebinding) is turned away before any route
    assert requests.get(f"{served.url}/review", headers={"Host": "evil.example"}).status_code == 421


def _session(served: Served) -> requests.Session:
    s = requests.Session()
    assert s.get(served.link(), allow_redirects=True).status_code == 200
    return s


@pytest.mark.parametrize("cue, message", [
    ({"start": float("nan"), "end": 2.0}, "numbers must be finite"),     # refused before the body is parsed
    ({"start": 0.5, "end": 99.0}, "not a time inside the video"),
    ({"start": 2.0, "end": 2.0}, "must start before it ends"),
    ({"start": 0.5, "end": 2.0, "texts": {"fr": "x"}}, "no 'fr' subtitles"),
    ({"start": 0.5, "end": 2.0, "texts": {"zh": "a\u0007b"}}, "U+0007"),
    ({"start": 0.5, "end": 2.0, "texts": {"zh": "a\u2067b"}}, "U+2067"),
])
def test_every_rule_of_a_save(served, cue, message):
    s = _session(served)
    project = s.get(f"{served.url}/review/api/project").json()
    version, draft = served.draft()
    body = json.dumps({"revision": project["revision"], "cues": [{"texts": {}, **cue}]}, allow_nan=True)
    answer = s.post(f"{served.url}/review/api/save", data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and message in answer.json()["message"], answer.text
    assert "nothing was changed" in answer.json()["message"] or "finite" in message
    assert served.draft() == (version, draft)


def test_a_page_older_than_the_project_is_refused(served):
    s = _session(served)
    project = s.get(f"{served.url}/review/api/project").json()
    cues = [{"start": r["start"], "end": r["end"], "origin": r["n"], "texts": {"zh": r["texts"]["zh"] + "!"}}
            for r in project["rows"]]
    (served.out_dir / "talk.fr.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nvieux\n", encoding="utf-8")
    first = s.post(f"{served.url}/review/api/save", json={"revision": project["revision"], "cues": cues})
    assert first.ok and str(served.out_dir / "talk.fr.srt") in first.json()["out_of_date"]   # named, kept
    assert (served.out_dir / "talk.fr.srt").is_file()
    assert str(served.out_dir / "talk.zh.srt") not in first.json()["out_of_date"]
    stale = s.post(f"{served.url}/review/api/save", json={"revision": project["revision"], "cues": cues})
    assert stale.status_code == 409 and "reload" in stale.json()["message"]
    cross = s.post(f"{served.url}/review/api/save", headers={"Origin": "http://evil.example"},
                   json={"revision": project["revision"] + 1, "cues": cues})
    assert cross.status_code == 403


def test_an_invisible_character_already_in_a_cue_is_pointed_out(served):
    version, draft = served.draft()
    zh = next(t for t in draft["t"] if t["id"] == "subtitle_zh")
    zh["sg"][2]["txt"] = "攀岩\u202e徒步滑雪"
    served.engine.db.save_draft(served.session_id, draft, note="test")
    rows = _session(served).get(f"{served.url}/review/api/project").json()["rows"]
    assert rows[2]["findings"][0]["code"] == "invisible_character" and "U+202E" in rows[2]["findings"][0]["message"]
    assert not any(f["code"] == "invisible_character" for r in (rows[0], rows[1], rows[3]) for f in r["findings"])


def test_keys_play_and_move_between_cues(page, served):
    open_review(page, served)
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    page.click('#rows tr[data-cue="1"] th')
    page.keyboard.press("ArrowDown")                  # the text of cue 2 gets the focus, the video seeks
    expect(page.locator('#rows tr[data-cue="2"]')).to_have_class(re.compile(r"\bselected\b"))
    page.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 2.3) < 0.05")
    page.keyboard.press("Alt+ArrowDown")              # from inside the text too
    expect(page.locator('#rows tr[data-cue="3"]')).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator('#rows tr[data-cue="2"]')).to_have_class(re.compile(r"\bselected\b"))
    page.keyboard.press("Escape")
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.querySelector('video').paused")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('video').paused")
    # the focused control shows a visible outline
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    assert not page.errors


def test_speech_heard_but_not_read_is_offered_as_a_cue_to_add(page, tmp_path, clip):
    """A stretch recognition heard but could not read (m.subtitles.unheard) is listed above the
    cues with what it sounded like; "Add a cue" puts a row there with that text to correct."""
    engine, url, server, thread = serve(tmp_path / "engine")
    try:
        heard = "<b>攀颜</b>图部华学"                      # shown as text, never as markup
        token, session_id = project(engine, clip, tmp_path / "out", zh=[c for c in ZH if c.start != 4.4], en=None)
        served = Served(engine, url, token, session_id, tmp_path / "out")
        version, draft = served.draft()
        draft["m"]["subtitles"]["unheard"] = [{"st": 4300, "et": 6200, "heard": heard},
                                              {"st": 500, "et": 2000, "heard": "已有字幕"}]   # a cue carries it
        engine.db.save_draft(session_id, draft, note="test")
        open_review(page, served)
        expect(page.locator("#unheard")).to_be_visible()
        assert page.locator("#unheard li").count() == 1
        expect(page.locator("#summary")).to_contain_text("1 段人声无字幕")
        assert page.locator("#unheard q").inner_text() == heard and page.locator("#unheard q b").count() == 0
        page.click('[data-unheard="add"]')
        assert page.locator("#rows tr").count() == 4
        row = page.locator('#rows tr[data-cue="3"]')
        assert row.locator('[data-field="text"]').input_value() == heard
        assert row.locator('[data-field="start"]').input_value() == "0:04.300"
        assert row.locator('[data-field="end"]').input_value() == "0:06.200"
        expect(page.locator("#unheard")).to_be_hidden()
        expect(page.locator("#summary")).not_to_contain_text("人声无字幕")
        row.locator('[data-field="text"]').fill("攀岩徒步滑雪")
        assert "已保存" in save_and_wait(page)
        texts = [e.plaintext for e in pysubs2.load(str(served.out_dir / "talk.zh.srt"))]
        assert texts == ["近几年我用书给女儿压岁", "也劝说亲朋不要给压岁钱", "攀岩徒步滑雪", "谢谢大家"]
        page.reload()
        page.wait_for_selector('#rows tr[data-cue="4"]')
        expect(page.locator("#unheard")).to_be_hidden()               # carried now, by the saved cue
        assert not page.errors
    finally:
        server.should_exit = True
        thread.join(5)
