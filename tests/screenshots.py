"""Screenshots of the desk for docs/editors.md, taken by the browser tests.

Every call takes the screenshot (so the page renders in full); it is written to docs/images/ only when
NEWSROOM_SCREENSHOTS=1, as a 256-colour PNG that stays small in the repository.
"""

import io
import os
from pathlib import Path

from PIL import Image

DOCS_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def docs_screenshot(page, name, **kwargs):
    png = page.screenshot(**kwargs)
    if os.environ.get("NEWSROOM_SCREENSHOTS") != "1":
        return
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    DOCS_IMAGES.mkdir(exist_ok=True)
    image.save(DOCS_IMAGES / f"{name}.png", optimize=True)
