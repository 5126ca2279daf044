"""What each tool of the local agent takes, as JSON Schema (issue 12).

Every planner's calls are checked against these before a tool runs: the rules',
and the calling agent's (`nemo do TOOL --args JSON`). `nemo tools --json` prints
them, so an agent can call a tool without any words being parsed in between.
"""

from __future__ import annotations

LANG = {"type": "string", "enum": ["zh", "en"]}
SECONDS = {"type": "number", "minimum": 0, "maximum": 10800}
VOLUME = {"type": "number", "minimum": 0, "maximum": 2, "description": "1 = as recorded; 0.3 = 30%"}
COLOUR = {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"}


def _obj(properties: dict | None = None, required: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "properties": properties or {}, "required": list(required),
            "additionalProperties": False}


PARAMS: dict[str, dict] = {
    "describe_project": _obj(),
    "set_title": _obj({"text": {"type": "string", "minLength": 1, "maxLength": 200},
                       "start": SECONDS, "duration": {"type": "number", "exclusiveMinimum": 0, "maximum": 600}},
                      ("text",)),
    "add_bgm": _obj({"volume": VOLUME}),
    "set_volume": _obj({"volume": VOLUME}, ("volume",)),
    "trim": _obj({"start": SECONDS, "end": SECONDS, "drop_last": SECONDS}),
    "set_aspect": _obj({"ratio": {"type": "string", "enum": ["16:9", "9:16", "1:1", "4:3", "3:4"]}}, ("ratio",)),
    "set_resolution": _obj({"short_side": {"type": "integer", "enum": [720, 1080, 1440, 2160]}}, ("short_side",)),
    "remove_track": _obj({"kind": {"type": "string", "enum": ["bgm", "title", "subtitle", "video", "narration"]},
                          "kinds": {"type": "array", "minItems": 1, "maxItems": 5, "items": {
                              "type": "string", "enum": ["bgm", "title", "subtitle", "video", "narration"]}}}),
    "generate_video": _obj({"script": {"type": "string", "maxLength": 10000},
                            "prompt": {"type": "string", "maxLength": 2000},
                            "title": {"type": "string", "maxLength": 100},
                            "aspect": {"type": "string", "enum": ["16:9", "9:16", "1:1"]},
                            "duration": {"type": "number", "minimum": 5, "maximum": 600},
                            "voice": {"type": "string", "maxLength": 300},
                            "music": {"type": "boolean"},
                            "style": {"type": "string", "enum": ["ink", "flat", "gradient"]},
                            "scene_files": {"type": "array", "maxItems": 500,
                                            "description": "per sentence, the uploaded file it shows (null: drawn)",
                                            "items": {"type": ["string", "null"], "maxLength": 255}},
                            "subtitle_style": {"type": "string", "enum": ["plain", "box", "karaoke"],
                                               "description": "karaoke: each character lights up as it is said"},
                            "labels": {"type": "boolean",
                                       "description": "each scene's key phrase large in the middle"}}),
    "set_scene_subjects": _obj({"scenes": {"type": "array", "minItems": 1, "maxItems": 500, "items": _obj({
        "sentence": {"type": "integer", "minimum": 1, "maximum": 500},
        "shows": {"type": "array", "minItems": 1, "maxItems": 2, "description": "emoji, or their English or "
                  "Chinese CLDR names (panda, 熊猫, 🐼)", "items": {"type": "string", "minLength": 1, "maxLength": 40}}},
        ("sentence", "shows"))}}, ("scenes",)),
    "set_voice_speed": _obj({"factor": {"type": "number", "minimum": 0.5, "maximum": 2.0,
                                        "description": "below 1 slower, above 1 faster"}}, ("factor",)),
    "set_voice": _obj({"voice": {"type": "string", "maxLength": 100, "pattern": "^[A-Za-z]+:[A-Za-z0-9+._-]+$",
                                 "description": "a voice id from `nemo generate --voices`"},
                       "gender": {"type": "string", "enum": ["male", "female"],
                                  "description": "the first clear offline voice a creator may publish with"},
                       "deeper": {"type": "boolean", "description": "a voice lower than the current one"}}),
    "transcribe": _obj({"languages": {"type": "array", "minItems": 1, "maxItems": 2, "items": LANG},
                        "source": LANG,
                        "translator": {"type": "string", "enum": ["auto", "llm", "agent", "whisper"]},
                        "limits": {"type": "object", "additionalProperties": {
                            "type": "object", "additionalProperties": False, "properties": {
                                "max_chars": {"type": "integer", "minimum": 6, "maximum": 80},
                                "cps": {"type": "number", "minimum": 3, "maximum": 40}}}},
                        "punctuation": {"type": "string", "enum": ["conventional", "keep"],
                                        "description": "conventional: no ，。 at Chinese cue ends, a space "
                                                       "for a pause inside a line; keep: as transcribed"},
                        "terms": {"type": "array", "maxItems": 200, "description": "glossary: written "
                                  "so, and their homophones corrected", "items": {
                                      "type": "string", "minLength": 1, "maxLength": 40}},
                        "script": {"type": "string", "maxLength": 20000, "description": "the creator's "
                                   "script: the subtitles take its text and the speech's timing"},
                        "speakers": {"type": "integer", "minimum": 0, "maximum": 8, "description": "start a "
                                     "new cue where the voice changes and label each cue's speaker: how "
                                     "many speakers there are, 0 = find out"}}),
    "translate_subtitles": _obj({"target": LANG,
                                 "translator": {"type": "string", "enum": ["auto", "llm", "agent", "whisper"]}}),
    "apply_translation": _obj({"lang": LANG, "lines": {"type": "array", "minItems": 1, "maxItems": 20000,
                                                       "items": {"type": "string", "maxLength": 500}}},
                              ("lang", "lines")),
    "correct_subtitles": _obj({"lang": LANG, "corrections": {
        "type": "array", "minItems": 1, "maxItems": 5000, "description": "misheard words fixed: each cue's "
        "whole corrected text; every changed syllable must sound like the one heard",
        "items": _obj({"cue": {"type": "integer", "minimum": 1, "maximum": 100000},
                       "text": {"type": "string", "minLength": 1, "maxLength": 500}}, ("cue", "text"))}},
        ("corrections",)),
    "style_subtitles": _obj({"lang": LANG, "size": {"type": "number", "minimum": 16, "maximum": 160},
                             "scale": {"type": "number", "minimum": 0.3, "maximum": 3},
                             "position": {"type": "string", "enum": ["top", "middle", "bottom"]},
                             "color": COLOUR}),
    "subtitle_languages": _obj({"keep": {"type": "array", "minItems": 1, "maxItems": 2, "items": LANG}}, ("keep",)),
    "subtitle_mode": _obj({"mode": {"type": "string", "enum": ["burn", "soft"]}}, ("mode",)),
    "subtitle_order": _obj({"first": LANG}, ("first",)),
    "write_publish_info": _obj(),
}
