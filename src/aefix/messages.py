"""Every message a user reads, in English and Simplified Chinese: the one catalogue.

The library writes its messages in English (reports and logs stay greppable); `translate(text,
"zh")` finds the catalogue template the message was made from and fills the Chinese one with the
same values. A message with no template comes back in English, and the tests fail on any finding,
note, error or summary of theirs that has none.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

LANGS = ("en", "zh")

# English template (exactly as the code formats it; {name} is a value) -> Chinese template.
CATALOGUE: dict[str, str] = {
    # compliance findings
    "format: file is {found} by its bytes (named {suffix}); {allowed} required": "格式：按文件内容是 {found}（扩展名 {suffix}）；要求 {allowed}",
    "format: file is {found} by its bytes; {allowed} required": "格式：按文件内容是 {found}；要求 {allowed}",
    "format: file is {found} but named {suffix}": "格式：文件是 {found}，扩展名却是 {suffix}",
    "check: {name} could not run ({reason})": "检查：{name} 无法运行（{reason}）",
    "format: {found} does not decode: {reason}": "格式：{found} 无法解码：{reason}",
    "file size: {mb} MB, over the {limit} MB limit": "文件大小：{mb} MB，超过 {limit} MB 上限",
    "dimensions: {size} px, under the {limit} px minimum side": "尺寸：{size} 像素，短边小于最低 {limit} 像素",
    "dimensions: {size} px, over the {limit} px maximum side": "尺寸：{size} 像素，长边超过最大 {limit} 像素",
    "dimensions: {size} px, under the recommended {limit} px": "尺寸：{size} 像素，低于推荐的 {limit} 像素",
    "dimensions: aspect {ratio} ({aspect}), {expected} expected": "尺寸：宽高比 {ratio}（{aspect}），应为 {expected}",
    "border: {width} px frame in RGB{colour} along the {sides} edges": "边框：{sides}边缘有 {width} 像素宽的边框，颜色 RGB{colour}",
    "border: {width} px frame in RGB{colour} along the {sides} edges, {inset} px in from the edge": "边框：{sides}边缘有 {width} 像素宽的边框，距边缘 {inset} 像素，颜色 RGB{colour}",
    "border: {width} px bar in RGB{colour} along the {sides} edge": "边框：{sides}边缘有 {width} 像素宽的色条，颜色 RGB{colour}",
    "border: {width} px bar in RGB{colour} along the {sides} edge, {inset} px in from the edge": "边框：{sides}边缘有 {width} 像素宽的色条，距边缘 {inset} 像素，颜色 RGB{colour}",
    "background: only {share} of the image is a light backdrop; pure white required": "背景：只有 {share} 的画面是浅色背景；要求纯白背景",
    "background: {pct}% of background pixels not pure white, mean gray tone {gray}%": "背景：{pct}% 的背景像素不是纯白，平均灰度 {gray}%",
    "background: tinted, mean colour RGB({rgb}) instead of 255,255,255": "背景：偏色，平均颜色 RGB({rgb})，不是 255,255,255",
    "background: uniform grey tone {pct}% ({levels} levels below white)": "背景：整体发灰 {pct}%（比纯白低 {levels} 级）",
    "background: gradient, brightness varies by {levels} levels ({pct}%), darkest at the {where}": "背景：渐变，亮度相差 {levels} 级（{pct}%），最暗处：{where}",
    "background: texture or noise, {levels} levels pixel to pixel": "背景：有纹理或噪点，像素间起伏 {levels} 级",
    "background: shadow next to the product over {pct}% of the image, up to {depth} levels dark": "背景：商品旁有阴影，占画面 {pct}%，最深 {depth} 级",
    "background: a soft grey shadow along {pct}% of the product's outline": "背景：商品轮廓有 {pct}% 是柔和的灰色阴影",
    "background: a hard shadow beside the product over {pct}% of the image, cast {offset} px": "背景：商品旁有清晰的投影，占画面 {pct}%，偏移 {offset} 像素",
    "watermark: {sample} ({fragment} repeated {repeats} times) across the image": "水印：{sample}（{fragment} 重复 {repeats} 次）遍布画面",
    "text: {quoted} on the {place}, not printed on the product": "文字：{quoted} 在{place}上，不是印在商品上的",
    "text: {quoted} on the product is promotional, not the product's own print": "文字：商品上的 {quoted} 是促销文字，不是商品本身的印刷",
    "text: {quoted} runs across the product's outline: laid over the photo, not printed": "文字：{quoted} 越过商品轮廓：是叠加在图片上的，不是印刷在商品上的",
    "QR code on the image": "画面上有二维码",
    "barcode on the image": "画面上有条形码",
    "sharpness: the product's outline is soft ({value}; sharp is about 0.5)": "清晰度：商品轮廓模糊（{value}；清晰约为 0.5）",
    "exposure: {pct}% of the product's pixels are {kind}": "曝光：商品 {pct}% 的像素{kind}",
    "composition: no product in the image": "构图：画面中没有商品",
    "composition: the frame cuts the product ({pct}% of the edge is product)": "构图：商品被画面边缘截断（{pct}% 的边缘是商品）",
    "composition: the product fills {fill} of the frame, under {limit}": "构图：商品只占画面 {fill}，低于 {limit}",
    "composition: the product fills {fill} of the frame, leaving no margin": "构图：商品占画面 {fill}，没有留白",
    "composition: the product sits {offset} of the frame off centre": "构图：商品偏离中心 {offset}",
    "allowed on secondary images": "副图允许",
    "allowed by {profile}": "{profile} 规则允许",
    # notes
    "animated ({frames} frames): first frame used": "动图（{frames} 帧）：使用第一帧",
    "transparency: mask taken from the alpha channel": "透明背景：直接使用透明通道作为蒙版",
    "decoded at {size} (JPEG draft) from {original}": "按 {size} 解码（JPEG 缩小解码），原图 {original}",
    "worked on at {size} from {original}": "按 {size} 处理，原图 {original}",
    "EXIF orientation {value} applied": "已按 EXIF 方向 {value} 旋转",
    "16-bit image reduced to 8 bits": "16 位图像已转为 8 位",
    "ICC profile converted to sRGB": "ICC 色彩配置已转换为 sRGB",
    "ICC profile ignored ({reason})": "已忽略 ICC 色彩配置（{reason}）",
    "CMYK without ICC profile: naive conversion": "CMYK 图像无 ICC 配置：简单转换",
    "output renamed to {name}: another source has the same name": "输出已改名为 {name}：另有同名源文件",
    "shadow cleanup skipped: {reason}": "跳过阴影清理：{reason}",
    "bare backdrop and shadows the model took in removed: {share} of its mask (a plain backdrop, not light)": "已去除模型误当作商品的纯背景和阴影：占其蒙版的 {share}（纯色背景，非浅色）",
    "mask by {method}": "抠图方式：{method}",
    "shadow-like area is {share} of the product: kept, product may be grey": "类似阴影的区域占商品 {share}：保留，商品可能是灰色的",
    "product upscaled x{scale}: small in the source photo": "商品放大了 {scale} 倍：原图中商品太小",
    "the model is unsure what the product is: sure of {share} of the cut-out (a texture, a scene, or a product it cannot see): look at it before use": "模型不确定商品是什么：抠图中只有 {share} 的区域有把握（纹理、场景，或模型看不出的商品）：使用前请检查",
    "too small in the source photo for a main image (upscaled x{scale}, over x{limit}): look at it before use": "原图中商品太小，不适合做主图（放大了 {scale} 倍，超过 {limit} 倍）：使用前请检查",
    "the cut-out is under {share} of the photo, and something faint beside it was not found on a second, contrast-stretched look: it may be a piece of a faint product: look at it before use": "抠图不到原图的 {share}，旁边有几乎与背景同色的东西，增强对比度后的第二次识别也没有找到：抠图可能只是浅色商品的一部分：使用前请检查",
    "product faint against the sweep: found on a second, contrast-stretched look": "商品与背景几乎同色：在增强对比度后的第二次识别中找到",
    "product faint against the sweep: found on a second, contrast-stretched look (the first look had taken its shadow for it)": "商品与背景几乎同色：在增强对比度后的第二次识别中找到（第一次识别把它的影子当成了商品）",
    # image errors
    "cannot read file: {reason}": "无法读取文件：{reason}",
    "empty file (0 bytes)": "空文件（0 字节）",
    "not an image (starts with {head})": "不是图片（开头为 {head}）",
    "image is {size} = {mp} MP, over the {limit} MP limit": "图片为 {size} = {mp} 百万像素，超过 {limit} 百万像素上限",
    "decompression bomb refused: over the {limit} MP limit": "拒绝解压炸弹：超过 {limit} 百万像素上限",
    "decompression bomb refused: {mp} MP, over the {limit} MP limit": "拒绝解压炸弹：{mp} 百万像素，超过 {limit} 百万像素上限",
    "cannot decode {found}: {reason}": "无法解码 {found}：{reason}",
    "image is {size} px; each side needs at least {limit} px": "图片为 {size} 像素；每边至少需要 {limit} 像素",
    "image is {size} px, {work} px at the working size; each side needs at least {limit} px": "图片为 {size} 像素，处理尺寸为 {work} 像素；每边至少需要 {limit} 像素",
    "no product found ({reason})": "未找到商品（{reason}）",
    "out of memory while processing this image": "处理此图片时内存不足",
    # setup and output-folder errors
    "{path}: source folder does not exist": "{path}：源文件夹不存在",
    "{path}: source is not readable": "{path}：源文件夹无法读取",
    "{path}: no such file or folder": "{path}：文件或文件夹不存在",
    "{path}: cannot open the log file: {reason}": "{path}：无法打开日志文件：{reason}",
    "{path}: another aefix run is using this folder ({holder}); not started": "{path}：另一个 aefix 任务正在使用此文件夹（{holder}）；未启动",
    "{path}: cannot write to the output folder: {reason}": "{path}：无法写入输出文件夹：{reason}",
    "{path}: cannot create the output folder: {reason}": "{path}：无法创建输出文件夹：{reason}",
    "{path}: cannot write output: {reason}": "{path}：无法写入输出：{reason}",
    "{path}: cannot write the report: {reason}": "{path}：无法写入报告：{reason}",
    "{path}: cannot write the manifest: {reason}": "{path}：无法写入清单：{reason}",
    "{path}: cannot read profile: {reason}": "{path}：无法读取规则文件：{reason}",
    "{path}: cannot read the report: {reason}": "{path}：无法读取报告：{reason}",
    "{path}: extends = {base}, which is not one of {names}": "{path}：extends = {base}，不是 {names} 之一",
    "--profile {name}: not a shipped profile ({names}) and no such TOML file": "--profile {name}：不是内置规则（{names}），也没有这个 TOML 文件",
    "profile {origin}: unknown key {key}": "规则 {origin}：未知的键 {key}",
    "profile {origin}: {key} must be a list": "规则 {origin}：{key} 必须是列表",
    "profile {origin}: {key} must be true or false": "规则 {origin}：{key} 必须是 true 或 false",
    "profile {origin}: {key} must be a number, not {value}": "规则 {origin}：{key} 必须是数字，而不是 {value}",
    "profile {origin}: {key} must be a whole number, not {value}": "规则 {origin}：{key} 必须是整数，而不是 {value}",
    "profile {origin}: {key} must be a string": "规则 {origin}：{key} 必须是字符串",
    "profile {origin}: pass_score must be within 0-100": "规则 {origin}：pass_score 必须在 0-100 之间",
    "--min-score must be within 0-100, not {value}": "--min-score 必须在 0-100 之间，而不是 {value}",
    "--format must be one of {names}, not {value}": "--format 必须是 {names} 之一，而不是 {value}",
    "--size must be between 64 and 10000 px, not {value}": "--size 必须在 64 到 10000 像素之间，而不是 {value}",
    "--format {value} is not allowed by profile {profile} ({names})": "--format {value} 不符合规则 {profile}（{names}）",
    "--margin must be in [0, 0.45), not {value}": "--margin 必须在 [0, 0.45) 之间，而不是 {value}",
    "--max-bytes must be at least 10000, not {value}": "--max-bytes 至少为 10000，而不是 {value}",
    "--limit must be 0 or more, not {value}": "--limit 必须大于等于 0，而不是 {value}",
    "JPEG quality bounds must satisfy 1 <= min <= start <= 100": "JPEG 质量范围必须满足 1 <= 最低 <= 起始 <= 100",
    "unknown model {name}; known models: {names}": "未知模型 {name}；已知模型：{names}",
    "model file {path} not found: drop {file} into {folder} or {hint}": "找不到模型文件 {path}：把 {file} 放进 {folder}，或 {hint}",
    "model file {path} is corrupt: md5 {actual}, expected {expected}; delete it and fetch again": "模型文件 {path} 已损坏：md5 {actual}，应为 {expected}；删除后重新获取",
    "run `aefix models --fetch {name}` where there is internet": "在有网络的机器上运行 `aefix models --fetch {name}`",
    # report page
    "aefix report": "aefix 报告",
    "before": "处理前",
    "after": "处理后",
    "mask": "蒙版",
    "show failed only": "只看不合格",
    "passed": "合格",
    "needs review": "需复核",
    "errors": "出错",
    "unchanged": "未变",
    "time taken": "用时",
    "score": "得分",
    "from an earlier run": "来自之前的运行",
    "no findings": "没有问题",
    # summary and CLI words
    "{n} images: {ok} ok, {review} need review, {errors} errors in {seconds} s": "{n} 张图片：{ok} 张合格，{review} 张需复核，{errors} 张出错，用时 {seconds} 秒",
    "{n} images: {ok} ok, {review} need review, {errors} error in {seconds} s": "{n} 张图片：{ok} 张合格，{review} 张需复核，{errors} 张出错，用时 {seconds} 秒",
    "{n} image: {ok} ok, {review} need review, {errors} errors in {seconds} s": "{n} 张图片：{ok} 张合格，{review} 张需复核，{errors} 张出错，用时 {seconds} 秒",
    "{n} image: {ok} ok, {review} need review, {errors} error in {seconds} s": "{n} 张图片：{ok} 张合格，{review} 张需复核，{errors} 张出错，用时 {seconds} 秒",
    "{n} unchanged since the last run (skipped)": "{n} 张自上次以来未变（跳过）",
    "accepted by hand: moved out of _review": "已人工接受：已移出 _review",
    "still from earlier runs: {errors} errors, {review} need review (see the report)": "之前运行遗留：{errors} 张出错，{review} 张需复核（见报告）",
    "still from earlier runs: {errors} error, {review} need review (see the report)": "之前运行遗留：{errors} 张出错，{review} 张需复核（见报告）",
    "{n} left for the next run (--limit)": "{n} 张留待下次（--limit）",
    "stopped by {signal}: {n} left for the next run": "被 {signal} 中止：{n} 张留待下次",
    "report: {path}": "报告：{path}",
    "{n} image(s): {passed} pass, {failed} fail": "{n} 张图片：{passed} 张通过，{failed} 张不通过",
    "{signal}: finishing the current image, then stopping": "{signal}：完成当前图片后停止",
    "Warning: {path}: cannot read folder: {reason}": "警告：{path}：无法读取文件夹：{reason}",
    "Warning: {path}: cannot remove the review copy of an accepted output: {reason}": "警告：{path}：无法删除已接受输出在待审核文件夹中的副本：{reason}",
    "Warning: {path}: unreadable manifest ({reason}); every image will be redone": "警告：{path}：清单无法读取（{reason}）；所有图片将重新处理",
    "Warning: {path}: the last run ({holder}) did not finish; {n} temp file(s) removed": "警告：{path}：上次运行（{holder}）没有正常结束；已删除 {n} 个临时文件",
    "dry run: {n} image(s) would be processed": "试运行：将处理 {n} 张图片",
    "{n} unchanged (skipped)": "{n} 张未变（跳过）",
    "{n} left for a later run (--limit)": "{n} 张留待以后（--limit）",
    "nothing written": "未写入任何文件",
    "score  verdict  file / top findings": "得分  结论  文件 / 主要问题",
    "... and {n} more (--json for all)": "……另有 {n} 项（--json 查看全部）",
    "Error: {path}: {reason}": "错误：{path}：{reason}",
    "Error: {message}": "错误：{message}",
    "Warning: {message}": "警告：{message}",
}
# Single words inside findings and notes.
WORDS: dict[str, str] = {
    "top": "上", "bottom": "下", "left": "左", "right": "右", "centre": "中间",
    "top left": "左上", "top right": "右上", "bottom left": "左下", "bottom right": "右下",
    "background": "背景", "image": "画面",
    "highlights clipped to white": "高光过曝成纯白", "shadows clipped to black": "暗部死黑",
    "run `make models`": "运行 `make models`",
    "no background visible to compare with": "看不到可比较的背景",
    "background too dark for shadow detection": "背景太暗，无法检测阴影",
}  # fmt: skip


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for english, chinese in CATALOGUE.items():
        parts = re.split(r"\{(\w+)\}", english)
        regex = "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts))
        compiled.append((re.compile(f"^{regex}$", re.DOTALL), chinese))
    # Longer templates first: "…(named {suffix}); …" before "…; …".
    compiled.sort(key=lambda pair: -len(pair[0].pattern))
    return compiled


_DEDUCTION = re.compile(r"^(?P<body>.*) \((?P<note>-[\d.]+|allowed [^()]*)\)$", re.DOTALL)


def translate(message: str, lang: str) -> str:
    """`message` in `lang`: itself for English, from the catalogue for Chinese (English if no template).

    A summary made of parts ("…; 3 left for the next run (--limit)") is translated part by part.
    """
    if lang == "en" or not message:
        return message
    parts = message.split("; ")
    if len(parts) > 1 and all(_translatable(part) for part in parts):
        return "；".join(translate(part, lang) for part in parts)
    tail = ""
    match = _DEDUCTION.match(message)
    if match:
        note = match["note"]
        tail = f"（{note}）" if note.startswith("-") else f"（{_fill(note)}）"
        message = match["body"]
    return _fill(message) + tail


def is_translated(message: str) -> bool:
    """Whether the catalogue has a template for `message` (the tests hold every message to this)."""
    parts = message.split("; ")
    return _translatable(message) or (len(parts) > 1 and all(_translatable(part) for part in parts))


def _translatable(message: str) -> bool:
    body = _DEDUCTION.match(message)
    return _match(body["body"] if body else message) is not None


def _match(message: str) -> tuple[re.Match[str], str] | None:
    for pattern, chinese in _patterns():
        found = pattern.match(message)
        if found:
            return found, chinese
    return None


def _fill(message: str) -> str:
    found = _match(message)
    if found is None:
        return message
    match, chinese = found
    values = {name: WORDS.get(value, _words(value)) for name, value in match.groupdict().items()}
    return chinese.format(**values)


def _words(value: str) -> str:
    """Comma-separated word lists ("top, left") and nested messages ("Error: …") in Chinese."""
    if ", " in value and all(part in WORDS for part in value.split(", ")):
        return "、".join(WORDS[part] for part in value.split(", "))
    nested = _match(value)
    return _fill(value) if nested else value


def default_lang() -> str:
    """zh when the locale asks for Chinese (LC_ALL, LC_MESSAGES or LANG starting with "zh"), else en."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
