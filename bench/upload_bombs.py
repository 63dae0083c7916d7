"""Time and memory to refuse (or accept) hostile image uploads, through clean_image and through the admin.

    .venv/bin/python bench/upload_bombs.py          # every case, each measured in a fresh process
    .venv/bin/python bench/upload_bombs.py gif-bomb # one case

Each file is built once into a temporary folder; every measurement then runs in its own process, so
the peak memory it reports (VmHWM, reset just before the upload is handled) is that upload's alone.
"clean_image" calls it directly; "admin" posts the file as an article photo with the test client, as an
editor's browser would, on a throwaway SQLite test database, and splits the request's time into
clean_image (before the save's transaction) and the rest (the transaction, which on SQLite holds the
write lock, and the renditions made when the photo is saved).
"""

import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.test")

MB = 1_000_000


def noise_gif(width, height, frames):
    """Frames of random pixels, each with its own random palette: the slowest GIF to re-encode."""
    from PIL import Image

    images = []
    for _ in range(frames):
        frame = Image.frombytes("P", (width, height), os.urandom(width * height))
        frame.putpalette(os.urandom(768))
        images.append(frame)
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=80, loop=0, optimize=False)
    return buffer.getvalue()


def photo_jpeg(width, height):
    """A large photo-like JPEG: a gradient with grain, so the encoder has real work."""
    from PIL import Image

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    grain = Image.effect_noise((width, height), 40).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(image, grain, 0.3).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def filled(build, width, height, limit):
    """As many frames as fit in nine tenths of the byte limit."""
    per_frame = len(build(width, height, 2)) - len(build(width, height, 1))
    return build(width, height, max(1, limit * 9 // 10 // per_frame))


def cases(limit):
    from tests.test_images import apng_animation, gif_animation, webp_animation

    return {
        "gif-bomb": ("refused", lambda: gif_animation(6000, 6000, 40)),
        "gif-20mb": ("refused", lambda: filled(gif_animation, 6000, 6000, limit)),
        "apng-20mb": ("refused", lambda: filled(apng_animation, 6000, 6000, limit)),
        "webp-20mb": ("refused", lambda: filled(webp_animation, 6000, 6000, limit)),
        "gif-at-cap": ("accepted", lambda: noise_gif(1000, 1000, 14)),
        "jpeg-40mp": ("accepted", lambda: photo_jpeg(7300, 5470)),
    }


def peak_reset():
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1000
    return float("nan")


def measure(mode, path):
    """Run in a child process: handle one upload, print seconds, peak MB and the outcome."""
    import django

    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from articles import images

    data = Path(path).read_bytes()
    name = Path(path).name
    if mode == "clean_image":
        peak_reset()
        started = time.perf_counter()
        try:
            outcome = f"accepted ({len(images.clean_image(SimpleUploadedFile(name, data)).read()):,} bytes)"
        except ValidationError as error:
            outcome = f"refused: {error.messages[0][:70]}"
        print(f"{time.perf_counter() - started:.2f}\t{peak_mb():.0f}\t-\t{outcome}")
        return

    from django.db import connection
    from django.test import Client
    from django.test.client import encode_multipart
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0)
    from tests.admin_forms import article_post_data
    from tests.conftest import user_for
    from tests.factories import ArticleFactory

    editor = user_for("editor")
    article = ArticleFactory(bylines=[editor.author])
    client = Client()
    client.force_login(editor)
    client.get(reverse("admin:articles_article_change", args=[article.pk]))  # templates loaded, as in a running site
    spent, real = [], images.clean_image

    def timed(fileobj):
        started = time.perf_counter()
        try:
            return real(fileobj)
        finally:
            spent.append(time.perf_counter() - started)

    images.clean_image = timed
    form = article_post_data(article, hero_alt="A photo")
    form["hero_image"] = SimpleUploadedFile(name, data)
    body = encode_multipart("UpLoAdBoMbS", form)  # encoded before measuring: the browser's work, not ours
    del data, form
    peak_reset()
    started = time.perf_counter()
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        body,
        content_type="multipart/form-data; boundary=UpLoAdBoMbS",
    )
    del body
    elapsed = time.perf_counter() - started
    if response.status_code == 302:
        outcome = "accepted (302)"
    else:
        page = response.content.decode()
        start = page.find('<ul class="errorlist')
        outcome = f"refused ({response.status_code}): " + page[start : start + 300].split(">", 2)[-1].split("<")[0][:60]
    print(f"{elapsed:.2f}\t{peak_mb():.0f}\t{elapsed - sum(spent):.2f}\t{outcome}")


def main(only):
    import django

    django.setup()
    from django.conf import settings

    limit = settings.IMAGE_MAX_BYTES
    folder = Path(tempfile.mkdtemp(prefix="upload-bombs-"))
    print(f"{'case':12} {'size':>9} {'path':12} {'seconds':>8} {'peak MB':>8} {'after clean':>11}  outcome")
    for name, (_expected, build) in cases(limit).items():
        if only and name not in only:
            continue
        random.seed(name)
        path = folder / f"{name}.{name.split('-')[0].replace('apng', 'png').replace('jpeg', 'jpg')}"
        path.write_bytes(build())
        for mode in ("clean_image", "admin"):
            result = subprocess.run(
                [sys.executable, __file__, "--measure", mode, str(path)], capture_output=True, text=True, cwd=ROOT
            )
            if result.returncode:
                print(result.stderr[-2000:])
                continue
            seconds, peak, rest, outcome = result.stdout.strip().splitlines()[-1].split("\t")
            size = f"{path.stat().st_size / MB:.1f} MB"
            print(f"{name:12} {size:>9} {mode:12} {seconds:>8} {peak:>8} {rest:>11}  {outcome}")
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1:])
