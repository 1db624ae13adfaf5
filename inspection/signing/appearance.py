"""The visible agency signature of Nghị định 30/2020 Phụ lục I: the agency's seal (red, its name
around the rim, on a transparent ground) with "Ký bởi: <tên cơ quan>", the e-mail or identifier
and "Thời gian ký: <giờ, ngày>" (Vietnam time, ISO 8601 offset), over the signature block."""

import math
import tempfile
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import StaticStampStyle, TextStampStyle

from ..config import ROOT

FONT = ROOT / "static" / "fonts" / "LiberationSerif-Bold.ttf"
TEXT_FONT = ROOT / "static" / "fonts" / "LiberationSerif-Regular.ttf"
RED = (200, 16, 46, 255)
SIDE = 360  # px of the seal image (it is scaled to the signature box)
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _rim_text(image: Image.Image, text: str, radius: float, size: int) -> None:
    """Write `text` around the top of the seal, each letter turned to face outwards."""
    font = ImageFont.truetype(str(FONT), size)
    widths = [font.getlength(ch) for ch in text]
    spread = min(300.0, math.degrees(sum(widths) * 1.15 / radius))
    angle = -90 - spread / 2  # degrees, centred on the top
    centre = SIDE / 2
    for ch, width in zip(text, widths, strict=True):
        step = math.degrees(width * 1.15 / radius)
        mid = math.radians(angle + step / 2)
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size, size), ch, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-(angle + step / 2 + 90), resample=Image.BICUBIC)
        x, y = centre + radius * math.cos(mid) - size, centre + radius * math.sin(mid) - size
        image.alpha_composite(glyph, (round(x), round(y)))
        angle += step


def _star(draw: ImageDraw.ImageDraw, centre: float, outer: float) -> None:
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else outer * 0.4
        a = math.radians(-90 + i * 36)
        points.append((centre + r * math.cos(a), centre + r * math.sin(a)))
    draw.polygon(points, fill=RED)


@lru_cache(maxsize=32)
def seal_image(name: str) -> Image.Image:
    """The agency's seal: two red rings, its name in capitals around the rim, a star inside."""
    image = Image.new("RGBA", (SIDE, SIDE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = SIDE / 2
    draw.ellipse((6, 6, SIDE - 6, SIDE - 6), outline=RED, width=10)
    draw.ellipse((76, 76, SIDE - 76, SIDE - 76), outline=RED, width=4)
    _rim_text(image, name.upper(), radius=c - 42, size=max(18, min(34, int(1900 / max(len(name), 1)))))
    _star(draw, c, 60)
    return image


def signing_time_text(moment: datetime) -> str:
    """'06/12/2026 14:05:31 +07:00': the hour and date in Vietnam, with its offset."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S %z").replace("+0700", "+07:00")


def text_params(org: str, contact: str, moment: datetime) -> dict:
    line = f"Email: {contact}\n" if "@" in contact else (f"Mã định danh: {contact}\n" if contact else "")
    return {"org": org, "contact": line, "when": signing_time_text(moment)}


# what the appearance writes: ASCII, Latin-1, Latin Extended-A/B, Vietnamese (Latin Extended
# Additional), combining marks, dashes and quotes
VIETNAMESE = [*range(0x20, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00), *range(0x2010, 0x2027)]


@lru_cache(maxsize=1)
def _text_font() -> str:
    """The bundled serif cut to the Vietnamese alphabet (pyHanko subsets and writes the font at
    every signature: the whole font took most of a signature's time) and set to 1000 units per
    em, as pyHanko 0.38 writes glyph widths unscaled (with Liberation's 2048 the letters of the
    appearance stood a letter apart); made once per process into a temporary file."""
    font = TTFont(str(TEXT_FONT))
    options = subset.Options()
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=VIETNAMESE)
    subsetter.subset(font)
    scale_upem(font, 1000)
    handle = tempfile.NamedTemporaryFile(prefix="cchc-sign-font-", suffix=".ttf", delete=False)
    with handle:
        font.save(handle)
    return handle.name


def stamp_style(org: str, height: float) -> TextStampStyle:
    """The seal at the left of the box, the three lines of text to its right."""
    text = TextBoxStyle(font=GlyphAccumulatorFactory(_text_font(), font_size=8), font_size=8, leading=10,
                        text_color=(0.75, 0.06, 0.18))
    seal = PdfImage(seal_image(org))
    return TextStampStyle(
        # the appearance is document text (Vietnamese whatever the reader's language)
        stamp_text="Ký bởi: %(org)s\n%(contact)sThời gian ký: %(when)s",
        text_box_style=text, border_width=0, background=seal, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MIN,
                                                     y_align=layout.AxisAlignment.ALIGN_MID,
                                                     margins=layout.Margins.uniform(1)),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=int(height) + 4, right=2, top=2, bottom=2)))


def seal_style(org: str) -> StaticStampStyle:
    """The seal alone: the agency's signature over a person's, covering its left third."""
    return StaticStampStyle(background=PdfImage(seal_image(org)), border_width=0, background_opacity=1.0,
                            background_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID,
                                                                         y_align=layout.AxisAlignment.ALIGN_MID))
