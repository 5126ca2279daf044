"""The rules that find a number in a sentence and say how a narrator reads it.

Each rule is a regular expression tried where a number, a sign, a currency or a Latin word
starts, and a reader that returns the Chinese for the match, or None to let the next rule try
(a "month" of 13 is not a date). Readers see the whole sentence for context: 比分3:2 is a
score, 编号0032 an ID, 第2 never 两.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .zh_readings import cardinal, decimal, digits, liang

NUM = r"\d+(?:,\d{3})+(?![\d,])(?:\.\d+)?|\d+(?:\.\d+)?"
_STARTS = r"(?<![A-Za-z0-9.])"         # a sign only where the number starts: 3-5 is a range
_SIGN = _STARTS + r"[-+]"
CURRENCY = {"¥": "元", "￥": "元", "$": "美元", "€": "欧元", "£": "英镑"}
# Latin and symbol units, as read; matched whole (1st is not 1 s).
UNITS = {"km/h": "公里每小时", "m/s²": "米每二次方秒", "m/s": "米每秒", "μm": "微米", "km²": "平方公里", "m²": "平方米", "m³": "立方米", "㎡": "平方米",
         "㎞": "公里", "㎏": "公斤", "km": "公里", "kg": "公斤", "cm": "厘米", "mm": "毫米", "nm": "纳米",
         "ml": "毫升", "mL": "毫升", "L": "升", "mg": "毫克", "g": "克", "m": "米", "h": "小时",
         "min": "分钟", "s": "秒", "ms": "毫秒", "kWh": "千瓦时", "kW": "千瓦", "W": "瓦", "V": "伏",
         "mAh": "毫安时", "Hz": "赫兹", "GHz": "吉赫兹", "MHz": "兆赫兹", "t": "吨", "mph": "英里每小时",
         "GB": "GB", "MB": "MB", "TB": "TB", "KB": "KB"}
_UNIT_RX = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
TEMPERATURE = {"℃": "摄氏度", "°C": "摄氏度", "°F": "华氏度", "°": "度", "度": "度", "摄氏度": "摄氏度"}
_TEMP_RX = "摄氏度|℃|°C|°F|°|度"
_DASH = r"\s?[-~～–—至到]\s?"
_ID_BEFORE = re.compile(r"(编号|号码|单号|工号|学号|账号|卡号|尾号|验证码|密码|房间|邮编|车次|航班|订单|"
                        r"ID|No\.?|#|代码|型号|拨打?|电话|热线|致电|呼叫|波音|空客|分机|取件码|取货码|座位)号?[是为：:\s]*$", re.I)
# Five-digit service numbers (10086, 12315, 95588) are dialled, so read digit by digit.
_SERVICE_NUMBER = re.compile(r"(?:10|12|95|96)\d{3}")
_SERVICE_AFTER = re.compile(r"\s?(热线|投诉|客服|服务|查询|咨询|举报)")
_MEASURE_AFTER = re.compile(r"\s?[万亿千百人个元块次名家件条辆台位户年天米克吨]")
_ID_AFTER = re.compile(r"(室|房间|路公交|路车|次列车|号房|会议室|教室|宿舍|病房|包厢)")
_SCORE_BEFORE = re.compile(r"(比分|以|战胜|击败|胜|负于|不敌|战平|比赛|大比分|赢|输|比例|比|局|盘)\s*$")


@dataclass
class Context:
    text: str      # the sentence, with full-width digits made ASCII
    start: int
    end: int

    @property
    def before(self) -> str:
        return self.text[max(0, self.start - 8):self.start]

    @property
    def after(self) -> str:
        return self.text[self.end:self.end + 6]


Reader = Callable[[re.Match, Context], "str | None"]


def _model_number(part: str, quantity: bool = False) -> str:
    """A number in a name: GPT-4 四, iOS 17 十七, RTX 4090 四零九零, Python 3.11 三点一一."""
    head, *rest = part.split(".")
    short = len(head) <= 3 or (quantity and len(head) <= 5)
    first = cardinal(int(head)) if short and not (len(head) > 1 and head[0] == "0") else digits(head)
    return "点".join([first, *(digits(p) for p in rest)])


def read_model(m: re.Match, ctx: Context) -> str | None:
    """A name with a number in it (GPT-4, iOS 17, Qwen2.5-7B, 5G, 3D): letters kept, the
    number read as its makers say it, a hyphen never "minus"."""
    token = m.group(0)
    trail = re.match(r"[A-Za-z]+$", re.sub(r"^[\d.]+", "", token))
    if token[0].isdigit() and trail and (trail.group(0) in UNITS or trail.group(0).lower() in ("st", "nd", "rd", "th")):
        return None
    out = []
    for piece in re.finditer(r"[A-Za-z]+|\d+(?:\.\d+)*|.", token):
        p = piece.group(0)
        out.append(_model_number(p, token[0].isdigit()) if p[0].isdigit() else p if p[0].isalpha() else "")
    return "".join(out)


def read_phone(m: re.Match, ctx: Context) -> str:
    prefix = "加" + digits(m.group(1)) if m.group(1) else ""
    return prefix + digits(m.group(2), yao=True)


def read_date(m: re.Match, ctx: Context) -> str | None:
    year, month, day = m.group(1), int(m.group(3)), int(m.group(4))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    end = "号" if m.group(0).endswith("号") else "日"
    return digits(year) + "年" + cardinal(month) + "月" + cardinal(day) + end


def read_year_range(m: re.Match, ctx: Context) -> str:
    return digits(m.group(1)) + "到" + digits(m.group(2))


def read_digits(m: re.Match, ctx: Context) -> str:
    return digits(m.group(0))


def _clock(hour: str, minute: str, second: str | None) -> str | None:
    h, mi, s = int(hour), int(minute), int(second or 0)
    if h > 24 or mi > 59 or s > 59:
        return None
    spoken = ("两" if h == 2 else cardinal(h)) + "点"
    if mi:
        spoken += ("零" if mi < 10 else "") + cardinal(mi) + "分"
    if s:
        spoken += cardinal(s) + "秒"
    return spoken


def read_time(m: re.Match, ctx: Context) -> str | None:
    if _SCORE_BEFORE.search(ctx.before):
        return None
    first = _clock(m.group(1), m.group(2), m.group(3))
    if first is None or m.group(4) is None:
        return first
    second = _clock(m.group(4), m.group(5), m.group(6))
    return None if second is None else first + "到" + second


def read_score(m: re.Match, ctx: Context) -> str | None:
    if m.group(2) in "-–—" and not _SCORE_BEFORE.search(ctx.before):
        return None
    return cardinal(int(m.group(1))) + "比" + cardinal(int(m.group(3)))


def _signed(number: str, sign: str | None) -> str:
    return ("负" if sign == "-" else "正" if sign == "+" else "") + decimal(number)


def read_money(m: re.Match, ctx: Context) -> str:
    scale = m.group(3) or ""
    amount = decimal(m.group(2))
    return liang(amount, scale or CURRENCY[m.group(1)]) + scale + CURRENCY[m.group(1)]


def read_percent(m: re.Match, ctx: Context) -> str:
    per = "千分之" if m.group(0).endswith("‰") else "百分之"
    first = per.join(["负" if m.group(1) == "-" else "", decimal(m.group(2))])
    if m.group(4) is None:
        return first
    return first + "到" + per.join(["负" if m.group(3) == "-" else "", decimal(m.group(4))])


def read_temperature(m: re.Match, ctx: Context) -> str:
    def one(sign: str | None, number: str) -> str:
        below = sign == "-" or sign == "零下"
        return ("零下" if below else "") + liang(decimal(number), "度")
    unit = TEMPERATURE[m.group(5)]
    spoken = one(m.group(1), m.group(2))
    if m.group(4):
        spoken += "到" + one(m.group(3), m.group(4))
    return spoken + unit


def read_unit(m: re.Match, ctx: Context) -> str:
    unit = UNITS[m.group(3)]
    last = liang(decimal(m.group(2)), unit)
    if m.group(1) is None:
        return last + unit
    return liang(decimal(m.group(1)), unit) + "到" + last + unit


def read_fraction(m: re.Match, ctx: Context) -> str | None:
    top, bottom = int(m.group(1)), int(m.group(2))
    if bottom == 0 or len(m.group(2)) > 6:
        return None
    return cardinal(bottom) + "分之" + cardinal(top)


def read_festival(m: re.Match, ctx: Context) -> str:
    """5.1劳动节 五一, 6.18 六一八, 11.11 双十一: a festival's date is said as its name."""
    month, day = m.group(1), m.group(2)
    return "双" + cardinal(int(month)) if month == day else digits(month) + digits(day)


def read_plus_minus(m: re.Match, ctx: Context) -> str:
    return "正负" + decimal(m.group(1))


def read_operator(m: re.Match, ctx: Context) -> str:
    return {"+": "加", "×": "乘", "÷": "除以", "=": "等于", "*": "乘"}[m.group(1)]


def read_range(m: re.Match, ctx: Context) -> str:
    return (liang(_signed(m.group(2), m.group(1)), ctx.after, ctx.before) + "到"
            + liang(decimal(m.group(3)), ctx.after))


def read_number(m: re.Match, ctx: Context) -> str:
    sign, number = m.group(1), m.group(2)
    plain = number.isdigit()
    if plain and (_ID_BEFORE.search(ctx.before) or (len(number) >= 3 and _ID_AFTER.match(ctx.after))):
        return digits(number)
    counted = _MEASURE_AFTER.match(ctx.after)
    dialled = _SERVICE_NUMBER.fullmatch(number) and (ctx.before.endswith("打") or _SERVICE_AFTER.match(ctx.after))
    if plain and not counted and (len(number) >= 7 or dialled):
        return digits(number)          # an ID, a code or a number to dial, not an amount
    if plain and number.startswith("0") and re.match(r"[月日号点时分秒]", ctx.after):
        said = cardinal(int(number))   # 09月01日: a date's padding is not said; 01分09秒 零一分零九秒
        return "零" + said if ctx.after[0] in "分秒" and 0 < int(number) < 10 else said
    return liang(_signed(number, sign), ctx.after, ctx.before)


def read_id(m: re.Match, ctx: Context) -> str | None:
    """After 编号, 取件码, 分机号...: digit by digit, dashes silent (3-2-108 三二一零八)."""
    return digits(m.group(0)) if _ID_BEFORE.search(ctx.before) else None


def read_split_seconds(m: re.Match, ctx: Context) -> str:
    """9秒83: the hundredths after 秒 are read as digits (九秒八三)."""
    return cardinal(int(m.group(1))) + "秒" + digits(m.group(2))


_WORD_START = r"(?<![A-Za-z0-9])"
RULES: list[tuple[str, re.Pattern, Reader]] = [(name, re.compile(rx), reader) for name, rx, reader in [
    # 10月1日-7日: a dash after a date or a time is "to", not a sign
    ("date dash", r"(?<=[日号月年点时分秒天周])\s?[-~～–—]\s?(?=\d)", lambda m, ctx: "到"),
    ("phone", r"(?<![\d])(?:\+(86)[\s-]?)?(1[3-9]\d(?:[\s-]?\d{4}){2}|0\d{2,3}-\d{7,8}|[48]00-?\d{3}-?\d{4})(?!\d)",
     read_phone),
    ("id", r"\d+(?:-\d+)*(?![\d.:：])", read_id),
    ("model", _WORD_START + r"[A-Za-z]+(?:(?:[-_]|\s(?=\d))?\d++(?:\.\d++)*+[A-Za-z]*+)++(?![\d%‰℃°年月日号])",
     read_model),
    ("date", r"(\d{4})([-/.年])(\d{1,2})(?:\2|月)(\d{1,2})(?!\d)[日号]?", read_date),
    ("festival", r"(\d{1,2})\.(\d{1,2})(?=\S{0,3}(?:节|大促))", read_festival),
    ("version", r"\d+(?:\.\d+){2,}(?![\d.])", lambda m, ctx: _model_number(m.group(0))),
    ("year range", r"((?:1[5-9]|20)\d\d)" + _DASH + r"((?:1[5-9]|20)\d\d)(?=\s?(?:年|赛季|财年|学年|年度))",
     read_year_range),
    ("year", r"\d{4}(?=\s?年(?!级))|\d0(?=后)|(?:19|20)\d\d(?=\s?(?:赛季|财年|学年|届|级|款|版|年度))", read_digits),
    ("time", r"(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?(?!\d)(?:" + _DASH + r"(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?(?!\d))?",
     read_time),
    ("split seconds", r"(\d+)秒(\d\d)(?![\d秒])", read_split_seconds),
    ("score", r"(\d{1,3})\s?([:：比\-–—])\s?(\d{1,3})(?![\d.:：%])", read_score),
    ("money", r"([¥￥$€£])\s?(" + NUM + r")\s?(万亿|万|亿|千)?", read_money),
    ("percent", r"(" + _SIGN + r")?(" + NUM + r")\s?(?:[%％‰]?" + _DASH + r"([-+])?(" + NUM
     + r"))?\s?[%％‰]", read_percent),
    ("temperature", r"(" + _STARTS + r"-|零下)?(" + NUM + r")\s?(?:(?:" + _TEMP_RX + r")?" + _DASH
     + r"(-|零下)?(" + NUM + r"))?\s?(" + _TEMP_RX + r")(?![A-Za-z])", read_temperature),
    ("unit", r"(?:(" + NUM + r")" + _DASH + r")?(" + NUM + r")\s?(" + _UNIT_RX + r")(?![A-Za-z])", read_unit),
    ("model", r"\d+(?:\.\d+)?[A-Za-z]+(?:\d++[A-Za-z]*+)*+(?![\d])", read_model),
    ("fraction", r"(\d+)/(\d+)(?![\d/])", read_fraction),
    ("plus-minus", r"±\s?(" + NUM + r")", read_plus_minus),
    ("operator", r"(?<=\d)\s?([+×÷=*])\s?(?=[-\d])", read_operator),
    ("range", r"(" + _SIGN + r")?(" + NUM + r")\s?[-~～–—]\s?(" + NUM + r")", read_range),
    ("number", r"(" + _SIGN + r")?(" + NUM + r")", read_number),
]]
RULE_NAMES = tuple(dict.fromkeys(name for name, _, _ in RULES))
