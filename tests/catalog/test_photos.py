"""Product photos: checked from their content, re-encoded without metadata, kept by checksum, shown on
the public page, and changed only by organizers and the product's own producer."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re

from PIL import Image

from tests.conftest import product_payload, run, stored_files, unique

GPS_IFD, MAKE, ORIENTATION = 0x8825, 0x010F, 0x0112


def jpeg_with_exif(width: int = 1600, height: int = 1200, orientation: int = 6) -> bytes:
    """A real photo as a phone makes it: JPEG, camera make, GPS position, rotated by an EXIF tag."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[MAKE] = "PhoneCam"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), (30, 120, 60, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, product_id: int, content: bytes, filename: str = "anh.jpg", media_type: str = "image/jpeg"):
    return client.post(f"/api/v1/products/{product_id}/photos", files={"file": (filename, content, media_type)},
                       headers={"x-csrftoken": client.csrf()})


def own_producer(users) -> int:
    """The producer the `producer` test user acts for."""
    from accounts.tables import User
    from catalog.tables import ProducerMember

    user = run(User.select(User.id).where(User.username == users["producer"]).first())["id"]
    return run(ProducerMember.select(ProducerMember.producer).where(ProducerMember.user == user).first())["producer"]


def make_product(client, producer_id: int) -> dict:
    response = client.api("POST", "/api/v1/products", product_payload(producer_id, name=unique("Chè Tân Cương ")))
    assert response.status_code == 201, response.text
    return response.json()


def test_a_phone_jpeg_is_stored_resized_upright_without_exif_and_shown_on_the_product_page(login, anonymous, producer_id):
    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    tag_before = anonymous.get(f"/p/{product['code']}").headers["etag"]

    response = upload(organizer, product["id"], jpeg_with_exif())
    assert response.status_code == 201, response.text
    photo = response.json()
    # 1600 × 1200 turned upright by its orientation tag (portrait), then fitted into 1200 and 320 px, and 640 px wide
    assert (photo["display_width"], photo["display_height"]) == (900, 1200)
    assert (photo["phone_width"], photo["phone_height"]) == (640, 853)
    assert (photo["thumb_width"], photo["thumb_height"]) == (240, 320)

    for url, size in ((photo["display_url"], (900, 1200)), (photo["phone_url"], (640, 853)), (photo["thumb_url"], (240, 320))):
        served = anonymous.get(url)
        assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
        assert "immutable" in served.headers["cache-control"] and "set-cookie" not in served.headers
        assert url.endswith(hashlib.sha256(served.content).hexdigest() + ".webp")  # content-addressed
        image = Image.open(io.BytesIO(served.content))
        assert image.size == size and image.format == "WEBP"
        assert dict(image.getexif()) == {} and b"Exif" not in served.content and b"PhoneCam" not in served.content
        assert "icc_profile" not in image.info and "xmp" not in image.info
        assert stored_files()[url.rsplit("/", 1)[1].removesuffix(".webp")] == served.content

    page = anonymous.get(f"/p/{product['code']}")
    assert page.headers["etag"] != tag_before  # the page shows the photo, so its version changed
    html = page.text
    assert f'srcset="{photo["thumb_url"]} 240w, {photo["phone_url"]} 640w, {photo["display_url"]} 900w"' in html
    assert 'width="240" height="320"' in html
    assert 'sizes="(max-width: 452px) calc(100vw - 32px), 420px"' in html  # alone, it takes the page's width
    second = upload(organizer, product["id"], png()).json()
    html = anonymous.get(f"/p/{product['code']}").text
    assert re.search(rf'<img src="{second["thumb_url"]}"[^>]*loading="lazy"', html, re.S)
    assert html.count('sizes="(max-width: 526px) calc(85vw - 27px), 420px"') == 2  # beside another, 85 % of it
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert [url.rsplit("/", 1)[1] for url in data["image"]] == [photo["display_url"].rsplit("/", 1)[1],
                                                                 second["display_url"].rsplit("/", 1)[1]]
    assert all(url.startswith("http") for url in data["image"])
    listed = organizer.get(f"/api/v1/products/{product['id']}/photos").json()
    assert [p["id"] for p in listed] == [photo["id"], second["id"]]


def test_a_renamed_text_file_or_a_truncated_image_is_refused_with_the_reason_and_nothing_stored(login, producer_id):
    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    before = stored_files()
    text = "Mật ong hoa nhãn, không phải ảnh\n".encode() * 50
    response = upload(organizer, product["id"], text, "anh-san-pham.jpg")
    assert response.status_code == 422, response.text
    assert "JPEG, PNG or WebP" in response.json()["errors"]["file"] or "JPEG, PNG hoặc WebP" in response.json()["errors"]["file"]
    photo = jpeg_with_exif()
    response = upload(organizer, product["id"], photo[: len(photo) // 2])
    assert response.status_code == 422 and "file" in response.json()["errors"]
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert upload(organizer, product["id"], gif.getvalue(), "a.png", "image/png").status_code == 422
    assert upload(organizer, product["id"], b"", "empty.jpg").status_code == 422
    assert organizer.get(f"/api/v1/products/{product['id']}/photos").json() == []
    assert stored_files() == before

    # The staff page's form says why, in the user's language, and keeps the page.
    page = organizer.post(f"/catalog/products/{product['id']}/photos?lang=en", data={"_csrf_token": organizer.csrf()},
                          files={"file": ("anh.jpg", text, "image/jpeg")})
    assert page.status_code == 422 and "This file is not a JPEG, PNG or WebP image." in page.text


def test_an_oversize_photo_is_refused(login, producer_id):
    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    before = stored_files()
    big = jpeg_with_exif(64, 64)[:-2] + os.urandom(8 * 1024 * 1024) + b"\xff\xd9"  # 8 MB and a little more
    response = upload(organizer, product["id"], big, "lon.jpg")
    assert response.status_code == 422, response.text
    assert "8 MB" in response.json()["errors"]["file"]
    assert stored_files() == before


def test_only_organizers_and_the_products_own_producer_change_its_photos(login, anonymous, users, producer_id):
    organizer = login("organizer")
    mine = make_product(organizer, own_producer(users))
    theirs = make_product(organizer, producer_id)
    producer = login("producer")

    added = upload(producer, mine["id"], png(71, 53))  # a picture no other test uses: its files are its own
    assert added.status_code == 201, added.text
    assert upload(producer, theirs["id"], png()).status_code == 403
    assert upload(login("viewer"), mine["id"], png(65)).status_code == 403
    assert upload(login("salespoint_manager"), mine["id"], png(66)).status_code == 403
    assert anonymous.post(f"/api/v1/products/{mine['id']}/photos", files={"file": ("a.png", png(67), "image/png")},
                          headers={"x-csrftoken": anonymous.csrf()}).status_code == 401
    theirs_photo = upload(organizer, theirs["id"], png(68)).json()
    headers = {"x-csrftoken": producer.csrf()}
    assert producer.delete(f"/api/v1/products/{theirs['id']}/photos/{theirs_photo['id']}", headers=headers).status_code == 403
    assert upload(login("admin"), theirs["id"], png(69)).status_code == 201
    # the same photo twice on one product is refused
    assert upload(producer, mine["id"], png(71, 53)).status_code == 422

    # The producer sees the form on its own product only.
    assert f'action="/catalog/products/{mine["id"]}/photos"' in producer.get(f"/catalog/products/{mine['id']}").text
    assert "/photos\"" not in producer.get(f"/catalog/products/{theirs['id']}").text

    photo = added.json()
    names = {photo[f"{size}_url"].rsplit("/", 1)[1] for size in ("thumb", "phone", "display")}  # thumb and display: one
    files = {digest for digest in stored_files() if f"{digest}.webp" in names}
    assert len(files) == len(names)
    assert producer.delete(f"/api/v1/products/{mine['id']}/photos/{photo['id']}", headers=headers).status_code == 204
    assert not files & set(stored_files())  # no other photo uses them: the files are gone
    assert anonymous.get(photo["display_url"]).status_code == 404
    assert photo["thumb_url"] not in anonymous.get(f"/p/{mine['code']}").text


def test_the_staff_page_form_adds_and_removes_a_photo(login, producer_id):
    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    response = organizer.post(f"/catalog/products/{product['id']}/photos", data={"_csrf_token": organizer.csrf()},
                              files={"file": ("anh.jpg", jpeg_with_exif(800, 600, 1), "image/jpeg")})
    assert response.status_code in (302, 303), response.text
    (photo,) = organizer.get(f"/api/v1/products/{product['id']}/photos").json()
    assert (photo["display_width"], photo["display_height"]) == (800, 600)  # never enlarged
    page = organizer.get(f"/catalog/products/{product['id']}").text
    assert photo["thumb_url"] in page
    assert organizer.post(f"/catalog/products/{product['id']}/photos", files={"file": ("a.jpg", png(70), "image/png")}
                          ).status_code == 403  # no CSRF token: refused
    removed = organizer.form(f"/catalog/products/{product['id']}/photos/{photo['id']}/delete", {})
    assert removed.status_code in (302, 303)
    assert organizer.get(f"/api/v1/products/{product['id']}/photos").json() == []


def test_a_truncated_photo_is_refused_even_when_pillow_is_told_to_load_truncated_images(monkeypatch):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process; uploads must still be checked."""
    import pytest
    from PIL import ImageFile

    from catalog import imaging
    from core.errors import ValidationFailed

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    photo = jpeg_with_exif(900, 700, 1)
    assert [(r.width, r.height) for r in imaging.prepare(photo)] == [(320, 249), (640, 498), (900, 700)]
    assert imaging.prepare(photo + b"trailing bytes some cameras add")
    noisy = io.BytesIO()
    Image.effect_noise((300, 200), 60).save(noisy, "PNG")
    for damaged in (photo[: len(photo) // 2], photo[:-40], noisy.getvalue()[: len(noisy.getvalue()) // 2]):
        with pytest.raises(ValidationFailed) as refused:
            imaging.prepare(damaged)
        assert refused.value.errors["file"].msgid == imaging.DAMAGED


def test_photos_uploaded_before_the_phone_size_get_one_made_from_their_display_rendition(login, anonymous, producer_id):
    """The upgrade that adds the phone size makes it for the photos already there (their upload is not kept, their
    display rendition is); a photo whose display file is lost keeps offering that in its place."""
    from catalog.piccolo_migrations.catalog_2026_12_06t13_40_00_000000 import make_phone_renditions
    from catalog.tables import ProductPhoto
    from core import uploads

    organizer = login("organizer")
    product = make_product(organizer, producer_id)
    older = upload(organizer, product["id"], jpeg_with_exif(1000, 750, 1)).json()
    lost = upload(organizer, product["id"], jpeg_with_exif(1000, 760, 1)).json()
    for photo in (older, lost):  # as an older release left them
        run(ProductPhoto.update({ProductPhoto.phone_path: "", ProductPhoto.phone_width: 0, ProductPhoto.phone_height: 0})
            .where(ProductPhoto.id == photo["id"]))
        run(uploads.forget(photo["phone_url"].rsplit("/", 1)[1].removesuffix(".webp")))
    run(uploads.forget(lost["display_url"].rsplit("/", 1)[1].removesuffix(".webp")))

    assert run(make_phone_renditions()) == 1
    assert run(make_phone_renditions()) == 0  # nothing left to make: the one without a display file stays as it is
    by_id = {p["id"]: p for p in organizer.get(f"/api/v1/products/{product['id']}/photos").json()}
    made, left = by_id[older["id"]], by_id[lost["id"]]
    assert (made["phone_width"], made["phone_height"]) == (640, 480)
    served = anonymous.get(made["phone_url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/webp"
    assert made["phone_url"].endswith(hashlib.sha256(served.content).hexdigest() + ".webp")
    assert Image.open(io.BytesIO(served.content)).size == (640, 480)
    assert len(served.content) < len(anonymous.get(made["display_url"]).content)
    assert (left["phone_url"], left["phone_width"]) == (left["display_url"], left["display_width"])

    headers = {"x-csrftoken": organizer.csrf()}
    for photo in (older, lost):
        assert organizer.delete(f"/api/v1/products/{product['id']}/photos/{photo['id']}", headers=headers).status_code == 204
    assert anonymous.get(made["phone_url"]).status_code == 404  # removed with its photo, like the other renditions
