"""What the field app's Chromium tests share (tepat.updates, tepat.grievances, tepat.distribution): a phone
context at 360 px, signing in at /lapangan/ with the JSON API, waiting for the download to land in
IndexedDB, and a small real image for the photo inputs. The field app lives in tepat.updates, so the apps
above it import this module (the import layers allow it; the other way round would not)."""

from __future__ import annotations

import os
import struct
import zlib
from contextlib import contextmanager
from pathlib import Path

from tepat.updates.tests.browser.test_new_family_flow import CHROMIUM, LAUNCH_ARGS, _require_chromium

PHONE = {"width": 360, "height": 740}

__all__ = ["PHONE", "phone", "png", "require_chromium", "shot", "sign_in", "wait_stored"]
require_chromium = _require_chromium


@contextmanager
def phone(playwright, *, init_script: str = ""):
    """A headless Chromium page at 360 × 740, Indonesian, 20 s timeouts; `init_script` runs before the app."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    context.set_default_timeout(20000)
    if init_script:
        context.add_init_script(init_script)
    try:
        yield context, context.new_page()
    finally:
        context.close()
        browser.close()


def sign_in(page, url: str, username: str, password: str) -> None:
    """Open the app and sign in; the download starts by itself."""
    from playwright.sync_api import expect

    page.goto(f"{url}/lapangan/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#signin button[type=submit]")
    expect(page.locator("#storage")).to_be_visible()


def wait_stored(page, key: str) -> None:
    """Until the download has stored `key` in the app's IndexedDB (evaluate awaits the promise)."""
    for _ in range(100):
        if page.evaluate(f"() => tepatField.store.get({key!r}).then(v => !!(v && v.length))"):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"the app never stored {key}")


def png(width: int = 64, height: int = 48, rgb: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    """A valid PNG of one colour (a photo for the inputs; createImageBitmap decodes it)."""
    row = b"\x00" + bytes(rgb) * width

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + \
        chunk(b"IEND", b"")


def shot(page, name: str) -> None:
    """A full-page screenshot into TEPAT_SCREENSHOT_DIR when it is set (to look at the 360 px layout)."""
    folder = os.environ.get("TEPAT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"field_{name}.png"), full_page=True)
