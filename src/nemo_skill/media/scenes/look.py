"""A generated video's look from its topic: the setting's colours (festive red and gold for 春节,
cold blue for snow, clinical white for a hospital) and the setting a sentence gets when it names
no motif (a street for a festival, a table for food, a pitch for sport), and where a scene's
subjects stand: large, on the rule-of-thirds points, clear of the subtitles."""

from __future__ import annotations

# Per mood: the words that call it, the colours (as motifs.PALETTES) and the default setting.
MOODS: dict[str, dict] = {
    "festive": {"words": "春节 春联 对联 过年 除夕 新年 元宵 灯笼 红包 鞭炮 烟花 中秋 月饼 端午 节日 庆祝 婚礼 喜庆",
                "palette": {"top": (150, 24, 28), "bottom": (205, 60, 40), "far": (190, 80, 60),
                            "mid": (120, 20, 24), "near": (80, 10, 16), "accent": (250, 200, 70)},
                "setting": "city"},
    "cold": {"words": "雪 冰 冬天 寒冷 冬季 滑雪 北极 南极 冰川 严寒",
             "palette": {"top": (170, 200, 230), "bottom": (230, 240, 250), "far": (150, 180, 210),
                         "mid": (100, 140, 180), "near": (60, 95, 140), "accent": (250, 250, 255)},
             "setting": "snow"},
    "clinical": {"words": "医院 医生 护士 疫苗 药 病毒 流感 感冒 发烧 健康 手术 病人 症状 就诊 治疗 疾病",
                 "palette": {"top": (236, 246, 248), "bottom": (206, 230, 236), "far": (170, 208, 214),
                             "mid": (110, 170, 180), "near": (60, 120, 135), "accent": (90, 190, 200)},
                 "setting": "city"},
    "tech": {"words": "手机 电脑 芯片 科技 互联网 人工智能 软件 数据 机器人 电池 网络 程序 卫星 火箭",
             "palette": {"top": (18, 24, 60), "bottom": (60, 40, 120), "far": (70, 80, 150),
                         "mid": (45, 55, 120), "near": (25, 30, 75), "accent": (90, 220, 255)},
             "setting": "city"},
    "sport": {"words": "足球 篮球 比赛 球员 球迷 冠军 运动 奥运 跑步 马拉松 游泳 体育 球队 进球",
              "palette": {"top": (90, 160, 225), "bottom": (200, 230, 250), "far": (90, 170, 100),
                          "mid": (50, 140, 70), "near": (30, 100, 50), "accent": (255, 255, 255)},
              "setting": "field"},
    "food": {"words": "吃 美食 面 菜 饭 汤 厨师 餐厅 味道 做饭 烹饪 食物 早餐 小吃 火锅 面条",
             "palette": {"top": (250, 232, 200), "bottom": (240, 205, 160), "far": (200, 140, 90),
                         "mid": (160, 100, 60), "near": (110, 65, 40), "accent": (230, 120, 50)},
             "setting": "table"},
    "nature": {"words": "熊猫 动物 森林 竹 鸟 野生 保护区 草原 老虎 大象 猴子 鱼 植物",
               "palette": {"top": (214, 236, 214), "bottom": (240, 246, 226), "far": (150, 190, 150),
                           "mid": (90, 150, 100), "near": (40, 95, 60), "accent": (240, 190, 80)},
               "setting": "forest"},
}


def mood_for(texts: list[str]) -> str | None:
    """The mood most of the script's words call (the title counts twice), or None: the style's
    own colours."""
    joined = " ".join(texts + texts[:1])
    scores = {name: sum(joined.count(w) for w in m["words"].split()) for name, m in MOODS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None


def palette(mood: str | None) -> dict | None:
    return MOODS[mood]["palette"] if mood in MOODS else None


def setting(mood: str | None) -> str | None:
    return MOODS[mood]["setting"] if mood in MOODS else None


def placements(count: int, width: int, height: int, card: bool = False) -> list[tuple[int, int, int]]:
    """(left, top, size) of each subject in the frame: the first large on a thirds point, the
    second smaller on the opposite one; all above the subtitles (the bottom quarter). Under a
    data card (the upper third), one subject, lower."""
    portrait = height > width
    if count <= 0:
        return []
    if card:
        spots = [(0.5, 0.5, 0.46)] if portrait else [(0.5, 0.57, 0.36)]
    elif portrait:
        spots = [(0.5, 0.36, 0.62)] if count == 1 else [(0.36, 0.30, 0.50), (0.68, 0.53, 0.40)]
    else:
        spots = [(0.62, 0.45, 0.56)] if count == 1 else [(0.34, 0.42, 0.50), (0.68, 0.50, 0.40)]
    out = []
    for cx, cy, share in spots[:count]:
        size = round(min(width, height) * share) if portrait else round(height * share)
        size -= size % 2
        left, top = round(width * cx - size / 2), round(height * cy - size / 2)
        out.append((left - left % 2, top - top % 2, size))
    return out
