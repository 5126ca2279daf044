"""What the CLI says, keyed by the codes the engine, media and the workflows answer with
(issue 23): they return structured answers (``code``, ``needs``, ``hint``); the sentences, in
the user's language, are written here and nowhere else.

``say(code, zh, **values)`` words one answer; a code with no entry is a bug (KeyError), so a
test that walks the codes finds a missing sentence.
"""

from __future__ import annotations

# code -> (English, Chinese). Values fill {name} fields; lists are joined by the caller.
SENTENCES: dict[str, tuple[str, str]] = {
    "not_understood": (
        "Not understood: {missing}. Nothing was done.",
        "没有听懂：{missing}。什么都没有做。"),
    "hint.nemo_tools": (
        "Next: `nemo tools` lists what can be done; `nemo do TOOL --args '{{...}}'` runs one directly.",
        "下一步：运行 `nemo tools` 查看能做的事，或用 `nemo do 工具名 --args '{{...}}'` 直接调用。"),
    "kept_subtitles": (
        "This video is already in the project with subtitles ({languages}); nothing was transcribed again "
        "and the corrections and translations are kept. {files}",
        "这个视频已经在项目里，字幕（{languages}）也已做好，没有重新识别，校对和翻译都保留了。{files}"),
    "hint.again": (
        "To transcribe it again, say \"transcribe again\" or add --again.",
        "要重新识别，请说“重新识别”或加 --again。"),
    "new_project": (
        "A different video: it has a project of its own now (the project {old} is kept as it was).",
        "这是另一个视频，已为它新建项目（原项目 {old} 保留不变）。"),
    "already_in_project": (
        "{names} is already in the project; not uploaded again.",
        "{names} 已经在项目里，没有再次上传。"),
    "step_not_done": (
        "This step was not done; the steps after it ({rest}) did not run.",
        "这一步没有完成，后面的步骤（{rest}）没有执行。"),
    "step_not_done.last": (
        "This step was not done.",
        "这一步没有完成。"),
    "hint.export": (
        "Next: say \"export\"",
        "下一步：说“导出”"),
    "hint.export_or_run": (
        "Next: say \"export\" or run `nemo export --out video.mp4`.",
        "下一步：说“导出”，或运行 `nemo export --out video.mp4`。"),
    "exported": ("Exported to {path}", "已导出到 {path}"),
    "credits": (
        "Credits: {available} available, {frozen} reserved, {total} in all.",
        "积分：可用 {available}，冻结 {frozen}，共 {total}。"),
    "subtitle_files": ("Wrote {files}", "已写出 {files}"),
    "needs.subtitles": (
        "Wrote no files: the project has no subtitles yet; say \"generate subtitles\" first.",
        "没有写出文件：项目里还没有字幕，请先说“生成字幕”。"),
    "declined": ("OK, nothing done.", "好的，这次什么也不做。"),
    "declined.cancel": (
        " (to cancel a running export: nemo export --cancel RENDER_ID)",
        "（取消正在进行的导出：nemo export --cancel RENDER_ID）"),
    "needs.file": (
        "Which file? Give its path, e.g. nemo say \"upload ~/video.mp4\".",
        "上传哪个文件？请给出路径，例如 nemo say \"上传 ~/video.mp4\"。"),
    "uploaded": ("Uploaded {names}.", "已上传 {names}。"),
    "render": ("Render {id}: {status} {progress:.0f}%", "导出 {id}：{status} {progress:.0f}%"),
    "render.collect": (" — collect it with `nemo export --resume`", "，用 `nemo export --resume` 取回"),
    "no_export_running": ("No export is running.", "没有正在进行的导出。"),
    "file_missing": ("{path} does not exist", "找不到文件：{path}"),
    "hint.file_missing": (
        "check the path and try again; nothing in the project was changed",
        "检查路径后再试一次；项目里的其他视频没有被改动"),
}


def say(code: str, zh: bool, **values: object) -> str:
    """The sentence for ``code`` in the user's language, its fields filled."""
    en, chinese = SENTENCES[code]
    return (chinese if zh else en).format(**values)


def quote_list(items: list[str], zh: bool) -> str:
    """Words the user said, quoted as each language quotes, in one line."""
    return "；".join(f"“{m}”" for m in items) if zh else "; ".join(f'"{m}"' for m in items)


def join(items: list[str], zh: bool) -> str:
    return "、".join(items) if zh else ", ".join(items)


def starts_like(line: str, code: str) -> bool:
    """Whether a line of a reply is the sentence ``code`` (in either language)."""
    return line.startswith(SENTENCES[code])
