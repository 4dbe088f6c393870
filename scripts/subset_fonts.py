"""Make the DejaVu Sans subsets vendored in app/credentials/fonts/ for certificate PDFs.

fpdf2 parses the whole TTF for every PDF and re-subsets it on output, so font size is most of a
certificate's generation time. Keeping the scripts that render without text shaping (Latin,
Greek, Cyrillic, Armenian, Georgian) and dropping TrueType hinting (PDF viewers rasterise
outlines themselves) roughly halves it. The name table, with the copyright and licence, is kept
whole, as the Bitstream Vera / Arev licence requires; the font names contain none of the
reserved words, so the subset may keep them.

    apt-get install fonts-dejavu-core     # DejaVu 2.37 in Debian 12
    .venv/bin/python scripts/subset_fonts.py [/usr/share/fonts/truetype/dejavu]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

OUT = Path(__file__).resolve().parents[1] / "app" / "credentials" / "fonts"
FONTS = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
BLOCKS = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0250, 0x02FF),  # IPA Extensions (Azerbaijani ə), Spacing Modifier Letters (okina U+02BB)
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x0370, 0x03FF),  # Greek and Coptic
    (0x0400, 0x052F),  # Cyrillic and Cyrillic Supplement
    (0x0530, 0x058F),  # Armenian
    (0x10A0, 0x10FF),  # Georgian
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh ẁ ẃ ẅ ỳ)
    (0x2000, 0x206F),  # General Punctuation
    (0x2070, 0x209F),  # Superscripts and Subscripts
    (0x20A0, 0x20C0),  # Currency Symbols
    (0x2100, 0x214F),  # Letterlike Symbols (№ ™)
    (0x2150, 0x218F),  # Number Forms (⅓ ½)
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus sign
    (0x2605, 0x2605),  # black star
    (0x2713, 0x2713),  # check mark
    (0xFB00, 0xFB06),  # Latin ligatures
    (0xFFFD, 0xFFFD),  # replacement character
)


def subset_font(source: Path, target: Path) -> None:
    options = subset.Options()
    options.layout_features = []  # fpdf2 draws text without shaping
    options.hinting = False
    options.glyph_names = True  # fpdf2 maps glyphs by name; synthesising names costs more
    options.name_IDs = ["*"]  # keep copyright, licence and licence URL
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[u for first, last in BLOCKS for u in range(first, last + 1)])
    subsetter.subset(font)
    font.save(target)


def main() -> None:
    source_dir = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/usr/share/fonts/truetype/dejavu")
    )
    for name in FONTS:
        subset_font(source_dir / name, OUT / name)
        glyphs = len(TTFont(OUT / name).getGlyphOrder())
        print(f"wrote {OUT / name}: {glyphs} glyphs, {(OUT / name).stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
