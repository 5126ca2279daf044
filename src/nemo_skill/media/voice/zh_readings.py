"""The ways a Chinese narrator reads a number: as a quantity (一千二百三十四), digit by digit
(二零二三, 幺三八), as a decimal (三点一四), with 两 where speakers say it (两百块, 两千)."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
_UNITS = ((10**8, "亿"), (10**4, "万"), (1000, "千"), (100, "百"), (10, "十"))
MAX_CARDINAL_DIGITS = 16      # past this a number is an ID, read digit by digit
# Measure words after which 2 is read 两 (两个人, 两次, 两公里); 2月, 2号, 2楼 keep 二.
LIANG_WORDS = ("个", "位", "次", "种", "只", "本", "件", "条", "张", "天", "年", "岁", "台", "辆", "部",
               "层", "把", "双", "对", "口", "斤", "名", "倍", "周", "小时", "分钟", "秒", "公里", "千米",
               "米", "块", "杯", "碗", "勺", "克", "公斤", "千克", "根", "片", "瓶", "家", "场", "局", "届",
               "集", "季", "篇", "份", "节", "座", "栋", "所", "间", "架", "艘", "枚", "颗", "粒", "头",
               "匹", "套", "款", "项", "句", "遍", "趟", "成", "点", "群", "批", "组", "轮", "首", "支",
               "门", "顿", "声", "步", "下", "回", "盒", "包", "袋", "箱", "吨", "亩", "万", "亿", "千",
               "百", "人", "元", "毛", "角", "分钱", "美元", "英镑", "欧元", "桌", "笔", "盘", "滴", "度")
_NOT_LIANG_AFTER = ("年级", "年代", "点零", "分之", "度角")


def cardinal(n: int) -> str:
    """1234 -> 一千二百三十四, 10 -> 十, 110 -> 一百一十, 100000 -> 十万, 0 -> 零."""
    if n < 0:
        return "负" + cardinal(-n)
    if n == 0:
        return DIGITS[0]
    return _cardinal(n, top=True)


def _cardinal(n: int, top: bool) -> str:
    for size, name in _UNITS:
        if n >= size:
            head, rest = divmod(n, size)
            head_text = "" if size == 10 and head == 1 and top else _cardinal(head, top)
            if rest == 0:
                return head_text + name
            gap = DIGITS[0] if rest < size // 10 else ""
            return head_text + name + gap + _cardinal(rest, top=False)
    return DIGITS[n]


def digits(text: str, yao: bool = False) -> str:
    """Read digit by digit: 2025 -> 二零二五; with ``yao`` 1 is 幺 (phone numbers: 幺三八)."""
    out = "".join(DIGITS[int(c)] for c in text if c.isdecimal() and c.isascii())
    return out.replace("一", "幺") if yao else out


def integer(text: str) -> str:
    """A whole number as a quantity; a leading zero or a very long one is read digit by digit."""
    text = text.replace(",", "")
    if len(text) > MAX_CARDINAL_DIGITS or (len(text) > 1 and text.startswith("0")):
        return digits(text)
    return cardinal(int(text))


def decimal(text: str) -> str:
    """3.14 -> 三点一四, -2 -> 负二, 12,000 -> 一万二千, .5 -> 零点五."""
    sign = "负" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("+-").partition(".")
    spoken = integer(whole) if whole.replace(",", "") else DIGITS[0]
    return sign + spoken + ("点" + digits(frac) if frac else "")


def liang(spoken: str, after: str, before: str = "") -> str:
    """2 before a measure word is 两 (两个, 两公里); 2000 is 两千, 2万 两万, 200块 两百块;
    第2, 2月, 2年级 keep 二."""
    if before.endswith("第") or after.startswith(_NOT_LIANG_AFTER):
        return spoken
    if spoken == "二":
        return "两" if after.startswith(LIANG_WORDS) else spoken
    if spoken.startswith("二") and spoken[1:2] in ("千", "万", "亿"):
        return "两" + spoken[1:]
    if spoken.startswith("二百") and after.startswith(LIANG_WORDS):
        return "两" + spoken[1:]
    return spoken
