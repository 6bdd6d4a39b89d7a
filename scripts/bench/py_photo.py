"""The photo job in Python + Pillow, the baseline of `make bench`'s photo section: the same steps
as the photo function (shared/src/photo) — EXIF orientation applied, the centre 3:2 window,
Lanczos to 360×240, a 256-colour palette, an optimised PNG with no metadata — one photo per run,
one JSON line: milliseconds, bytes in and out.

    python py_photo.py PHOTO OUT.png
"""
import json
import os
import sys
import time

from PIL import Image, ImageOps

WIDTH, HEIGHT = 360, 240


def picture(path, out):
    started = time.perf_counter()
    with Image.open(path) as photo:
        photo = ImageOps.exif_transpose(photo).convert("RGB")
    w, h = photo.size
    cw, ch = (h * WIDTH / HEIGHT, h) if w / h > WIDTH / HEIGHT else (w, w * HEIGHT / WIDTH)
    left, top = (w - cw) / 2, (h - ch) / 2
    resized = photo.resize((WIDTH, HEIGHT), Image.LANCZOS, box=(left, top, left + cw, top + ch))
    palette = resized.quantize(256)
    palette.save(out, "PNG", optimize=True)
    return {"ms": (time.perf_counter() - started) * 1000, "photo_bytes": os.path.getsize(path),
            "picture_bytes": os.path.getsize(out), "width": w, "height": h}


if __name__ == "__main__":
    print(json.dumps(picture(sys.argv[1], sys.argv[2])))
